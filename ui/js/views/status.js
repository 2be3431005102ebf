// Case status: its badge and its choices, worded in the UI language.
import { h } from '../dom.js';
import { t } from '../i18n.js';

/** The statuses a case can have, in order. */
export const STATUS_CODES = ['open', 'closed', 'archived'];

/** The statuses as [code, label] in the UI language of the moment. */
export function statuses() {
  return STATUS_CODES.map((code) => [code, statusLabel(code)]);
}

/** A status's label; an unknown status shows as it is stored. */
export function statusLabel(status) {
  switch (status) {
    case 'open': return t('status.open');
    case 'closed': return t('status.closed');
    case 'archived': return t('status.archived');
    default: return status;
  }
}

export function statusBadge(status) {
  return h('span', { class: `badge status-${status}`, text: statusLabel(status) });
}
