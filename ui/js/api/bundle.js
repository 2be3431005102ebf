// Handover: export, verify and import bundles; merge conflicts. One function per command.
import { invoke, listen, runJob } from '../ipc.js';

/**
 * Starts exporting a case; resolves to a job id. Progress: "export-progress" ({ job, done, total }),
 * end: "export-done" ({ job, result, error }). `profile`: "full" | "prosecutor" | "public".
 * `language`: the language of the bundle's report.html (the UI's: "uk" or "en").
 */
export const exportBundle = (caseId, out, zip, profile, language) => invoke('bundle_export', { caseId, out, zip, profile, language });
/** Checks a bundle (folder or ZIP) without touching the library: { ok, problems, signed_by, ... }. */
export const verifyBundle = (path) => invoke('bundle_verify', { path });
/**
 * Starts verifying and merging a bundle; "import-progress" / "import-done" events as for export.
 * With `trust`, the key that signed it is trusted for its case first (a custody entry records it).
 */
export const importBundle = (path, trust = false) => invoke('bundle_import', { path, trust });
/** How an import of case `caseId` signed by `fingerprint` would be treated: "new_case" | "trusted" | "untrusted". */
export const caseStanding = (caseId, fingerprint) => invoke('case_standing', { caseId, fingerprint });
/** Where a case came from: { origin, keys, received, own_key }. */
export const caseProvenance = (caseId) => invoke('case_provenance', { caseId });
/** Trusts a key to change a case. */
export const trustKey = (caseId, fingerprint, reason) => invoke('key_trust', { caseId, fingerprint, reason });
/** Stops trusting a key for a case. */
export const revokeKey = (caseId, fingerprint, reason) => invoke('key_revoke', { caseId, fingerprint, reason });
/** The profile the case was last exported with ("full" | "prosecutor" | "public"), or null. */
export const lastExportProfile = (caseId) => invoke('export_last_profile', { caseId });
/** Stops an export or import job (nothing half-written is left). */
export const cancelJob = (job) => invoke('evidence_cancel', { job });
/** Conflicts found by imports into a case. */
export const listConflicts = (caseId) => invoke('conflict_list', { caseId });
/** Resolves a conflict by keeping this library's version or taking the incoming one. */
export const resolveConflict = (id, takeIncoming) => invoke('conflict_resolve', { id, takeIncoming });

/** Waits for the end of job `job` of kind "export", "import" or "audit", reporting progress. */
export async function followJob(kind, jobPromise, onProgress) {
  let job = null;
  const stopProgress = await listen(`${kind}-progress`, (p) => { if (p.job === job) onProgress(p); });
  try {
    const run = await runJob(`${kind}-done`, jobPromise);
    job = run.job;
    const d = await run.done;
    if (d.error) throw d.error;
    return d.result;
  } finally {
    stopProgress();
  }
}

/** The native save dialog; resolves to a path or null. */
export const chooseSavePath = (defaultPath, filters) => invoke('plugin:dialog|save', { options: { defaultPath, filters } });
