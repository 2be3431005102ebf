// The library as a whole: where it is, its schema, and the investigator profile.
import { invoke } from '../ipc.js';

/** Library folder, schema version, Casefile version and the profile (or null). */
export const libraryInfo = () => invoke('library_info');

/** Sets the investigator recorded as the actor of every change from now on. */
export const setProfile = (name, organisation) => invoke('profile_set', { name, organisation });

/** Adds a term to a controlled vocabulary (codes use a-z, 0-9 and _). */
export const addTerm = (vocab, code, labelEn, labelUk) => invoke('vocab_add', { vocab, code, labelEn, labelUk });

/**
 * Starts an audit of the library; resolves to a job id. With `files`, every original is re-hashed:
 * progress "audit-progress" ({ job, done, total } in bytes); end "audit-done" ({ job, result, error }).
 */
export const runAudit = (files = true) => invoke('audit_run', { files });

/** Accepts the custody log as it stands when the head file disagrees (recorded, with the reason). */
export const acceptLogHead = (reason) => invoke('audit_accept_head', { reason });
