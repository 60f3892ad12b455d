/**
 * Translates a Lark regex literal (Python `re` syntax) into an ECMAScript
 * Unicode-mode pattern with the same meaning, for the regex front-end.
 *
 * Python-specific meaning kept exactly (Python 3 `str` patterns):
 * - `.` without the `s` flag excludes only `\n` (ECMAScript also excludes
 *   `\r \u2028 \u2029`): written `[^\n]`.
 * - `\d` is Unicode decimal digits `\p{Nd}`; `\w` is `[\p{L}\p{N}_]`
 *   (str.isalnum or `_`); `\s` is str.isspace (`\t-\r \x1c-\x20 \x85 \xa0`
 *   `\u1680 \u2000-\u200a \u2028 \u2029 \u202f \u205f \u3000`).
 * - Escaped punctuation (`\-`, `\#`, `\ `...), a `]` first in a class, lone
 *   `]` `{` `}` are literals; `{,n}` means `{0,n}`; `(?P<n>` is a group;
 *   `(?#...)` is a comment; `\UHHHHHHHH` is a code point. Lark's own string
 *   pass turns `\"` into `"`.
 * - Flags: `i`, `s` kept, `u` is Python's default, `m` dropped when the
 *   pattern has no `^`/`$` (it only changes those). Under `i`, the regex
 *   front-end's ECMAScript case folding agrees with Python except for
 *   `İ`/`ı`, which lark.ts adds back (`pythonDottedI`).
 *
 * Checked against Python's `re.fullmatch` in test/frontends/ebnf/lark-regex.test.ts.
 *
 * Unsupported (typed errors): `\A \Z`, `(?P=name)`, inline flags `(?i)`,
 * `\W` inside a class, flags `l` `x`, `m` with anchors; lookaround,
 * backreferences and `\b` are rejected by the regex front-end.
 */

/** Result of {@link translateLarkRegex}. */
export interface EcmaRegex {
  pattern: string;
  flags: string;
}

/** Failure callbacks; `index` is into the regex body. */
export interface TranslateErrors {
  syntax(message: string, index: number): never;
  unsupported(feature: string, index: number, detail?: string): never;
}

const PY_SPACE: readonly number[] = [
  0x09, 0x0d, 0x1c, 0x20, 0x85, 0x85, 0xa0, 0xa0, 0x1680, 0x1680, 0x2000, 0x200a, 0x2028, 0x2029, 0x202f, 0x202f, 0x205f, 0x205f,
  0x3000, 0x3000,
];

function hexCp(cp: number): string {
  return `\\u{${cp.toString(16)}}`;
}
function rangesBody(r: readonly number[]): string {
  let s = '';
  for (let i = 0; i < r.length; i += 2) s += r[i] === r[i + 1] ? hexCp(r[i]!) : `${hexCp(r[i]!)}-${hexCp(r[i + 1]!)}`;
  return s;
}
function complement(r: readonly number[]): number[] {
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < r.length; i += 2) {
    if (r[i]! > next) out.push(next, r[i]! - 1);
    next = r[i + 1]! + 1;
  }
  out.push(next, 0x10ffff);
  return out;
}
const SPACE_BODY = rangesBody(PY_SPACE);
const NOT_SPACE_BODY = rangesBody(complement(PY_SPACE));
const WORD_BODY = '\\p{L}\\p{N}_';
/** ECMAScript syntax characters, escapable as themselves in Unicode mode. */
const ES_SYNTAX = '^$\\.*+?()[]{}|/';

/** Translates the body and flags of a Lark `/body/flags` literal. */
export function translateLarkRegex(body: string, larkFlags: string, err: TranslateErrors): EcmaRegex {
  const flags = new Set<string>();
  let multiline = -1;
  for (let i = 0; i < larkFlags.length; i++) {
    const f = larkFlags[i]!;
    if (f === 'i' || f === 's') flags.add(f);
    else if (f === 'm') multiline = i;
    else if (f === 'l' || f === 'x') {
      err.unsupported(`Lark regex flag ${f}`, body.length + 1 + i, f === 'x' ? 'verbose regexes' : 'locale-dependent matching');
    } else if (f !== 'u') err.syntax(`unknown regex flag '${f}'`, body.length + 1 + i);
  }
  const dotAll = flags.has('s');
  let out = '';
  let inClass = false;
  let anchors = false;
  for (let i = 0; i < body.length; ) {
    const c = body[i]!;
    if (c === '\\') {
      const n = body[i + 1];
      if (n === undefined) err.syntax('regex ends with a backslash', i);
      if (n === 'U') {
        const hex = body.slice(i + 2, i + 10);
        if (!/^[0-9a-fA-F]{8}$/.test(hex)) err.syntax('expected 8 hex digits after \\U', i);
        out += hexCp(parseInt(hex, 16));
        i += 10;
        continue;
      }
      i += 2;
      if (n === 'A' || n === 'Z') err.unsupported(`Python regex anchor \\${n}`, i - 2);
      else if (n === 'd') out += '\\p{Nd}';
      else if (n === 'D') out += '\\P{Nd}';
      else if (n === 'w') out += inClass ? WORD_BODY : `[${WORD_BODY}]`;
      else if (n === 'W') {
        if (inClass) err.unsupported('\\W inside a character class', i - 2);
        out += `[^${WORD_BODY}]`;
      } else if (n === 's') out += inClass ? SPACE_BODY : `[${SPACE_BODY}]`;
      else if (n === 'S') out += inClass ? NOT_SPACE_BODY : `[${NOT_SPACE_BODY}]`;
      else if (n === '"') out += '"';
      else if (n.charCodeAt(0) < 0x80 && !/[A-Za-z0-9]/.test(n) && !ES_SYNTAX.includes(n)) {
        out += `\\x${n.charCodeAt(0).toString(16).padStart(2, '0')}`;
      } else if (n.charCodeAt(0) >= 0x80) out += n;
      else out += '\\' + n;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c === '[' ? '\\[' : c;
      i++;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += '[';
      i++;
      if (body[i] === '^') {
        out += '^';
        i++;
      }
      if (body[i] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && body[i + 1] === '?') {
      const rest = body.slice(i + 2);
      if (rest.startsWith('P<')) {
        out += '(?<';
        i += 4;
      } else if (rest.startsWith('P=')) err.unsupported('backreference (?P=name)', i);
      else if (rest.startsWith('#')) {
        const end = body.indexOf(')', i);
        if (end < 0) err.syntax('unterminated (?#...) comment', i);
        i = end + 1;
      } else if (/^[aiLmsux-]/.test(rest)) err.unsupported('Python inline regex flags', i, body.slice(i, i + 6));
      else {
        out += '(?';
        i += 2;
      }
      continue;
    }
    if (c === '{') {
      const m = /^\{(\d*)(,\d*)?\}/.exec(body.slice(i));
      if (m && (m[1] !== '' || (m[2] !== undefined && m[2].length > 1))) {
        out += `{${m[1] === '' ? '0' : m[1]}${m[2] ?? ''}}`;
        i += m[0].length;
      } else {
        out += '\\{';
        i++;
      }
      continue;
    }
    if (c === '}' || c === ']') out += '\\' + c;
    else if (c === '.' && !dotAll) out += '[^\\n]';
    else {
      if (c === '^' || c === '$') anchors = true;
      out += c;
    }
    i++;
  }
  if (multiline >= 0 && anchors) err.unsupported('Lark regex flag m with ^ or $', body.length + 1 + multiline);
  return { pattern: out, flags: [...flags].join('') };
}
