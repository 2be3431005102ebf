// The list of cases in the library.
import { h, mount, formatTime } from '../dom.js';
import { listCases } from '../api/cases.js';
import { openCaseForm } from './caseForm.js';
import { statusBadge } from './status.js';

export async function caseListView(main) {
  const newButton = h('button', { class: 'button primary', 'data-testid': 'new-case', text: 'New case',
    onclick: () => openCaseForm(null, (c) => { location.hash = `#/cases/${c.id}`; }) });
  const body = h('div', { class: 'list-body' }, h('div', { class: 'muted pad', text: 'Loading cases…' }));
  mount(main,
    h('header', { class: 'page-head' },
      h('div', {}, h('h1', { text: 'Cases' }), h('p', { class: 'muted', 'data-testid': 'case-count', text: '' })),
      newButton),
    body);

  let cases;
  try {
    cases = await listCases();
  } catch (err) {
    mount(body, h('div', { class: 'error-box', role: 'alert', text: err.message }));
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
