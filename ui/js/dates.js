// Reading dates as people type them, and writing stored dates as people read them.
//
// Pure functions, no DOM and no catalogue: the same input gives the same date on every machine,
// whatever the OS locale (native date inputs follow the OS locale, which is how "02.04.2022"
// once became 4 February). The rules are in docs/dates.md; in short:
//
// - numeric dates with dots, slashes or hyphens are read **day first** (09.03.2022 = 9 March);
//   slashes are refused as ambiguous under the English UI when both numbers could be the month
//   (03/04/2022), and read day first under the Ukrainian UI, which the description says;
// - 8 digits are DDMMYYYY (or YYYYMMDD when only that reading is a real date), and said so;
// - the precision (exact time, day, month, year) is what was typed: "03.2022" is a month;
// - ranges ("01.03.2022–10.03.2022", "з 1 до 10 березня 2022", "початок березня 2022") keep one
//   precision at both ends;
// - an impossible day, a year outside 1900–2100, a two-digit year or anything unreadable is
//   refused with a message key (`date.error.*`, worded by the UI catalogue), never dropped.
//
// `parseDate` returns the backend's `DateInput` shape (crates/casefile-core/src/dates.rs):
// `{ precision: 'exact'|'day'|'month'|'year'|'unknown', from, to }` with `from`/`to` at the
// precision (`2022-03-09T15:00`, `2022-03-09`, `2022-03`, `2022`), `to` null for one date.

/** The years the backend accepts (dates.rs MIN_YEAR, MAX_YEAR). */
export const MIN_YEAR = 1900;
export const MAX_YEAR = 2100;

// Month names as typed: Ukrainian (nominative, genitive, locative, short), Russian (which many
// Ukrainian documents use) and English. Index 0 = January.
const MONTH_FORMS = [
  ['січень', 'січня', 'січні', 'січ', 'январь', 'января', 'январе', 'янв', 'january', 'jan'],
  ['лютий', 'лютого', 'лютому', 'лют', 'февраль', 'февраля', 'феврале', 'фев', 'february', 'feb'],
  ['березень', 'березня', 'березні', 'бер', 'берез', 'март', 'марта', 'марте', 'мар', 'march', 'mar'],
  ['квітень', 'квітня', 'квітні', 'квіт', 'апрель', 'апреля', 'апреле', 'апр', 'april', 'apr'],
  ['травень', 'травня', 'травні', 'трав', 'май', 'мая', 'мае', 'may'],
  ['червень', 'червня', 'червні', 'черв', 'июнь', 'июня', 'июне', 'июн', 'june', 'jun'],
  ['липень', 'липня', 'липні', 'лип', 'июль', 'июля', 'июле', 'июл', 'july', 'jul'],
  ['серпень', 'серпня', 'серпні', 'серп', 'август', 'августа', 'августе', 'авг', 'august', 'aug'],
  ['вересень', 'вересня', 'вересні', 'вер', 'верес', 'сентябрь', 'сентября', 'сентябре', 'сен', 'сент', 'september', 'sep', 'sept'],
  ['жовтень', 'жовтня', 'жовтні', 'жовт', 'октябрь', 'октября', 'октябре', 'окт', 'october', 'oct'],
  ['листопад', 'листопада', 'листопаді', 'лист', 'ноябрь', 'ноября', 'ноябре', 'ноя', 'november', 'nov'],
  ['грудень', 'грудня', 'грудні', 'груд', 'декабрь', 'декабря', 'декабре', 'дек', 'december', 'dec'],
];
const MONTHS = new Map();
MONTH_FORMS.forEach((forms, i) => forms.forEach((f) => MONTHS.set(f, i + 1)));

