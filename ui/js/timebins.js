// The histogram of a dense timeline: when too many items are in view to be drawn one by one,
// they are counted by period (day, week, month or year, whichever gives bars wide enough at the
// current zoom), and the bars expand into the items again as the view is zoomed in.
//
// Times are milliseconds read as UTC (see timeline.js: wall-clock times stay as written). Weeks
// start on Monday (ISO 8601, as in Ukraine). Pure: no DOM, so node can test it.

const DAY = 24 * 60 * 60 * 1000;

/** The periods from finest to coarsest, each with its approximate length (ms). */
export const PERIODS = [
  { name: 'day', approx: DAY },
  { name: 'week', approx: 7 * DAY },
  { name: 'month', approx: 30.44 * DAY },
  { name: 'year', approx: 365.25 * DAY },
];

/** More items than this in view, and the timeline is drawn as a histogram. */
export const DENSE_ITEMS = 400;

/** The start of the period holding `t`. */
export function periodStart(t, period) {
  const d = new Date(t);
  d.setUTCHours(0, 0, 0, 0);
  if (period === 'week') d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  else if (period === 'month') d.setUTCDate(1);
  else if (period === 'year') d.setUTCMonth(0, 1);
  return d.getTime();
}

/** The start of the period after the one starting at `start`. */
export function nextPeriod(start, period) {
  const d = new Date(start);
  if (period === 'day') d.setUTCDate(d.getUTCDate() + 1);
  else if (period === 'week') d.setUTCDate(d.getUTCDate() + 7);
  else if (period === 'month') d.setUTCMonth(d.getUTCMonth() + 1);
  else d.setUTCFullYear(d.getUTCFullYear() + 1);
  return d.getTime();
}

/**
 * The finest period whose bars are at least `minPx` wide at `ppm` (px per ms); the year when
 * none is.
 */
export function choosePeriod(ppm, minPx = 8) {
  for (const p of PERIODS) if (p.approx * ppm >= minPx) return p.name;
  return 'year';
}

/**
 * How many of `items` ({t0, t1}, sorted by t0) overlap [v0, v1]. Stops counting past `limit`
 * (enough to know the view is dense).
 */
export function countInView(items, v0, v1, limit = Infinity) {
  // The items starting after v1 are past the first index whose t0 > v1 (binary search).
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid].t0 <= v1) lo = mid + 1; else hi = mid;
  }
  let n = 0;
  for (let i = 0; i < lo; i++) {
    if (items[i].t1 >= v0 && ++n > limit) return n;
  }
  return n;
}

/** Whether the view [v0, v1] holds too many items to draw one by one. */
export function isDense(items, v0, v1, limit = DENSE_ITEMS) {
  return countInView(items, v0, v1, limit) > limit;
}

/**
 * Counts `items` ({t0, kind}) by period: each item in the period of its start (an uncertain date
 * counts at the first moment it may be). Only periods overlapping [v0, v1] and holding something
 * are returned, in time order: [{ start, end, total, counts: { [kind]: n } }].
 */
export function binItems(items, period, v0 = -Infinity, v1 = Infinity) {
  const bins = new Map();
  for (const it of items) {
    const start = periodStart(it.t0, period);
    let b = bins.get(start);
    if (!b) {
      const end = nextPeriod(start, period);
      if (end <= v0 || start > v1) continue;
      bins.set(start, (b = { start, end, total: 0, counts: {} }));
    }
    b.total += 1;
    b.counts[it.kind] = (b.counts[it.kind] || 0) + 1;
  }
  return [...bins.values()].sort((a, b) => a.start - b.start);
}
