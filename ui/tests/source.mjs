// Reading the UI's JavaScript for the tidy checks: every file under ui/js, with its comments
// blanked out (line numbers kept), so a word in a comment is never taken for code.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const UI = fileURLToPath(new URL('..', import.meta.url));

/** Every .js file under `dir`, sorted. */
export function jsFiles(dir = join(UI, 'js')) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...jsFiles(p));
    else if (name.endsWith('.js')) out.push(p);
  }
  return out;
}

/**
 * `src` with comments replaced by spaces (newlines kept). Strings and template literals are
 * skipped over, so `'http://x'` is not cut; a regular expression literal is rare enough in these
 * files not to matter (a `//` inside one would blank the rest of its line).
 */
export function stripComments(src) {
  let out = '';
  let i = 0;
  let quote = null;
  while (i < src.length) {
    const c = src[i];
    const d = src[i + 1];
    if (quote) {
      out += c;
      if (c === '\\') { out += d ?? ''; i += 2; continue; }
      // A quote in a regular expression literal opened no string: a line ends it.
      if (c === quote || (c === '\n' && quote !== '`')) quote = null;
      i += 1;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') { quote = c; out += c; i += 1; continue; }
    if (c === '/' && d === '/') {
      while (i < src.length && src[i] !== '\n') { out += ' '; i += 1; }
      continue;
    }
    if (c === '/' && d === '*') {
      while (i < src.length && !(src[i] === '*' && src[i + 1] === '/')) { out += src[i] === '\n' ? '\n' : ' '; i += 1; }
      out += '  ';
      i += 2;
      continue;
    }
    out += c;
    i += 1;
  }
  return out;
}

/** [{ file (relative to ui/), lines: string[] }] of every UI source, comments blanked. */
export function sources() {
  return jsFiles().map((p) => ({ file: relative(UI, p), lines: stripComments(readFileSync(p, 'utf8')).split('\n') }));
}
