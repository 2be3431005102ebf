// The shortcut table: how keys are named (on any keyboard layout), how they are matched (with
// the two-key sequences), when a key is text being typed, and that every row has its words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SHORTCUTS, keyName, matchShortcut, isTyping } from '../js/shortcuts.js';

const load = (code) => JSON.parse(readFileSync(new URL(`../i18n/${code}.json`, import.meta.url), 'utf8'));
const en = load('en');
const uk = load('uk');
const key = (k, more = {}) => ({ key: k, code: '', ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...more });

test('keys are named as the table writes them, on the English and the Ukrainian layout', () => {
  assert.equal(keyName(key('n', { code: 'KeyN' })), 'n');
  assert.equal(keyName(key('т', { code: 'KeyN' })), 'n', 'the Ukrainian layout: the key of n types т');
  assert.equal(keyName(key('N', { code: 'KeyN', shiftKey: true })), 'N', 'Shift+n is not n');
  assert.equal(keyName(key('?', { code: 'Slash', shiftKey: true })), '?');
  assert.equal(keyName(key('/', { code: 'Slash' })), '/');
  assert.equal(keyName(key('.', { code: 'Slash' })), '/', 'the slash key types . on the Ukrainian layout');
  assert.equal(keyName(key('?', { code: 'Digit7', shiftKey: true })), '?', 'the Ukrainian layout\u2019s ? (Shift+7)');
  assert.equal(keyName(key(',', { code: 'Slash', shiftKey: true })), '?', 'Shift and the slash key on the Ukrainian layout');
  assert.equal(keyName(key('?', { code: 'Slash' })), '?', 'a ? whose Shift was not reported (a WebDriver) is still ?');
  assert.equal(keyName(key('s', { code: 'KeyS', ctrlKey: true })), 'Ctrl+S');
  assert.equal(keyName(key('і', { code: 'KeyS', ctrlKey: true })), 'Ctrl+S', 'Ctrl+S whatever the layout');
  assert.equal(keyName(key('д', { code: 'KeyL', ctrlKey: true })), 'Ctrl+L');
  assert.equal(keyName(key('s', { code: 'KeyS', metaKey: true })), 'Ctrl+S', 'Cmd counts as Ctrl');
  assert.equal(keyName(key('ArrowDown', { code: 'ArrowDown' })), 'ArrowDown');
  assert.equal(keyName(key('Tab', { code: 'Tab', shiftKey: true })), 'Shift+Tab');
  assert.equal(keyName(key('Escape', { code: 'Escape' })), 'Escape');
});

test('keys and sequences find their shortcut', () => {
  assert.deepEqual(matchShortcut('n', null), { id: 'newRecord' });
  assert.deepEqual(matchShortcut('?', null), { id: 'help' });
  assert.deepEqual(matchShortcut('j', null), { id: 'next' });
  assert.deepEqual(matchShortcut('ArrowUp', null), { id: 'previous' });
  assert.deepEqual(matchShortcut('Ctrl+S', null), { id: 'save' });
  assert.deepEqual(matchShortcut('g', null), { pending: 'g' }, 'g starts a sequence');
  assert.deepEqual(matchShortcut('c', 'g'), { id: 'goCases' });
  assert.deepEqual(matchShortcut('l', 'g'), { id: 'goLibrary' });
  assert.equal(matchShortcut('c', null), null, 'c alone does nothing');
  assert.equal(matchShortcut('x', 'g'), null);
  assert.equal(matchShortcut('N', null), null);
});

test('no two shortcuts share a key, and every key of a sequence is reachable', () => {
  const all = SHORTCUTS.flatMap((s) => s.keys);
  assert.equal(new Set(all).size, all.length, all.join(' '));
  for (const k of all.filter((x) => x.includes(' '))) {
    assert.ok(!all.includes(k.split(' ')[0]), `${k}: its first key is a shortcut of its own`);
  }
});

test('typing in a field is not a shortcut; a checkbox or a button is not typing', () => {
  assert.equal(isTyping({ tagName: 'INPUT', type: 'text' }), true);
  assert.equal(isTyping({ tagName: 'INPUT', type: 'search' }), true);
  assert.equal(isTyping({ tagName: 'TEXTAREA' }), true);
  assert.equal(isTyping({ tagName: 'SELECT' }), true);
  assert.equal(isTyping({ tagName: 'DIV', isContentEditable: true }), true);
  assert.equal(isTyping({ tagName: 'INPUT', type: 'checkbox' }), false);
  assert.equal(isTyping({ tagName: 'BUTTON' }), false);
  assert.equal(isTyping({ tagName: 'A' }), false);
  assert.equal(isTyping(null), false);
});

test('every shortcut is worded in both languages, with where it works', () => {
  for (const s of SHORTCUTS) {
    for (const [code, c] of [['en', en], ['uk', uk]]) {
      assert.ok(c[`shortcuts.${s.id}`], `${code}: shortcuts.${s.id}`);
      assert.ok(c[s.where], `${code}: ${s.where}`);
    }
  }
});

test('docs/keyboard.md lists every shortcut of the table', () => {
  const doc = readFileSync(new URL('../../docs/keyboard.md', import.meta.url), 'utf8');
  for (const s of SHORTCUTS) {
    for (const k of s.keys) assert.ok(doc.includes(`\`${k}\``), `docs/keyboard.md: ${k} (${s.id})`);
  }
});
