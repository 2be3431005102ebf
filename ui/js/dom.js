// Building DOM safely. User text only ever becomes a text node (never parsed as HTML), so a statement
// containing `<img src=x onerror=alert(1)>` shows those characters and runs nothing.

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

/** A short, local, human date-time for an RFC 3339 timestamp. */
export function formatTime(ts) {
  if (!ts) return '';
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return ts;
  return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

let toastTimer = null;
/**
 * Shows a brief message at the bottom of the window; nothing while the library is locked (a
 * late message could name case data).
 */
export function toast(message, kind = 'info') {
  if (document.body.classList.contains('locked')) return;
  const t = document.getElementById('toast');
  t.textContent = message;
  t.className = `toast ${kind}`;
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, 4000);
}

/** Hides the message at the bottom of the window and forgets its text. */
export function clearToast() {
  clearTimeout(toastTimer);
  const t = document.getElementById('toast');
  t.textContent = '';
  t.hidden = true;
}
