// The date parser on a table of what Ukrainian and English users type: each row says what the
// input must be read as (the backend's DateInput and the description shown under the field), or
// which message refuses it. The rules are in docs/dates.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDate, formatDate, describeDate } from '../js/dates.js';

const day = (from, to = null) => ({ precision: 'day', from, to });
const month = (from, to = null) => ({ precision: 'month', from, to });
const year = (from, to = null) => ({ precision: 'year', from, to });
const exact = (from, to = null) => ({ precision: 'exact', from, to });

// [input, UI language, expected value or error key, expected description (for values)]
const TABLE = [
  // Day first, whatever the OS locale.
  ['09.03.2022', 'uk', day('2022-03-09'), '9 березня 2022 р., точність: день'],
  ['9.3.2022', 'uk', day('2022-03-09'), '9 березня 2022 р., точність: день'],
  ['02.04.2022', 'uk', day('2022-04-02'), '2 квітня 2022 р., точність: день'],
  ['02.04.2022', 'en', day('2022-04-02'), '2 April 2022, precision: day (read as day/month/year)'],
  ['09-03-2022', 'uk', day('2022-03-09'), '9 березня 2022 р., точність: день'],
  ['09.03.2022р.', 'uk', day('2022-03-09'), '9 березня 2022 р., точність: день'],
  ['25/03/2022', 'en', day('2022-03-25'), '25 March 2022, precision: day'],
  // Eight digits are DDMMYYYY, and the description says so.
  ['09032022', 'uk', day('2022-03-09'), '9 березня 2022 р., точність: день (8 цифр прочитано як ДДММРРРР)'],
  ['09032022', 'en', day('2022-03-09'), '9 March 2022, precision: day (8 digits read as DDMMYYYY)'],
  ['20220309', 'en', day('2022-03-09'), '9 March 2022, precision: day (8 digits read as YYYYMMDD)'],
  // Words, Ukrainian (nominative, genitive, short), Russian and English.
  ['9 березня 2022', 'uk', day('2022-03-09'), '9 березня 2022 р., точність: день'],
  ['9 березня 2022 р.', 'uk', day('2022-03-09'), '9 березня 2022 р., точність: день'],
  ['9 березня 2022 року', 'uk', day('2022-03-09'), '9 березня 2022 р., точність: день'],
  ['9 бер. 2022', 'uk', day('2022-03-09'), '9 березня 2022 р., точність: день'],
  ['9 марта 2022 г.', 'uk', day('2022-03-09'), '9 березня 2022 р., точність: день'],
  ['березень 2022', 'uk', month('2022-03'), 'березень 2022 р., точність: місяць'],
  ['березня 2022', 'uk', month('2022-03'), 'березень 2022 р., точність: місяць'],
  ['у березні 2022', 'uk', month('2022-03'), 'березень 2022 р., точність: місяць'],
  ['Березень 2022 р.', 'en', month('2022-03'), 'March 2022, precision: month'],
  ['9 March 2022', 'en', day('2022-03-09'), '9 March 2022, precision: day'],
  ['9th March 2022', 'en', day('2022-03-09'), '9 March 2022, precision: day'],
  ['March 2022', 'en', month('2022-03'), 'March 2022, precision: month'],
  ['Mar 9, 2022', 'en', day('2022-03-09'), '9 March 2022, precision: day'],
  ['March 9th, 2022', 'uk', day('2022-03-09'), '9 березня 2022 р., точність: день'],
  // Numeric months and years, ISO forms.
  ['03.2022', 'uk', month('2022-03'), 'березень 2022 р., точність: місяць'],
  ['3/2022', 'en', month('2022-03'), 'March 2022, precision: month'],
  ['2022', 'uk', year('2022'), '2022 р., точність: рік'],
  ['2022', 'en', year('2022'), '2022, precision: year'],
  ['2022-03-09', 'en', day('2022-03-09'), '9 March 2022, precision: day'],
  ['2022-03', 'uk', month('2022-03'), 'березень 2022 р., точність: місяць'],
  ['2022-03-09T15:00', 'en', exact('2022-03-09T15:00'), '9 March 2022, 15:00, precision: exact time'],
  ['09.03.2022 15:00', 'uk', exact('2022-03-09T15:00'), '9 березня 2022 р., 15:00, точність: точний час'],
  ['9 березня 2022 о 15:00', 'uk', exact('2022-03-09T15:00'), '9 березня 2022 р., 15:00, точність: точний час'],
  // Ranges.
  ['01.03.2022–10.03.2022', 'uk', day('2022-03-01', '2022-03-10'), '1–10 березня 2022 р., точність: день'],
  ['01.03.2022 - 10.03.2022', 'uk', day('2022-03-01', '2022-03-10'), '1–10 березня 2022 р., точність: день'],
  ['01.03.2022-10.03.2022', 'uk', day('2022-03-01', '2022-03-10'), '1–10 березня 2022 р., точність: день'],
  ['з 1 до 10 березня 2022', 'uk', day('2022-03-01', '2022-03-10'), '1–10 березня 2022 р., точність: день'],
  ['1-10 березня 2022', 'uk', day('2022-03-01', '2022-03-10'), '1–10 березня 2022 р., точність: день'],
  ['28 лютого – 3 березня 2022', 'uk', day('2022-02-28', '2022-03-03'), '28 лютого – 3 березня 2022 р., точність: день'],
  ['28.12.2021–03.01.2022', 'en', day('2021-12-28', '2022-01-03'), '28 December 2021 – 3 January 2022, precision: day (read as day/month/year)'],
  ['березень–травень 2022', 'uk', month('2022-03', '2022-05'), 'березень–травень 2022 р., точність: місяць'],
  ['03.2022–05.2022', 'en', month('2022-03', '2022-05'), 'March–May 2022, precision: month'],
  ['2022–2023', 'uk', year('2022', '2023'), '2022–2023 рр., точність: рік'],
  ['2022-03-01/2022-03-10', 'en', day('2022-03-01', '2022-03-10'), '1–10 March 2022, precision: day'],
  ['from 1 to 10 March 2022', 'en', day('2022-03-01', '2022-03-10'), '1–10 March 2022, precision: day'],
  ['09.03.2022 15:00–17:30', 'uk', exact('2022-03-09T15:00', '2022-03-09T17:30'), '9 березня 2022 р., 15:00–17:30, точність: точний час'],
  ['початок березня 2022', 'uk', day('2022-03-01', '2022-03-10'), '1–10 березня 2022 р., точність: день (початок місяця)'],
  ['на початку березня 2022', 'uk', day('2022-03-01', '2022-03-10'), '1–10 березня 2022 р., точність: день (початок місяця)'],
  ['середина березня 2022', 'uk', day('2022-03-11', '2022-03-20'), '11–20 березня 2022 р., точність: день (середина місяця)'],
  ['кінець березня 2022', 'uk', day('2022-03-21', '2022-03-31'), '21–31 березня 2022 р., точність: день (кінець місяця)'],
  ['наприкінці лютого 2024', 'uk', day('2024-02-21', '2024-02-29'), '21–29 лютого 2024 р., точність: день (кінець місяця)'],
  ['early March 2022', 'en', day('2022-03-01', '2022-03-10'), '1–10 March 2022, precision: day (early in the month)'],
  ['mid-March 2022', 'en', day('2022-03-11', '2022-03-20'), '11–20 March 2022, precision: day (mid-month)'],
  ['late February 2023', 'en', day('2023-02-21', '2023-02-28'), '21–28 February 2023, precision: day (late in the month)'],
  ['весна 2022', 'uk', month('2022-03', '2022-05'), 'березень–травень 2022 р., точність: місяць (весна)'],
  ['summer 2022', 'en', month('2022-06', '2022-08'), 'June–August 2022, precision: month (summer)'],
  // Said explicitly: the date is not known.
  ['невідомо', 'uk', { precision: 'unknown', from: null, to: null }, 'дата невідома'],
  ['unknown', 'en', { precision: 'unknown', from: null, to: null }, 'date unknown'],
  // Ambiguous: slashes with two possible months are refused under English, day first under Ukrainian.
  ['03/04/2022', 'en', 'date.error.ambiguous'],
  ['03/04/2022', 'uk', day('2022-04-03'), '3 квітня 2022 р., точність: день (прочитано як день/місяць/рік)'],
  ['04/04/2022', 'en', day('2022-04-04'), '4 April 2022, precision: day'],
  ['03.25.2022', 'en', 'date.error.monthFirst'],
  ['03/25/2022', 'uk', 'date.error.monthFirst'],
  ['зима 2022', 'uk', 'date.error.winter'],
  // Impossible, out of range, short years, empty-looking, unreadable.
  ['31.02.2022', 'uk', 'date.error.impossible'],
  ['29.02.2023', 'en', 'date.error.impossible'],
  ['31 квітня 2022', 'uk', 'date.error.impossible'],
  ['15.13.2022', 'uk', 'date.error.impossible'],
  ['31022022', 'uk', 'date.error.impossible'],
  ['1899', 'uk', 'date.error.year'],
  ['01.01.2101', 'en', 'date.error.year'],
  ['0000-01-01', 'en', 'date.error.year'],
  ['09.03.22', 'uk', 'date.error.shortYear'],
  ['090322', 'uk', 'date.error.shortYear'],
  ['', 'uk', 'date.error.empty'],
  ['   ', 'en', 'date.error.empty'],
  ['--.--.----', 'uk', 'date.error.empty'],
  ['9 березня', 'uk', 'date.error.noYear'],
  ['09.03', 'en', 'date.error.noYear'],
  ['вчора', 'uk', 'date.error.unreadable'],
  ['the day after the strike', 'en', 'date.error.unreadable'],
  ['09.03.2022 24:30', 'uk', 'date.error.time'],
  ['10.03.2022–01.03.2022', 'uk', 'date.error.rangeOrder'],
  ['03.2022–10.04.2022', 'uk', 'date.error.mixedPrecision'],
];

