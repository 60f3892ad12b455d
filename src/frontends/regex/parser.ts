/**
 * Recursive-descent parser for ECMAScript regular expressions with the
 * Unicode-mode (`u`) syntax: the dialect of JSON Schema `pattern`. It builds
 * the small AST of `ast.ts`; syntax errors are `GrammarSyntaxError`s with the
 * UTF-16 offset in the pattern. Constructs that parse but cannot be lowered
 * (lookaround, backreferences, `\b`) become `unsupported` nodes, so syntax
 * errors anywhere in the pattern are reported first.
 */
import { GrammarSyntaxError, LimitExceededError, UnsupportedFeatureError, locate } from '../../errors.js';
import type { Node, SetItem } from './ast.js';
import { DIGIT_RANGES, SPACE_RANGES, checkProperty, propertyRanges } from './unicode.js';

/** Parser options. */
export interface ParseOptions {
  /** Label for error locations. */
  source: string;
  /** Whether the `v` flag is set: class set notation (nested classes, `&&`, `--`, `\\q{}`) is then an UnsupportedFeatureError. */
  unicodeSets: boolean;
  /**
   * Also accept the Annex B (non-Unicode-mode) spellings whose meaning is
   * unambiguous: identity escapes of non-alphanumeric characters (`\\:`, `\\-`,
   * `\\@`), `{` that does not start a quantifier and lone `}` / `]` as literals,
   * and a class escape at a range end as three atoms (`[\\w-.]`).
   */
  lenient: boolean;
}

/** Deepest group nesting accepted (keeps recursion far from the JS stack limit). */
export const MAX_GROUP_DEPTH = 500;

/** Characters that Unicode mode allows after a backslash as identity escapes. */
const SYNTAX_CHARS = '^$\\.*+?()[]{}|/';

/** Parses `pattern` into a regex AST. */
export function parsePattern(pattern: string, opts: ParseOptions): Node {
  return new Parser(pattern, opts).parse();
}

class Parser {
  private pos = 0;
  private depth = 0;
  private readonly groupNames = new Set<string>();
  private readonly totalGroups: number;
  private readonly allNames: Set<string>;

  constructor(
    private readonly src: string,
    private readonly opts: ParseOptions,
  ) {
    const scan = scanGroups(src);
    this.totalGroups = scan.count;
    this.allNames = scan.names;
  }

  parse(): Node {
    const node = this.disjunction();
    if (this.pos < this.src.length) {
      // Only `)` can stop a top-level disjunction early.
      this.fail('unmatched ")"', this.pos);
    }
    return node;
  }

  private fail(problem: string, offset: number): never {
    throw new GrammarSyntaxError(`${problem} at offset ${offset}`, locate(this.src, offset, this.opts.source));
  }

  private peek(): number {
    return this.pos < this.src.length ? this.src.charCodeAt(this.pos) : -1;
  }

  private eat(ch: string): boolean {
    if (this.src.startsWith(ch, this.pos)) {
      this.pos += ch.length;
      return true;
    }
    return false;
  }

  /** Reads one code point of the pattern (a surrogate pair is one). */
  private nextCodePoint(): number {
    const cp = this.src.codePointAt(this.pos)!;
    this.pos += cp > 0xffff ? 2 : 1;
    return cp;
  }

  private disjunction(): Node {
    const start = this.pos;
    const items: Node[] = [this.alternative()];
    while (this.eat('|')) items.push(this.alternative());
    return items.length === 1 ? items[0]! : { kind: 'alt', items, offset: start };
  }

  private alternative(): Node {
    const start = this.pos;
    const items: Node[] = [];
    while (this.pos < this.src.length) {
      const c = this.peek();
      if (c === 0x7c /* | */ || c === 0x29 /* ) */) break;
      items.push(this.term());
    }
    return items.length === 1 ? items[0]! : { kind: 'seq', items, offset: start };
  }

  private term(): Node {
    const start = this.pos;
    const c = this.peek();
    // Assertions: not quantifiable in Unicode mode.
    if (c === 0x5e /* ^ */ || c === 0x24 /* $ */) {
      this.pos++;
      this.noQuantifier();
      return { kind: 'anchor', end: c === 0x24, offset: start };
    }
    const c1 = this.src.charCodeAt(start + 1);
    if (c === 0x5c && (c1 === 0x62 || c1 === 0x42)) {
      // \b or \B
      this.pos += 2;
      this.noQuantifier();
      return { kind: 'unsupported', feature: 'word boundary', offset: start };
    }
    for (const [open, feature] of c === 0x28 /* ( */ && c1 === 0x3f /* ? */ ? LOOKAROUNDS : []) {
      if (this.src.startsWith(open, start)) {
        this.pos += open.length;
        if (++this.depth > MAX_GROUP_DEPTH) {
          throw new LimitExceededError('maxGroupDepth', MAX_GROUP_DEPTH, `group nesting at ${this.opts.source} offset ${start}`);
        }
        this.disjunction();
        this.depth--;
        if (!this.eat(')')) this.fail('unterminated group', start);
        this.noQuantifier();
        return { kind: 'unsupported', feature, offset: start };
      }
    }
    const atom = this.atom();
    return this.quantified(atom, start);
  }

