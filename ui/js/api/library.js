// The library as a whole: opening and locking it, where it is, its schema, and the
// investigator profile.
import { invoke, listen } from '../ipc.js';

/**
 * What the library folder holds and whether it is open; opens nothing:
 * { state: "missing" | "plaintext" | "encrypted" | "keys_destroyed", unlocked, name (the
 * folder's), data_dir, recovery_key, keys_destroyed_at?, retry_after_ms (the wait before another
 * unlock attempt is accepted) }.
 */
export const libraryState = () => invoke('library_state');

/** First start: makes the library, encrypted under `passphrase`, and opens it (state as above). */
export const createLibrary = (passphrase) => invoke('library_create', { passphrase });

/**
 * Unlocks the library (state as above). Rejects with code "wrong_passphrase" (the message says
 * how long to wait before the next attempt) or "unlock_delayed" (tried before that).
 */
export const unlockLibrary = (passphrase) => invoke('library_unlock', { passphrase });

/** Opens a library from before encryption, which has no passphrase (state as above). */
export const openPlaintextLibrary = () => invoke('library_open');

/** Locks: stops background jobs, closes the database and forgets the keys (state as above). */
export const lockLibrary = () => invoke('library_lock');

/**
 * Encrypts a library from before encryption, in place, under `passphrase`; resolves to the
 * state when done. Progress: see onEncryptProgress.
 */
export const encryptLibrary = (passphrase) => invoke('library_encrypt', { passphrase });

/** Calls `handler({ done, total })` (files) while encryptLibrary runs; resolves to a stop function. */
export const onEncryptProgress = (handler, options) => listen('encrypt-progress', handler, options);

/**
 * Emergency key wipe: locks and overwrites every passphrase key. `confirmName` must be the
 * library folder's name. Resolves to the state ("keys_destroyed").
 */
export const destroyKeys = (confirmName) => invoke('library_destroy_keys', { confirmName });

/**
 * Calls `handler(reason)` when the backend has locked the library by itself ("suspend": the
 * system is going to sleep; "keys_destroyed"); resolves to a stop function.
 */
export const onLibraryLocked = (handler) => listen('library-locked', handler);

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
