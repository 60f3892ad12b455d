/**
 * JSON as Python's `json` module sees it, for the MaskBench protocol.
 *
 * MaskBench serializes each test instance with
 * `json.dumps(data, indent=None, ensure_ascii=False)` after `json.loads` of
 * the file. Reproducing those bytes in JavaScript needs two things that
 * `JSON.parse`/`JSON.stringify` lose:
 *
 * - number lexemes: Python keeps integers exact (`12345678901234567890`) and
 *   prints floats with `repr` (`1.0`, `1e-05`, `1e+20`), so the parser here
 *   keeps each number's source text and the printer re-derives Python's form;
 * - key order: JS objects move integer-like keys (`"10"`) first, so objects
 *   are `Map`s in source order (a duplicate key keeps its first position and
 *   takes the last value, as a Python dict does).
 */
import { InvalidArgumentError } from '../errors.js';

/** A number as written in the source, e.g. `-0`, `1.50`, `1E5`, `NaN`. */
export class PyNumber {
  /** The source lexeme. */
  readonly lexeme: string;
  constructor(lexeme: string) {
    this.lexeme = lexeme;
  }
}

/** A parsed JSON value with exact numbers and ordered keys. */
export type PyValue = null | boolean | string | PyNumber | PyValue[] | Map<string, PyValue>;

/** A JSON text that does not parse: offset into the text and what was expected. */
export class PyJsonSyntaxError extends InvalidArgumentError {
  /** 0-based offset (UTF-16 code units) of the problem. */
  readonly offset: number;
  constructor(message: string, offset: number, source?: string) {
    super(`${source ? source + ': ' : ''}JSON syntax error at offset ${offset}: ${message}`);
    this.offset = offset;
  }
}

const enum Ch {
  Tab = 9,
  Lf = 10,
  Cr = 13,
  Space = 32,
  Quote = 34,
  Plus = 43,
  Comma = 44,
  Minus = 45,
  Dot = 46,
  Zero = 48,
  Nine = 57,
  Colon = 58,
  UpperE = 69,
  LBracket = 91,
  Backslash = 92,
  RBracket = 93,
  LowerE = 101,
  LBrace = 123,
  RBrace = 125,
}

/**
 * Parses JSON text like Python's `json.loads`: numbers stay lexemes, objects
 * are ordered Maps, and Python's extensions `NaN`, `Infinity` and `-Infinity`
 * are accepted. `source` names the file in error messages.
 */
export function parsePyJson(text: string, source?: string): PyValue {
  let pos = 0;
  const fail = (msg: string): never => {
    throw new PyJsonSyntaxError(msg, pos, source);
  };
  const ws = (): void => {
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === Ch.Space || c === Ch.Lf || c === Ch.Cr || c === Ch.Tab) pos++;
      else return;
    }
  };
  const literal = (word: string): void => {
    if (text.startsWith(word, pos)) pos += word.length;
    else fail(`expected ${word}`);
  };
  const digits = (): number => {
    const start = pos;
    for (let c = text.charCodeAt(pos); c >= Ch.Zero && c <= Ch.Nine; c = text.charCodeAt(++pos));
    return pos - start;
  };
  const number = (): PyNumber => {
    const start = pos;
    if (text.charCodeAt(pos) === Ch.Minus) {
      pos++;
      if (text.startsWith('Infinity', pos)) {
        pos += 8;
        return new PyNumber('-Infinity');
      }
    }
    if (text.charCodeAt(pos) === Ch.Zero) pos++;
    else if (digits() === 0) fail('expected a digit');
    if (text.charCodeAt(pos) === Ch.Dot) {
      pos++;
      if (digits() === 0) fail('expected a digit after "."');
    }
    const e = text.charCodeAt(pos);
    if (e === Ch.LowerE || e === Ch.UpperE) {
      pos++;
      const s = text.charCodeAt(pos);
      if (s === Ch.Plus || s === Ch.Minus) pos++;
      if (digits() === 0) fail('expected an exponent digit');
    }
    return new PyNumber(text.slice(start, pos));
  };
  const string = (): string => {
    pos++; // opening quote
    let out = '';
    let runStart = pos;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (Number.isNaN(c)) fail('unterminated string');
      if (c === Ch.Quote) {
        out += text.slice(runStart, pos);
        pos++;
        return out;
      }
      if (c < 0x20) fail('control character in string');
      if (c !== Ch.Backslash) {
        pos++;
        continue;
      }
      out += text.slice(runStart, pos);
      const esc = text[pos + 1];
      pos += 2;
      switch (esc) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          const hex = text.slice(pos, pos + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('bad \\u escape');
          out += String.fromCharCode(parseInt(hex, 16));
          pos += 4;
          break;
        }
        default:
          pos -= 2;
          fail('bad escape');
      }
      runStart = pos;
    }
  };
  const value = (depth: number): PyValue => {
    if (depth > 10_000) fail('nesting deeper than 10000');
    ws();
    const c = text.charCodeAt(pos);
    switch (c) {
      case Ch.LBrace: {
        pos++;
        const obj = new Map<string, PyValue>();
        ws();
        if (text.charCodeAt(pos) === Ch.RBrace) {
          pos++;
          return obj;
        }
        for (;;) {
          ws();
          if (text.charCodeAt(pos) !== Ch.Quote) fail('expected a property name');
          const key = string();
          ws();
          if (text.charCodeAt(pos) !== Ch.Colon) fail('expected ":"');
          pos++;
          obj.set(key, value(depth + 1));
          ws();
          const d = text.charCodeAt(pos++);
          if (d === Ch.RBrace) return obj;
          if (d !== Ch.Comma) {
            pos--;
            fail('expected "," or "}"');
          }
        }
      }
      case Ch.LBracket: {
        pos++;
        const arr: PyValue[] = [];
        ws();
        if (text.charCodeAt(pos) === Ch.RBracket) {
          pos++;
          return arr;
        }
        for (;;) {
          arr.push(value(depth + 1));
          ws();
          const d = text.charCodeAt(pos++);
          if (d === Ch.RBracket) return arr;
          if (d !== Ch.Comma) {
            pos--;
            fail('expected "," or "]"');
          }
        }
      }
      case Ch.Quote:
        return string();
      case 116: // t
        literal('true');
        return true;
      case 102: // f
        literal('false');
        return false;
      case 110: // n
        literal('null');
        return null;
      case 78: // N
        literal('NaN');
        return new PyNumber('NaN');
      case 73: // I
        literal('Infinity');
        return new PyNumber('Infinity');
      default:
        if (c === Ch.Minus || (c >= Ch.Zero && c <= Ch.Nine)) return number();
        return fail('expected a value');
    }
  };
  const v = value(0);
  ws();
  if (pos !== text.length) fail('extra data after the value');
  return v;
}

