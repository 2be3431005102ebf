// Filter bars for lists: controls read as a filter object, edits debounced into a reload.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { onAbort } from '../lifecycle.js';

/**
 * A row of filter controls; `value()` reads them, `onChange(fn)` runs fn (debounced) on edits.
 * Once `signal` (the view's) aborts, a pending edit no longer runs fn.
 */
export function filterBar(controls, testid, signal) {
  const el = h('form', { class: 'filters', 'data-testid': testid, onsubmit: (e) => e.preventDefault() }, controls.map((c) => c.el));
  let handler = () => {};
  let timer = null;
  onAbort(signal, () => { clearTimeout(timer); handler = () => {}; });
  el.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => handler(), 250); });
  el.addEventListener('change', () => { clearTimeout(timer); timer = setTimeout(() => handler(), 50); });
  return { el, onChange: (fn) => { handler = fn; }, value: () => Object.fromEntries(controls.map((c) => [c.key, c.get()]).filter(([, v]) => v !== null)) };
}

/**
 * One filter control: a labelled input or select, read as a filter value. `labelText`, the
 * options' labels and `opts.placeholder` come already worded (through t()).
 */
export function control(key, labelText, kind, opts = {}) {
  let input;
  if (kind === 'select') {
    input = h('select', { 'data-testid': `filter-${key}`, 'aria-label': labelText }, [['', opts.any || t('filters.any')], ...opts.options].map(([v, label]) => h('option', { value: v, text: label })));
  } else {
    input = h('input', { type: kind, 'data-testid': `filter-${key}`, 'aria-label': labelText, placeholder: opts.placeholder || '' });
  }
  const get = () => {
    const v = input.value.trim();
    if (!v) return null;
    if (opts.bool) return v === 'yes';
    if (opts.list) return [v];
    return v;
  };
  return { key, get, el: h('label', { class: 'filter' }, h('span', { text: labelText }), input) };
}
