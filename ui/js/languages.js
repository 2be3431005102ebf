// Languages a statement or a translation can be in: ISO 639-1 codes (ISO 639-3 where there is no
// two-letter code, as for Crimean Tatar), shown by their own names. The stored value stays the
// code; a code not in this list (typed under "Other…", or stored before the list existed) is kept
// and shown as it is.
//
// Chosen for work in Ukraine: the languages of Ukraine and its neighbours, of the occupying
// forces, and those investigators and courts abroad most often translate into.

/** [{ code, name }] in the order the list shows them. */
export const LANGUAGES = [
  { code: 'uk', name: 'українська' },
  { code: 'ru', name: 'русский' },
  { code: 'en', name: 'English' },
  { code: 'crh', name: 'qırımtatar tili' },
  { code: 'pl', name: 'polski' },
  { code: 'ro', name: 'română' },
  { code: 'hu', name: 'magyar' },
  { code: 'be', name: 'беларуская' },
  { code: 'bg', name: 'български' },
  { code: 'sk', name: 'slovenčina' },
  { code: 'cs', name: 'čeština' },
  { code: 'de', name: 'Deutsch' },
  { code: 'fr', name: 'français' },
  { code: 'es', name: 'español' },
  { code: 'tr', name: 'Türkçe' },
  { code: 'ka', name: 'ქართული' },
];

const BY_CODE = new Map(LANGUAGES.map((l) => [l.code, l]));

/** Whether `code` is one of the listed languages. */
export function isListed(code) {
  return BY_CODE.has(String(code || '').trim().toLowerCase());
}

/** "українська (uk)"; an unlisted code as it is; '' for none. */
export function languageName(code) {
  const c = String(code || '').trim();
  if (!c) return '';
  const l = BY_CODE.get(c.toLowerCase());
  return l ? `${l.name} (${l.code})` : c;
}

/** [[code, "name (code)"]] for a select. */
export function languageOptions() {
  return LANGUAGES.map((l) => [l.code, `${l.name} (${l.code})`]);
}

/**
 * Whether `code` looks like a language code (ISO 639-1/2/3, optionally with a region or script
 * subtag: `uk`, `crh`, `sr-Latn`), for the "Other…" field.
 */
export function isLanguageCode(code) {
  return /^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/.test(String(code || '').trim());
}