// How dates are written back, per UI language. These are calendar words (like a locale's month
// names), not UI messages, so they live here rather than in the catalogues: the parser and its
// tests must not depend on a loaded catalogue.
const WORDS = {
  uk: {
    monthNom: ['січень', 'лютий', 'березень', 'квітень', 'травень', 'червень', 'липень', 'серпень', 'вересень', 'жовтень', 'листопад', 'грудень'],
    monthGen: ['січня', 'лютого', 'березня', 'квітня', 'травня', 'червня', 'липня', 'серпня', 'вересня', 'жовтня', 'листопада', 'грудня'],
    year: (y) => `${y} р.`,
    years: (a, b) => `${a}–${b} рр.`,
    unknown: 'дата невідома',
    precision: { exact: 'точний час', day: 'день', month: 'місяць', year: 'рік' },
    precisionLabel: 'точність',
    notes: {
      ddmmyyyy: '8 цифр прочитано як ДДММРРРР',
      yyyymmdd: '8 цифр прочитано як РРРРММДД',
      dayFirst: 'прочитано як день/місяць/рік',
      early: 'початок місяця',
      mid: 'середина місяця',
      late: 'кінець місяця',
      spring: 'весна', summer: 'літо', autumn: 'осінь',
    },
  },
  en: {
    monthNom: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
    monthGen: null,
    year: (y) => `${y}`,
    years: (a, b) => `${a}–${b}`,
    unknown: 'date unknown',
    precision: { exact: 'exact time', day: 'day', month: 'month', year: 'year' },
    precisionLabel: 'precision',
    notes: {
      ddmmyyyy: '8 digits read as DDMMYYYY',
      yyyymmdd: '8 digits read as YYYYMMDD',
      dayFirst: 'read as day/month/year',
      early: 'early in the month',
      mid: 'mid-month',
      late: 'late in the month',
      spring: 'spring', summer: 'summer', autumn: 'autumn',
    },
  },
};
const words = (lang) => WORDS[lang] || WORDS.en;

const pad = (n, w = 2) => String(n).padStart(w, '0');
const daysIn = (y, m) => new Date(Date.UTC(y, m, 0)).getUTCDate();

/** Splits a stored value (`2022-03-09T15:00`, `2022-03-09`, `2022-03`, `2022`) into parts. */
function partsOf(s) {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2}):(\d{2}))?)?)?/.exec(String(s || '').trim());
  if (!m) return null;
  return { y: +m[1], m: m[2] ? +m[2] : undefined, d: m[3] ? +m[3] : undefined, hh: m[4] !== undefined ? +m[4] : undefined, mi: m[5] !== undefined ? +m[5] : undefined };
}

function precisionOfParts(p) {
  if (p.hh !== undefined) return 'exact';
  if (p.d !== undefined) return 'day';
  if (p.m !== undefined) return 'month';
  return 'year';
}

/** The stored text of parts at a precision. */
function stored(p, precision) {
  switch (precision) {
    case 'exact': return `${pad(p.y, 4)}-${pad(p.m)}-${pad(p.d)}T${pad(p.hh)}:${pad(p.mi)}`;
    case 'day': return `${pad(p.y, 4)}-${pad(p.m)}-${pad(p.d)}`;
    case 'month': return `${pad(p.y, 4)}-${pad(p.m)}`;
    default: return pad(p.y, 4);
  }
}

/** Normalises a value given as a DateInput-like object, an incident row, or an ISO string. */
function toValue(value) {
  if (!value) return null;
  if (typeof value === 'string') {
    const p = partsOf(value);
    return p ? { precision: precisionOfParts(p), from: value.trim(), to: null } : null;
  }
  const precision = value.precision || value.date_precision;
  const from = value.from !== undefined ? value.from : value.date_from;
  const to = value.to !== undefined ? value.to : value.date_to;
  if (!precision || precision === 'unknown' || !from) return { precision: 'unknown', from: null, to: null };
  return { precision, from, to: to || null };
}

// ---------------------------------------------------------------------------------------------
// Writing dates

