// Search, filters, and the data of the timeline and map. One function per command.
import { invoke } from '../ipc.js';

/**
 * Searches the library or one case: { hits: [{ record_type, record_id, case_id, title, snippet,
 * score }], more, ranked, suggestion? }. With no hits, `suggestion` may hold another query worth
 * trying (the prefix form of a word, "школ*"), which the search page offers as a link.
 */
export const search = (query, caseId = null, limit = 50, offset = 0) => invoke('search', { query, caseId, limit, offset });
/** A case's incidents passing { query, types, from, to, place, violation_status, tags, has_evidence, has_statements }. */
export const filterIncidents = (caseId, filter) => invoke('incident_filter', { caseId, filter });
/** A case's evidence passing { query, media_type, has_gps, from, to, graphic, verification_status }. */
export const filterEvidence = (caseId, filter) => invoke('evidence_filter', { caseId, filter });
/** Incidents and evidence with their times (lo, hi, precision) and places (lat, lon, location_precision). */
export const caseGeoTime = (caseId) => invoke('case_geo_time', { caseId });
