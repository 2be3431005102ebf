// A dialog over the current view: a `<dialog>` opened with `showModal()`, so the page behind is
// inert (focus cannot leave the dialog, a click cannot reach the page) and the browser keeps it
// on top. One at a time.
//
// - Focus moves in (to the first field, or else to the dialog itself) and, when the dialog
//   closes, returns to the element that opened it.
// - Escape, the × button and a click on the backdrop *ask* before throwing away what was typed:
//   an in-dialog question "Discard the changes?" (Discard / Keep editing). A dialog counts as
//   changed when the user typed or chose anything in it (its `input` events), or, when the
//   caller says better, when `dirty()` is true.
// - `closeModal()` closes at once, without asking: it is for the dialog's own Cancel button, for
//   a save that went through, and for locking.
import { h } from '../dom.js';
import { t } from '../i18n.js';

let current = null;
let seq = 0;

/** The fields focus may start on, in order. */
const FIELDS = 'input:not([type=hidden]):not([disabled]), textarea:not([disabled]), select:not([disabled])';

/**
 * Opens a dialog with `title` around `body`; returns { close }.
 * @param {string} title  already worded (through t())
 * @param {Node} body
 * @param {{ testid?: string, onClose?: () => void, dirty?: () => boolean }} [options]
 *   `onClose` runs whenever the dialog closes, however; `dirty` says whether closing would lose
 *   input (by default: whether the user changed any field in it).
 */
export function openModal(title, body, { testid, onClose, dirty } = {}) {
  // A dialog opened from another hands focus back to what opened the first one.
  const opener = current ? current.opener : document.activeElement;
  closeModal({ restoreFocus: false });
  seq += 1;
  const titleId = `modal-title-${seq}`;
  const content = h('div', { class: 'modal-content' },
    h('header', { class: 'modal-head' }, h('h2', { id: titleId, text: title }),
      h('button', {
        type: 'button', class: 'icon-button', 'data-testid': 'modal-close',
        'aria-label': t('common.close'), title: t('modal.closeTitle'), text: '×', onclick: () => requestClose(),
      })),
    body);
  const dialog = h('dialog', { class: 'modal', 'aria-labelledby': titleId, 'data-testid': testid, tabindex: '-1' }, content);
  const state = { dialog, content, opener, onClose, dirty, edited: false, asking: null };
  current = state;

  // Only what the user does counts as a change: a value set by code fires no `input`, and an
  // event a view fires itself is not trusted.
  const edit = (e) => { if (e.isTrusted) state.edited = true; };
  dialog.addEventListener('input', edit);
  dialog.addEventListener('change', edit);
  // Escape: handled here, so the browser's own close (which would not ask) never runs.
  dialog.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || e.isComposing) return;
    e.preventDefault();
    e.stopPropagation();
    if (state.asking) keepEditing(state); else requestClose();
  });
  dialog.addEventListener('cancel', (e) => {
    e.preventDefault();
    if (current === state && !state.asking) requestClose();
  });
  // The backdrop is the dialog element itself outside its box: a press and release there (not a
  // text selection dragged out of a field) asks to close.
  let downOutside = false;
  const outside = (e) => {
    if (e.target !== dialog) return false;
    const r = dialog.getBoundingClientRect();
    return e.clientX < r.left || e.clientX > r.right || e.clientY < r.top || e.clientY > r.bottom;
  };
  dialog.addEventListener('mousedown', (e) => { downOutside = outside(e); });
  dialog.addEventListener('click', (e) => {
    if (downOutside && outside(e)) requestClose();
    downOutside = false;
  });

  document.body.append(dialog);
  dialog.showModal();
  const first = content.querySelector(FIELDS);
  (first || dialog).focus();
  return { close: closeModal };
}

/** Whether a dialog is open. */
export function modalOpen() {
  return current !== null;
}

/** Whether closing the open dialog would lose what the user typed. */
function isDirty(state) {
  if (state.dirty) {
    try { return Boolean(state.dirty()); } catch { return true; }
  }
  return state.edited;
}

