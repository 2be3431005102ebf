// A modal panel over the current view. One at a time; Escape or Cancel closes it.
import { h } from '../dom.js';

let current = null;

/** Opens a modal with `title` around `body`; returns { close }. */
export function openModal(title, body, { testid, onClose } = {}) {
  closeModal();
  const panel = h('div', { class: 'modal', role: 'dialog', 'aria-modal': 'true', 'aria-label': title, 'data-testid': testid },
    h('header', { class: 'modal-head' }, h('h2', { text: title }),
      h('button', { type: 'button', class: 'icon-button', 'aria-label': 'Close', onclick: closeModal, text: '×' })),
    body);
  const backdrop = h('div', { class: 'backdrop', onmousedown: (e) => { if (e.target === backdrop) closeModal(); } }, panel);
  const onKey = (e) => { if (e.key === 'Escape') closeModal(); };
  document.addEventListener('keydown', onKey);
  document.body.append(backdrop);
  current = { backdrop, onKey, onClose };
  const first = panel.querySelector('input, textarea, select');
  if (first) first.focus();
  return { close: closeModal };
}

export function closeModal() {
  if (!current) return;
  const { onKey, backdrop, onClose } = current;
  current = null;
  document.removeEventListener('keydown', onKey);
  backdrop.remove();
  if (onClose) onClose();
}

/**
 * Asks for a reason (for a deletion or an unlink, which the custody log records).
 * Resolves to the text, or null if cancelled.
 */
export function askReason(title, placeholder = 'Reason (recorded in the custody log)') {
  return new Promise((resolve) => {
    const input = h('input', { id: 'reason-input', 'data-testid': 'reason-input', placeholder, autocomplete: 'off' });
    const error = h('div', { class: 'field-error', role: 'alert', hidden: true, text: 'A reason is required.' });
    let answered = false;
    const form = h('form', { class: 'form', 'data-testid': 'reason-form', novalidate: true },
      h('div', { class: 'field' }, h('label', { for: 'reason-input', text: 'Reason' }), input, error),
      h('div', { class: 'form-actions' },
        h('button', { type: 'button', class: 'button secondary', text: 'Cancel', onclick: () => { closeModal(); } }),
        h('button', { type: 'submit', class: 'button primary', 'data-testid': 'reason-save', text: 'Confirm' })));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (!input.value.trim()) { error.hidden = false; return; }
      answered = true;
      closeModal();
      resolve(input.value.trim());
    });
    openModal(title, form, { testid: 'reason-panel', onClose: () => { if (!answered) resolve(null); } });
  });
}
