// The UI's words: every visible text goes through `t(key, params)`, which looks the key up in
// the catalogue of the UI language (`ui/i18n/<lang>.json`, one key per message) and falls back
// to English, then to the key itself (so a missing key shows, and the catalogue test catches it).
//
// Plurals follow i18next v4: a message with a number has the keys `key_one`, `key_few`,
// `key_many`, `key_other` (English needs only `_one` and `_other`); `t('key', { count })` picks
// the form with `Intl.PluralRules` of the UI language (Ukrainian: 1, 21 → one; 2–4, 22 → few;
// 5–20, 11 → many; 1.5 → other). Parameters are put in with `{{name}}`.
//
// Errors from the backend come as `{ code, message, params }`: `errorText(err)` words them from
// the catalogue (`error.<code>`), and uses the backend's English message only when the
// catalogue has no entry for that code.

/** The languages the UI is written in, by their own names. */
export const LANGUAGES = [
  { code: 'uk', name: 'Українська' },
  { code: 'en', name: 'English' },
];

const STORAGE_KEY = 'casefile.language';
const catalogues = {};
let current = 'en';
let plural = new Intl.PluralRules('en');

/** The UI language's code (`uk` or `en`). */
export function language() {
  return current;
}

/**
 * The language asked for by the person (remembered), or else by the system: `system` is the
 * backend's reading of the locale settings (the web view's own `navigator.languages` says
 * "en-US" whenever the system's locale is not generated), then the web view's.
 */
export function preferredLanguage(system = []) {
  let saved = null;
  try { saved = localStorage.getItem(STORAGE_KEY); } catch { /* storage unavailable */ }
  if (LANGUAGES.some((l) => l.code === saved)) return saved;
  const web = (navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || 'en']);
  for (const tag of [...(system || []), ...web]) {
    const code = String(tag).toLowerCase().split('-')[0];
    if (LANGUAGES.some((l) => l.code === code)) return code;
  }
  return 'en';
}

async function load(code) {
  if (catalogues[code]) return catalogues[code];
  const res = await fetch(new URL(`../i18n/${code}.json`, import.meta.url));
  if (!res.ok) throw new Error(`catalogue ${code}: HTTP ${res.status}`);
  catalogues[code] = await res.json();
  return catalogues[code];
}

/**
 * Loads the catalogues and switches the UI to `code` (by default the preferred language); sets
 * `<html lang>` and the texts of the static page. With `remember`, the choice is kept for the next
 * start. Fires `casefile:language` on `window` so the view on screen can be drawn again.
 */
export async function setLanguage(code = preferredLanguage(), { remember = false } = {}) {
  if (!LANGUAGES.some((l) => l.code === code)) code = 'en';
  await load('en');
  await load(code);
  current = code;
  plural = new Intl.PluralRules(code);
  document.documentElement.lang = code;
  if (remember) {
    try { localStorage.setItem(STORAGE_KEY, code); } catch { /* storage unavailable */ }
  }
  translatePage(document);
  window.dispatchEvent(new CustomEvent('casefile:language', { detail: code }));
}

/**
 * Installs catalogues already read (`{ en: {...}, uk: {...} }`) and makes `code` the UI
 * language, without fetching and without touching a page: for the unit tests (node), which
 * read the catalogue files themselves.
 */
export function useCatalogues(given, code = 'en') {
  Object.assign(catalogues, given);
  current = LANGUAGES.some((l) => l.code === code) ? code : 'en';
  plural = new Intl.PluralRules(current);
}

function lookup(code, key) {
  const c = catalogues[code];
  return c && Object.prototype.hasOwnProperty.call(c, key) ? c[key] : undefined;
}

/** The plural key of `key` for `count` in `code`, if the catalogue has it. */
function pluralKey(code, key, count) {
  const rules = code === current ? plural : new Intl.PluralRules(code);
  const form = `${key}_${rules.select(count)}`;
  if (lookup(code, form) !== undefined) return form;
  if (lookup(code, `${key}_other`) !== undefined) return `${key}_other`;
  return key;
}

function interpolate(text, params) {
  return text.replace(/\{\{\s*(\w+)\s*\}\}/g, (m, name) => {
    if (!params || params[name] === undefined || params[name] === null) return '';
    const v = params[name];
    return typeof v === 'number' ? formatNumber(v) : String(v);
  });
}

/**
 * The message `key` in the UI language, with `params` put in. With a numeric `params.count`,
 * the plural form for it.
 * @param {string} key
 * @param {Record<string, any>} [params]
 * @returns {string}
 */
export function t(key, params) {
  const hasCount = params && typeof params.count === 'number';
  for (const code of [current, 'en']) {
    const k = hasCount ? pluralKey(code, key, params.count) : key;
    const text = lookup(code, k);
    if (typeof text === 'string') return interpolate(text, params);
  }
  return key;
}

/** Whether the catalogue has `key` (in any plural form), in the UI language or English. */
export function has(key) {
  return [current, 'en'].some((code) => lookup(code, key) !== undefined || lookup(code, `${key}_other`) !== undefined);
}

/**
 * Words a backend error `{ code, message, params }` in the UI language: `error.<code>` from the
 * catalogue with the error's params (a `field` param is named by its label `field.<name>`);
 * the backend's English message when the catalogue has nothing for the code.
 */
export function errorText(err) {
  if (!err) return t('error.internal');
  const code = err.code || 'internal';
  const params = { ...(err.params || {}) };
  const field = params.field || err.field;
  if (field) params.field = has(`field.${field}`) ? t(`field.${field}`) : field;
  // A rule names the kind of refusal (`too_long`, `not_a_date`, ...): `error.<code>.<rule>`.
  if (params.rule && has(`error.${code}.${params.rule}`)) return t(`error.${code}.${params.rule}`, params);
  if (has(`error.${code}`)) return t(`error.${code}`, params);
  return err.message || t('error.internal');
}

/** A number written the UI language's way (1 234 in Ukrainian, 1,234 in English). */
export function formatNumber(n) {
  return new Intl.NumberFormat(current).format(n);
}

/** A date-time (RFC 3339) written the UI language's way, in the computer's time zone. */
export function formatDateTime(ts, options = { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }) {
  if (!ts) return '';
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return ts;
  return d.toLocaleString(current, options);
}

/**
 * Puts the catalogue's words into the static page: `data-i18n` sets the text,
 * `data-i18n-attr="attr:key;attr:key"` sets attributes (placeholders, titles, aria-labels).
 */
export function translatePage(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':').map((s) => s.trim());
      if (attr && key) el.setAttribute(attr, t(key));
    }
  }
}
