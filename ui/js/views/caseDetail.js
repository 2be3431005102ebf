// One case: its fields and status. Later issues add its incidents, statements and evidence.
import { h, mount, formatTime, toast } from '../dom.js';
import { getCase, updateCase } from '../api/cases.js';
import { openCaseForm } from './caseForm.js';
import { STATUSES } from './status.js';

export async function caseDetailView(main, id) {
  mount(main, h('div', { class: 'muted pad', text: 'Loading case…' }));
  let c;
  try {
    c = await getCase(id);
  } catch (err) {
    mount(main, h('div', { class: 'error-box', role: 'alert', text: err.message }),
      h('a', { href: '#/cases', class: 'button secondary', 'data-testid': 'back-to-list', text: '← All cases' }));
    return;
  }
  render(main, c);
}

function render(main, c) {
  const status = h('select', { id: 'case-status', class: 'status-select', 'data-testid': 'case-status', 'aria-label': 'Status' },
    STATUSES.map(([v, label]) => h('option', { value: v, text: label })));
  status.value = c.status;
  status.addEventListener('change', async () => {
    const previous = c.status;
    status.disabled = true;
    try {
      c = await updateCase(c.id, { status: status.value });
      toast(`Status changed to ${status.value}.`);
      render(main, c);
    } catch (err) {
      status.value = previous;
      toast(err.message, 'error');
    } finally {
      status.disabled = false;
    }
  });

  mount(main,
    h('nav', { class: 'crumbs' }, h('a', { href: '#/cases', 'data-testid': 'back-to-list', text: '← All cases' })),
    h('section', { class: 'case-detail', 'data-testid': 'case-detail', dataset: { id: c.id } },
      h('header', { class: 'page-head' },
        h('div', { class: 'head-text' },
          h('div', { class: 'ref mono', 'data-testid': 'case-detail-reference', text: c.reference || 'No reference code' }),
          h('h1', { 'data-testid': 'case-detail-title', text: c.title })),
        h('div', { class: 'head-actions' },
          h('label', { class: 'inline-label', for: 'case-status', text: 'Status' }), status,
          h('button', { class: 'button secondary', 'data-testid': 'edit-case', text: 'Edit',
            onclick: () => openCaseForm(c, (saved) => { toast('Case saved.'); render(main, saved); }) }))),
      h('dl', { class: 'facts' },
        h('dt', { text: 'Created' }), h('dd', { text: formatTime(c.created_at) }),
        h('dt', { text: 'Last changed' }), h('dd', { text: formatTime(c.updated_at) }),
        h('dt', { text: 'Case id' }), h('dd', { class: 'mono small', text: c.id })),
      h('section', { class: 'card' },
        h('h2', { text: 'Description' }),
        c.description
          ? h('p', { class: 'prose', 'data-testid': 'case-detail-description', text: c.description })
          : h('p', { class: 'muted', text: 'No description yet.' }))));
}
