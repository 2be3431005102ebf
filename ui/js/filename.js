// File names suggested for exports. A case's reference or title is kept as it is written, in any
// script ("ХПГ-ХАР-2022-017" stays "ХПГ-ХАР-2022-017", never "_-_-2022-017"): only what no
// common file system accepts is replaced. Pure: no DOM, so node can test it.

/** Characters Windows, macOS or Linux refuse in a name, and control characters. */
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[/\\:*?"<>|\u0000-\u001f\u007f-\u009f]+/gu;
/** Names Windows keeps for devices (CON, PRN, AUX, NUL, COM1…, LPT1…), whatever the extension. */
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

/**
 * A file name (without extension) made from `text`: letters and digits of every script, spaces,
 * dashes and other punctuation kept; `/ \ : * ? " < > |` and control characters replaced by
 * `_`; trailing dots and spaces removed; at most `max` characters (whole characters, never half a
 * surrogate pair). `fallback` when nothing is left.
 */
export function safeFileName(text, { max = 60, fallback = 'case' } = {}) {
  let name = String(text ?? '').normalize('NFC').replace(FORBIDDEN, '_').replace(/\s+/gu, ' ').trim();
  name = [...name].slice(0, max).join('');
  name = name.replace(/[. ]+$/u, '').replace(/^[. ]+/u, '');
  if (!name || /^_+$/.test(name)) return fallback;
  if (RESERVED.test(name)) name = `_${name}`;
  return name;
}
