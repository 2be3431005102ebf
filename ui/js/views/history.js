// A record's custody history: every change, who made it and when, with the entry's hash. An
// edit names the fields it changed (the backend records them in the entry's detail).
import { h, mount } from '../dom.js';
import { t, has, errorText, formatDateTime } from '../i18n.js';
import { recordHistory } from '../api/contents.js';

/** A field's name in the UI language: `field.<name>` when the catalogue has it, else the name. */
export function fieldName(name) {
  return has(`field.${name}`) ? t(`field.${name}`) : String(name).replaceAll('_', ' ');
}

/**
 * The fields an entry changed: the DTO's `changed` list when the backend sends one, else the
 * `changed` list the edit path writes into the entry's detail (records::update_logged).
 */
export function changedFields(e) {
  if (Array.isArray(e.changed)) return e.changed;
  if (e.detail && Array.isArray(e.detail.changed)) return e.detail.changed;
  return [];
}

/** What an entry did, in words: "Created", "Edited: title, description", "Linked". */
export function actionText(e) {
  const base = e.record_type === 'link' ? `history.link.${e.action}` : `history.action.${e.action}`;
  const text = has(base) ? t(base) : e.action.replaceAll('_', ' ');
  const changed = changedFields(e);
  if (e.action === 'edit' && changed.length) {
    return t('history.edited', { fields: changed.map(fieldName).join(', ') });
  }
  const reason = e.detail && typeof e.detail.reason === 'string' ? e.detail.reason : '';
  return reason ? t('history.withReason', { action: text, reason }) : text;
}

/** The panel; its entries are filled in when they arrive, unless `signal` (the view's) has aborted. */
export function historyPanel(recordType, id, signal) {
  const list = h('ol', { class: 'history' }, h('li', { class: 'muted', text: t('common.loading') }));
  const panel = h('section', { class: 'card', 'data-testid': 'history-panel' },
    h('h2', { text: t('history.title') }), list);
  recordHistory(recordType, id).then((entries) => {
    if (signal && signal.aborted) return;
    if (!entries.length) { mount(list, h('li', { class: 'muted', text: t('history.empty') })); return; }
    mount(list, entries.map((e) => h('li', { class: e.received_from ? 'received' : '', 'data-testid': e.received_from ? 'history-received' : 'history-entry' },
      h('span', { class: 'h-action', text: actionText(e) }),
      h('span', { class: 'h-actor' }, h('span', { text: e.actor }),
        // The sender's own entry, as it came in a bundle: who delivered it, and whether that key is trusted.
        e.received_from ? h('span', { class: `h-received${e.received_trusted ? '' : ' warn'}`, title: e.received_from,
          text: t(e.received_trusted ? 'history.received' : 'history.receivedUntrusted', { key: e.received_from.slice(0, 19) }) }) : null),
      h('span', { class: 'muted small', text: formatDateTime(e.at) }),
      h('span', { class: 'mono tiny muted', title: t('history.hashTitle', { seq: e.seq, hash: e.hash }), text: e.hash.slice(0, 12) }))));
  }, (err) => { if (!(signal && signal.aborted)) mount(list, h('li', { class: 'error-box', text: errorText(err) })); });
  return panel;
}