/**
 * Closes the open dialog as Escape, × and the backdrop do: at once when nothing was typed,
 * otherwise after asking "Discard the changes?" in the dialog.
 */
export function requestClose() {
  const state = current;
  if (!state) return;
  if (!isDirty(state)) { closeModal(); return; }
  if (state.asking) { state.asking.querySelector('[data-testid=discard-keep]').focus(); return; }
  const before = document.activeElement;
  const questionId = `${state.dialog.getAttribute('aria-labelledby')}-discard`;
  const keep = h('button', { type: 'button', class: 'button secondary', 'data-testid': 'discard-keep', text: t('modal.keepEditing'),
    onclick: () => keepEditing(state) });
  const discard = h('button', { type: 'button', class: 'button danger', 'data-testid': 'discard-confirm', text: t('modal.discard'),
    onclick: () => closeModal() });
  const ask = h('div', { class: 'discard', role: 'alertdialog', 'aria-labelledby': questionId, 'data-testid': 'discard-question' },
    h('p', { id: questionId }, h('strong', { text: t('modal.discardQuestion') }), ' ', h('span', { text: t('modal.discardDetail') })),
    h('div', { class: 'form-actions' }, keep, discard));
  state.asking = ask;
  state.focusBefore = before;
  state.content.inert = true;
  state.dialog.prepend(ask);
  state.dialog.scrollTop = 0;
  keep.focus();
}

/** Back to the form from the "Discard the changes?" question, focus where it was. */
function keepEditing(state) {
  if (!state.asking) return;
  state.asking.remove();
  state.asking = null;
  state.content.inert = false;
  const back = state.focusBefore;
  if (back && back.isConnected && state.dialog.contains(back)) back.focus(); else state.dialog.focus();
}

/**
 * Closes the open dialog at once (nothing asked). Focus goes back to what opened it, unless
 * `restoreFocus` is false or that element has left the page.
 */
export function closeModal({ restoreFocus = true } = {}) {
  if (!current) return;
  const { dialog, onClose, opener } = current;
  current = null;
  // A message shown over the dialog moves back to the page before the dialog leaves it.
  const toastEl = dialog.querySelector('#toast');
  if (toastEl) document.body.append(toastEl);
  if (dialog.open) dialog.close();
  dialog.remove();
  if (restoreFocus && opener && opener.isConnected && opener !== document.body && !document.body.classList.contains('locked')) {
    opener.focus({ preventScroll: true });
  }
  if (onClose) onClose();
}

/**
 * Asks for a reason (for a deletion or an unlink, which the custody log records).
 * Resolves to the text, or null if cancelled.
 */
export function askReason(title, placeholder = t('modal.reasonPlaceholder')) {
  return new Promise((resolve) => {
    const input = h('input', { id: 'reason-input', name: 'reason', 'data-testid': 'reason-input', placeholder, autocomplete: 'off',
      'aria-describedby': 'reason-error' });
    const error = h('div', { id: 'reason-error', class: 'field-error', role: 'alert', hidden: true, text: t('modal.reasonRequired') });
    let answered = false;
    const form = h('form', { class: 'form', 'data-testid': 'reason-form', novalidate: true },
      h('div', { class: 'field' }, h('label', { for: 'reason-input', text: t('modal.reason') }), input, error),
      h('div', { class: 'form-actions' },
        h('button', { type: 'button', class: 'button secondary', text: t('common.cancel'), onclick: () => { closeModal(); } }),
        h('button', { type: 'submit', class: 'button primary', 'data-testid': 'reason-save', text: t('common.confirm') })));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (!input.value.trim()) { error.hidden = false; input.setAttribute('aria-invalid', 'true'); input.focus(); return; }
      answered = true;
      closeModal();
      resolve(input.value.trim());
    });
    openModal(title, form, { testid: 'reason-panel', onClose: () => { if (!answered) resolve(null); } });
  });
}
