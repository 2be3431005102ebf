// Form helpers: labelled fields with an error slot next to each, mapping backend errors
// (`{ code, message, params }`) onto them, length limits with a live counter, and Enter that
// submits only where that is unambiguous.
//
// For every form (other views too):
// - `field({ ..., limit })` for any field the backend limits (see `LIMITS`): the field shows
//   "1 234 / 100 000" as it is typed, and a paste that would go over the limit is refused at once
//   with a message naming the limit (the window never freezes on a 2 MB paste).
// - `guardEnter(form)` once the form is built: Enter then submits only from the form's last
//   one-line field or from its submit button, never from another field of a long form, never
//   from a textarea (a new line there), a checkbox or a select.
// - `Ctrl+S` submits the open form (shortcuts.js): nothing to do in the form.
import { h } from '../dom.js';
import { t, errorText, formatNumber } from '../i18n.js';

/**
 * The backend's limits, in characters, for `field({ limit })`: the ones views need most, read
 * from crates/casefile-core/src/records (cases.rs, incidents.rs, statements.rs, persons.rs,
 * units.rs, links.rs, mod.rs, profile.rs, vocab.rs). `line` is the usual one-line text field
 * (a place, an interviewer); look a field up there before giving it another.
 */
export const LIMITS = {
  caseTitle: 300,
  caseReference: 64,
  description: 100_000,
  incidentTitle: 300,
  statementText: 2_000_000,
  personDescription: 10_000,
  unitDescription: 10_000,
  identityNotes: 10_000,
  note: 2000,
  reason: 1000,
  profileName: 200,
  profileOrganisation: 200,
  termLabel: 200,
  line: 300,
};

/**
 * The number of characters in `s` as the backend counts them (Unicode scalar values: an emoji
 * is one, not two), without building an array (fast on a 2 MB paste).
 */
export function charCount(s) {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // A low surrogate after a high one finishes a character already counted.
    if (c >= 0xdc00 && c <= 0xdfff && i > 0) {
      const p = s.charCodeAt(i - 1);
      if (p >= 0xd800 && p <= 0xdbff) continue;
    }
    n++;
  }
  return n;
}

/**
 * Whether inserting `inserted` characters over a selection of `selected` characters in a field
 * holding `current` keeps it within `limit`: { ok, after }.
 */
export function fitsLimit(current, selected, inserted, limit) {
  const after = current - selected + inserted;
  return { ok: after <= limit, after };
}

/** The counter under a limited field: "1 234 / 100 000" (numbers written the UI language's way). */
export function counterText(n, limit) {
  return t('form.counter', { n: formatNumber(n), limit: formatNumber(limit) });
}

/** How near the limit `n` is: 'over', 'near' (the last tenth) or ''. */
export function counterLevel(n, limit) {
  if (n > limit) return 'over';
  return n >= limit * 0.9 ? 'near' : '';
}

/** Text input types that are one line of text (Enter in them may submit). */
const ONE_LINE = new Set(['text', 'search', 'email', 'url', 'tel', 'number', 'password', 'date', 'datetime-local', 'month', 'time', 'week']);

/**
 * Whether Enter, pressed in a control, may submit its form: only in the form's last one-line
 * field (`isLast`), never in a textarea, a checkbox, a radio or a select; buttons do what they
 * do themselves (a submit button submits).
 * @param {{ tag: string, type?: string, isLast: boolean }} c
 */
export function enterMaySubmit({ tag, type, isLast }) {
  const tg = String(tag).toUpperCase();
  if (tg === 'BUTTON') return true;
  if (tg !== 'INPUT') return false;
  const ty = String(type || 'text').toLowerCase();
  if (ty === 'submit' || ty === 'image') return true;
  if (!ONE_LINE.has(ty)) return false;
  return isLast;
}

/** The one-line fields of `form` a person can type in, in order. */
function oneLineFields(form) {
  return [...form.querySelectorAll('input')].filter((i) => ONE_LINE.has((i.getAttribute('type') || 'text').toLowerCase())
    && !i.disabled && !i.readOnly && !i.closest('[hidden]'));
}

/**
 * Makes Enter submit `form` only where that is unambiguous: from its last one-line field or its
 * submit button. Enter in any other one-line field does nothing (a long form is never sent
 * half-filled by a habit from another program); Enter in a textarea is a new line.
 */
export function guardEnter(form) {
  form.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' || e.isComposing || e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
    const el = e.target;
    if (!(el instanceof Element) || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT') return;
    const lines = oneLineFields(form);
    if (!enterMaySubmit({ tag: el.tagName, type: el.getAttribute('type'), isLast: lines[lines.length - 1] === el })) e.preventDefault();
  });
  return form;
}

/**
 * Keeps `input` within `limit` characters: a live counter in `counter`, a paste (or drop, or
 * typing) that would go over it refused at once with a message in `note`, naming the limit.
 */