  /** Fails when a quantifier follows (assertions and quantifiers cannot be repeated in Unicode mode). */
  private noQuantifier(): void {
    const c = this.peek();
    if (c === 0x2a || c === 0x2b || c === 0x3f || (c === 0x7b && (!this.opts.lenient || this.braceQuantifierAhead()))) {
      this.fail('nothing to repeat', this.pos);
    }
  }

  /** Whether a complete `{n}`, `{n,}` or `{n,m}` starts at the current position. */
  private braceQuantifierAhead(): boolean {
    return /^\{\d+(,\d*)?\}/.test(this.src.slice(this.pos));
  }

  private quantified(atom: Node, start: number): Node {
    const qStart = this.pos;
    const c = this.peek();
    let min: number;
    let max: number;
    if (c === 0x2a) (min = 0), (max = Infinity), this.pos++;
    else if (c === 0x2b) (min = 1), (max = Infinity), this.pos++;
    else if (c === 0x3f) (min = 0), (max = 1), this.pos++;
    else if (c === 0x7b) {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.pos));
      if (!m && this.opts.lenient) return atom; // the `{` is a literal, read next
      if (!m) this.fail('incomplete quantifier', this.pos);
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      if (max < min) this.fail('numbers out of order in {} quantifier', qStart);
      this.pos += m[0].length;
    } else return atom;
    this.eat('?'); // lazy: same language
    this.noQuantifier();
    return { kind: 'repeat', item: atom, min, max, offset: start };
  }

  private atom(): Node {
    const start = this.pos;
    const c = this.peek();
    switch (c) {
      case 0x2e /* . */:
        this.pos++;
        return { kind: 'dot', offset: start };
      case 0x28 /* ( */:
        return this.group();
      case 0x5b /* [ */:
        return this.bracketClass();
      case 0x5c /* \ */:
        return this.atomEscape();
      case 0x2a:
      case 0x2b:
      case 0x3f:
        this.fail('nothing to repeat', start);
      // falls through (fail never returns)
      case 0x7b:
      case 0x7d:
      case 0x5d:
        if (!this.opts.lenient) this.fail('lone quantifier bracket', start);
        if (c === 0x7b && this.braceQuantifierAhead()) this.fail('nothing to repeat', start);
        return { kind: 'char', cp: this.nextCodePoint(), offset: start };
      // falls through
      default:
        return { kind: 'char', cp: this.nextCodePoint(), offset: start };
    }
  }

  private group(): Node {
    const start = this.pos;
    this.pos++; // (
    if (this.eat('?')) {
      if (this.eat(':')) {
        // non-capturing
      } else if (this.peek() === 0x3c /* < */) {
        this.pos++;
        const name = this.groupName(start);
        if (this.groupNames.has(name)) this.fail(`duplicate capture group name "${name}"`, start);
        this.groupNames.add(name);
      } else this.fail('invalid group', start);
    }
    if (++this.depth > MAX_GROUP_DEPTH) {
      throw new LimitExceededError('maxGroupDepth', MAX_GROUP_DEPTH, `group nesting at ${this.opts.source} offset ${start}`);
    }
    const body = this.disjunction();
    this.depth--;
    if (!this.eat(')')) this.fail('unterminated group', start);
    return { kind: 'group', body, offset: start };
  }

  /** Reads `name>` after `(?<` or `\k<`. */
  private groupName(start: number): string {
    const m = /^([^>]*)>/.exec(this.src.slice(this.pos));
    const name = m ? decodeName(m[1]!) : undefined;
    if (!m || name === undefined) this.fail('invalid capture group name', start);
    this.pos += m[0].length;
    return name;
  }

  private atomEscape(): Node {
    const start = this.pos;
    this.pos++; // backslash
    if (this.pos >= this.src.length) this.fail('\\ at end of pattern', start);
    const c = this.peek();
    // Backreferences.
    if (c >= 0x31 && c <= 0x39) {
      const m = /^\d+/.exec(this.src.slice(this.pos))!;
      if (Number(m[0]) > this.totalGroups) this.fail('invalid escape', start);
      this.pos += m[0].length;
      return { kind: 'unsupported', feature: 'backreference', offset: start };
    }
    if (c === 0x6b /* k */) {
      this.pos++;
      if (!this.eat('<')) this.fail('invalid named reference', start);
      const name = this.groupName(start);
      if (!this.allNames.has(name)) this.fail(`invalid named capture referenced "${name}"`, start);
      return { kind: 'unsupported', feature: 'backreference', offset: start };
    }
    const set = this.classEscape();
    if (set !== undefined) return { kind: 'set', items: [set], negated: false, offset: start };
    return { kind: 'char', cp: this.characterEscape(start, false), offset: start };
  }

  /** `\d \D \s \S \w \W \p{..} \P{..}` after the backslash, or undefined. */
  private classEscape(): SetItem | undefined {
    const start = this.pos - 1;
    const c = this.peek();
    switch (c) {
      case 0x64 /* d */:
      case 0x44 /* D */:
        this.pos++;
        return { kind: 'ranges', ranges: c === 0x64 ? DIGIT_RANGES : complement(DIGIT_RANGES), negated: false };
      case 0x73 /* s */:
      case 0x53 /* S */:
        this.pos++;
        return { kind: 'ranges', ranges: c === 0x73 ? SPACE_RANGES : complement(SPACE_RANGES), negated: false };
      case 0x77 /* w */:
        this.pos++;
        return { kind: 'word', ranges: [], negated: false };
      case 0x57 /* W */:
        this.pos++;
        return { kind: 'notWord', ranges: [], negated: false };
      case 0x70 /* p */:
      case 0x50 /* P */: {
        this.pos++;
        const m = /^\{([^}]*)\}/.exec(this.src.slice(this.pos));
        if (!m) this.fail('invalid property name', start);
        const problem = checkProperty(m[1]!);
        if (problem !== undefined) {
          if (this.opts.unicodeSets && c === 0x70 && isStringProperty(m[1]!)) {
            throw new UnsupportedFeatureError('property of strings', `${this.opts.source} offset ${start}`, `\\p{${m[1]!}}`);
          }
          this.fail(problem, start);
        }
        this.pos += m[0].length;
        return { kind: 'property', ranges: propertyRanges(m[1]!), negated: c === 0x50 };
      }
      default:
        return undefined;
    }
  }

  /** A CharacterEscape after the backslash (current position): returns its code point. */
  private characterEscape(start: number, inClass: boolean): number {
    const c = this.src[this.pos]!;
    this.pos++;
    switch (c) {
      case 'n':
        return 0x0a;
      case 't':
        return 0x09;
      case 'r':
        return 0x0d;
      case 'f':
        return 0x0c;
      case 'v':
        return 0x0b;
      case '0':
        if (/[0-9]/.test(this.src[this.pos] ?? '')) this.fail('invalid decimal escape', start);
        return 0;
      case 'c': {
        const l = this.src.charCodeAt(this.pos);
        if (!((l >= 0x41 && l <= 0x5a) || (l >= 0x61 && l <= 0x7a))) this.fail('invalid control escape \\c', start);
        this.pos++;
        return l % 32;
      }
      case 'x': {
        const m = /^[0-9a-fA-F]{2}/.exec(this.src.slice(this.pos, this.pos + 2));
        if (!m) this.fail('invalid \\x escape', start);
        this.pos += 2;
        return parseInt(m[0], 16);
      }
      case 'u':
        return this.unicodeEscape(start);
      case '-':
        if (inClass) return 0x2d;
        break;
      default:
        if (SYNTAX_CHARS.includes(c)) return c.charCodeAt(0);
        if (this.opts.lenient && !/[A-Za-z0-9]/.test(c)) {
          this.pos--;
          return this.nextCodePoint();
        }
    }
    this.fail('invalid escape', start);
  }

  /** `\uXXXX` (a pair of them forming a surrogate pair is one code point) or `\u{X...}`. */
  private unicodeEscape(start: number): number {
    if (this.eat('{')) {
      const m = /^([0-9a-fA-F]+)\}/.exec(this.src.slice(this.pos));
      if (!m || parseInt(m[1]!, 16) > 0x10ffff) this.fail('invalid Unicode escape', start);
      this.pos += m[0].length;
      return parseInt(m[1]!, 16);
    }
    const m = /^[0-9a-fA-F]{4}/.exec(this.src.slice(this.pos, this.pos + 4));
    if (!m) this.fail('invalid Unicode escape', start);
    this.pos += 4;
    const hi = parseInt(m[0], 16);
    if (hi >= 0xd800 && hi <= 0xdbff) {
      const lo = /^\\u([dD][c-fC-F][0-9a-fA-F]{2})/.exec(this.src.slice(this.pos, this.pos + 6));
      if (lo) {
        this.pos += 6;
        return 0x10000 + ((hi - 0xd800) << 10) + (parseInt(lo[1]!, 16) - 0xdc00);
      }
    }
    return hi;
  }

  private bracketClass(): Node {
    const start = this.pos;
    this.pos++; // [
    const negated = this.eat('^');
    const items: SetItem[] = [];
    const single: number[] = [];
    for (;;) {
      if (this.pos >= this.src.length) this.fail('unterminated character class', start);
      if (this.eat(']')) break;
      const aStart = this.pos;
      const a = this.classAtom();
      if (this.peek() === 0x2d /* - */ && this.pos + 1 < this.src.length && this.src[this.pos + 1] !== ']') {
        this.pos++;
        const b = this.classAtom();
        if ((typeof a !== 'number' || typeof b !== 'number') && this.opts.lenient) {
          // Annex B: `[\\w-.]` is `\\w`, `-` and `.`.
          for (const x of [a, 0x2d, b]) {
            if (typeof x === 'number') single.push(x, x);
            else items.push(x);
          }
          continue;
        }
        if (typeof a !== 'number' || typeof b !== 'number') this.fail('invalid character class range', aStart);
        if (a > b) this.fail('range out of order in character class', aStart);
        single.push(a, b);
      } else if (typeof a === 'number') single.push(a, a);
      else items.push(a);
    }
    if (single.length > 0) items.push({ kind: 'ranges', ranges: single, negated: false });
    return { kind: 'set', items, negated, offset: start };
  }

  /** One class atom: a code point, or a class escape's set. */
  private classAtom(): number | SetItem {
    const start = this.pos;
    const c = this.peek();
    if (this.opts.unicodeSets) {
      if (c === 0x5b || this.src.startsWith('&&', start) || this.src.startsWith('--', start) || this.src.startsWith('\\q{', start)) {
        throw new UnsupportedFeatureError('class set notation (v flag)', `${this.opts.source} offset ${start}`);
      }
    }
    if (c !== 0x5c) return this.nextCodePoint();
    this.pos++;
    if (this.pos >= this.src.length) this.fail('\\ at end of pattern', start);
    if (this.eat('b')) return 0x08;
    const set = this.classEscape();
    if (set !== undefined) return set;
    return this.characterEscape(start, true);
  }
}

