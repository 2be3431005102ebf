// The links of a record, and the picker that adds one: choose a link type and a direction,
// search the case's records by title or pseudonym, pick one. The picker's results are buttons in
// the Tab order; the arrow keys move between them and the search box, and Enter in the search box
// goes to the first result instead of submitting the form.
import { h, mount, toast } from '../dom.js';
import { t, errorText } from '../i18n.js';
import { createLink, removeLink, findRecords } from '../api/contents.js';
import { openModal, closeModal, askReason } from './modal.js';
import { options, label } from '../vocab.js';

const ROUTE = { incident: 'incidents', statement: 'statements', person: 'persons', unit: 'units', evidence: 'evidence' };
const KINDS = ['incident', 'statement', 'person', 'unit', 'act', 'evidence'];

/** "Incident" / "Інцидент"; an unknown record type as it is. */
export function kindName(recordType) {
  return KINDS.includes(recordType) ? t(`links.kind.${recordType}`) : recordType;
}

/** The links panel of record `type`/`id` in case `caseId`; `onChange` re-renders the view. */
export function linksPanel({ type, id, caseId, links, onChange }) {
  const rows = links.map((l) => {
    const other = l.other;
    const href = ROUTE[other.record_type] ? `#/${ROUTE[other.record_type]}/${other.id}` : null;
    const linkType = label('link_type', l.link_type);
    const phrase = h('span', { class: 'ltype', text: t(l.direction === 'out' ? 'links.thisDoes' : 'links.doesThis', { type: linkType }) });
    const target = href ? h('a', { href, text: other.label }) : h('span', { text: other.label });
    return h('li', { class: 'link-row', 'data-testid': 'link-row', dataset: { id: l.link_id, other: other.id } },
      h('span', { class: 'kind', text: kindName(other.record_type) }),
      l.direction === 'out' ? [phrase, target] : [target, phrase],
      l.note ? h('span', { class: 'muted small', text: `— ${l.note}` }) : null,
      h('button', { class: 'link-remove', title: t('links.removeTitle'), 'aria-label': t('links.removeLabel', { name: other.label }), 'data-testid': 'link-remove', text: '×',
        onclick: async () => {
          const reason = await askReason(t('links.removeAsk'));
          if (!reason) return;
          try { await removeLink(l.link_id, reason); toast(t('links.removed')); onChange(); } catch (err) { toast(errorText(err), 'error'); }
        } }));
  });
  return h('section', { class: 'card', 'data-testid': 'links-panel' },
    h('div', { class: 'card-head' }, h('h2', { text: t('links.title', { count: links.length }) }),
      h('button', { class: 'button secondary small-btn', 'data-testid': 'add-link', text: t('links.add'),
        onclick: () => openLinkPicker({ type, id, caseId, onDone: onChange }) })),
    rows.length ? h('ul', { class: 'links' }, rows) : h('p', { class: 'muted', text: t('links.none') }));
}

