// A modal panel over the current view. One at a time; Escape or Cancel closes it.
import { h } from '../dom.js';

let current = null;

/** Opens a modal with `title` around `body`; returns { close }. */
export function openModal(title, body, { testid } = {}) {
  closeModal();
  const panel = h('div', { class: 'modal', role: 'dialog', 'aria-modal': 'true', 'aria-label': title, 'data-testid': testid },
    h('header', { class: 'modal-head' }, h('h2', { text: title }),
      h('button', { type: 'button', class: 'icon-button', 'aria-label': 'Close', onclick: closeModal, text: '×' })),
    body);
  const backdrop = h('div', { class: 'backdrop', onmousedown: (e) => { if (e.target === backdrop) closeModal(); } }, panel);
  const onKey = (e) => { if (e.key === 'Escape') closeModal(); };
  document.addEventListener('keydown', onKey);
  document.body.append(backdrop);
  current = { backdrop, onKey };
  const first = panel.querySelector('input, textarea, select');
  if (first) first.focus();
  return { close: closeModal };
}

export function closeModal() {
  if (!current) return;
  document.removeEventListener('keydown', current.onKey);
  current.backdrop.remove();
  current = null;
}
