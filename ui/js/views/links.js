// The links of a record, and the picker that adds one: choose a link type and a direction,
// search the case's records by title or pseudonym, pick one.
import { h, mount, toast } from '../dom.js';
import { createLink, removeLink, findRecords } from '../api/contents.js';
import { openModal, closeModal, askReason } from './modal.js';
import { options, label } from '../vocab.js';

const ROUTE = { incident: 'incidents', statement: 'statements', person: 'persons', unit: 'units', evidence: 'evidence' };
const TYPE_NAME = { incident: 'Incident', statement: 'Statement', person: 'Person', unit: 'Unit', act: 'Act', evidence: 'Evidence' };

/** The links panel of record `type`/`id` in case `caseId`; `onChange` re-renders the view. */
export function linksPanel({ type, id, caseId, links, onChange }) {
  const rows = links.map((l) => {
    const other = l.other;
    const href = ROUTE[other.record_type] ? `#/${ROUTE[other.record_type]}/${other.id}` : null;
    const phrase = l.direction === 'out'
      ? [h('span', { class: 'ltype', text: `this ${label('link_type', l.link_type)}` })]
      : [h('span', { class: 'ltype', text: `${label('link_type', l.link_type)} this` })];
    const target = href ? h('a', { href, text: other.label }) : h('span', { text: other.label });
    return h('li', { class: 'link-row', 'data-testid': 'link-row', dataset: { id: l.link_id, other: other.id } },
      h('span', { class: 'kind', text: TYPE_NAME[other.record_type] || other.record_type }),
      l.direction === 'out' ? [phrase, target] : [target, phrase],
      l.note ? h('span', { class: 'muted small', text: `— ${l.note}` }) : null,
      h('button', { class: 'link-remove', title: 'Remove this link', 'aria-label': 'Remove link', 'data-testid': 'link-remove', text: '×',
        onclick: async () => {
          const reason = await askReason('Remove this link?');
          if (!reason) return;
          try { await removeLink(l.link_id, reason); toast('Link removed.'); onChange(); } catch (err) { toast(err.message, 'error'); }
        } }));
  });
  return h('section', { class: 'card', 'data-testid': 'links-panel' },
    h('div', { class: 'card-head' }, h('h2', { text: `Links (${links.length})` }),
      h('button', { class: 'button secondary small-btn', 'data-testid': 'add-link', text: 'Add link',
        onclick: () => openLinkPicker({ type, id, caseId, onDone: onChange }) })),
    rows.length ? h('ul', { class: 'links' }, rows) : h('p', { class: 'muted', text: 'Not linked to anything yet.' }));
}

function openLinkPicker({ type, id, caseId, onDone }) {
  let chosen = null;
  const linkType = h('select', { id: 'link-type', 'data-testid': 'link-type' },
    options('link_type').map(([v, t]) => h('option', { value: v, text: t })));
  const direction = h('select', { id: 'link-direction', 'data-testid': 'link-direction' },
    h('option', { value: 'out', text: `This ${type} → other record` }),
    h('option', { value: 'in', text: `Other record → this ${type}` }));
  const search = h('input', { id: 'link-search', type: 'search', 'data-testid': 'link-search', placeholder: 'Search titles, names and pseudonyms', autocomplete: 'off' });
  const results = h('ul', { class: 'pick-results', 'data-testid': 'link-results' });
  const chosenText = h('div', { class: 'chosen muted', 'data-testid': 'link-chosen', text: 'Nothing chosen yet.' });
  const note = h('input', { id: 'link-note', 'data-testid': 'link-note', placeholder: 'Optional note (e.g. paragraphs 2–4)' });
  const error = h('div', { class: 'form-error', 'data-testid': 'form-error', role: 'alert', hidden: true });
  const save = h('button', { type: 'submit', class: 'button primary', 'data-testid': 'link-save', text: 'Link', disabled: true });

  let timer = null;
  async function runSearch() {
    try {
      const found = (await findRecords(caseId, search.value, [])).filter((r) => r.id !== id);
      mount(results, found.length ? found.map((r) => h('li', {},
        h('button', { type: 'button', class: 'pick', 'data-testid': 'link-result', dataset: { id: r.id, type: r.record_type },
          onclick: () => {
            chosen = r;
            chosenText.textContent = `${TYPE_NAME[r.record_type] || r.record_type}: ${r.label}`;
            chosenText.classList.remove('muted');
            save.disabled = false;
            for (const b of results.querySelectorAll('.pick')) b.classList.toggle('selected', b.dataset.id === r.id);
          } },
          h('span', { class: 'kind', text: TYPE_NAME[r.record_type] || r.record_type }), h('span', { text: r.label })))) :
        h('li', { class: 'muted', text: 'No matching records in this case.' }));
    } catch (err) {
      mount(results, h('li', { class: 'error-box', text: err.message }));
    }
  }
  search.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(runSearch, 150); });

  const form = h('form', { class: 'form', 'data-testid': 'link-picker', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'link-type', text: 'Link type' }), linkType),
    h('div', { class: 'field' }, h('label', { for: 'link-direction', text: 'Direction' }), direction),
    h('div', { class: 'field' }, h('label', { for: 'link-search', text: 'Find the other record' }), search, results, chosenText),
    h('div', { class: 'field' }, h('label', { for: 'link-note', text: 'Note' }), note),
    error,
    h('div', { class: 'form-actions' }, h('button', { type: 'button', class: 'button secondary', text: 'Cancel', onclick: closeModal }), save));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!chosen) return;
    const [ft, fid, tt, tid] = direction.value === 'out' ? [type, id, chosen.record_type, chosen.id] : [chosen.record_type, chosen.id, type, id];
    try {
      await createLink(ft, fid, linkType.value, tt, tid, note.value);
      closeModal();
      toast('Linked.');
      onDone();
    } catch (err) {
      error.textContent = err.message;
      error.hidden = false;
    }
  });
  openModal('Add a link', form, { testid: 'link-picker-panel' });
  search.focus();
  runSearch();
}
