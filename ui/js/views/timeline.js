// The timeline: incidents (and evidence capture times) on a zoomable time axis. A date known to
// the second is a point; an uncertain date (a day, a month, a year, a range) is a bar over every
// moment it may be. Items are stacked in lanes so none overlap, separately for each kind.
//
// Times are the local date-times the core gives (`lo`/`hi`, "2022-03-09T00:00:00", `hi`
// inclusive to the second). They are read as if UTC and shown with UTC getters, so wall-clock
// times stay as written and no daylight-saving shift can move them.
//
// Only the items in the visible time span and lanes are built, so thousands stay smooth. When
// more than DENSE_ITEMS are in view (a 5,000-incident case seen whole), each kind is drawn as a
// histogram counted by day, week, month or year, whichever gives bars wide enough at this zoom;
// zooming in (or pressing a bar) expands it back into the items.
//
// Month and weekday names come from Intl.DateTimeFormat in the UI language.
import { h } from '../dom.js';
import * as i18n from '../i18n.js';
import { DENSE_ITEMS, isDense, choosePeriod, binItems } from '../timebins.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const YEAR = 365.25 * DAY;
const LANE = 24;          // px per lane
const GROUP_HEAD = 24;    // px for a kind's heading row
const AXIS = 46;          // px for the two axis rows
const MIN_BAR = 6;        // px: the narrowest bar
const CHAR_PX = 6.6;      // estimated width of a label character at 12px
const MAX_LABEL = 220;    // px of label kept beside an item when stacking
const MAX_LANES_WITH_LABELS = 40;
const MIN_PPM = 400 / (300 * YEAR);   // px per ms: three centuries in 400 px
const MAX_PPM = 1200 / HOUR;          // an hour across 1200 px
const ZOOM_STEP = 2;
const HIST_H = 96;        // px: the tallest histogram bar
const KINDS = ['incident', 'evidence'];

/** Builds an SVG element; attributes as in `h()` (`class`, `text`, `dataset`, `on…`, others). */
function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.setAttribute('class', v);
    else if (k === 'text') el.textContent = String(v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c) el.append(c);
  return el;
}

// ---- time ----

/** "2022-03-09T15:00:00" (or a shorter prefix) → ms, read as UTC; NaN if it is not a date. */
export function parseLocal(text) {
  const m = /^(-?\d{1,6})(?:-(\d\d)(?:-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d))?)?)?)?/.exec(String(text ?? '').trim());
  if (!m) return NaN;
  const d = new Date(0);
  d.setUTCFullYear(Number(m[1]), Number(m[2] || 1) - 1, Number(m[3] || 1));
  d.setUTCHours(Number(m[4] || 0), Number(m[5] || 0), Number(m[6] || 0), 0);
  return d.getTime();
}

