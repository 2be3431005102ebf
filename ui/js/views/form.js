// Form helpers: labelled fields with an error slot next to each, and mapping backend errors
// (`{ code, message, field }`) onto them.
import { h } from '../dom.js';

/**
 * A labelled field. `name` is the backend's field name; the control gets
 * data-testid `${prefix}-${name}` and its error slot data-testid `error-${name}`.
 */
export function field({ name, label, prefix, control = 'input', type = 'text', value = '', hint, required, rows, options, attrs = {} }) {
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
  input.setAttribute('aria-describedby', `${id}-error`);
  return h('div', { class: 'field' },
    h('label', { for: id }, label, required ? h('span', { class: 'req', 'aria-hidden': 'true', text: ' *' }) : null),
    input,
    hint ? h('div', { class: 'hint', text: hint }) : null,
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

/** Shows a backend error where it belongs. */
export function showBackendError(form, err) {
  showError(form, err.field || null, err.message);
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
