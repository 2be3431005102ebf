// Suggested export file names keep the reference as written, in any script.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { safeFileName } from '../js/filename.js';

test('Cyrillic references are kept, never turned into _-_', () => {
  assert.equal(safeFileName('ХПГ-ХАР-2022-017'), 'ХПГ-ХАР-2022-017');
  assert.equal(safeFileName('Обстріл бібліотеки, Чернігів'), 'Обстріл бібліотеки, Чернігів');
  assert.equal(safeFileName('UA-MAR-001'), 'UA-MAR-001');
  assert.equal(safeFileName("Qırım ma'lümatı"), "Qırım ma'lümatı");
});

test('only what file systems refuse is replaced', () => {
  assert.equal(safeFileName('a/b\\c:d*e?f"g<h>i|j'), 'a_b_c_d_e_f_g_h_i_j');
  assert.equal(safeFileName('line\nbreak\u0007bell'), 'line_break_bell');
  assert.equal(safeFileName('ends with dots...  '), 'ends with dots');
  assert.equal(safeFileName('../../etc/passwd'), '_.._etc_passwd');
});

test('nothing usable gives the fallback; Windows device names are not produced', () => {
  assert.equal(safeFileName(''), 'case');
  assert.equal(safeFileName('///'), 'case');
  assert.equal(safeFileName('...', { fallback: 'bundle' }), 'bundle');
  assert.equal(safeFileName('CON'), '_CON');
  assert.equal(safeFileName('nul.txt'), '_nul.txt');
});

test('long names are cut at whole characters', () => {
  const long = 'Ж'.repeat(100);
  assert.equal(safeFileName(long).length, 60);
  const emoji = '🇺🇦'.repeat(40);
  const cut = safeFileName(emoji, { max: 5 });
  assert.equal([...cut].length, 5);
  assert.ok(!/[\uD800-\uDBFF]$/.test(cut), 'no half surrogate pair at the end');
});