test(`the date table (${TABLE.length} inputs) is read as expected`, () => {
  assert.ok(TABLE.length >= 40);
  for (const [input, lang, expected, description] of TABLE) {
    const r = parseDate(input, lang);
    const what = `${JSON.stringify(input)} (${lang})`;
    if (typeof expected === 'string') {
      assert.equal(r.ok, false, `${what} must be refused, was read as ${JSON.stringify(r.value)}`);
      assert.equal(r.error, expected, what);
    } else {
      assert.equal(r.ok, true, `${what} must be read, was refused with ${r.error}`);
      assert.deepEqual(r.value, expected, what);
      assert.equal(r.description, description, what);
    }
  }
});

test('the ambiguous message names both readings in the UI language', () => {
  const r = parseDate('03/04/2022', 'en');
  assert.equal(r.params.dayFirst, '3 April 2022');
  assert.equal(r.params.monthFirst, '4 March 2022');
});

test('a field can refuse ranges, times and precisions it does not store', () => {
  assert.equal(parseDate('01.03.2022–10.03.2022', 'uk', { allowRange: false }).error, 'date.error.noRange');
  assert.equal(parseDate('09.03.2022 15:00', 'uk', { allowTime: false }).error, 'date.error.noTime');
  assert.equal(parseDate('03.2022', 'uk', { precisions: ['day'] }).error, 'date.error.needDay');
  assert.equal(parseDate('09.03.2022 15:00', 'en', { precisions: ['year', 'month', 'day'] }).error, 'date.error.precision');
  assert.equal(parseDate('1985-07', 'en', { precisions: ['year', 'month', 'day'] }).ok, true);
});

