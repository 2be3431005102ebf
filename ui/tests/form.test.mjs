// The form helpers' rules: characters counted as the backend counts them, a paste checked
// against the limit, the counter's words, and where Enter may submit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { useCatalogues } from '../js/i18n.js';
import { charCount, fitsLimit, counterText, counterLevel, enterMaySubmit, LIMITS } from '../js/views/form.js';

const load = (code) => JSON.parse(readFileSync(new URL(`../i18n/${code}.json`, import.meta.url), 'utf8'));

test('characters are counted as the backend counts them (Unicode scalar values)', () => {
  assert.equal(charCount(''), 0);
  assert.equal(charCount('Маріуполь'), 9);
  assert.equal(charCount('ім’я'), 4);
  assert.equal(charCount('😀'), 1, 'an emoji is two UTF-16 units but one character');
  assert.equal(charCount('a😀b'), 3);
  assert.equal(charCount('\ud800x'), 2, 'a lone surrogate still counts');
  assert.equal(charCount('x'.repeat(2_000_000)), 2_000_000);
});

test('a paste over the limit is refused; one that fits, or replaces enough, is taken', () => {
  assert.deepEqual(fitsLimit(0, 0, 100_000, 100_000), { ok: true, after: 100_000 });
  assert.deepEqual(fitsLimit(0, 0, 2_000_000, 100_000), { ok: false, after: 2_000_000 });
  assert.deepEqual(fitsLimit(99_999, 0, 2, 100_000), { ok: false, after: 100_001 });
  assert.deepEqual(fitsLimit(100_000, 50_000, 50_000, 100_000), { ok: true, after: 100_000 }, 'pasting over a selection');
});

test('a 2 MB paste is judged at once', () => {
  const text = 'Свідок бачив удар. '.repeat(110_000);
  const t0 = performance.now();
  const ok = fitsLimit(0, 0, charCount(text), LIMITS.description).ok;
  const ms = performance.now() - t0;
  assert.equal(ok, false);
  assert.ok(ms < 200, `${ms} ms`);
});

test('the counter writes numbers the UI language\u2019s way', () => {
  useCatalogues({ en: load('en'), uk: load('uk') }, 'en');
  assert.equal(counterText(1234, 100_000), '1,234 / 100,000');
  useCatalogues({}, 'uk');
  assert.match(counterText(1234, 100_000), /^1\s234 \/ 100\s000$/u);
  useCatalogues({}, 'en');
  assert.equal(counterLevel(10, 100), '');
  assert.equal(counterLevel(90, 100), 'near');
  assert.equal(counterLevel(101, 100), 'over');
});

test('Enter submits only from the last one-line field or a button', () => {
  assert.equal(enterMaySubmit({ tag: 'INPUT', type: 'text', isLast: true }), true);
  assert.equal(enterMaySubmit({ tag: 'INPUT', type: 'text', isLast: false }), false, 'not from the title of a long form');
  assert.equal(enterMaySubmit({ tag: 'INPUT', type: null, isLast: false }), false);
  assert.equal(enterMaySubmit({ tag: 'INPUT', type: 'checkbox', isLast: true }), false);
  assert.equal(enterMaySubmit({ tag: 'TEXTAREA', isLast: true }), false, 'a new line in a text area');
  assert.equal(enterMaySubmit({ tag: 'SELECT', isLast: false }), false);
  assert.equal(enterMaySubmit({ tag: 'BUTTON', isLast: false }), true, 'a focused submit button submits');
  assert.equal(enterMaySubmit({ tag: 'INPUT', type: 'submit', isLast: false }), true);
});

test('the limits are the backend\u2019s', () => {
  const cases = readFileSync(new URL('../../crates/casefile-core/src/records/cases.rs', import.meta.url), 'utf8');
  assert.match(cases, new RegExp(`TITLE_MAX: usize = ${LIMITS.caseTitle};`));
  assert.match(cases, new RegExp(`REFERENCE_MAX: usize = ${LIMITS.caseReference};`));
  assert.match(cases, /DESCRIPTION_MAX: usize = 100_000;/);
  assert.equal(LIMITS.description, 100_000);
  const incidents = readFileSync(new URL('../../crates/casefile-core/src/records/incidents.rs', import.meta.url), 'utf8');
  assert.match(incidents, /long_text\("description", &input.description, 100_000\)/);
});
