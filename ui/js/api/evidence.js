// Evidence: one function per backend command, and the media URLs the webview loads.
import { invoke, listen, chooseFiles, runJob, mediaUrl } from '../ipc.js';

/** Light rows of a case's evidence, by capture time. */
export const listEvidence = (caseId) => invoke('evidence_list', { caseId });
/** { evidence, analysis, links, duplicates: [{ item, distance }] } */
export const getEvidence = (id) => invoke('evidence_get', { id });
/** { description?, graphic?, verification_status?, verification_notes?, acquisition? } */
export const updateEvidence = (id, edit) => invoke('evidence_update', { id, edit });
/** Pairs of different files that look alike, in the case (or the whole library). */
export const listDuplicates = (caseId = null) => invoke('evidence_duplicates', { caseId });
/**
 * Starts importing files/folders into a case; resolves to a job id at once. Progress comes as
 * "evidence-progress" events ({ job, progress }) and the end as "evidence-done" ({ job, report, error }).
 */
export const importEvidence = (caseId, paths, acquisition) => invoke('evidence_import', { caseId, paths, acquisition });
/** Stops an import after the current file; whole files are kept. */
export const cancelImport = (job) => invoke('evidence_cancel', { job });

/** Import progress: { job, progress }. `options.signal` stops listening when it aborts. */
export const onImportProgress = (handler, options) => listen('evidence-progress', handler, options);
/**
 * Starts an import and follows it: resolves to { job, done } where `done` resolves to the
 * "evidence-done" payload ({ job, report, error }).
 */
export const startImport = (caseId, paths, acquisition) => runJob('evidence-done', () => importEvidence(caseId, paths, acquisition));
/** A thumbnail was made (or could not be): { sha256, status }. `options.signal` stops listening when it aborts. */
export const onAnalysed = (handler, options) => listen('evidence-analysed', handler, options);
/** Files were dropped on the window: an array of paths. */
export const onFilesDropped = (handler, options) => listen('files-dropped', handler, options);
export { chooseFiles };

/** URL of an item's thumbnail (a JPEG of at most 256 px), served by the backend's media: scheme. */
export const thumbUrl = (id) => mediaUrl('thumb', id);
/** URL of an item's original image, served by the backend's media: scheme. */
export const originalUrl = (id) => mediaUrl('original', id);
