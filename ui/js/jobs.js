// Long work (imports, exports, verification) shown in the sidebar while it runs, whether or not
// its dialog is open: from there it can be reopened or stopped. Closing a dialog never hides
// running work.
//
// For screen readers the box has one polite live region that says when a job starts and ends
// (not every progress step, which would talk over everything else); each job's progress is
// readable text in its row.
import { h } from './dom.js';
import { t } from './i18n.js';

const jobs = new Map();
let seq = 0;

function box() {
  return document.querySelector('[data-testid=jobs-box]');
}

function list() {
  return document.querySelector('[data-testid=jobs]');
}

function announce(text) {
  const live = document.querySelector('[data-testid=jobs-live]');
  if (!live) return;
  // Emptied first, so the same words said twice are read twice.
  live.textContent = '';
  setTimeout(() => { live.textContent = text; }, 50);
}

const wording = (label) => (typeof label === 'function' ? label() : label);

/** A job's row, in the UI language of the moment. */
function row(job) {
  const name = wording(job.label);
  return h('li', { class: 'job', 'data-testid': 'job', 'aria-busy': 'true' },
    h('span', { class: 'job-label', text: name, title: name }),
    job.progress,
    job.reopen ? h('button', { type: 'button', class: 'link-button small', 'data-testid': 'job-open', text: t('jobs.show'),
      'aria-label': t('jobs.showLabel', { name }), onclick: () => job.reopen() }) : null,
    job.cancel ? h('button', { type: 'button', class: 'link-button small', 'data-testid': 'job-cancel', text: t('jobs.stop'),
      'aria-label': t('jobs.stopLabel', { name }), onclick: () => job.cancel() }) : null);
}

function render() {
  const el = list();
  if (!el) return;
  el.replaceChildren(...[...jobs.values()].map(row));
  el.hidden = jobs.size === 0;
  const b = box();
  if (b) b.classList.toggle('empty', jobs.size === 0);
  const title = document.querySelector('[data-testid=jobs-title]');
  if (title) title.hidden = jobs.size === 0;
}

/**
 * Shows a running job in the sidebar until `finish()` is called.
 * @param {{ label: string | (() => string), reopen?: () => void, cancel?: () => (void|Promise<void>) }} job
 *   `label` is worded through t() (a function is worded again when the language changes);
 *   `reopen` shows its dialog again; `cancel` stops it.
 * @returns {{ update: (progress: string) => void, finish: () => void }}
 */
export function startJob({ label, reopen, cancel }) {
  const id = ++seq;
  const progress = h('span', { class: 'job-progress small' });
  jobs.set(id, { label, reopen, cancel, progress });
  render();
  announce(t('jobs.started', { name: wording(label) }));
  return {
    update(text) { progress.textContent = text; },
    finish() {
      if (!jobs.has(id)) return;
      jobs.delete(id);
      render();
      announce(t('jobs.finished', { name: wording(label) }));
    },
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
  const live = document.querySelector('[data-testid=jobs-live]');
  if (live) live.textContent = '';
}

// The language switched: the rows are drawn again in it.
if (typeof window !== 'undefined' && window.addEventListener) window.addEventListener('casefile:language', render);
