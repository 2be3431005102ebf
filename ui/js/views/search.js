// The search page: one box across the library or one case; results ranked, grouped by record
// type, the matching words highlighted (built as DOM, never as HTML), each opening its record.
// When nothing matches, the backend may suggest another query (the prefix form of a word,
// "школ*"), offered as a link; the syntax is explained under the box.
import { h, mount } from '../dom.js';
import { t, errorText, has } from '../i18n.js';
import { search } from '../api/search.js';

const GROUPS = [['incident', 'incidents'], ['statement', 'statements'], ['evidence', 'evidence'], ['person', 'persons'], ['unit', 'units']];
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

/** The URL of the search page for `q` (in case `caseId`, if given). */
function searchHref(q, caseId) {
  const p = new URLSearchParams({ q });
  if (caseId) p.set('case', caseId);
  return `#/search?${p}`;
}

/** How to write a query, in a fold under the box: words, "a phrase", prefix*, OR, NOT. */
function searchHelp() {
  // The examples are the catalogue's too, so an English help shows English words.
  const rows = ['words', 'phrase', 'prefix', 'or', 'not'].map((key) => [key, t(`search.help.example.${key}`)]);
  return h('details', { class: 'search-help', 'data-testid': 'search-help' },
    h('summary', { text: t('search.help.title') }),
    h('dl', { class: 'search-help-list' }, rows.map(([key, example]) => [
      h('dt', {}, h('code', { text: example })),
      h('dd', { text: t(`search.help.${key}`) }),
    ])),
    h('p', { class: 'muted small', text: t('search.help.forms') }));
}

/** Words a search error: a query that cannot be read says why (the backend's words as detail). */
function searchErrorText(err) {
  const rule = err && err.params && err.params.rule;
  if (err && err.code === 'invalid_input' && !(rule && has(`error.invalid_input.${rule}`))) {
    return t('search.badQuery', { detail: err.message });
  }
  return errorText(err);
}

/** The search page for `params` (q, case); nothing is rendered once `signal` aborts. */
export async function searchView(main, signal, params) {
  if (signal.aborted) return;
  const q = params.get('q') || '';
  const caseId = params.get('case') || '';
  const input = h('input', { type: 'search', class: 'search-big', 'data-testid': 'search-page-input', value: q, placeholder: t('search.placeholder'), autocomplete: 'off', 'aria-label': t('search.inputLabel') });
  const scope = h('select', { 'data-testid': 'search-scope', 'aria-label': t('search.scope') },
    h('option', { value: '', text: t('search.allCases') }), caseId ? h('option', { value: caseId, text: t('search.thisCase') }) : null);
  scope.value = caseId;
  const results = h('div', { 'data-testid': 'search-results', 'aria-live': 'polite' });
  const form = h('form', { class: 'search-form', role: 'search' }, input, scope, h('button', { class: 'button primary', type: 'submit', text: t('search.submit') }));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    location.hash = searchHref(input.value, scope.value);
  });
  const help = searchHelp();
  mount(main, h('header', { class: 'page-head' }, h('h1', { text: t('search.title') })), form, help, results);
  input.focus();
  if (!q.trim()) { mount(results, h('p', { class: 'muted', text: t('search.privacy') })); return; }
  mount(results, h('p', { class: 'muted', text: t('search.searching') }));
  let r;
  try {
    r = await search(q, caseId || null, 100);
  } catch (err) {
    if (signal.aborted) return;
    mount(results, h('div', { class: 'error-box', role: 'alert', 'data-testid': 'search-error', text: searchErrorText(err) }));
    // A query that cannot be read: how to write one is shown beside the message.
    if (err && err.code === 'invalid_input') help.open = true;
    return;
  }
  if (signal.aborted) return;
  if (!r.hits.length) {
    const suggestion = typeof r.suggestion === 'string' && r.suggestion.trim() && r.suggestion.trim() !== q.trim() ? r.suggestion.trim() : null;
    mount(results, h('div', { class: 'empty', 'data-testid': 'search-empty' },
      h('p', { text: t('search.nothing', { query: q }) }),
      suggestion ? h('p', { 'data-testid': 'search-suggestion' },
        h('span', { text: `${t('search.try')} ` }),
        h('a', { href: searchHref(suggestion, caseId), 'data-testid': 'search-suggestion-link', text: t('search.suggestion', { query: suggestion }) })) : null));
    return;
  }
  const count = r.hits.length;
  const found = r.more ? t('search.resultsMore', { count }) : t('search.results', { count });
  mount(results,
    h('p', { class: 'muted small', 'data-testid': 'search-count', text: `${found}${t(r.ranked ? 'search.ranked' : 'search.newest')}` }),
    GROUPS.map(([type, route]) => {
      const hits = r.hits.filter((x) => x.record_type === type);
      if (!hits.length) return null;
      return h('section', { class: 'card result-group', 'data-testid': `results-${type}` },
        h('h2', { text: t(`search.group.${type}`, { count: hits.length }) }),
        h('ul', { class: 'results' }, hits.map((x) => h('li', {},
          h('a', { href: `#/${route}/${x.record_id}`, class: 'result', 'data-testid': 'search-hit', dataset: { id: x.record_id, type } },
            h('span', { class: 'result-title' }, highlighted(x.title)),
            x.snippet ? h('span', { class: 'result-snippet' }, highlighted(x.snippet)) : null)))));
    }));
}
