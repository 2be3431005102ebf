// A record's custody history: every change, who made it and when, with the entry's hash.
import { h, mount, formatTime } from '../dom.js';
import { recordHistory } from '../api/contents.js';

/** The panel; its entries are filled in when they arrive, unless `signal` (the view's) has aborted. */
export function historyPanel(recordType, id, signal) {
  const list = h('ol', { class: 'history' }, h('li', { class: 'muted', text: 'Loading…' }));
  const panel = h('section', { class: 'card', 'data-testid': 'history-panel' },
    h('h2', { text: 'Custody history' }), list);
  recordHistory(recordType, id).then((entries) => {
    if (signal && signal.aborted) return;
    mount(list, entries.map((e) => h('li', { class: e.received_from ? 'received' : '', 'data-testid': e.received_from ? 'history-received' : 'history-entry' },
      h('span', { class: 'h-action', text: e.record_type !== 'link' ? e.action.replaceAll('_', ' ') : ({ link: 'linked', unlink: 'unlinked', restore: 'link restored' }[e.action] || `${e.action} (link)`) }),
      h('span', { class: 'h-actor' }, h('span', { text: e.actor }),
        // The sender's own entry, as it came in a bundle: who delivered it, and whether that key is trusted.
        e.received_from ? h('span', { class: `h-received${e.received_trusted ? '' : ' warn'}`, title: e.received_from,
          text: `received in a bundle from key ${e.received_from.slice(0, 19)}${e.received_trusted ? '' : ' (not trusted)'}` }) : null),
      h('span', { class: 'muted small', text: formatTime(e.at) }),
      h('span', { class: 'mono tiny muted', title: `entry ${e.seq}, hash ${e.hash}`, text: e.hash.slice(0, 12) }))));
  }, (err) => { if (!(signal && signal.aborted)) mount(list, h('li', { class: 'error-box', text: err.message })); });
  return panel;
}