test('what formatDate writes, parseDate reads back as the same date, in both languages', () => {
  const values = [day('2022-03-09'), month('2022-03'), year('2022'), exact('2022-03-09T15:00'),
    day('2022-03-01', '2022-03-10'), day('2021-12-28', '2022-01-03'), month('2022-03', '2022-05'),
    year('2022', '2023'), exact('2022-03-09T15:00', '2022-03-10T09:15')];
  for (const v of values) {
    for (const lang of ['uk', 'en']) {
      for (const style of ['short', 'long']) {
        const text = formatDate(v, lang, { style });
        const back = parseDate(text, lang);
        assert.equal(back.ok, true, `${text} (${lang}, ${style}) must read back: ${back.error}`);
        assert.deepEqual(back.value, v, `${text} (${lang}, ${style})`);
      }
    }
  }
});

test('stored dates are written the UI language\'s way', () => {
  assert.equal(formatDate('2022-03-09', 'uk'), '9 березня 2022 р.');
  assert.equal(formatDate('2022-03-09', 'uk', { style: 'short' }), '09.03.2022');
  assert.equal(formatDate('2022-03-09', 'en', { style: 'short' }), '2022-03-09');
  assert.equal(formatDate({ date_precision: 'month', date_from: '2022-03', date_to: null }, 'en'), 'March 2022');
  assert.equal(formatDate({ date_precision: 'unknown' }, 'uk'), 'дата невідома');
  assert.equal(formatDate(null, 'en'), 'date unknown');
  assert.equal(describeDate(month('2022-03'), 'uk'), 'березень 2022 р., точність: місяць');
});

test('the OS locale plays no part', () => {
  // The parser uses no Intl or Date parsing of text: the same input gives the same date whatever
  // the process's time zone or locale. Date.parse would read "03/04/2022" as 4 March here.
  const before = parseDate('02.04.2022', 'en').value;
  process.env.TZ = 'America/New_York';
  assert.deepEqual(parseDate('02.04.2022', 'en').value, before);
  assert.deepEqual(before, day('2022-04-02'));
});