function openLinkPicker({ type, id, caseId, onDone }) {
  let chosen = null;
  const linkType = h('select', { id: 'link-type', 'data-testid': 'link-type' },
    options('link_type').map(([v, text]) => h('option', { value: v, text })));
  const direction = h('select', { id: 'link-direction', 'data-testid': 'link-direction' },
    h('option', { value: 'out', text: t('links.direction.out') }),
    h('option', { value: 'in', text: t('links.direction.in') }));
  const search = h('input', { id: 'link-search', type: 'search', 'data-testid': 'link-search', placeholder: t('links.searchPlaceholder'), autocomplete: 'off', 'aria-controls': 'link-results' });
  const results = h('ul', { id: 'link-results', class: 'pick-results', 'data-testid': 'link-results', 'aria-label': t('links.results') });
  const chosenText = h('div', { class: 'chosen muted', 'data-testid': 'link-chosen', 'aria-live': 'polite', text: t('links.nothingChosen') });
  const note = h('input', { id: 'link-note', 'data-testid': 'link-note', placeholder: t('links.notePlaceholder') });
  const error = h('div', { class: 'form-error', 'data-testid': 'form-error', role: 'alert', hidden: true });
  const save = h('button', { type: 'submit', class: 'button primary', 'data-testid': 'link-save', text: t('links.save'), disabled: true });

  const picks = () => [...results.querySelectorAll('.pick')];
  function choose(r) {
    chosen = r;
    chosenText.textContent = t('links.chosen', { kind: kindName(r.record_type), name: r.label });
    chosenText.classList.remove('muted');
    save.disabled = false;
    for (const b of picks()) {
      const on = b.dataset.id === r.id;
      b.classList.toggle('selected', on);
      b.setAttribute('aria-pressed', on ? 'true' : 'false');
    }
  }

  let timer = null;
  let generation = 0;
  async function runSearch() {
    const mine = ++generation;
    try {
      const found = (await findRecords(caseId, search.value, [])).filter((r) => r.id !== id);
      if (mine !== generation) return; // a later search has been started: its results win
      // Redrawing the list must not lose the keyboard: a focused result keeps focus if it is still
      // there, else focus goes back to the search box (never to the page behind).
      const focusedId = results.contains(document.activeElement) ? document.activeElement.dataset.id : null;
      mount(results, found.length ? found.map((r) => h('li', {},
        h('button', { type: 'button', class: `pick${chosen && chosen.id === r.id ? ' selected' : ''}`, 'data-testid': 'link-result', dataset: { id: r.id, type: r.record_type },
          'aria-pressed': chosen && chosen.id === r.id ? 'true' : 'false',
          onclick: () => choose(r) },
          h('span', { class: 'kind', text: kindName(r.record_type) }), h('span', { text: r.label })))) :
        h('li', { class: 'muted', text: t('links.noMatch') }));
      if (focusedId) {
        const again = picks().find((b) => b.dataset.id === focusedId);
        (again || search).focus();
      }
    } catch (err) {
      if (mine === generation) mount(results, h('li', { class: 'error-box', text: errorText(err) }));
    }
  }
  search.addEventListener('input', () => {
    // Results of the previous words are gone at once: nobody picks (or clicks) a result of a query
    // that is no longer the one typed.
    clearTimeout(timer);
    generation += 1;
    mount(results, h('li', { class: 'muted', text: t('links.searching') }));
    timer = setTimeout(runSearch, 150);
  });
  search.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' || e.key === 'Enter') {
      const first = picks()[0];
      if (first) { e.preventDefault(); first.focus(); } else if (e.key === 'Enter') e.preventDefault();
    }
  });
  results.addEventListener('keydown', (e) => {
    const list = picks();
    const i = list.indexOf(document.activeElement);
    if (i < 0) return;
    if (e.key === 'ArrowDown') { e.preventDefault(); (list[i + 1] || list[i]).focus(); }
    if (e.key === 'ArrowUp') { e.preventDefault(); (i === 0 ? search : list[i - 1]).focus(); }
    if (e.key === 'Home') { e.preventDefault(); list[0].focus(); }
    if (e.key === 'End') { e.preventDefault(); list[list.length - 1].focus(); }
  });

  const form = h('form', { class: 'form', 'data-testid': 'link-picker', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'link-type', text: t('links.type') }), linkType),
    h('div', { class: 'field' }, h('label', { for: 'link-direction', text: t('links.direction') }), direction),
    h('div', { class: 'field' }, h('label', { for: 'link-search', text: t('links.find') }), search, results, chosenText),
    h('div', { class: 'field' }, h('label', { for: 'link-note', text: t('links.note') }), note),
    error,
    h('div', { class: 'form-actions' }, h('button', { type: 'button', class: 'button secondary', text: t('common.cancel'), onclick: closeModal }), save));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!chosen) return;
    const [ft, fid, tt, tid] = direction.value === 'out' ? [type, id, chosen.record_type, chosen.id] : [chosen.record_type, chosen.id, type, id];
    try {
      await createLink(ft, fid, linkType.value, tt, tid, note.value);
      closeModal();
      toast(t('links.linked'));
      onDone();
    } catch (err) {
      error.textContent = errorText(err);
      error.hidden = false;
    }
  });
  openModal(t('links.pickerTitle'), form, { testid: 'link-picker-panel' });
  search.focus();
  runSearch();
}
