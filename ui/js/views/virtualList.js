// A list that renders only the rows on screen, so 10,000 incidents scroll as smoothly as ten.
// Rows have a fixed height; the container is as tall as the list would be, and the visible
// slice is positioned inside it. Rows already built are kept as the list scrolls, and the row
// holding the keyboard focus stays in the list even when it scrolls out of view, so the focus
// never falls back to the page.
import { h } from '../dom.js';
import { onAbort } from '../lifecycle.js';

/**
 * @param {object} o
 * @param {any[]} o.items
 * @param {number} o.rowHeight  px
 * @param {(item:any, index:number) => HTMLElement} o.render  builds one row
 * @param {string} [o.testid]
 * @param {AbortSignal} [o.signal]  the view's: when it aborts, the list stops watching its size
 * @returns {HTMLElement} the scrolling container
 */
export function virtualList({ items, rowHeight, render, testid, signal }) {
  const inner = h('div', { class: 'vlist-inner', role: 'list' });
  inner.style.height = `${items.length * rowHeight}px`;
  const outer = h('div', { class: 'vlist', 'data-testid': testid, tabindex: '0' }, inner);
  let first = -1;
  let last = -1;
  const overscan = 8;

  function paint() {
    const top = outer.scrollTop;
    const height = outer.clientHeight || 600;
    const f = Math.max(0, Math.floor(top / rowHeight) - overscan);
    const l = Math.min(items.length, Math.ceil((top + height) / rowHeight) + overscan);
    if (f === first && l === last) return;
    first = f;
    last = l;
    const built = new Map();
    for (const el of inner.children) built.set(Number(el.dataset.vindex), el);
    const active = document.activeElement;
    const focusedRow = active && inner.contains(active) ? active.closest('.vrow') : null;
    const rows = [];
    for (let i = f; i < l; i++) {
      let row = built.get(i);
      if (!row) {
        row = render(items[i], i);
        row.classList.add('vrow');
        row.dataset.vindex = String(i);
        row.style.top = `${i * rowHeight}px`;
        row.style.height = `${rowHeight}px`;
      }
      rows.push(row);
    }
    // The focused row stays, off screen if need be, until the focus leaves it.
    // (In list order, so Tab and Shift+Tab from it go to its neighbours' side.)
    if (focusedRow && !rows.includes(focusedRow)) {
      rows.push(focusedRow);
      rows.sort((x, y) => Number(x.dataset.vindex) - Number(y.dataset.vindex));
    }
    inner.replaceChildren(...rows);
    if (focusedRow && active.isConnected && document.activeElement !== active) active.focus({ preventScroll: true });
  }
  // A row kept only for its focus goes once the focus has moved on.
  inner.addEventListener('focusout', () => requestAnimationFrame(() => { first = -1; paint(); }));

  let scheduled = false;
  outer.addEventListener('scroll', () => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => { scheduled = false; paint(); });
  });
  const resize = new ResizeObserver(() => { first = -1; paint(); });
  resize.observe(outer);
  onAbort(signal, () => resize.disconnect());
  requestAnimationFrame(paint);
  paint();
  return outer;
}
