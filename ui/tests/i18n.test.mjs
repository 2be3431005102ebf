// The catalogues: the same keys in every language, and every Ukrainian plural in all its forms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

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