/** Whether `\\p{body}` is a property of strings (valid only with the `v` flag). */
function isStringProperty(body: string): boolean {
  try {
    new RegExp(`\\p{${body}}`, 'v');
    return true;
  } catch {
    return false;
  }
}

const LOOKAROUNDS: readonly (readonly [string, string])[] = [
  ['(?=', 'lookahead'],
  ['(?!', 'lookahead'],
  ['(?<=', 'lookbehind'],
  ['(?<!', 'lookbehind'],
];

function complement(ranges: readonly number[]): number[] {
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < ranges.length; i += 2) {
    if (ranges[i]! > next) out.push(next, ranges[i]! - 1);
    next = ranges[i + 1]! + 1;
  }
  if (next <= 0x10ffff) out.push(next, 0x10ffff);
  return out;
}

/** A group name with its `\\u` escapes decoded, or undefined when it is not a valid identifier. */
function decodeName(raw: string): string | undefined {
  let bad = false;
  const name = raw.replace(/\\u(?:\{([0-9a-fA-F]+)\}|([0-9a-fA-F]{4}))|\\/g, (all, braced?: string, four?: string) => {
    const cp = parseInt(braced ?? four ?? 'x', 16);
    if (!(cp <= 0x10ffff)) {
      bad = true;
      return all;
    }
    return String.fromCodePoint(cp);
  });
  if (bad || !/^[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*$/u.test(name)) return undefined;
  return name;
}

/** Counts capturing groups and collects group names (for `\N` and `\k<name>` validity). */
function scanGroups(src: string): { count: number; names: Set<string> } {
  let count = 0;
  const names = new Set<string>();
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') i++;
    else if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') inClass = true;
    else if (c === '(') {
      if (src[i + 1] !== '?') count++;
      else if (src[i + 2] === '<' && src[i + 3] !== '=' && src[i + 3] !== '!') {
        count++;
        const m = /^([^>]*)>/.exec(src.slice(i + 3));
        const name = m ? decodeName(m[1]!) : undefined;
        if (name !== undefined) names.add(name);
      }
    }
  }
  return { count, names };
}
