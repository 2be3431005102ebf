// The dense timeline's histogram: periods, binning, and when to switch to it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { periodStart, nextPeriod, choosePeriod, binItems, countInView, isDense, DENSE_ITEMS } from '../js/timebins.js';

const T = (s) => Date.parse(`${s}Z`);
const DAY = 86400000;

test('periods start where a Ukrainian calendar starts them (weeks on Monday)', () => {
  const t = T('2022-03-09T15:30:00'); // a Wednesday
  assert.equal(periodStart(t, 'day'), T('2022-03-09T00:00:00'));
  assert.equal(periodStart(t, 'week'), T('2022-03-07T00:00:00'));
  assert.equal(periodStart(T('2022-03-13T23:59:59'), 'week'), T('2022-03-07T00:00:00'), 'Sunday ends the week');
  assert.equal(periodStart(t, 'month'), T('2022-03-01T00:00:00'));
  assert.equal(periodStart(t, 'year'), T('2022-01-01T00:00:00'));
  assert.equal(nextPeriod(T('2022-02-01T00:00:00'), 'month'), T('2022-03-01T00:00:00'));
  assert.equal(nextPeriod(T('2024-02-28T00:00:00'), 'day'), T('2024-02-29T00:00:00'), 'leap day');
  assert.equal(nextPeriod(T('2022-12-26T00:00:00'), 'week'), T('2023-01-02T00:00:00'));
});

test('the period is the finest whose bars are wide enough', () => {
  assert.equal(choosePeriod(10 / DAY), 'day');
  assert.equal(choosePeriod(2 / DAY), 'week');
  assert.equal(choosePeriod(0.5 / DAY), 'month');
  assert.equal(choosePeriod(0.05 / DAY), 'year');
  assert.equal(choosePeriod(0.0001 / DAY), 'year', 'the coarsest when none is wide enough');
});

test('5 000 incidents over three years: months hold them all, in order', () => {
  const items = [];
  const start = T('2022-02-24T00:00:00');
  for (let i = 0; i < 5000; i++) items.push({ t0: start + (i * 3 * 365 * DAY) / 5000, t1: start + (i * 3 * 365 * DAY) / 5000, kind: i % 5 ? 'incident' : 'evidence' });
  const bins = binItems(items, 'month');
  assert.equal(bins.reduce((n, b) => n + b.total, 0), 5000, 'every item counted once');
  assert.equal(bins[0].start, T('2022-02-01T00:00:00'));
  assert.ok(bins.every((b, i) => i === 0 || b.start > bins[i - 1].start));
  assert.equal(bins.reduce((n, b) => n + (b.counts.evidence || 0), 0), 1000);
  assert.ok(isDense(items, start, start + 3 * 365 * DAY), 'the whole span is dense');
  assert.ok(!isDense(items, start, start + 30 * DAY), 'a month of it is not: bars again');
});

test('only bins overlapping the view are returned', () => {
  const items = [T('2022-01-05T00:00:00'), T('2022-03-05T00:00:00'), T('2022-06-05T00:00:00')].map((t) => ({ t0: t, t1: t, kind: 'incident' }));
  const bins = binItems(items, 'month', T('2022-02-15T00:00:00'), T('2022-04-01T00:00:00'));
  assert.deepEqual(bins.map((b) => b.start), [T('2022-03-01T00:00:00')]);
});

test('ranges count in the view while any moment of them is in it', () => {
  const items = [
    { t0: T('2021-01-01T00:00:00'), t1: T('2021-12-31T23:59:59') },
    { t0: T('2022-03-01T00:00:00'), t1: T('2022-03-31T23:59:59') },
    { t0: T('2022-05-01T00:00:00'), t1: T('2022-05-01T00:00:00') },
  ];
  assert.equal(countInView(items, T('2021-06-01T00:00:00'), T('2022-03-02T00:00:00')), 2);
  assert.equal(countInView(items, T('2022-04-01T00:00:00'), T('2022-04-30T00:00:00')), 0);
  assert.equal(DENSE_ITEMS > 100, true);
});
