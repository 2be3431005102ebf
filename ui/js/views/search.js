// The search page: one box across the library or one case; results ranked, grouped by record
// type, the matching words highlighted (built as DOM, never as HTML), each opening its record.
import { h, mount } from '../dom.js';
import { search } from '../api/search.js';

const GROUPS = [['incident', 'Incidents', 'incidents'], ['statement', 'Statements', 'statements'], ['evidence', 'Evidence', 'evidence'], ['person', 'People', 'persons'], ['unit', 'Units', 'units']];
const START = '\uE000';
const END = '\uE001';

/** Text with the marked matches wrapped in <mark>. */
export function highlighted(text) {
  const out = [];
  let rest = text || '';
  while (rest.length) {
    const a = rest.indexOf(START);
    if (a < 0) { out.push(rest); break; }
    const b = rest.indexOf(END, a);
    out.push(rest.slice(0, a));
    out.push(h('mark', { text: rest.slice(a + 1, b < 0 ? undefined : b) }));
    rest = b < 0 ? '' : rest.slice(b + 1);
  }
  return out;
}

/** The search page for `params` (q, case); nothing is rendered once `signal` aborts. */
export async function searchView(main, signal, params) {
  if (signal.aborted) return;
  const q = params.get('q') || '';
  const caseId = params.get('case') || '';
  const input = h('input', { type: 'search', class: 'search-big', 'data-testid': 'search-page-input', value: q, placeholder: 'Words, "a phrase", prefix*, AND / OR / NOT', autocomplete: 'off' });
  const scope = h('select', { 'data-testid': 'search-scope', 'aria-label': 'Where to search' },
    h('option', { value: '', text: 'All cases' }), caseId ? h('option', { value: caseId, text: 'This case only' }) : null);
  scope.value = caseId;
  const results = h('div', { 'data-testid': 'search-results' });
  const form = h('form', { class: 'search-form', role: 'search' }, input, scope, h('button', { class: 'button primary', type: 'submit', text: 'Search' }));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const p = new URLSearchParams({ q: input.value });
    if (scope.value) p.set('case', scope.value);
    location.hash = `#/search?${p}`;
  });
  mount(main, h('header', { class: 'page-head' }, h('h1', { text: 'Search' })), form, results);
  input.focus();
  if (!q.trim()) { mount(results, h('p', { class: 'muted', text: 'Identifying details of people are never searched.' })); return; }
  mount(results, h('p', { class: 'muted', text: 'Searching…' }));
  let r;
  try {
    r = await search(q, caseId || null, 100);
  } catch (err) {
    if (!signal.aborted) mount(results, h('div', { class: 'error-box', role: 'alert', 'data-testid': 'search-error', text: err.message }));
    return;
  }
  if (signal.aborted) return;
  if (!r.hits.length) { mount(results, h('p', { class: 'muted', 'data-testid': 'search-empty', text: `Nothing matches “${q}”.` })); return; }
  mount(results,
    h('p', { class: 'muted small', text: `${r.hits.length}${r.more ? '+' : ''} results${r.ranked ? ', best matches first' : ', newest first (these words are in most records)'}` }),
    GROUPS.map(([type, name, route]) => {
      const hits = r.hits.filter((x) => x.record_type === type);
      if (!hits.length) return null;
      return h('section', { class: 'card result-group', 'data-testid': `results-${type}` },
        h('h2', { text: `${name} (${hits.length})` }),
        h('ul', { class: 'results' }, hits.map((x) => h('li', {},
          h('a', { href: `#/${route}/${x.record_id}`, class: 'result', 'data-testid': 'search-hit', dataset: { id: x.record_id, type } },
            h('span', { class: 'result-title' }, highlighted(x.title)),
            x.snippet ? h('span', { class: 'result-snippet' }, highlighted(x.snippet)) : null)))));
    }));
}
