// Tidy check: no view builds visible text from a bare string literal; every word a person reads
// comes from the catalogues through t() (issue 12). It reads ui/js/**/*.js (comments blanked)
// and flags, by file:line:
//   - `text:`, `placeholder:`, `title:`, `'aria-label':`, `label:`, `hint:`, `empty:`,
//     `newLabel:` given a string literal with a letter in it;
//   - `toast('…')`, `openModal('…'`, `askReason('…'`, `confirm('…')`, `alert('…')`;
//   - a phrase (words with a space) passed as an argument, a default or a fallback:
//     `, 'Some words'`, `|| 'Some words'`, `? 'Some words' :`;
//   - a capitalised word as the last child of a call: `h('th', {}, 'Status')`.
// Template literals count by their fixed parts only (`${...}` parts are code).
//
// Allowed (ALLOWED): text with no letter at all ('—', '×', '…', ' · ', '+'), and the few
// literals listed below, each with why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sources } from './source.mjs';

/** Literal texts that are not words to translate, and why. */
const ALLOWED = new Map([
  // The product's name, the same in every language (also app.name in the catalogues).
  ['Casefile', 'a name'],
  // Example identifiers and codes typed as data, not words (a vocabulary code, a reference).
  ['attack_on_market', 'an example code'],
  ['UA-MAR-001', 'an example reference code'],
  // Languages named by themselves, as every language switch does.
  ['Українська', 'a language by its own name'],
  ['English', 'a language by its own name'],
]);

const HAS_LETTER = /\p{L}/u;
/** What looks like code rather than words: selectors, paths, keys, ids. */
const CODE_LIKE = /^[.#[:*>@/]|[=[\]{}<>\\]|^[a-z][\w.:-]*$|^#\//;

/** The fixed text of a literal body (a template literal's `${...}` parts removed). */
function fixedText(body, quote) {
  if (quote !== '`') return body;
  // `${...}` parts out, braces balanced; one left open (a template nested in it) runs to the end.
  let out = '';
  let depth = 0;
  for (let i = 0; i < body.length; i++) {
    if (depth === 0 && body[i] === '$' && body[i + 1] === '{') { depth = 1; i++; out += ' '; continue; }
    if (depth > 0) {
      if (body[i] === '{') depth++;
      else if (body[i] === '}') depth--;
      continue;
    }
    out += body[i];
  }
  return out;
}

const STR = String.raw`(['"\x60])((?:\\.|(?!\1)[^\\])*)\1`;
const RULES = [
  { name: 'visible attribute', re: new RegExp(String.raw`(?:\btext|\bplaceholder|\btitle|'aria-label'|"aria-label"|\blabel|\bhint|\bempty|\bnewLabel)\s*:\s*${STR}`, 'g'), any: true },
  { name: 'message call', re: new RegExp(String.raw`\b(?:toast|openModal|askReason|confirm|alert)\(\s*${STR}`, 'g'), any: true },
  { name: 'phrase argument', re: new RegExp(String.raw`(?:,|\|\||\?\?|\?)\s*${STR}`, 'g'), phrase: true },
  { name: 'capitalised child', re: new RegExp(String.raw`,\s*${STR}\s*\)`, 'g'), capital: true },
];

function offends(rule, text) {
  const s = text.trim();
  if (!HAS_LETTER.test(s) || ALLOWED.has(s)) return false;
  if (rule.any) return !/^#\//.test(s);
  if (CODE_LIKE.test(s)) return false;
  if (rule.phrase) return /\p{L}[^\S\n]+\p{L}/u.test(s) && !/^[a-z-]+( [a-z-]+)*$/.test(s);
  if (rule.capital) return /^\p{Lu}\p{Ll}+$/u.test(s);
  return false;
}

/** Every offending literal, as "file:line: rule: text", in file order. */
export function findLiterals() {
  const found = [];
  for (const { file, lines } of sources()) {
    lines.forEach((line, i) => {
      const seen = new Set();
      for (const rule of RULES) {
        for (const m of line.matchAll(rule.re)) {
          const text = fixedText(m[2], m[1]);
          if (seen.has(m.index + m[0].length) || !offends(rule, text)) continue;
          seen.add(m.index + m[0].length);
          found.push({ file, line: i + 1, rule: rule.name, text: text.trim() });
        }
      }
    });
  }
  return found;
}

test('no view builds visible text from a bare string literal', () => {
  const found = findLiterals();
  const perFile = new Map();
  for (const f of found) perFile.set(f.file, (perFile.get(f.file) || 0) + 1);
  const report = [
    ...found.map((f) => `${f.file}:${f.line}: ${f.rule}: ${JSON.stringify(f.text)}`),
    '',
    'per file:',
    ...[...perFile].map(([file, n]) => `  ${n}\t${file}`),
  ].join('\n');
  assert.equal(found.length, 0, `${found.length} visible texts not from the catalogues:\n${report}`);
});

test('the check sees what it is meant to see', () => {
  // Lines as a view would write them, each with the rule it must trip (or none).
  const cases = [
    [`h('span', { text: 'Loading…' })`, true],
    [`h('input', { placeholder: "e.g. UA-MAR-001" })`, true],
    [`h('input', { placeholder: 'attack_on_market' })`, false],
    [`h('button', { title: 'Lock now' })`, true],
    [`h('span', { text: '—' })`, false],
    [`h('span', { text: \`\${n} · \${m}\` })`, false],
    [`h('span', { text: \`\${n} records\` })`, true],
    [`toast('Saved.')`, true],
    [`toast(t('x.saved'))`, false],
    [`showError(form, 'name', 'Your name is required.')`, true],
    [`h('th', {}, 'Status')`, true],
    [`el.setAttribute('aria-current', 'page')`, false],
    [`main.querySelector('.tabs [aria-current=page]')`, false],
    [`h('div', { class: 'muted small' })`, false],
    [`const keys = ['j', 'ArrowDown'];`, false],
  ];
  for (const [line, bad] of cases) {
    let hit = false;
    for (const rule of RULES) {
      for (const m of line.matchAll(rule.re)) if (offends(rule, fixedText(m[2], m[1]))) hit = true;
    }
    assert.equal(hit, bad, line);
  }
});