const fmtCache = new Map();
function fmt(opts) {
  const lang = i18n.language();
  const key = `${lang} ${JSON.stringify(opts)}`;
  if (!fmtCache.has(key)) fmtCache.set(key, new Intl.DateTimeFormat(lang, { timeZone: 'UTC', ...opts }));
  return fmtCache.get(key);
}
const F = {
  year: { year: 'numeric' },
  month: { month: 'short' },
  monthYear: { month: 'long', year: 'numeric' },
  day: { day: 'numeric' },
  weekday: { weekday: 'short', day: 'numeric' },
  dayMonth: { day: 'numeric', month: 'short' },
  date: { day: 'numeric', month: 'short', year: 'numeric' },
  dateWeekday: { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' },
  time: { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
  dateTime: { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
};
const format = (t, opts) => fmt(opts).format(new Date(t));

/** The date text of an item at its precision ("9 Mar 2022", "March 2022", "2022", a range). */
export function describeDate(lo, hi, precision) {
  const a = parseLocal(lo);
  const b = parseLocal(hi);
  if (!Number.isFinite(a)) return '';
  const p = precision || (a === b ? 'exact' : 'day');
  const one = (t) => {
    if (p === 'year') return format(t, F.year);
    if (p === 'month') return format(t, F.monthYear);
    if (p === 'day') return format(t, F.date);
    return format(t, F.dateTime);
  };
  if (!Number.isFinite(b) || a === b) return one(a);
  // The last moment of the range, at the precision: hi is inclusive (…T23:59:59).
  const first = one(a);
  const last = one(b);
  return first === last ? first : `${first} – ${last}`;
}

// ---- ticks ----

const add = {
  hour: (t, n) => t + n * HOUR,
  day: (t, n) => t + n * DAY,
  month: (t, n) => { const d = new Date(t); d.setUTCMonth(d.getUTCMonth() + n); return d.getTime(); },
  year: (t, n) => { const d = new Date(t); d.setUTCFullYear(d.getUTCFullYear() + n); return d.getTime(); },
};
const floor = {
  hour: (t, n) => { const d = new Date(t); d.setUTCMinutes(0, 0, 0); d.setUTCHours(d.getUTCHours() - (d.getUTCHours() % n)); return d.getTime(); },
  day: (t) => { const d = new Date(t); d.setUTCHours(0, 0, 0, 0); return d.getTime(); },
  week: (t) => { const d = new Date(floor.day(t)); d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7)); return d.getTime(); },
  month: (t, n) => { const d = new Date(floor.day(t)); d.setUTCDate(1); d.setUTCMonth(d.getUTCMonth() - (d.getUTCMonth() % n)); return d.getTime(); },
  year: (t, n) => { const d = new Date(floor.day(t)); d.setUTCMonth(0, 1); const y = d.getUTCFullYear(); d.setUTCFullYear(y - (((y % n) + n) % n)); return d.getTime(); },
};

/**
 * Tick intervals from fine to coarse: `approx` ms, how to list ticks, how to label them, and the
 * coarser context shown on the upper axis row.
 */
const INTERVALS = [
  ...[1, 3, 6, 12].map((n) => ({ approx: n * HOUR, unit: 'hour', n, label: F.time, ctx: 'day' })),
  { approx: DAY, unit: 'day', n: 1, label: F.weekday, ctx: 'month' },
  { approx: 2 * DAY, unit: 'day', n: 2, label: F.day, ctx: 'month' },
  { approx: 7 * DAY, unit: 'week', n: 1, label: F.dayMonth, ctx: 'month' },
  ...[1, 3, 6].map((n) => ({ approx: n * 30.44 * DAY, unit: 'month', n, label: F.month, ctx: 'year' })),
  ...[1, 2, 5, 10, 20, 50, 100].map((n) => ({ approx: n * YEAR, unit: 'year', n, label: F.year, ctx: null })),
];
const CONTEXT = {
  day: { floor: floor.day, next: (t) => add.day(t, 1), labels: [F.dateWeekday, F.date, F.dayMonth] },
  month: { floor: (t) => floor.month(t, 1), next: (t) => add.month(t, 1), labels: [F.monthYear, { month: 'short', year: 'numeric' }, F.month] },
  year: { floor: (t) => floor.year(t, 1), next: (t) => add.year(t, 1), labels: [F.year] },
};

function chooseInterval(ppm) {
  for (const iv of INTERVALS) {
    const min = iv.unit === 'day' && iv.n === 1 ? 64 : iv.unit === 'week' ? 64 : 56;
    if (iv.approx * ppm >= min) return iv;
  }
  return INTERVALS[INTERVALS.length - 1];
}

/** Tick times in [t0, t1] for the interval. */
function ticks(iv, t0, t1) {
  const out = [];
  let t;
  let step;
  if (iv.unit === 'week') {
    t = floor.week(t0);
    step = (x) => add.day(x, 7);
  } else if (iv.unit === 'day') {
    // Every n-th day of the month (1, 3, 5, …), restarting each month.
    t = floor.day(t0);
    for (; t <= t1; t = add.day(t, 1)) {
      const d = new Date(t).getUTCDate();
      if ((d - 1) % iv.n === 0 && !(iv.n > 1 && d > 29)) out.push(t);
    }
    return out;
  } else {
    t = floor[iv.unit](t0, iv.n);
    step = (x) => add[iv.unit](x, iv.n);
  }
  for (let i = 0; t <= t1 && i < 2000; t = step(t), i++) if (t >= t0 - iv.approx) out.push(t);
  return out;
}

// ---- stacking ----

/**
 * Puts each item of one kind into the first lane where it fits at `ppm` (px per ms), reserving
 * room for its label when that keeps the lanes few. Sets `it.lane`, returns the lane count.
 */
function stack(items, ppm) {
  const place = (withLabels) => {
    const ends = [];
    for (const it of items) {
      const x0 = it.t0 * ppm;
      const x1 = Math.max(it.t1 * ppm, x0 + (it.point ? 0 : MIN_BAR));
      // A label goes inside a bar when it fits, else after the mark.
      const label = Math.min(it.labelPx, MAX_LABEL);
      const right = (withLabels && (it.point || x1 - x0 - 10 < label) ? x1 + label + 10 : x1) + 8;
      const left = x0 - (it.point ? 7 : 1);
      let lane = 0;
      while (lane < ends.length && ends[lane] > left) lane++;
      ends[lane] = right;
      it.lane = lane;
      if (withLabels && ends.length > MAX_LANES_WITH_LABELS) return -1;
    }
    return ends.length;
  };
  const n = place(true);
  return n >= 0 ? n : place(false);
}

// ---- the view ----

/**
 * Renders the timeline into `container` (replacing its content).
 * @param {HTMLElement} container
 * @param {object} o
 * @param {{id:string, kind:'incident'|'evidence', label:string, lo:string, hi:string,
 *          precision:string, href:string}[]} o.items  dated items (lo/hi local ISO date-times)
 * @param {(item:object) => void} [o.onOpen]  default: `location.hash = item.href`
 * @returns {{element: HTMLElement, setItems: (items:object[]) => void, fit: () => void, destroy: () => void}}
 */
export function renderTimeline(container, { items = [], onOpen } = {}) {
  const open = onOpen || ((it) => { if (it.href) location.hash = it.href; });

  const zoomIn = h('button', { type: 'button', class: 'button secondary tl-btn', 'data-testid': 'timeline-zoom-in', title: i18n.t('timeline.zoomIn'), 'aria-label': i18n.t('timeline.zoomIn'), text: '+' });
  const zoomOut = h('button', { type: 'button', class: 'button secondary tl-btn', 'data-testid': 'timeline-zoom-out', title: i18n.t('timeline.zoomOut'), 'aria-label': i18n.t('timeline.zoomOut'), text: '−' });
  const fitBtn = h('button', { type: 'button', class: 'button secondary tl-btn', 'data-testid': 'timeline-fit', title: i18n.t('timeline.fitTitle'), text: i18n.t('timeline.fit') });
  const rangeText = h('span', { class: 'tl-range muted small' });
  const axis = s('svg', { class: 'tl-axis', height: AXIS, 'aria-hidden': 'true' });
  const lanesSvg = s('svg', { class: 'tl-lanes' });
  const scroller = h('div', { class: 'tl-scroll' }, lanesSvg);
  const body = h('div', { class: 'tl-body', tabindex: '0', role: 'region', 'aria-label': i18n.t('timeline.label') }, axis, scroller);
  const root = h('div', { class: 'timeline', 'data-testid': 'timeline' },
    h('div', { class: 'tl-toolbar' },
      h('div', { class: 'tl-zoom' }, zoomOut, zoomIn, fitBtn),
      rangeText,
      h('div', { class: 'tl-legend' },
        legendSwatch('incident', true), i18n.t('timeline.legend.incident'), legendSwatch('evidence', true), i18n.t('timeline.legend.evidence'),
        legendSwatch('neutral', true), i18n.t('timeline.legend.exact'), legendSwatch('neutral', false), i18n.t('timeline.legend.range'))),
    body);
  container.replaceChildren(root);

  let groups = [];   // [{kind, title, items, lanes, top}]
  let all = [];
  let bounds = null; // {t0, t1}
  const view = { t0: 0, ppm: 1 / DAY };
  let width = 0;
  let stackedAt = null;
  let fitted = false;
  let moved = false;     // has the user moved the view since it was last fitted?

  function setItems(list) {
    all = [];
    for (const src of list || []) {
      const a = parseLocal(src.lo);
      const b0 = parseLocal(src.hi ?? src.lo);
      if (!Number.isFinite(a)) continue;
      const b = Number.isFinite(b0) && b0 >= a ? b0 : a;
      const point = b === a;
      const label = String(src.label ?? src.id ?? '');
      all.push({
        src, kind: src.kind === 'evidence' ? 'evidence' : 'incident', point,
        t0: a, t1: point ? a : b + SECOND, label, labelPx: label.length * CHAR_PX,
        dateText: describeDate(src.lo, src.hi, src.precision), lane: 0,
      });
    }
    all.sort((x, y) => x.t0 - y.t0 || y.t1 - x.t1);
    all.forEach((it, i) => { it.index = i; });
    bounds = null;
    for (const it of all) {
      if (!bounds) bounds = { t0: it.t0, t1: it.t1 };
      bounds.t0 = Math.min(bounds.t0, it.t0);
      bounds.t1 = Math.max(bounds.t1, it.t1);
    }
    groups = KINDS.map((kind) => ({ kind, items: all.filter((i) => i.kind === kind), lanes: 0, top: 0 })).filter((g) => g.items.length);
    stackedAt = null;
    if (fitted && !moved) fit();
    schedule();
  }

  function restack() {
    if (stackedAt === view.ppm) return;
    stackedAt = view.ppm;
    let top = 0;
    for (const g of groups) {
      g.lanes = stack(g.items, view.ppm);
      g.top = top;
      top += GROUP_HEAD + g.lanes * LANE + 8;
    }
    lanesSvg.setAttribute('height', Math.max(top, 40));
  }

  /** The histogram's layout: each kind a band of HIST_H px under its heading. */
  function layoutHistogram() {
    stackedAt = null;
    let top = 0;
    for (const g of groups) {
      g.top = top;
      top += GROUP_HEAD + HIST_H + 20;
    }
    lanesSvg.setAttribute('height', Math.max(top, 40));
  }

  // ---- view maths ----

  const clampPpm = (p) => Math.min(MAX_PPM, Math.max(MIN_PPM, p));
  const xOf = (t) => (t - view.t0) * view.ppm;

  function fit() {
    if (!width) return;
    moved = false;
    const pad = 40;
    if (!bounds) {
      const now = Date.now();
      view.ppm = clampPpm((width - 2 * pad) / YEAR);
      view.t0 = now - YEAR;
    } else {
      const span = Math.max(bounds.t1 - bounds.t0, DAY);
      const mid = (bounds.t0 + bounds.t1) / 2;
      view.ppm = clampPpm((width - 2 * pad - MAX_LABEL / 2) / span);
      view.t0 = mid - (width - MAX_LABEL / 2) / 2 / view.ppm;
    }
    schedule();
  }

  function zoomAt(factor, x = width / 2) {
    const ppm = clampPpm(view.ppm * factor);
    const t = view.t0 + x / view.ppm;
    view.ppm = ppm;
    view.t0 = t - x / ppm;
    moved = true;
    schedule();
  }

  function panBy(dx) {
    view.t0 -= dx / view.ppm;
    moved = true;
    schedule();
  }

  /** Keeps some of the items on screen. */
  function clampPan() {
    if (!bounds) return;
    const span = width / view.ppm;
    view.t0 = Math.min(bounds.t1 - span * 0.1, Math.max(bounds.t0 - span * 0.9, view.t0));
  }

  // ---- drawing ----

  let frame = 0;
  function schedule() {
    if (!frame) frame = requestAnimationFrame(() => { frame = 0; paint(); });
  }

  function paint() {
    if (!width) return;
    clampPan();
    const t1 = view.t0 + width / view.ppm;
    const dense = isDense(all, view.t0, t1, DENSE_ITEMS);
    root.classList.toggle('tl-dense', dense);
    if (dense) layoutHistogram();
    else restack();
    const iv = chooseInterval(view.ppm);
    const tickTimes = ticks(iv, view.t0, t1);
    paintAxis(iv, tickTimes, t1);
    if (dense) paintHistogram(tickTimes, t1);
    else paintLanes(tickTimes);
    rangeText.textContent = `${format(view.t0, F.date)} – ${format(t1, F.date)}`;
  }

  /** The name of the period starting at `start` ("March 2022", "week of 7 Mar 2022"). */
  function periodText(start, period) {
    if (period === 'year') return format(start, F.year);
    if (period === 'month') return format(start, F.monthYear);
    if (period === 'week') return i18n.t('timeline.weekOf', { date: format(start, F.date) });
    return format(start, F.dateWeekday);
  }

  /** Each kind counted by period, as bars; a bar opens its period (zooms to it). */
  function paintHistogram(tickTimes, t1) {
    const height = Number(lanesSvg.getAttribute('height'));
    const grid = tickTimes.map((tt) => {
      const x = Math.round(xOf(tt)) + 0.5;
      return s('line', { class: 'tl-grid', x1: x, x2: x, y1: 0, y2: height });
    });
    const period = choosePeriod(view.ppm, 8);
    const heads = [];
    const bars = [];
    for (const g of groups) {
      const y0 = g.top;
      const bins = binItems(g.items, period, view.t0, t1);
      const max = Math.max(1, ...bins.map((b) => b.total));
      heads.push(s('rect', { class: 'tl-group-band', x: 0, y: y0, width, height: GROUP_HEAD }));
      heads.push(s('text', { class: 'tl-group-title', x: 8, y: y0 + GROUP_HEAD / 2,
        text: `${i18n.t(`timeline.group.${g.kind}`, { count: g.items.length })} · ${i18n.t(`timeline.countedBy.${period}`)}` }));
      const base = y0 + GROUP_HEAD + HIST_H + 4;
      heads.push(s('line', { class: 'tl-hist-base', x1: 0, x2: width, y1: base + 0.5, y2: base + 0.5 }));
      for (const b of bins) {
        const x0 = Math.max(xOf(b.start), -2);
        const x1 = Math.min(xOf(b.end), width + 2);
        const w = Math.max(1, x1 - x0 - 1);
        const hgt = Math.max(2, (b.total / max) * HIST_H);
        const name = periodText(b.start, period);
        const what = i18n.t(`timeline.count.${g.kind}`, { count: b.total });
        const parts = [s('title', { text: [name, what].join('\n') }),
          s('rect', { class: 'tl-bin-bar', x: x0, y: base - hgt, width: w, height: hgt })];
        const label = i18n.formatNumber(b.total);
        if (w >= label.length * 7 + 4) parts.push(s('text', { class: 'tl-bin-count', x: x0 + w / 2, y: base - hgt - 5, text: label }));
        const onScreen = xOf(b.end) > 0 && xOf(b.start) < width;
        bars.push(s('g', {
          class: `tl-bin tl-${g.kind}`, 'data-testid': 'timeline-bin',
          dataset: { start: b.start, end: b.end, count: b.total, kind: g.kind },
          tabindex: onScreen ? '0' : '-1', role: 'button', 'aria-label': i18n.t('timeline.binLabel', { period: name, what }),
        }, parts));
      }
    }
    const focused = lanesSvg.contains(document.activeElement) ? document.activeElement.dataset : null;
    lanesSvg.setAttribute('width', width);
    lanesSvg.replaceChildren(s('g', {}, grid), s('g', {}, heads), s('g', {}, bars));
    if (focused) {
      const again = bars.find((b) => b.dataset.kind === focused.kind && b.dataset.start === focused.start);
      (again || body).focus({ preventScroll: true });
    }
  }

  /** Shows the period of histogram bar `el` across the view (its items, or finer bars). */
  function zoomToBin(el) {
    const start = Number(el.dataset.start);
    const end = Number(el.dataset.end);
    if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start) return;
    view.ppm = clampPpm((width * 0.9) / (end - start));
    view.t0 = start - (width * 0.05) / view.ppm;
    moved = true;
    schedule();
  }

  function paintAxis(iv, tickTimes, t1) {
    const out = [s('line', { class: 'tl-axis-base', x1: 0, x2: width, y1: AXIS - 0.5, y2: AXIS - 0.5 })];
    for (const t of tickTimes) {
      const x = Math.round(xOf(t)) + 0.5;
      out.push(s('line', { class: 'tl-tick', x1: x, x2: x, y1: AXIS - 8, y2: AXIS }));
      out.push(s('text', { class: 'tl-tick-label', x: x + 4, y: AXIS - 12, text: format(t, iv.label) }));
    }
    if (iv.ctx) {
      // The upper row names the day, month or year; the leftmost name sticks to the edge.
      const c = CONTEXT[iv.ctx];
      for (let t = c.floor(view.t0), i = 0; t <= t1 && i < 500; t = c.next(t), i++) {
        const start = xOf(t);
        const next = xOf(c.next(t));
        if (start > 0) {
          const x0 = Math.round(start) + 0.5;
          out.push(s('line', { class: 'tl-ctx-tick', x1: x0, x2: x0, y1: 2, y2: AXIS }));
        }
        // The longest form that fits in the period; it slides out at the left edge.
        for (const opts of c.labels) {
          const text = format(t, opts);
          const w = text.length * 7.4 + 10;
          if (next - start < w) continue;
          out.push(s('text', { class: 'tl-ctx-label', x: Math.min(Math.max(start, 0), next - w) + 5, y: 15, text }));
          break;
        }
      }
    }
    axis.setAttribute('width', width);
    axis.replaceChildren(...out);
  }

  function paintLanes(tickTimes) {
    const height = Number(lanesSvg.getAttribute('height'));
    const grid = tickTimes.map((tt) => {
      const x = Math.round(xOf(tt)) + 0.5;
      return s('line', { class: 'tl-grid', x1: x, x2: x, y1: 0, y2: height });
    });
    const top = scroller.scrollTop - 200;
    const bottom = scroller.scrollTop + (scroller.clientHeight || 600) + 200;
    const heads = [];
    const marks = [];
    for (const g of groups) {
      const y0 = g.top;
      heads.push(s('rect', { class: 'tl-group-band', x: 0, y: y0, width, height: GROUP_HEAD }));
      heads.push(s('text', { class: 'tl-group-title', x: 8, y: y0 + GROUP_HEAD / 2, text: i18n.t(`timeline.group.${g.kind}`, { count: g.items.length }) }));
      if (y0 + GROUP_HEAD + g.lanes * LANE < top || y0 > bottom) continue;
      // Lanes' next item start (px), to know how much room each label has.
      const nextStart = new Map();
      const visible = [];
      for (const it of g.items) {
        const x0 = xOf(it.t0);
        if (x0 > width + 50) break;
        const x1 = Math.max(xOf(it.t1), x0 + (it.point ? 0 : MIN_BAR));
        const y = y0 + GROUP_HEAD + it.lane * LANE;
        if (y + LANE < top || y > bottom) continue;
        if (x1 + MAX_LABEL < -50) continue;
        visible.push({ it, x0, x1, y });
      }
      for (let i = visible.length - 1; i >= 0; i--) {
        const v = visible[i];
        v.room = (nextStart.get(v.it.lane) ?? width + MAX_LABEL) - v.x1 - 12;
        nextStart.set(v.it.lane, v.x0 - (v.it.point ? 7 : 1));
      }
      for (const v of visible) marks.push(itemMark(v));
    }
    // A focused item keeps the focus when the lanes are rebuilt.
    const focused = lanesSvg.contains(document.activeElement) ? document.activeElement.dataset.index : null;
    lanesSvg.setAttribute('width', width);
    lanesSvg.replaceChildren(s('g', {}, grid), s('g', {}, heads), s('g', {}, marks));
    if (focused !== null) {
      const again = marks.find((m) => m.dataset.index === focused);
      (again || body).focus({ preventScroll: true });
    }
  }

  function itemMark({ it, x0, x1, y, room }) {
    const cy = y + LANE / 2;
    const tip = `${it.label}\n${it.dateText}`;
    const aria = i18n.t('timeline.itemLabel', { kind: i18n.t(`timeline.kind.${it.kind}`), label: it.label, date: it.dateText });
    const parts = [s('title', { text: tip })];
    let textX;
    let inside = false;
    let avail;
    if (it.point) {
      parts.push(s('circle', { class: 'tl-point', cx: x0, cy, r: 5 }));
      textX = x0 + 9;
      avail = room + (x1 - x0);
    } else {
      const vx0 = Math.max(x0, -4);
      const vx1 = Math.min(x1, width + 4);
      parts.push(s('rect', { class: 'tl-bar', x: vx0, y: cy - 7, width: Math.max(vx1 - vx0, MIN_BAR), height: 14, rx: 3 }));
      const barRoom = vx1 - Math.max(vx0, 0) - 10;
      // Inside when it fits there, or when there is more room inside than after the bar.
      if (barRoom >= it.labelPx || (barRoom >= 40 && barRoom >= Math.min(room, it.labelPx))) {
        inside = true;
        textX = Math.max(vx0, 0) + 5;
        avail = barRoom;
      } else {
        textX = x1 + 5;
        avail = room;
      }
    }
    const text = fitText(it.label, avail);
    if (text) parts.push(s('text', { class: inside ? 'tl-label tl-label-in' : 'tl-label', x: textX, y: cy, text }));
    return s('g', {
      class: `tl-item tl-${it.kind}${it.point ? ' tl-exact' : ' tl-range'}`,
      'data-testid': 'timeline-item', dataset: { id: it.src.id, kind: it.kind, index: it.index },
      // Items drawn beyond the edges (for their labels) are not in the Tab order.
      tabindex: x1 >= 0 && x0 <= width ? '0' : '-1', role: 'button', 'aria-label': aria,
    }, parts);
  }

  function fitText(label, px) {
    const n = Math.floor(px / CHAR_PX);
    if (n >= label.length) return label;
    if (n < 4) return '';
    return `${label.slice(0, n - 1)}…`;
  }

  // ---- input ----

  let drag = null;
  body.addEventListener('pointerdown', (e) => {
    if (e.button !== 0 || e.target.closest('button')) return;
    drag = { id: e.pointerId, x: e.clientX, y: e.clientY, moved: false };
  });
  body.addEventListener('pointermove', (e) => {
    if (!drag || e.pointerId !== drag.id) return;
    const dx = e.clientX - drag.x;
    const dy = e.clientY - drag.y;
    if (!drag.moved && Math.hypot(dx, dy) < 4) return;
    if (!drag.moved) {
      drag.moved = true;
      body.setPointerCapture(e.pointerId);
      root.classList.add('dragging');
    }
    drag.x = e.clientX;
    drag.y = e.clientY;
    scroller.scrollTop -= dy;
    panBy(dx);
  });
  const endDrag = (e) => {
    if (!drag || e.pointerId !== drag.id) return;
    if (drag.moved) {
      root.classList.remove('dragging');
      const swallow = (ev) => { ev.stopPropagation(); ev.preventDefault(); };
      body.addEventListener('click', swallow, { capture: true, once: true });
      setTimeout(() => body.removeEventListener('click', swallow, { capture: true }), 0);
    }
    drag = null;
  };
  body.addEventListener('pointerup', endDrag);
  body.addEventListener('pointercancel', endDrag);

  const itemOf = (el) => all[Number(el.dataset.index)];
  lanesSvg.addEventListener('click', (e) => {
    const bin = e.target.closest?.('.tl-bin');
    if (bin) { zoomToBin(bin); return; }
    const el = e.target.closest?.('.tl-item');
    if (el && itemOf(el)) open(itemOf(el).src);
  });
  body.addEventListener('wheel', (e) => {
    const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1;
    const r = body.getBoundingClientRect();
    if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
      e.preventDefault();
      panBy(-(e.shiftKey && !e.deltaX ? e.deltaY : e.deltaX) * unit);
      return;
    }
    e.preventDefault();
    zoomAt(2 ** (-(e.deltaY * unit) / 300), e.clientX - r.left);
  }, { passive: false });
  scroller.addEventListener('scroll', schedule);

  body.addEventListener('keydown', (e) => {
    const bin = e.target.closest?.('.tl-bin');
    if (bin && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault();
      zoomToBin(bin);
      return;
    }
    const el = e.target.closest?.('.tl-item');
    if (el && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault();
      if (itemOf(el)) open(itemOf(el).src);
      return;
    }
    const keys = {
      ArrowLeft: () => panBy(width / 6), ArrowRight: () => panBy(-width / 6),
      ArrowUp: () => { scroller.scrollTop -= 3 * LANE; }, ArrowDown: () => { scroller.scrollTop += 3 * LANE; },
      '+': () => zoomAt(ZOOM_STEP), '=': () => zoomAt(ZOOM_STEP), '-': () => zoomAt(1 / ZOOM_STEP), 0: fit,
    };
    const fn = keys[e.key];
    if (fn && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      fn();
    }
  });
  zoomIn.addEventListener('click', () => zoomAt(ZOOM_STEP));
  zoomOut.addEventListener('click', () => zoomAt(1 / ZOOM_STEP));
  fitBtn.addEventListener('click', fit);

  const resize = new ResizeObserver(() => {
    if (!root.isConnected && fitted) { destroy(); return; }
    const w = scroller.clientWidth;
    if (!w) return;
    width = w;
    // Until the user moves it, the view keeps showing every item.
    if (!fitted || !moved) {
      fitted = true;
      fit();
    }
    schedule();
  });
  resize.observe(scroller);

  function destroy() {
    resize.disconnect();
    if (frame) cancelAnimationFrame(frame);
    frame = 0;
  }

  setItems(items);
  return { element: root, setItems, fit, destroy };
}

function legendSwatch(kind, point) {
  const shape = point
    ? s('circle', { class: 'tl-point', cx: 8, cy: 8, r: 4.5 })
    : s('rect', { class: 'tl-bar', x: 1, y: 3, width: 22, height: 10, rx: 3 });
  return s('svg', { class: `tl-swatch tl-${kind}${point ? ' tl-exact' : ' tl-range'}`, width: point ? 16 : 24, height: 16, 'aria-hidden': 'true' }, shape);
}
