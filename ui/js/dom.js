// Building DOM safely. User text only ever becomes a text node (never parsed as HTML), so a statement
// containing `<img src=x onerror=alert(1)>` shows those characters and runs nothing.
import { formatDateTime } from './i18n.js';

/**
 * Creates an element. `attrs` keys: `class`, `text` (text content), `on<event>` (listener),
 * `dataset` (object), anything else is set as an attribute (skipped when null/false).
 * Children may be nodes, strings (as text), arrays, or null.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = String(v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces everything inside `el` with `children`. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A short, local, human date-time for an RFC 3339 timestamp, written the UI language's way. */
export function formatTime(ts) {
  return formatDateTime(ts);
}

let toastTimer = null;
/**
 * Shows a brief message at the bottom of the window; nothing while the library is locked (a
 * late message could name case data). `message` is already worded (through t() or errorText()).
 * Over an open dialog the message is shown inside it: the page behind a modal dialog is covered
 * and inert, and a screen reader reads only the dialog. The message is read out by screen
 * readers (the element is a polite live region); an error stays longer.
 */
export function toast(message, kind = 'info') {
  if (document.body.classList.contains('locked')) return;
  const t = document.getElementById('toast');
  if (!t) return;
  const dialog = document.querySelector('dialog[open]');
  const home = dialog || document.body;
  if (t.parentNode !== home) home.append(t);
  t.textContent = message;
  t.className = `toast ${kind}`;
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, kind === 'error' ? 8000 : 4000);
}

/** Hides the message at the bottom of the window and forgets its text. */
export function clearToast() {
  clearTimeout(toastTimer);
  const t = document.getElementById('toast');
  t.textContent = '';
  t.hidden = true;
}
