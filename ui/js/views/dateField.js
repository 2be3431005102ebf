// The one date input, used for every date the app asks for (incident date, interview date,
// consent dates, date of birth; evidence "Collected on" may use it too). A text box read by
// `parseDate` (ui/js/dates.js, rules in docs/dates.md), the same on every machine whatever the OS
// locale, with a live line under it saying how the input was understood, or why it cannot be.
//
// API (keep it stable: other views build on it):
//
//   const date = dateField({ name, label, value, required, allowRange, allowTime, precisions, testid, hint });
//   form.append(date.el);
//   const r = date.read();   // { ok: true, value: { precision, from, to }, empty } | { ok: false, message }
//   date.focus();
//
// - `name`: the form field name; also the error slot (`data-testid="error-<name>"`), so form.js's
//   `showError(form, name, …)` and backend errors for `name` land under this field.
// - `label`: the visible label (already worded with `t()`).
// - `value`: the stored date: a DateInput-like `{ precision, from, to }`, an incident row
//   (`date_precision`, `date_from`, `date_to`), or an ISO string (`2022-03-09`, `2022-03`,
//   `2022`). It is shown the UI language's short way (09.03.2022 / 2022-03-09).
// - `required`: an empty field is refused with "Enter the date". Not required: an empty field is
//   "not recorded", which the live line says while it is empty (never a silent empty date);
//   typing "невідомо" / "unknown" says it explicitly.
// - `allowRange` (default true), `allowTime` (default true), `precisions` (default any, e.g.
//   ['day'] for an interview date, ['year', 'month', 'day'] for a date of birth): what the field
//   stores; anything else is refused with a message.
// - `testid`: data-testid of the text box (default `name`); the live line is `<testid>-understood`.
//
// `read()` returns `value` as the backend's DateInput (without `timezone`); `empty` is true when
// nothing was typed (then `value.precision` is 'unknown'). For a field stored as one day, use
// `value.from` ('' when empty). A non-empty input that cannot be read is `ok: false`: the message
// is shown under the field, the box is marked invalid and focused, and saving must stop.
import { h } from '../dom.js';
import { t, language } from '../i18n.js';
import { parseDate, formatDate } from '../dates.js';

let seq = 0;

/** Whether a date's start is after today (compared at its own precision, in local time). */
export function isFuture(value, now = new Date()) {
  if (!value || !value.from) return false;
  const today = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}T${String(now.getHours()).padStart(2, '0')}:${String(now.getMinutes()).padStart(2, '0')}`;
  return value.from > today.slice(0, value.from.length);
}

/** The words of a parser refusal, from the catalogue. */
export function dateErrorText(result) {
  return t(result.error, result.params || {});
}

/** One date input with a live reading under it; see the top of this file. */
export function dateField({ name, label, value = null, required = false, allowRange = true, allowTime = true, precisions = null, testid, hint } = {}) {
  const tid = testid || name;
  const id = `date-${tid}-${++seq}`;
  const lang = language();
  const initial = value ? formatDate(value, lang, { style: 'short' }) : '';
  const input = h('input', {
    id, name, type: 'text', 'data-testid': tid, autocomplete: 'off', spellcheck: 'false', inputmode: 'text',
    placeholder: t(allowRange ? 'date.field.placeholderRange' : 'date.field.placeholder'),
    'aria-describedby': `${id}-understood ${id}-error`,
    'aria-required': required ? 'true' : null,
  });
  input.value = initial && initial !== '—' ? initial : '';
  const understood = h('div', { class: 'hint date-understood', id: `${id}-understood`, 'data-testid': `${tid}-understood`, 'aria-live': 'polite' });
  const error = h('div', { class: 'field-error', id: `${id}-error`, 'data-testid': `error-${name}`, role: 'alert', hidden: true });
  const opts = { allowRange, allowTime, precisions };

  function reading() {
    const text = input.value;
    if (!text.trim()) {
      return required
        ? { ok: false, empty: true, error: 'date.error.required', params: {} }
        : { ok: true, empty: true, value: { precision: 'unknown', from: null, to: null } };
    }
    return { ...parseDate(text, language(), opts), empty: false };
  }

  function showReading() {
    const r = reading();
    let text;
    if (r.empty) text = required ? t('date.field.enter') : t('date.field.notRecorded');
    else if (r.ok) {
      text = t('date.field.understood', { description: r.description });
      // A date after today is allowed (a planned interview) but said: 2032 for 2022 is a slip.
      if (isFuture(r.value)) text += ` ${t('date.field.future')}`;
    }
    else text = dateErrorText(r);
    understood.textContent = text;
    // Coloured as an error while unreadable (form.js's clearErrors may hide it: shown again here).
    understood.classList.toggle('field-error', !r.ok && !r.empty);
    understood.classList.toggle('hint', r.ok || r.empty);
    understood.hidden = false;
  }

  // The reading follows the typing, a moment behind so a screen reader is not read every key.
  let timer = null;
  input.addEventListener('input', () => {
    error.hidden = true;
    input.removeAttribute('aria-invalid');
    clearTimeout(timer);
    timer = setTimeout(showReading, 250);
  });
  input.addEventListener('blur', () => { clearTimeout(timer); showReading(); });
  showReading();

  const el = h('div', { class: 'field date-field' },
    h('label', { for: id }, label, required ? h('span', { class: 'req', 'aria-hidden': 'true', text: ' *' }) : null),
    input,
    understood,
    hint ? h('div', { class: 'hint', text: hint }) : null,
    error);

  return {
    el,
    input,
    /** { ok: true, value, empty } or { ok: false, message } (shown under the field). */
    read() {
      clearTimeout(timer);
      showReading();
      const r = reading();
      if (r.ok) return { ok: true, value: r.value, empty: r.empty };
      const message = dateErrorText(r);
      error.textContent = message;
      error.hidden = false;
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return { ok: false, message };
    },
    focus() { input.focus(); },
  };
}
