// The controlled vocabularies, loaded once per window, with labels in the UI language.
import { listTerms } from './api/contents.js';
import { language } from './i18n.js';

let terms = null;

/** Loads the vocabularies (once). */
export async function loadVocab() {
  if (!terms) terms = await listTerms();
  return terms;
}

/** Forgets the vocabularies (on lock: added terms can be case data). */
export function forgetVocab() {
  terms = null;
}

/**
 * A term's label in `lang`: from `labels` when the backend gives labels per language (an object
 * `{ uk, en }` or a list `[{ language, label }]`), else from `label_uk` / `label_en`; then any
 * label there is, then the code. A term added with only one label shows that one in both.
 */
export function termLabel(term, lang = language()) {
  const labels = term.labels;
  if (Array.isArray(labels)) {
    const l = labels.find((x) => x.language === lang && x.label);
    if (l) return l.label;
  } else if (labels && labels[lang]) {
    return labels[lang];
  }
  const own = term[`label_${lang}`];
  if (own) return own;
  return term.label_en || term.label_uk || (Array.isArray(labels) && labels.find((x) => x.label)?.label) || term.code;
}

const find = (vocab, code) => (terms || []).find((x) => x.vocab === vocab && x.code === code);

/** [[code, label]] of one vocabulary in the UI language, for selects and checkbox groups. */
export function options(vocab) {
  return (terms || []).filter((t) => t.vocab === vocab).map((t) => [t.code, termLabel(t)]);
}

/** The label of a code in the UI language (the code itself if unknown). */
export function label(vocab, code) {
  const t = find(vocab, code);
  return t ? termLabel(t) : code;
}

/** The label of a code in a given language (e.g. for a bundle in another language). */
export function labelIn(vocab, code, lang) {
  const t = find(vocab, code);
  return t ? termLabel(t, lang) : code;
}

/** @deprecated The Ukrainian label; use `label` (UI language) or `labelIn(vocab, code, 'uk')`. */
export function labelUk(vocab, code) {
  return labelIn(vocab, code, 'uk');
}