export function limitInput(input, limit, counter, note) {
  const shown = () => {
    const n = charCount(input.value);
    if (counter) {
      counter.textContent = counterText(n, limit);
      const level = counterLevel(n, limit);
      counter.className = `counter${level ? ` ${level}` : ''}`;
      // A one-line field shows its counter only near the limit; a text area always.
      if (input.tagName !== 'TEXTAREA') counter.hidden = level === '';
    }
    return n;
  };
  const refuse = (inserted, pasted) => {
    if (!note) return;
    note.textContent = pasted
      ? t('form.tooLongPaste', { limit: formatNumber(limit), count: inserted })
      : t('form.atLimit', { count: limit });
    note.hidden = false;
  };
  const selected = () => {
    try {
      const a = input.selectionStart;
      const b = input.selectionEnd;
      return a === null || b === null ? 0 : charCount(input.value.slice(a, b));
    } catch { return 0; }
  };
  const check = (e, text, pasted) => {
    if (text === null || text === undefined) return;
    const inserted = charCount(text);
    if (!fitsLimit(charCount(input.value), selected(), inserted, limit).ok) {
      e.preventDefault();
      refuse(inserted, pasted);
    }
  };
  input.addEventListener('paste', (e) => check(e, e.clipboardData ? e.clipboardData.getData('text/plain') : null, true));
  input.addEventListener('beforeinput', (e) => {
    if (e.defaultPrevented || !e.inputType || !e.inputType.startsWith('insert')) return;
    const text = e.data ?? (e.dataTransfer ? e.dataTransfer.getData('text/plain') : (e.inputType === 'insertLineBreak' ? '\n' : null));
    check(e, text, e.inputType === 'insertFromPaste' || e.inputType === 'insertFromDrop');
  });
  input.addEventListener('input', () => {
    if (note && !note.hidden) { note.hidden = true; note.textContent = ''; }
    shown();
  });
  shown();
}

/**
 * A labelled field. `name` is the backend's field name; the control gets
 * data-testid `${prefix}-${name}` and its error slot data-testid `error-${name}`.
 */
export function field({ name, label, prefix, control = 'input', type = 'text', value = '', hint, required, rows, options, limit, attrs = {} }) {
  const id = `${prefix}-${name}`;
  let input;
  if (control === 'textarea') {
    input = h('textarea', { id, name, rows: rows || 4, 'data-testid': id, ...attrs });
    input.value = value ?? '';
  } else if (control === 'select') {
    input = h('select', { id, name, 'data-testid': id, ...attrs },
      options.map(([v, text]) => h('option', { value: v, text })));
    // Keep the first option when the value is not one of them (a select never shows blank).
    if (options.some(([v]) => v === (value ?? ''))) input.value = value ?? '';
  } else {
    input = h('input', { id, name, type, 'data-testid': id, autocomplete: 'off', ...attrs });
    input.value = value ?? '';
  }
  const error = h('div', { class: 'field-error', id: `${id}-error`, 'data-testid': `error-${name}`, role: 'alert', hidden: true });
  const hintEl = hint ? h('div', { class: 'hint', id: `${id}-hint`, text: hint }) : null;
  let counter = null;
  let note = null;
  if (limit && control !== 'select') {
    counter = h('div', { class: 'counter', id: `${id}-counter`, 'data-testid': `counter-${name}` });
    note = h('div', { class: 'field-error', 'data-testid': `limit-${name}`, role: 'alert', hidden: true });
    input.dataset.limit = String(limit);
    limitInput(input, limit, counter, note);
  }
  input.setAttribute('aria-describedby', [hintEl ? `${id}-hint` : null, counter ? `${id}-counter` : null, `${id}-error`].filter(Boolean).join(' '));
  return h('div', { class: 'field' },
    h('label', { for: id }, label, required ? h('span', { class: 'req', 'aria-hidden': 'true', text: ' *' }) : null),
    input,
    counter,
    hintEl,
    note,
    error);
}

/** Clears every error shown in `form`. */
export function clearErrors(form) {
  for (const el of form.querySelectorAll('.field-error, .form-error')) {
    el.textContent = '';
    el.hidden = true;
  }
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
}

/** Shows `message` next to field `name`, or in the form's general error slot. */
export function showError(form, name, message) {
  const slot = name ? form.querySelector(`[data-testid=error-${name}]`) : null;
  const target = slot || form.querySelector('[data-testid=form-error]');
  target.textContent = message;
  target.hidden = false;
  if (slot) {
    const input = form.querySelector(`[name=${name}]`);
    if (input) { input.setAttribute('aria-invalid', 'true'); input.focus(); }
  }
}

/** Shows a backend error where it belongs, worded from the catalogue (errorText). */
export function showBackendError(form, err) {
  const name = (err && (err.field || (err.params && err.params.field))) || null;
  showError(form, name, errorText(err));
}

/** A group of checkboxes named `name` from [[value, label]]; `values` are checked. */
export function checks({ name, label, prefix, options, values = [], hint }) {
  const id = `${prefix}-${name}`;
  const error = h('div', { class: 'field-error', 'data-testid': `error-${name}`, role: 'alert', hidden: true });
  return h('fieldset', { class: 'field checks', 'data-testid': id },
    h('legend', { text: label }),
    h('div', { class: 'check-grid' }, options.map(([v, text]) => h('label', { class: 'check' },
      h('input', { type: 'checkbox', name, value: v, checked: values.includes(v) || null }), h('span', { text })))),
    hint ? h('div', { class: 'hint', text: hint }) : null,
    error);
}

/** The checked values of checkbox group `name` in `form`. */
export function checkedValues(form, name) {
  return [...form.querySelectorAll(`input[type=checkbox][name=${name}]:checked`)].map((i) => i.value);
}

/** A row of fields side by side. */
export function row(...fields) {
  return h('div', { class: 'field-row' }, fields);
}

/** A titled group of fields. */
export function section(title, ...children) {
  return h('fieldset', { class: 'section' }, h('legend', { text: title }), children);
}

/**
 * Wires a form's submit: clears errors, runs `collect()` (which may throw a
 * { field, message } for client-side checks), calls `save(data)`, shows backend errors at their
 * field, and calls `done(result)` on success.
 */
export function onSubmit(form, { collect, save, done }) {
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    let data;
    try {
      data = collect();
    } catch (err) {
      showError(form, err.field, err.message);
      return;
    }
    const buttons = form.querySelectorAll('button[type=submit]');
    buttons.forEach((b) => { b.disabled = true; });
    try {
      const result = await save(data);
      done(result);
    } catch (err) {
      showBackendError(form, err);
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  });
}
