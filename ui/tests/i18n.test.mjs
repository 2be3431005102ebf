// The catalogues: the same keys in every language, every Ukrainian plural in all its forms, and
// every key the UI's code asks for present.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { sources } from './source.mjs';

const load = (code) => JSON.parse(readFileSync(new URL(`../i18n/${code}.json`, import.meta.url), 'utf8'));
const en = load('en');
const uk = load('uk');
const base = (k) => k.replace(/_(zero|one|two|few|many|other)$/, '');

test('English and Ukrainian have the same messages', () => {
  const e = new Set(Object.keys(en).map(base));
  const u = new Set(Object.keys(uk).map(base));
  assert.deepEqual([...e].filter((k) => !u.has(k)), [], 'in English only');
  assert.deepEqual([...u].filter((k) => !e.has(k)), [], 'in Ukrainian only');
});

test('every Ukrainian plural has one, few, many and other; every English plural one and other', () => {
  const plurals = new Set(Object.keys({ ...en, ...uk }).filter((k) => base(k) !== k).map(base));
  for (const k of plurals) {
    for (const f of ['one', 'few', 'many', 'other']) assert.ok(`${k}_${f}` in uk, `uk ${k}_${f}`);
    for (const f of ['one', 'other']) assert.ok(`${k}_${f}` in en, `en ${k}_${f}`);
  }
});

test('Intl.PluralRules picks the Ukrainian forms the catalogues are written for', () => {
  const r = new Intl.PluralRules('uk');
  assert.deepEqual([1, 21, 2, 4, 22, 5, 11, 20, 1.5].map((n) => r.select(n)),
    ['one', 'one', 'few', 'few', 'few', 'many', 'many', 'many', 'other']);
});

test('no message is empty', () => {
  for (const [code, c] of [['en', en], ['uk', uk]]) {
    for (const [k, v] of Object.entries(c)) assert.ok(typeof v === 'string' && v.trim(), `${code} ${k}`);
  }
});

// Every key the UI asks for by name exists. Keys are found as t('key' / t("key" in ui/js (not in
// comments). A key built at run time cannot be read from the source: DYNAMIC lists those, each
// with why, and the tests of the modules that build them check their keys (shortcuts.test.mjs).
/** Keys built at run time: where, and how they are checked instead. */
const DYNAMIC = [
  // errorText(): `error.<code>` and `error.<code>.<rule>` for whatever the backend sends; a code
  // without a message falls back to the backend's English text.
  /^error\./,
  // errorText(): a field named by the backend is worded `field.<name>` when the catalogue has it.
  /^field\./,
  // shortcuts.js: `shortcuts.<id>` for each row of SHORTCUTS, checked in shortcuts.test.mjs.
  /^shortcuts\./,
];

test('every t() key used in ui/js is in the English catalogue', () => {
  const missing = [];
  for (const { file, lines } of sources()) {
    lines.forEach((line, i) => {
      for (const m of line.matchAll(/\bt\(\s*(['"])([^'"]+)\1/g)) {
        const key = m[2];
        if (key in en || `${key}_other` in en) continue;
        if (DYNAMIC.some((re) => re.test(key))) continue;
        missing.push(`${file}:${i + 1}: ${key}`);
      }
    });
  }
  assert.deepEqual(missing, [], `keys missing from en.json:\n${missing.join('\n')}`);
});

test('keys built from a prefix are not used for anything else', () => {
  // A DYNAMIC prefix must stay a family of its own: a new literal key under it would escape the
  // check above unless it is in the catalogue.
  for (const { file, lines } of sources()) {
    lines.forEach((line, i) => {
      for (const m of line.matchAll(/\bt\(\s*(['"])([^'"]+)\1/g)) {
        const key = m[2];
        if (DYNAMIC.some((re) => re.test(key))) assert.ok(key in en || `${key}_other` in en, `${file}:${i + 1}: ${key} is not in en.json`);
      }
    });
  }
});
