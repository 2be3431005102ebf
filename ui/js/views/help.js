// The keyboard help overlay (`?`): the shortcut table of shortcuts.js, worded in the UI language.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { SHORTCUTS, describeShortcut, keyLabel } from '../shortcuts.js';
import { openModal } from './modal.js';

/** One way of typing a shortcut: "Ctrl" + "S", or "g" then "c". */
function keysOf(combo) {
  const steps = combo.split(' ');
  return steps.flatMap((step, i) => [
    i > 0 ? h('span', { class: 'muted small', text: ` ${t('help.then')} ` }) : null,
    ...step.split('+').flatMap((k, j) => [j > 0 ? '+' : null, h('kbd', { text: keyLabel(k) })]),
  ]);
}

/** Opens the list of shortcuts in a dialog. */
export function openHelp() {
  const rows = SHORTCUTS.map((s) => {
    const { what, where } = describeShortcut(s);
    return h('tr', { 'data-testid': `shortcut-${s.id}` },
      h('th', { scope: 'row' }, s.keys.flatMap((k, i) => [i > 0 ? h('span', { class: 'muted small', text: ` ${t('help.or')} ` }) : null, keysOf(k)])),
      h('td', {}, h('div', { text: what }), h('div', { class: 'muted small', text: where })));
  });
  const body = h('div', { class: 'help-body' },
    h('table', { class: 'keys' },
      h('caption', { class: 'sr-only', text: t('help.caption') }),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: t('help.keys') }), h('th', { scope: 'col', text: t('help.action') }))),
      h('tbody', {}, rows)),
    h('p', { class: 'muted small', text: t('help.layoutNote') }));
  openModal(t('help.title'), body, { testid: 'help-panel', dirty: () => false });
}