function longOne(p, precision, lang, { withYear = true, withMonth = true } = {}) {
  const w = words(lang);
  const yearText = withYear ? (lang === 'uk' ? ` ${w.year(p.y)}` : ` ${p.y}`) : '';
  if (precision === 'year') return w.year(p.y);
  if (precision === 'month') return `${w.monthNom[p.m - 1]}${yearText}`;
  const monthName = lang === 'uk' ? w.monthGen[p.m - 1] : w.monthNom[p.m - 1];
  const day = withMonth ? `${p.d} ${monthName}${yearText}` : `${p.d}`;
  if (precision === 'exact') return `${day}, ${pad(p.hh)}:${pad(p.mi)}`;
  return day;
}

function shortOne(p, precision, lang) {
  if (lang === 'uk') {
    switch (precision) {
      case 'exact': return `${pad(p.d)}.${pad(p.m)}.${p.y} ${pad(p.hh)}:${pad(p.mi)}`;
      case 'day': return `${pad(p.d)}.${pad(p.m)}.${p.y}`;
      case 'month': return `${pad(p.m)}.${p.y}`;
      default: return `${p.y}`;
    }
  }
  // English lists show ISO 8601: unambiguous for every reader, and sorted as it reads.
  return stored(p, precision).replace('T', ' ');
}

/**
 * A stored date as people read it in `lang` (`uk` or `en`). `value` is a DateInput-like object
 * (`{ precision, from, to }`), an incident row (`date_precision`, `date_from`, `date_to`) or an
 * ISO string. Style `long` (default): "9 березня 2022 р.", "1–10 March 2022"; style `short`
 * (lists, and the text put back into a date field): "09.03.2022" in Ukrainian, ISO in English.
 * Both styles are read back by `parseDate` as the same date.
 */
export function formatDate(value, lang = 'en', { style = 'long' } = {}) {
  const v = toValue(value);
  const w = words(lang);
  if (!v || v.precision === 'unknown') return style === 'short' ? '—' : w.unknown;
  const a = partsOf(v.from);
  if (!a) return String(v.from);
  const precision = v.precision;
  const b = v.to ? partsOf(v.to) : null;
  if (!b || stored(a, precision) === stored(b, precision)) {
    return style === 'short' ? shortOne(a, precision, lang) : longOne(a, precision, lang);
  }
  if (style === 'short') return `${shortOne(a, precision, lang)}${lang === 'uk' ? '–' : ' – '}${shortOne(b, precision, lang)}`;
  if (precision === 'year') return w.years(a.y, b.y);
  if (precision === 'month' && a.y === b.y) {
    return `${w.monthNom[a.m - 1]}–${longOne(b, 'month', lang)}`;
  }
  if (precision === 'day' && a.y === b.y) {
    if (a.m === b.m) return `${a.d}–${longOne(b, 'day', lang)}`;
    return `${longOne(a, 'day', lang, { withYear: false })} – ${longOne(b, 'day', lang)}`;
  }
  if (precision === 'exact' && a.y === b.y && a.m === b.m && a.d === b.d) {
    return `${longOne(a, 'day', lang)}, ${pad(a.hh)}:${pad(a.mi)}–${pad(b.hh)}:${pad(b.mi)}`;
  }
  return `${longOne(a, precision, lang)} – ${longOne(b, precision, lang)}`;
}

/** "точність: день" / "precision: day". */
export function precisionText(precision, lang = 'en') {
  const w = words(lang);
  return w.precision[precision] ? `${w.precisionLabel}: ${w.precision[precision]}` : '';
}

