// Long work (imports, exports, verification) shown in the sidebar while it runs, whether or not
// its dialog is open: from there it can be reopened or stopped. Closing a dialog never hides
// running work.
import { h } from './dom.js';
import { t } from './i18n.js';

const jobs = new Map();
let seq = 0;

function list() {
  return document.querySelector('[data-testid=jobs]');
}

function render() {
  const el = list();
  if (!el) return;
  el.replaceChildren(...[...jobs.values()].map((j) => j.row));
  el.hidden = jobs.size === 0;
}

/**
 * Shows a running job in the sidebar until `finish()` is called.
 * @param {{ label: string, reopen?: () => void, cancel?: () => (void|Promise<void>) }} job
 *   `label` is already worded (through t()); `reopen` shows its dialog again; `cancel` stops it.
 * @returns {{ update: (progress: string) => void, finish: () => void }}
 */
export function startJob({ label, reopen, cancel }) {
  const id = ++seq;
  const progress = h('span', { class: 'job-progress muted small', 'aria-live': 'polite' });
  const row = h('li', { class: 'job', 'data-testid': 'job' },
    h('span', { class: 'job-label', text: label }), ' ', progress,
    reopen ? h('button', { type: 'button', class: 'link-button small', 'data-testid': 'job-open', text: t('jobs.show'), onclick: reopen }) : null,
    cancel ? h('button', { type: 'button', class: 'link-button small', 'data-testid': 'job-cancel', text: t('jobs.stop'), onclick: () => cancel() }) : null);
  jobs.set(id, { row });
  render();
  return {
    update(text) { progress.textContent = text; },
    finish() { jobs.delete(id); render(); },
  };
}

/** Whether any job is running (the page must not be left while one is). */
export function running() {
  return jobs.size > 0;
}

/** Forgets every job's row (on lock: labels can name case data); the work itself is the backend's. */
export function forgetJobs() {
  jobs.clear();
  render();
}
