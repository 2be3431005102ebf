// Keyboard shortcuts: one table, `SHORTCUTS`, read both by the handler below and by the help
// overlay (`?`, views/help.js), and written out for people in docs/keyboard.md. Add a shortcut
// here, give it its words in the catalogues (`shortcuts.<id>`), and both follow.
//
// Keys are matched by what they are on an English keyboard layout: with the Ukrainian layout on,
// the key that types "т" is still `n`, and Ctrl+"д" is still Ctrl+L (`keyName` reads the key's
// position, `KeyboardEvent.code`, whenever the layout gives a non-Latin letter).
//
// Single keys (`n`, `/`, `j`, ...) act only when no field has the focus (typing "n" in a title
// never makes a new record) and no dialog is open; combinations with Ctrl act everywhere.
import { t } from './i18n.js';

/**
 * The shortcuts. `keys`: the ways to type each ("Ctrl+S"; "g c" is g, then c within a second and
 * a half); `where`: the catalogue key of where it works; `inFields`: it also works while typing in
 * a field; `native`: the table documents it, another part of the app does it (the dialog itself
 * for Escape, guardEnter for Enter, app.js for Ctrl+L).
 */
export const SHORTCUTS = [
  { id: 'help', keys: ['?'], where: 'shortcuts.whereAnywhere' },
  { id: 'search', keys: ['/'], where: 'shortcuts.whereAnywhere' },
  { id: 'newRecord', keys: ['n'], where: 'shortcuts.whereList' },
  { id: 'next', keys: ['j', 'ArrowDown'], where: 'shortcuts.whereList' },
  { id: 'previous', keys: ['k', 'ArrowUp'], where: 'shortcuts.whereList' },
  { id: 'goCases', keys: ['g c'], where: 'shortcuts.whereAnywhere' },
  { id: 'goSearch', keys: ['g s'], where: 'shortcuts.whereAnywhere' },
  { id: 'goLibrary', keys: ['g l'], where: 'shortcuts.whereAnywhere' },
  { id: 'save', keys: ['Ctrl+S'], where: 'shortcuts.whereForm', inFields: true },
  { id: 'submit', keys: ['Enter'], where: 'shortcuts.whereForm', inFields: true, native: true },
  { id: 'close', keys: ['Escape'], where: 'shortcuts.whereDialog', inFields: true, native: true },
  { id: 'skip', keys: ['Tab'], where: 'shortcuts.whereStart', native: true },
  { id: 'lock', keys: ['Ctrl+L'], where: 'shortcuts.whereAnywhere', inFields: true, native: true },
];

/** How long the second key of a sequence ("g c") may wait, in milliseconds. */
export const SEQUENCE_MS = 1500;

/**
 * The name of the key pressed, as the table writes it: "n", "?", "ArrowDown", "Ctrl+S",
 * "Shift+Tab". Letters and the slash key are read by position when the layout is not Latin.
 * @param {{ key: string, code?: string, ctrlKey?: boolean, metaKey?: boolean, altKey?: boolean, shiftKey?: boolean }} e
 */
export function keyName(e) {
  const ctrl = Boolean(e.ctrlKey || e.metaKey);
  const code = e.code || '';
  let key = e.key || '';
  if (/^Key[A-Z]$/.test(code) && key.length === 1 && (ctrl || !/^[\x20-\x7e]$/.test(key))) {
    key = e.shiftKey && !ctrl ? code.slice(3) : code.slice(3).toLowerCase();
  } else if (code === 'Slash' && !ctrl && !e.altKey && key !== '/' && key !== '?') {
    // The slash key types "." (and "," with Shift) on the Ukrainian layout.
    key = e.shiftKey ? '?' : '/';
  }
  const mods = [];
  if (ctrl) mods.push('Ctrl');
  if (e.altKey) mods.push('Alt');
  // Shift is part of a printable key already ("?" is Shift+/); it is named only with others.
  if (e.shiftKey && (key.length > 1 || ctrl)) mods.push('Shift');
  if (ctrl && key.length === 1) key = key.toUpperCase();
  return [...mods, key].join('+');
}

/**
 * What typing `name` does given the first key of a sequence already typed (`pending`, or null):
 * `{ id }` for a shortcut, `{ pending }` when it starts a sequence, or null.
 * @param {string} name  keyName() of the key
 * @param {string|null} pending
 * @param {typeof SHORTCUTS} [table]
 */
export function matchShortcut(name, pending, table = SHORTCUTS) {
  if (pending) {
    const hit = table.find((s) => s.keys.includes(`${pending} ${name}`));
    if (hit) return { id: hit.id };
  }
  const hit = table.find((s) => s.keys.includes(name));
  if (hit) return { id: hit.id };
  if (table.some((s) => s.keys.some((k) => k.startsWith(`${name} `)))) return { pending: name };
  return null;
}

/** Input types that are not typed in (a shortcut may act while one has the focus). */
const NOT_TYPED = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'file', 'range', 'color', 'image']);

/**
 * Whether `el` (the focused element) is a place where keys are text: a text field, a text area,
 * a select or an editable element.
 * @param {{ tagName?: string, type?: string, isContentEditable?: boolean } | null} el
 */
