// A rough, honest hint of how hard a passphrase would be to guess, shown while it is typed at
// first start and when encrypting. It never decides: any passphrase that is not empty is
// accepted, and the choice stays the investigator's. It looks at length, the kinds of
// character used and a few patterns every guessing tool tries first; it is not a measurement.
// Its words are the UI language's (`passphrase.*` in the catalogues).
import { t } from './i18n.js';

const COMMON = [
  'password', 'passwort', 'qwerty', 'letmein', 'iloveyou', 'admin', 'welcome', 'secret',
  'dragon', 'monkey', 'football', 'sunshine', 'princess', 'casefile', 'ukraine', 'slava',
  'пароль', 'йцукен', 'україна', 'украина', 'слава', 'любовь', 'кохання',
];
const ROWS = ['1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm', 'йцукенгшщзхї', 'фівапролджє', 'ячсмитьбю',
  'abcdefghijklmnopqrstuvwxyz', 'абвгґдеєжзиіїйклмнопрстуфхцчшщьюя'];

/** Whether `p` (lower case) holds a run of four along the alphabet, the digits or a keyboard row. */
function hasRun(p) {
  for (const row of ROWS) {
    const back = [...row].reverse().join('');
    for (let i = 0; i + 4 <= row.length; i += 1) {
      if (p.includes(row.slice(i, i + 4)) || p.includes(back.slice(i, i + 4))) return true;
    }
  }
  return false;
}

const WARNING_KEY = {
  common: 'passphrase.commonWord',
  repeat: 'passphrase.repeats',
  run: 'passphrase.run',
  year: 'passphrase.year',
};

/**
 * How `p` looks to a guesser: { level: 0..4, label, notes: [string], length, kinds, warnings }
 * (0–1 weak, 2 fair, 3 good, 4 strong; `label` and `notes` worded in the UI language;
 * `warnings` as codes: "common", "repeat", "run", "year"). Empty for an empty passphrase: { level: 0, label: '', notes: [] }.
 */
export function assess(p) {
  if (!p) return { level: 0, label: '', notes: [] };
  const length = [...p].length;
  const kinds = [/\p{Ll}/u, /\p{Lu}/u, /\p{Nd}/u, /[^\p{L}\p{Nd}\s]/u, /\s/u].filter((re) => re.test(p)).length;
  const words = p.trim().split(/\s+/).filter((w) => [...w].length >= 3).length;
  const lower = p.toLocaleLowerCase();
  const codes = [];
  if (COMMON.some((w) => lower.includes(w))) codes.push('common');
  if (/(.)\1\1/u.test(p)) codes.push('repeat');
  if (hasRun(lower)) codes.push('run');
  if (/(19|20)\d\d/.test(p)) codes.push('year');
  const warnings = codes.map((c) => t(WARNING_KEY[c]));
  let level = length < 8 ? 0 : length < 12 ? 1 : length < 16 ? 2 : length < 20 ? 3 : 4;
  if (kinds >= 3 && level > 0) level += 1;
  if (words >= 4 && length >= 20) level = 4;
  level = Math.max(0, Math.min(4, level - warnings.length));
  const notes = [t('passphrase.length', { count: length, kinds })];
  for (const w of warnings) notes.push(t('passphrase.easier', { why: w }));
  if (level < 3) notes.push(t('passphrase.advice'));
  const labels = [t('passphrase.weak'), t('passphrase.weak'), t('passphrase.fair'), t('passphrase.good'), t('passphrase.strong')];
  return { level, label: labels[level], notes, length, kinds, warnings: codes };
}