/** How a value reads with its precision: "9 березня 2022 р., точність: день". */
export function describeDate(value, lang = 'en', notes = []) {
  const v = toValue(value);
  const w = words(lang);
  if (!v || v.precision === 'unknown') return w.unknown;
  const extra = notes.map((n) => w.notes[n]).filter(Boolean);
  return `${formatDate(v, lang)}, ${precisionText(v.precision, lang)}${extra.length ? ` (${extra.join('; ')})` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Reading dates

const fail = (error, params = {}) => ({ ok: false, error, params });

/** Saying the date is not known, in so many words. */
const UNKNOWN_WORDS = /^(?:(?:дата )?не ?відом[оа]|не встановлено|не записано|неизвестно|(?:date )?unknown|not known|not recorded)$/;

const QUALIFIER = /^(?:(?:на|в|у|во)\s+)?(початок|початку|середина|середині|посередині|кінець|кінці|наприкінці|начало|начале|середине|конец|конце|early|beginning|start|mid|middle|late|end)(?:\s+of)?(?:\s+the)?\s+(.+)$/;
const QUALIFIER_KIND = {
  початок: 'early', початку: 'early', начало: 'early', начале: 'early', early: 'early', beginning: 'early', start: 'early',
  середина: 'mid', середині: 'mid', посередині: 'mid', середине: 'mid', mid: 'mid', middle: 'mid',
  кінець: 'late', кінці: 'late', наприкінці: 'late', конец: 'late', конце: 'late', late: 'late', end: 'late',
};
const SEASON = /^(?:(?:на|в|у|во|in|the)\s+)?(весна|навесні|весною|весной|літо|влітку|літом|лето|летом|осінь|восени|осінню|осень|осенью|зима|взимку|зимою|зимой|spring|summer|autumn|fall|winter)(?:\s+of)?\s+(\d{4})$/;
const SEASON_KIND = {
  весна: 'spring', навесні: 'spring', весною: 'spring', весной: 'spring', spring: 'spring',
  літо: 'summer', влітку: 'summer', літом: 'summer', лето: 'summer', летом: 'summer', summer: 'summer',
  осінь: 'autumn', восени: 'autumn', осінню: 'autumn', осень: 'autumn', осенью: 'autumn', autumn: 'autumn', fall: 'autumn',
};
const SEASON_MONTHS = { spring: [3, 5], summer: [6, 8], autumn: [9, 11] };

/** Lower case, one kind of dash, no year words ("2022 р.", "2022 року"), no stray punctuation. */
function normalise(text) {
  const s = String(text).normalize('NFC').toLowerCase()
    .replace(/[\u00a0\u2009\u202f]/g, ' ')
    .replace(/[\u2010\u2011\u2012\u2013\u2014\u2015\u2212]/g, '–')
    .replace(/(\d)\s*(?:рр\.?|р\.?|року|рік|роки|гг\.?|г\.?|года|год)(?=$|[\s,;–-])/g, '$1')
    .replace(/\b(mid)-/g, '$1 ')
    .replace(/(\d)(?:st|nd|rd|th|-го|-е|-й)(?=$|[\s,.])/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
  return s.replace(/^[\s,.;:]+|[\s,.;:]+$/g, '');
}

/**
 * Reads one date, possibly partial (for the start of a range: "1" in "1–10 березня 2022").
 * Returns { p: { y?, m?, d?, hh?, mi? }, notes } or a failure.
 */
function parseOne(s, lang, raw) {
  let m;
  const notes = [];
  // A time at the end: "09.03.2022 15:00", "9 березня 2022 о 15:00", "2022-03-09T15:00".
  let hh; let mi;
  m = /^(.*?)(?:[ t,]+(?:о |об |at |в )?)(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(s);
  if (m && m[1]) {
    hh = +m[2]; mi = +m[3];
    if (hh > 23 || mi > 59 || (m[4] !== undefined && +m[4] > 59)) return fail('date.error.time', { text: `${m[2]}:${m[3]}` });
    s = m[1].trim();
  } else if ((m = /^(\d{1,2}):(\d{2})$/.exec(s))) {
    // A time alone: only the end of a range ("09.03.2022 15:00–17:00").
    hh = +m[1]; mi = +m[2];
    if (hh > 23 || mi > 59) return fail('date.error.time', { text: s });
    return { p: { hh, mi }, notes };
  }
  const withTime = (p) => ({ p: hh !== undefined ? { ...p, hh, mi } : p, notes });

  // ISO and other year-first forms: 2022-03-09, 2022-03, 2022/03/09, 2022.03.09.
  if ((m = /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$/.exec(s))) return withTime({ y: +m[1], m: +m[3], d: +m[4] });
  if ((m = /^(\d{4})-(\d{1,2})$/.exec(s))) return withTime({ y: +m[1], m: +m[2] });
  if ((m = /^(\d{4})$/.exec(s))) return withTime({ y: +m[1] });

  // Eight digits: DDMMYYYY, or YYYYMMDD when only that reading is a real date.
  if ((m = /^(\d{2})(\d{2})(\d{4})$/.exec(s))) {
    const dmy = { y: +m[3], m: +m[2], d: +m[1] };
    if (validParts(dmy)) { notes.push('ddmmyyyy'); return withTime(dmy); }
    const ymd = { y: +s.slice(0, 4), m: +s.slice(4, 6), d: +s.slice(6, 8) };
    if (validParts(ymd)) { notes.push('yyyymmdd'); return withTime(ymd); }
    notes.push('ddmmyyyy');
    return withTime(dmy); // refused below, as the reading people expect
  }

  // Day first: 09.03.2022, 9.3.2022, 09-03-2022, 09/03/2022.
  if ((m = /^(\d{1,2})([./-])(\d{1,2})\2(\d+)$/.exec(s))) {
    const d = +m[1]; const mo = +m[3]; const sep = m[2];
    if (m[4].length === 2) return fail('date.error.shortYear', { text: raw });
    if (m[4].length !== 4) return fail('date.error.unreadable', { text: raw });
    const y = +m[4];
    if (sep === '/' && lang !== 'uk') {
      if (d <= 12 && mo <= 12 && d !== mo) {
        return fail('date.error.ambiguous', { text: s, dayFirst: longOne({ y, m: mo, d }, 'day', lang), monthFirst: longOne({ y, m: d, d: mo }, 'day', lang) });
      }
    }
    if (mo > 12 && d <= 12 && mo <= 31 && validParts({ y, m: d, d: mo })) {
      return fail('date.error.monthFirst', { text: s, month: mo, suggestion: longOne({ y, m: d, d: mo }, 'day', lang), example: `${pad(mo)}.${pad(d)}.${y}` });
    }
    if (d <= 12 && mo <= 12 && d !== mo && (sep === '/' || lang !== 'uk')) notes.push('dayFirst');
    return withTime({ y, m: mo, d });
  }
  if ((m = /^(\d{1,2})[./](\d{4})$/.exec(s))) return withTime({ y: +m[2], m: +m[1] });
  if ((m = /^(\d{1,2})[./](\d{1,2})$/.exec(s))) return withTime({ m: +m[2], d: +m[1] });
  if (/^\d{1,2}[./-]\d{1,2}[./-]?$/.test(s)) return fail('date.error.noYear', { example: lang === 'uk' ? '09.03.2022' : '9 March 2022' });

  // Words: "9 березня 2022", "березень 2022", "March 9, 2022", "9 Mar 2022", "березня".
  const tokens = s.split(/[\s,]+/).filter((x) => x && !['of', 'the', 'on', 'in', 'у', 'в', 'во'].includes(x));
  const kinds = tokens.map((tok) => {
    const bare = tok.replace(/\.$/, '');
    if (/^\d{4}$/.test(bare)) return ['Y', +bare];
    if (/^\d{1,2}$/.test(bare)) return ['D', +bare];
    if (MONTHS.has(bare)) return ['M', MONTHS.get(bare)];
    return ['?', tok];
  });
  const shape = kinds.map((k) => k[0]).join('');
  const val = (i) => kinds[i][1];
  switch (shape) {
    case 'DMY': return withTime({ y: val(2), m: val(1), d: val(0) });
    case 'MDY': return withTime({ y: val(2), m: val(0), d: val(1) });
    case 'YMD': return withTime({ y: val(0), m: val(1), d: val(2) });
    case 'MY': return withTime({ y: val(1), m: val(0) });
    case 'DM': return withTime({ m: val(1), d: val(0) });
    case 'MD': return withTime({ m: val(0), d: val(1) });
    case 'M': return withTime({ m: val(0) });
    case 'D': return withTime({ d: val(0) });
    default: break;
  }
  if (/^\d+$/.test(s) || /\d{2}\D\d{2}\D\d{2}$/.test(s)) {
    if (/^\d{1,2}[./-]\d{1,2}[./-]\d{2}$/.test(s) || /^\d{6}$/.test(s)) return fail('date.error.shortYear', { text: raw });
  }
  return fail('date.error.unreadable', { text: raw });
}

function validParts(p) {
  return p.y >= MIN_YEAR && p.y <= MAX_YEAR && p.m >= 1 && p.m <= 12 && p.d >= 1 && p.d <= daysIn(p.y, p.m);
}

/** Refuses what cannot be a date; `text` is what to quote in the message. */
function check(p, lang, text) {
  if (p.y === undefined) {
    return fail('date.error.noYear', { example: lang === 'uk' ? '9 березня 2022' : '9 March 2022' });
  }
  if (p.y < MIN_YEAR || p.y > MAX_YEAR) return fail('date.error.year', { year: p.y, min: MIN_YEAR, max: MAX_YEAR });
  if (p.m !== undefined && (p.m < 1 || p.m > 12)) return fail('date.error.impossible', { text });
  if (p.d !== undefined && (p.m === undefined || p.d < 1 || p.d > daysIn(p.y, p.m))) return fail('date.error.impossible', { text });
  if (p.hh !== undefined && p.d === undefined) return fail('date.error.unreadable', { text });
  return null;
}

/** Splits a range into its two ends, or returns null for a single date. */
function splitRange(s) {
  let m;
  if ((m = /^(\d{4}-\d{2}(?:-\d{2})?)\/(\d{4}-\d{2}(?:-\d{2})?)$/.exec(s))) return [m[1], m[2]]; // ISO 8601 interval
  if (s.includes('–')) {
    const parts = s.split('–').map((x) => x.trim());
    return parts.length === 2 ? parts : ['', ''];
  }
  if ((m = /^(.+?)\s+-\s+(.+)$/.exec(s))) return [m[1], m[2]];
  if ((m = /^(.+?)\s+(?:до|по|to|until|till|through|and|і|й|та|и)\s+(.+)$/.exec(s))) return [m[1], m[2]];
  // Hyphens without spaces: "1-10 березня 2022", "01.03.2022-10.03.2022", "березень-травень 2022".
  if ((m = /^(\d{1,2})-(\d{1,2}\s+\D.*)$/.exec(s))) return [m[1], m[2]];
  if ((m = /^([\d.]*\.[\d.]*)-([\d.]*\.[\d.]*)$/.exec(s))) return [m[1], m[2]];
  if ((m = /^(\p{L}+)-(\p{L}+(?:\s+\d{4})?)$/u.exec(s)) && MONTHS.has(m[1])) return [m[1], m[2]];
  return null;
}

/**
 * Reads what a person typed as a date, the same on every machine.
 * @param {string} text what was typed
 * @param {'uk'|'en'} lang the UI language: it words the description, and decides whether
 *   "03/04/2022" is read day first (uk) or refused as ambiguous (en)
 * @param {{ allowRange?: boolean, allowTime?: boolean, precisions?: string[] }} [opts] what the
 *   field accepts (by default anything; `precisions` limits to e.g. ['day'])
 * @returns {{ ok: true, value: { precision: string, from: string|null, to: string|null },
 *   description: string, notes: string[] } | { ok: false, error: string, params: object }}
 *   `error` is a catalogue key (`date.error.*`) and `params` fill its placeholders.
 */
export function parseDate(text, lang = 'en', opts = {}) {
  const { allowRange = true, allowTime = true, precisions = null } = opts;
  const raw = String(text ?? '').trim();
  if (!/[\p{L}\p{N}]/u.test(raw)) return fail('date.error.empty');
  let s = normalise(raw);
  if (UNKNOWN_WORDS.test(s)) {
    return { ok: true, value: { precision: 'unknown', from: null, to: null }, description: words(lang).unknown, notes: [] };
  }

  let result = null;
  let m;
  if ((m = QUALIFIER.exec(s))) {
    // "початок березня 2022" = 1–10, "середина" = 11–20, "кінець" = 21 to the month's end.
    const kind = QUALIFIER_KIND[m[1]];
    const one = parseOne(m[2], lang, raw);
    if (!one.p) return one;
    if (one.p.d !== undefined || one.p.m === undefined || one.p.hh !== undefined) return fail('date.error.unreadable', { text: raw });
    const bad = check(one.p, lang, raw);
    if (bad) return bad;
    const { y, m: mo } = one.p;
    const [d1, d2] = kind === 'early' ? [1, 10] : kind === 'mid' ? [11, 20] : [21, daysIn(y, mo)];
    result = { value: { precision: 'day', from: stored({ y, m: mo, d: d1 }, 'day'), to: stored({ y, m: mo, d: d2 }, 'day') }, notes: [kind] };
  } else if ((m = SEASON.exec(s))) {
    const kind = SEASON_KIND[m[1]];
    const y = +m[2];
    if (!kind) return fail('date.error.winter', { year: y });
    if (y < MIN_YEAR || y > MAX_YEAR) return fail('date.error.year', { year: y, min: MIN_YEAR, max: MAX_YEAR });
    const [a, b] = SEASON_MONTHS[kind];
    result = { value: { precision: 'month', from: stored({ y, m: a }, 'month'), to: stored({ y, m: b }, 'month') }, notes: [kind] };
  } else {
    s = s.replace(/^(?:з|із|зі|від|с|со|from|between|між)\s+/, '');
    const range = splitRange(s);
    if (range) {
      const [ra, rb] = range;
      if (!ra || !rb) return fail('date.error.unreadable', { text: raw });
      const b = parseOne(rb, lang, rb);
      if (!b.p) return b;
      const a = parseOne(ra, lang, ra);
      if (!a.p) return a;
      // The end gives what the start leaves out: "1–10 березня 2022", "01.03–10.03.2022".
      let pa = { ...a.p };
      const pb = { ...b.p };
      if (pb.y === undefined && pb.m === undefined && pb.d === undefined && pb.hh !== undefined) {
        Object.assign(pb, { y: pa.y, m: pa.m, d: pa.d });
      }
      if (pa.y === undefined) {
        if (pa.d !== undefined && pa.m === undefined) pa = { ...pa, m: pb.m };
        pa = { ...pa, y: pb.y };
      }
      const bad = check(pa, lang, ra) || check(pb, lang, rb);
      if (bad) return bad;
      const precA = precisionOfParts(pa);
      const precB = precisionOfParts(pb);
      if (precA !== precB) return fail('date.error.mixedPrecision');
      const from = stored(pa, precA);
      const to = stored(pb, precB);
      if (to < from) return fail('date.error.rangeOrder');
      result = { value: { precision: precA, from, to: to === from ? null : to }, notes: [...a.notes, ...b.notes] };
    } else {
      const one = parseOne(s, lang, raw);
      if (!one.p) return one;
      const bad = check(one.p, lang, raw);
      if (bad) return bad;
      const precision = precisionOfParts(one.p);
      result = { value: { precision, from: stored(one.p, precision), to: null }, notes: one.notes };
    }
  }

  const { value, notes } = result;
  if (value.to && !allowRange) return fail('date.error.noRange');
  if (value.precision === 'exact' && !allowTime) return fail('date.error.noTime');
  if (precisions && !precisions.includes(value.precision)) {
    return fail(precisions.length === 1 && precisions[0] === 'day' ? 'date.error.needDay' : 'date.error.precision');
  }
  const uniq = [...new Set(notes)];
  return { ok: true, value, description: describeDate(value, lang, uniq), notes: uniq };
}
