// A case's contents: one function per backend command.
import { invoke } from '../ipc.js';

/**
 * Every vocabulary term: [{ vocab, code, label_en, label_uk, labels?, builtin }] (`labels`, labels
 * per language, when the backend sends them; vocab.js picks the UI language's).
 */
export const listTerms = () => invoke('vocab_list');

/** Loads the sample case (or returns it if already loaded). */
export const loadSample = () => invoke('sample_load');

/** Light rows of a case's incidents, by date. */
export const listIncidents = (caseId) => invoke('incident_list', { caseId });
/** { incident, links, acts, involvements } */
export const getIncident = (id) => invoke('incident_get', { id });
/** Creates an incident from the whole form (IncidentInput). */
export const createIncident = (caseId, input) => invoke('incident_create', { caseId, input });
/** Replaces an incident's fields with the whole form (IncidentInput). */
export const updateIncident = (id, input) => invoke('incident_update', { id, input });

export const listPersons = (caseId) => invoke('person_list', { caseId });
/** { person, has_identity, links } — never the identity itself. */
export const getPerson = (id) => invoke('person_get', { id });
export const createPerson = (caseId, input) => invoke('person_create', { caseId, input });
export const updatePerson = (id, input) => invoke('person_update', { id, input });
/** Records identifying details { real_name, date_of_birth, contact, address, notes }. */
export const setIdentity = (personId, identity) => invoke('identity_set', { personId, identity });
/** Reveals identifying details (an explicit act, recorded in the custody log); null if none. */
export const revealIdentity = (personId) => invoke('identity_reveal', { personId });

export const listUnits = (caseId) => invoke('unit_list', { caseId });
/** { unit, links } */
export const getUnit = (id) => invoke('unit_get', { id });
export const createUnit = (caseId, input) => invoke('unit_create', { caseId, input });
export const updateUnit = (id, input) => invoke('unit_update', { id, input });

/** { incident_id, victim_person_id?, victim_group, act_type, consequences } */
export const createAct = (caseId, input) => invoke('act_create', { caseId, input });
/** { perpetrator_person_id? | perpetrator_unit_id?, incident_id? | act_id?, degree, notes } */
export const createInvolvement = (caseId, input) => invoke('involvement_create', { caseId, input });

/** Rows with witness pseudonym and consent summary. */
export const listStatements = (caseId) => invoke('statement_list', { caseId });
/** { statement, witness, consent, consents, versions, links } */
export const getStatement = (id) => invoke('statement_get', { id });
export const createStatement = (caseId, input) => invoke('statement_create', { caseId, input });
/** Saves a new version of the statement. */
export const updateStatement = (id, input) => invoke('statement_update', { id, input });
/** { purpose: storage|prosecution|publication, granted, given_on, method } */
export const setConsent = (statementId, input) => invoke('consent_set', { statementId, input });
export const withdrawConsent = (statementId, purpose, on, note) => invoke('consent_withdraw', { statementId, purpose, on, note });

/** Links two records: fromType/toType are incident, statement, person, unit or act. */
export const createLink = (fromType, fromId, linkType, toType, toId, note = '') =>
  invoke('link_create', { fromType, fromId, linkType, toType, toId, note });
/** Removes a link (kept, marked deleted). */
export const removeLink = (linkId, reason) => invoke('link_remove', { linkId, reason });
/** Records of a case whose title/name/pseudonym contains `query` (never identities). */
export const findRecords = (caseId, query, types = []) => invoke('record_find', { caseId, query, types });

/** Marks any record deleted, with a reason. */
export const deleteRecord = (recordType, id, reason) => invoke('record_delete', { recordType, id, reason });
export const restoreRecord = (recordType, id) => invoke('record_restore', { recordType, id });
/** The record's custody entries and those of the links touching it, oldest first. */
export const recordHistory = (recordType, id) => invoke('record_history', { recordType, id });
/** The case's deleted records: [{ record_type, id, label, deleted_at, reason }]. */
export const listDeleted = (caseId) => invoke('record_deleted_list', { caseId });
