// Shared display helpers for records.
import { h } from '../dom.js';

const PRECISION_WORD = { exact: '', day: '', month: 'month', year: 'year', unknown: '' };

/** An incident's date as people read it: "2022-03-09", "2022-03 (month)", "2022-03-09 – 2022-03-16", "date unknown". */
export function dateText(i) {
  if (!i.date_from) return 'date unknown';
  const range = i.date_to ? `${i.date_from} – ${i.date_to}` : i.date_from;
  const word = PRECISION_WORD[i.date_precision];
  return (word ? `${range} (${word})` : range).replace('T', ' ');
}

const CONSENT_TEXT = { granted: 'given', refused: 'refused', withdrawn: 'withdrawn', unknown: 'not recorded' };
const PURPOSES = [['storage', 'Storage'], ['prosecution', 'Prosecution'], ['publication', 'Publication']];

/** Three small badges, one per consent purpose, coloured by state. */
export function consentBadges(summary, testid) {
  return h('span', { class: 'consent-badges', 'data-testid': testid },
    PURPOSES.map(([p, name]) => h('span', {
      class: `cbadge consent-${summary[p]}`, title: `${name}: ${CONSENT_TEXT[summary[p]]}`,
      'data-testid': testid ? `${testid}-${p}` : null, dataset: { state: summary[p] },
      text: name,
    })));
}

export { PURPOSES, CONSENT_TEXT };

/** A definition list from [label, value] pairs, skipping empty values. */
export function facts(pairs) {
  const items = [];
  for (const [k, v, testid] of pairs) {
    if (v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    items.push(h('dt', { text: k }), h('dd', { 'data-testid': testid, text: Array.isArray(v) ? v.join(', ') : String(v) }));
  }
  return h('dl', { class: 'facts' }, items);
}

/** The page header of a record: a crumb back to its case tab, kicker, title and actions. */
export function recordHead({ caseId, tab, kicker, title, testid, actions = [] }) {
  return [
    h('nav', { class: 'crumbs' }, h('a', { href: `#/cases/${caseId}/${tab}`, 'data-testid': 'back-to-case', text: '← Back to the case' })),
    h('header', { class: 'page-head' },
      h('div', { class: 'head-text' }, h('div', { class: 'ref', text: kicker }), h('h1', { 'data-testid': testid, text: title })),
      h('div', { class: 'head-actions' }, actions)),
  ];
}
