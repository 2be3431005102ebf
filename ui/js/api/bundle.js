// Handover: export, verify and import bundles; merge conflicts. One function per command.
import { invoke, listen, runJob } from '../ipc.js';

/**
 * Starts exporting a case; resolves to a job id. Progress: "export-progress" ({ job, done, total }),
 * end: "export-done" ({ job, result, error }). `profile`: "full" | "prosecutor" | "public".
 */
export const exportBundle = (caseId, out, zip, profile) => invoke('bundle_export', { caseId, out, zip, profile });
/** Checks a bundle (folder or ZIP) without touching the library: { ok, problems, signed_by, ... }. */
export const verifyBundle = (path) => invoke('bundle_verify', { path });
/** Starts verifying and merging a bundle; "import-progress" / "import-done" events as for export. */
export const importBundle = (path) => invoke('bundle_import', { path });
/** Stops an export or import job (nothing half-written is left). */
export const cancelJob = (job) => invoke('evidence_cancel', { job });
/** Conflicts found by imports into a case. */
export const listConflicts = (caseId) => invoke('conflict_list', { caseId });
/** Resolves a conflict by keeping this library's version or taking the incoming one. */
export const resolveConflict = (id, takeIncoming) => invoke('conflict_resolve', { id, takeIncoming });

/** Waits for the end of job `job` of kind "export" or "import", reporting progress. */
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