export function isTyping(el) {
  if (!el || !el.tagName) return false;
  const tag = el.tagName.toUpperCase();
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') return !NOT_TYPED.has(String(el.type || 'text').toLowerCase());
  return Boolean(el.isContentEditable);
}

/** A shortcut's words: what it does, and where. */
export function describeShortcut(s) {
  return { what: t(`shortcuts.${s.id}`), where: t(s.where) };
}

/** How a key is written for people ("Ctrl", "↓", "Esc"). */
export function keyLabel(k) {
  const names = { ArrowDown: '↓', ArrowUp: '↑', Escape: 'Esc', Enter: 'Enter', Tab: 'Tab', Ctrl: 'Ctrl', Shift: 'Shift', Alt: 'Alt' };
  return names[k] || k;
}

// --- The handler (touches the page only when installed) ---------------------------------------

/** The rows of the list on screen, in order. */
const ROWS = ':is(.case-row, .list-row, .result, .tile, .tile-link)[href], [role=listitem]:is(a[href], [tabindex])';

function listRows(main) {
  return [...main.querySelectorAll(ROWS)].filter((r) => !r.closest('[hidden], [aria-hidden=true]'));
}

/**
 * Moves the focus `by` rows (+1 next, -1 previous) in the list on screen; the first row when
 * none has the focus. A virtual list redraws its rows as it scrolls: the row is then found again
 * by its id, so the focus stays on it.
 */
export function moveInList(main, by) {
  const rows = listRows(main);
  if (!rows.length) return false;
  const at = rows.findIndex((r) => r === document.activeElement || r.contains(document.activeElement));
  const next = at === -1 ? rows[by > 0 ? 0 : rows.length - 1] : rows[Math.max(0, Math.min(rows.length - 1, at + by))];
  const id = next.dataset.id;
  next.focus({ preventScroll: true });
  next.scrollIntoView({ block: 'nearest' });
  if (id) {
    requestAnimationFrame(() => requestAnimationFrame(() => {
      if (next.isConnected) return;
      const again = main.querySelector(`[data-id="${CSS.escape(id)}"]`);
      if (again) again.focus({ preventScroll: true });
    }));
  }
  return true;
}

/** The form Ctrl+S saves: the open dialog's, or the one holding the focus. */
function formToSave() {
  const dialog = document.querySelector('dialog[open]');
  if (dialog) return dialog.querySelector('form');
  const el = document.activeElement;
  const form = el && el.closest ? el.closest('form') : null;
  // A search box is not saved: Ctrl+S there does nothing.
  return form && form.getAttribute('role') !== 'search' ? form : null;
}

/**
 * Installs the handler. `actions` gives what the app does for some shortcuts (`help`, `lock`,
 * ...); the others are done here: search, new record (the `casefile:new-record` event on
 * `window`, which the view on screen handles), next/previous, go to, save. `enabled()` says
 * whether the library is open (no shortcut acts on a lock screen but Ctrl+L, which app.js has).
 */
export function installShortcuts({ actions = {}, enabled = () => true, main = document.getElementById('main'), toast = () => {} } = {}) {
  let pending = null;
  let pendingAt = 0;
  const builtin = {
    search: () => {
      const own = main.querySelector('input[type=search]');
      const box = own || document.querySelector('[data-testid=search-input]');
      if (!box) return false;
      box.focus();
      box.select();
      return true;
    },
    newRecord: () => {
      const ev = new CustomEvent('casefile:new-record', { cancelable: true });
      window.dispatchEvent(ev);
      if (!ev.defaultPrevented) toast(t('shortcuts.noNewHere'));
      return true;
    },
    next: (e) => (e.key.startsWith('Arrow') && !document.activeElement?.matches?.(ROWS) ? false : moveInList(main, 1)),
    previous: (e) => (e.key.startsWith('Arrow') && !document.activeElement?.matches?.(ROWS) ? false : moveInList(main, -1)),
    goCases: () => { location.hash = '#/cases'; return true; },
    goSearch: () => { location.hash = '#/search'; return true; },
    goLibrary: () => { location.hash = '#/library'; return true; },
    save: () => {
      const form = formToSave();
      if (!form) return true; // never the browser's own "save page"
      const submit = form.querySelector('button[type=submit]');
      if (submit && submit.disabled) return true;
      if (submit) form.requestSubmit(submit); else form.requestSubmit();
      return true;
    },
  };
  window.addEventListener('keydown', (e) => {
    if (e.defaultPrevented || e.isComposing || !enabled()) return;
    const name = keyName(e);
    if (name === 'Shift' || name === 'Control' || name === 'Alt' || name === 'Meta') return;
    const now = Date.now();
    if (pending && now - pendingAt > SEQUENCE_MS) pending = null;
    const typing = isTyping(document.activeElement);
    const dialogOpen = Boolean(document.querySelector('dialog[open]'));
    const m = matchShortcut(name, pending);
    pending = null;
    if (!m) return;
    if (m.pending) {
      if (!typing && !dialogOpen) { pending = m.pending; pendingAt = now; }
      return;
    }
    const s = SHORTCUTS.find((x) => x.id === m.id);
    if (s.native) return;
    if (!s.inFields && (typing || dialogOpen)) return;
    const act = actions[s.id] || builtin[s.id];
    if (!act) return;
    if (act(e) !== false) e.preventDefault();
  });
}
