// The list of cases in the library.
import { h, mount, formatTime, toast } from '../dom.js';
import { listCases } from '../api/cases.js';
import { openCaseForm } from './caseForm.js';
import { statusBadge } from './status.js';
import { loadSample } from '../api/contents.js';
import { libraryInfo } from '../api/library.js';
import { openProfileForm } from './profile.js';
import { openBundleImport } from './bundle.js';

/** The case list; renders nothing once `signal` aborts (the user went elsewhere). */
export async function caseListView(main, signal) {
  if (signal.aborted) return;
  const newButton = h('button', { class: 'button primary', 'data-testid': 'new-case', text: 'New case',
    onclick: () => openCaseForm(null, (c) => { location.hash = `#/cases/${c.id}`; }) });
  const body = h('div', { class: 'list-body' }, h('div', { class: 'muted pad', text: 'Loading cases…' }));
  const sampleButton = h('button', { class: 'button secondary', 'data-testid': 'load-sample', text: 'Open sample case',
    title: 'A clearly marked sample built from public reporting on Mariupol, March 2022',
    onclick: async () => {
      sampleButton.disabled = true;
      try {
        const c = await loadSample();
        // Open it unless the user has gone elsewhere meanwhile (it is in the list either way).
        if (!signal.aborted) location.hash = `#/cases/${c.id}`;
      } catch (err) { sampleButton.disabled = false; toast(err.message, 'error'); }
    } });
  mount(main,
    h('header', { class: 'page-head' },
      h('div', {}, h('h1', { text: 'Cases' }), h('p', { class: 'muted', 'data-testid': 'case-count', text: '' })),
      h('div', { class: 'head-actions' }, sampleButton,
        h('button', { class: 'button secondary', 'data-testid': 'import-bundle', text: 'Import bundle…', onclick: () => openBundleImport(() => caseListView(main, signal)) }),
        newButton)),
    body);

  let cases;
  try {
    const [list, info] = await Promise.all([listCases(), libraryInfo()]);
    if (signal.aborted) return;
    cases = list;
    if (!info.profile) {
      const banner = h('div', { class: 'notice', 'data-testid': 'profile-notice' },
        h('div', {}, h('strong', { text: 'Who is working here? ' }),
          h('span', { text: 'Set your name and organisation: they are recorded with every change you make, in the custody log.' })),
        h('button', { class: 'button secondary small-btn', text: 'Set profile',
          onclick: () => openProfileForm(document.querySelector('[data-testid=profile-summary]'), null, () => banner.remove()) }));
      main.querySelector('.page-head').after(banner);
    }
  } catch (err) {
    if (!signal.aborted) mount(body, h('div', { class: 'error-box', role: 'alert', text: err.message }));
    return;
  }
  main.querySelector('[data-testid=case-count]').textContent =
    cases.length === 1 ? '1 case' : `${cases.length} cases`;

  if (cases.length === 0) {
    mount(body, h('div', { class: 'empty', 'data-testid': 'empty-state' },
      h('h2', { text: 'No cases yet' }),
      h('p', { text: 'A case brings together the incidents, evidence and witness statements of one investigation.' }),
      h('button', { class: 'button primary', text: 'Create the first case',
        onclick: () => newButton.click() })));
    return;
  }

  const rows = cases.map((c) => h('a', {
    class: 'case-row', href: `#/cases/${c.id}`, 'data-testid': 'case-row', dataset: { id: c.id } },
    h('span', { class: 'ref mono', text: c.reference || '—' }),
    h('span', { class: 'title', text: c.title }),
    statusBadge(c.status),
    h('span', { class: 'muted time', text: formatTime(c.updated_at) })));
  mount(body, h('div', { class: 'table', 'data-testid': 'case-list', role: 'list' },
    h('div', { class: 'table-head case-row-grid', 'aria-hidden': 'true' },
      h('span', { text: 'Reference' }), h('span', { text: 'Title' }), h('span', { text: 'Status' }), h('span', { text: 'Last changed' })),
    rows));
}
