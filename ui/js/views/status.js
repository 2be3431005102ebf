// Case status: its badge and its choices.
import { h } from '../dom.js';

export const STATUSES = [['open', 'Open'], ['closed', 'Closed'], ['archived', 'Archived']];

export function statusBadge(status) {
  const label = (STATUSES.find(([v]) => v === status) || [status, status])[1];
  return h('span', { class: `badge status-${status}`, text: label });
}