/**
 * Python's `repr(float(lexeme))`: shortest round-trip digits, fixed notation
 * for decimal exponents in [-4, 16), else `d.ddde+XX` with a signed exponent of
 * at least two digits; `inf`/`nan` become json's `Infinity`/`NaN`.
 */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  // toExponential() without an argument gives the shortest round-trip digits.
  const m = /^(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(Math.abs(x).toExponential());
  if (!m) throw new Error(`unexpected toExponential output for ${x}`);
  const digits = m[1]! + (m[2] ?? '');
  const exp = Number(m[3]);
  if (exp >= -4 && exp < 16) {
    if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
    const intLen = exp + 1;
    if (digits.length <= intLen) return `${sign}${digits}${'0'.repeat(intLen - digits.length)}.0`;
    return `${sign}${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
  }
  const mant = digits.length === 1 ? digits : `${digits[0]}.${digits.slice(1)}`;
  const e = Math.abs(exp);
  return `${sign}${mant}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
}

/** How Python prints a number read from `lexeme`: ints exactly, floats by `repr`. */
export function pyNumberText(lexeme: string): string {
  if (lexeme === 'NaN' || lexeme === 'Infinity' || lexeme === '-Infinity') return lexeme;
  if (/^-?\d+$/.test(lexeme)) return lexeme === '-0' ? '0' : lexeme;
  return pyFloatRepr(Number(lexeme));
}

const HEX = '0123456789abcdef';

/** Python's `json.dumps(s, ensure_ascii=False)` of one string, quotes included. */
export function pyStringText(s: string): string {
  let out = '"';
  let runStart = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c !== Ch.Quote && c !== Ch.Backslash) continue;
    out += s.slice(runStart, i);
    runStart = i + 1;
    switch (c) {
      case Ch.Quote: out += '\\"'; break;
      case Ch.Backslash: out += '\\\\'; break;
      case Ch.Lf: out += '\\n'; break;
      case Ch.Cr: out += '\\r'; break;
      case Ch.Tab: out += '\\t'; break;
      case 8: out += '\\b'; break;
      case 12: out += '\\f'; break;
      default: out += '\\u00' + HEX[c >> 4] + HEX[c & 15];
    }
  }
  return out + s.slice(runStart) + '"';
}

/**
 * Serializes like Python's `json.dumps(v, ensure_ascii=False)`: separators
 * `", "` and `": "`, no indentation, keys in source order.
 */
export function pyJsonDumps(v: PyValue): string {
  const parts: string[] = [];
  const emit = (x: PyValue): void => {
    if (x === null) parts.push('null');
    else if (x === true) parts.push('true');
    else if (x === false) parts.push('false');
    else if (typeof x === 'string') parts.push(pyStringText(x));
    else if (x instanceof PyNumber) parts.push(pyNumberText(x.lexeme));
    else if (Array.isArray(x)) {
      parts.push('[');
      for (let i = 0; i < x.length; i++) {
        if (i > 0) parts.push(', ');
        emit(x[i]!);
      }
      parts.push(']');
    } else {
      parts.push('{');
      let first = true;
      for (const [k, val] of x) {
        if (!first) parts.push(', ');
        first = false;
        parts.push(pyStringText(k), ': ');
        emit(val);
      }
      parts.push('}');
    }
  };
  emit(v);
  return parts.join('');
}

/**
 * Converts a parsed value to plain JavaScript (numbers become JS numbers, so
 * very long integers lose precision; keys keep Map order except that JS puts
 * integer-like keys first). For engines that want an object schema.
 */
export function pyToJs(v: PyValue): unknown {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (v instanceof PyNumber) return Number(v.lexeme);
  if (Array.isArray(v)) return v.map(pyToJs);
  const o: Record<string, unknown> = {};
  for (const [k, val] of v) {
    // defineProperty, not assignment: a "__proto__" key must stay a plain key.
    Object.defineProperty(o, k, { value: pyToJs(val), enumerable: true, writable: true, configurable: true });
  }
  return o;
}
