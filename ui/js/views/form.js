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
    input.value = value ?? '';
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
