// Shared display helpers for records: dates, places, consent badges, facts, the record header.
import { h } from '../dom.js';
import { t, language } from '../i18n.js';
import { formatDate, describeDate } from '../dates.js';
import * as formKit from './form.js';

/**
 * Lets Enter submit a record form only from its last one-line field or its submit button
 * (form.js `guardEnter`, when this build's form.js has it); Enter in the title of a long
 * incident form must not send it half-filled.
 */
export function guardForm(form) {
  return typeof formKit.guardEnter === 'function' ? formKit.guardEnter(form) : form;
}

/**
 * An incident's date (or any DateInput-like value) for lists: "09.03.2022" / "2022-03-09",
 * "03.2022–05.2022", "—" when unknown. Read back by the date field as the same date.
 */
export function dateText(i) {
  return formatDate(i, language(), { style: 'short' });
}

/** The same date as a sentence with its precision: "березень 2022 р., точність: місяць". */
export function dateLong(i) {
  return describeDate(i, language());
}

// The words "район" / "область" belong to the place's name, so they follow the script the name
// is written in, not the UI language: "Харківський район" stays Ukrainian under the English UI,
// and "Kharkiv Oblast" English under the Ukrainian one ("Харківський raion" is what to avoid).
const PLACE_WORD = {
  raion: { cyrillic: 'район', latin: 'Raion', has: /(^|\s)(район|р-н|raion|district|rayon)(\s|$|\.)/i },
  oblast: { cyrillic: 'область', latin: 'Oblast', has: /(^|\s)(область|обл\.?|oblast|region|республіка|republic|місто|city|м\.)(\s|$|\.)/i },
};
const CYRILLIC = /[\u0400-\u04ff]/;

/** "Харківський район", "Kharkivskyi Raion"; the name as it is when it already says so. */
export function placePart(kind, name) {
  const n = String(name || '').trim();
  if (!n) return '';
  const w = PLACE_WORD[kind];
  if (!w || w.has.test(n)) return n;
  return `${n} ${CYRILLIC.test(n) ? w.cyrillic : w.latin}`;
}

/** A place hierarchy, smallest first: "Школа №134, Харків, Харківський район, Харківська область, Україна". */
export function placeText(i) {
  return [i.place_name, i.settlement, placePart('raion', i.raion), placePart('oblast', i.oblast), i.country]
    .map((x) => String(x || '').trim()).filter(Boolean).join(', ');
}

/** The consent purposes, in the order shown. */
export const PURPOSES = ['storage', 'prosecution', 'publication'];

/** "Storage" / "Зберігання". */
export function purposeName(purpose) {
  return t(`consent.purpose.${purpose}`);
}

/** "given" / "надано", ... for granted, refused, withdrawn, unknown. */
export function consentStateText(state) {
  return t(`consent.state.${state}`);
}

/** Three small badges, one per consent purpose, coloured by state. */
export function consentBadges(summary, testid) {
  return h('span', { class: 'consent-badges', 'data-testid': testid },
    PURPOSES.map((p) => h('span', {
      class: `cbadge consent-${summary[p]}`, title: t('consent.badgeTitle', { purpose: purposeName(p), state: consentStateText(summary[p]) }),
      'data-testid': testid ? `${testid}-${p}` : null, dataset: { state: summary[p] },
      text: purposeName(p),
    })));
}

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
    h('nav', { class: 'crumbs', 'aria-label': t('record.crumbs') }, h('a', { href: `#/cases/${caseId}/${tab}`, 'data-testid': 'back-to-case', text: t('record.backToCase') })),
    h('header', { class: 'page-head' },
      h('div', { class: 'head-text' }, h('div', { class: 'ref', text: kicker }), h('h1', { 'data-testid': testid, text: title })),
      h('div', { class: 'head-actions' }, actions)),
  ];
}
