// The controlled vocabularies, loaded once per window, with label lookup.
import { listTerms } from './api/contents.js';

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

/** [[code, label]] of one vocabulary, for selects and checkbox groups. */
export function options(vocab) {
  return (terms || []).filter((t) => t.vocab === vocab).map((t) => [t.code, t.label_en]);
}

/** The English label of a code (the code itself if unknown). */
export function label(vocab, code) {
  const t = (terms || []).find((x) => x.vocab === vocab && x.code === code);
  return t ? t.label_en : code;
}

/** The Ukrainian label, for a tooltip. */
export function labelUk(vocab, code) {
  const t = (terms || []).find((x) => x.vocab === vocab && x.code === code);
  return t ? t.label_uk : '';
}
