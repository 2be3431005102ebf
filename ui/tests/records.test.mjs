// The record views' pure helpers: place names read naturally in each script, vocabulary labels
// in the UI language, the statement languages list, and every message key the record views and
// the date parser use exists in both catalogues.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { placeText, placePart } from '../js/views/format.js';
import { termLabel } from '../js/vocab.js';
import { LANGUAGES, languageName, isListed, isLanguageCode } from '../js/languages.js';

const load = (p) => readFileSync(new URL(p, import.meta.url), 'utf8');
const catalogue = (code) => JSON.parse(load(`../i18n/${code}.json`));
const base = (k) => k.replace(/_(zero|one|two|few|many|other)$/, '');

test('a place hierarchy never glues an English word to a Ukrainian name, nor doubles one', () => {
  assert.equal(placeText({ settlement: 'Вільхівка', raion: 'Харківський', oblast: 'Харківська', country: 'Україна' }),
    'Вільхівка, Харківський район, Харківська область, Україна');
  assert.equal(placeText({ raion: 'Kharkivskyi', oblast: 'Kharkiv', country: 'Ukraine' }), 'Kharkivskyi Raion, Kharkiv Oblast, Ukraine');
  assert.equal(placePart('oblast', 'Харківська область'), 'Харківська область');
  assert.equal(placePart('oblast', 'Kharkiv oblast'), 'Kharkiv oblast');
  assert.equal(placePart('raion', 'Харківський р-н'), 'Харківський р-н');
  assert.equal(placePart('oblast', 'м. Київ'), 'м. Київ');
  assert.equal(placeText({ place_name: 'School No. 134', oblast: 'Kharkiv' }), 'School No. 134, Kharkiv Oblast');
});

test('vocabulary labels follow the UI language, from labels per language when the backend sends them', () => {
  const old = { code: 'airstrike', label_en: 'Airstrike', label_uk: 'Авіаудар' };
  assert.equal(termLabel(old, 'uk'), 'Авіаудар');
  assert.equal(termLabel(old, 'en'), 'Airstrike');
  assert.equal(termLabel({ code: 'x', labels: { uk: 'Обстріл', en: 'Shelling' } }, 'uk'), 'Обстріл');
  assert.equal(termLabel({ code: 'x', labels: [{ language: 'en', label: 'Shelling' }, { language: 'uk', label: 'Обстріл' }] }, 'uk'), 'Обстріл');
  assert.equal(termLabel({ code: 'custom', label_en: '', label_uk: 'Лише українською' }, 'en'), 'Лише українською', 'a term with one label shows it in both');
  assert.equal(termLabel({ code: 'bare' }, 'uk'), 'bare');
});

test('statement languages are codes shown by their own names; other codes stay as they are', () => {
  assert.equal(languageName('uk'), 'українська (uk)');
  assert.equal(languageName('crh'), 'qırımtatar tili (crh)');
  assert.equal(languageName('Ukrainian'), 'Ukrainian', 'free text stored before the list is shown as it is');
  assert.ok(LANGUAGES.length >= 12 && isListed('RU') && !isListed('xx'));
  assert.ok(isLanguageCode('hy') && isLanguageCode('sr-Latn') && !isLanguageCode('Armenian'));
});

test('every message key the record views and the date parser use is in both catalogues', () => {
  const keys = { en: new Set(Object.keys(catalogue('en')).map(base)), uk: new Set(Object.keys(catalogue('uk')).map(base)) };
  const files = ['views/incident.js', 'views/statement.js', 'views/person.js', 'views/unit.js', 'views/links.js',
    'views/history.js', 'views/format.js', 'views/dateField.js', 'dates.js'];
  const used = new Set();
  for (const f of files) {
    const src = load(`../js/${f}`);
    for (const m of src.matchAll(/\bt\(\s*'([a-z][\w.]*)'/g)) used.add(m[1]);
    for (const m of src.matchAll(/'((?:date\.error|date\.field)\.\w+)'/g)) used.add(m[1]);
    for (const m of src.matchAll(/\?\s*'([a-z]+\.[\w.]+)'\s*:\s*'([a-z]+\.[\w.]+)'/g)) { used.add(m[1]); used.add(m[2]); }
  }
  // Keys built from codes: every code the views can pass.
  for (const p of ['storage', 'prosecution', 'publication']) used.add(`consent.purpose.${p}`);
  for (const s of ['granted', 'refused', 'withdrawn', 'unknown']) used.add(`consent.state.${s}`);
  for (const k of ['incident', 'statement', 'person', 'unit', 'act', 'evidence']) used.add(`links.kind.${k}`);
  for (const p of ['exact', 'vicinity', 'locality', 'region']) {
    used.add(`incident.locationPrecision.${p}`);
    used.add(`incident.locationPrecisionShort.${p}`);
  }
  for (const k of ['killed', 'injured']) { used.add(`incident.casualty.${k}`); used.add(`incident.casualtyLabel.${k}`); }
  assert.ok(used.size > 150, `found ${used.size} keys`);
  for (const code of ['en', 'uk']) {
    const missing = [...used].filter((k) => !keys[code].has(k));
    assert.deepEqual(missing, [], `missing in ${code}.json`);
  }
});

test('a date after today is told apart (at its own precision), not refused', async () => {
  const { isFuture } = await import('../js/views/dateField.js');
  const now = new Date(2026, 11, 8, 10, 30); // 8 December 2026, 10:30 local time
  assert.equal(isFuture({ precision: 'day', from: '2026-12-08' }, now), false, 'today is not the future');
  assert.equal(isFuture({ precision: 'day', from: '2026-12-09' }, now), true);
  assert.equal(isFuture({ precision: 'month', from: '2026-12' }, now), false);
  assert.equal(isFuture({ precision: 'year', from: '2032' }, now), true);
  assert.equal(isFuture({ precision: 'exact', from: '2026-12-08T10:45' }, now), true);
  assert.equal(isFuture({ precision: 'unknown', from: null }, now), false);
});
