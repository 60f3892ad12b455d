/**
 * GBNF front-end: llama.cpp's grammar format to the grammar IR.
 *
 * Syntax and semantics follow llama.cpp's `llama-grammar.cpp` parser:
 * - `name ::= body` rules; names are letters, digits, `-` and `_`; the start
 *   rule is `root` (or `opts.start`).
 * - Literals `"..."` and classes `[...]`, `[^...]` with ranges `a-z` (a `-`
 *   right before `]` is literal); escapes `\n \r \t \\ \" \[ \] \xHH \uHHHH
 *   \UHHHHHHHH` (exactly that many hex digits), as in llama.cpp; any other
 *   escape is an error. `.` is any code point.
 * - Grouping `( )`, alternation `|` (empty alternatives allowed), postfix
 *   `* + ?`, `{m}`, `{m,}`, `{m,n}`, stackable as in llama.cpp (`x*?`).
 * - `#` comments to the end of the line.
 *
 * Differences, all documented choices:
 * - A rule runs until the next `name ::=` head, so a rule may continue on the
 *   next line anywhere (llama.cpp only allows that inside parentheses and
 *   after `|`). Every grammar llama.cpp accepts means the same here.
 * - A rule defined twice is an error here (llama.cpp silently keeps the last
 *   definition); so are empty classes `[]`/`[^]` (llama.cpp: match the empty
 *   string), inverted ranges `[z-a]` (llama.cpp: match nothing) and
 *   surrogate code points in literals (`"\uD83D\uDE00"`: never matchable in
 *   llama.cpp; in classes they are allowed and never match).
 * - Token references `<[id]>`, `<name>`, `!<...>` (newer llama.cpp) match
 *   model tokens, not text: {@link UnsupportedFeatureError}.
 */
import { withStackGuard } from '../../util/stack.js';
import nearley from 'nearley';
import { UnsupportedFeatureError } from '../../errors.js';
import {
  alt,
  anyChar,
  charClass,
  literal,
  notClass,
  ref,
  repeat,
  seq,
  type Expr,
  type Grammar,
} from '../../ir/expr.js';
import type { GbnfNode, GbnfRule } from './gbnf-ast.js';
import compiled from './gbnf-grammar.js';
import { GBNF_TOKEN_NAMES, GBNF_TRIVIA, gbnfLexer } from './gbnf-lexer.js';
import { runParser, syntaxError, where, type Token } from './runner.js';

/** Options of {@link parseGbnf}. */
export interface GbnfOptions {
  /** File name or label used in error locations. */
  source?: string;
  /** Start rule; default `root`. */
  start?: string;
}

/** Largest repetition bound accepted in `{m,n}` (larger is a syntax error, not a silent clamp). */
export const GBNF_MAX_REPEAT = 1_000_000;

/**
 * Parses a GBNF grammar into the IR. Rules keep their names and definition
 * order; groups become nested expressions (no synthesized rules).
 * @throws GrammarSyntaxError with `line:column` on syntax errors, bad escapes,
 *   undefined rule references (at the reference), duplicate rules (at the
 *   second definition) and a missing start rule.
 * @throws UnsupportedFeatureError for token references `<...>`.
 */
export function parseGbnf(text: string, opts: GbnfOptions = {}): Grammar {
  return withStackGuard('GBNF grammar', () => parseGbnfUnguarded(text, opts));
}

function parseGbnfUnguarded(text: string, opts: GbnfOptions): Grammar {
  const src = opts.source;
  const ast = runParser<GbnfRule[]>(compiled as unknown as nearley.CompiledRules, gbnfLexer(), text, {
    source: src,
    skip: GBNF_TRIVIA,
    names: GBNF_TOKEN_NAMES,
    check: (tok) => {
      if (tok.type === 'badString') syntaxError('unterminated string literal', text, tok.offset, src);
      if (tok.type === 'badClass') syntaxError('unterminated character class', text, tok.offset, src);
    },
  });
  const conv = new GbnfConverter(text, src);
  const rules = new Map<string, Expr>();
  const heads = new Map<string, Token>();
  for (const r of ast) {
    const name = r.head.value;
    const prev = heads.get(name);
    if (prev) {
      syntaxError(`rule '${name}' is defined twice (first at ${where(text, prev.offset, src)})`, text, r.head.offset, src);
    }
    heads.set(name, r.head);
    rules.set(name, conv.expr(r.body));
  }
  for (const tok of conv.refs) {
    if (!rules.has(tok.value)) syntaxError(`undefined rule '${tok.value}'`, text, tok.offset, src);
  }
  const start = opts.start ?? 'root';
  if (!rules.has(start)) syntaxError(`grammar has no start rule '${start}'`, text, 0, src);
  return { rules, start };
}

/** Converts GBNF syntax trees to IR expressions, decoding literals with exact error locations. */
class GbnfConverter {
  /** Every rule reference seen, to check after all rules are known. */
  readonly refs: Token[] = [];
  constructor(
    private readonly text: string,
    private readonly source: string | undefined,
  ) {}

  expr(n: GbnfNode): Expr {
    switch (n.k) {
      case 'ref':
        this.refs.push(n.tok);
        return ref(n.tok.value);
      case 'string':
        return this.stringLiteral(n.tok);
      case 'class':
        return this.charClass(n.tok);
      case 'any':
        return anyChar();
      case 'token':
        throw new UnsupportedFeatureError(
          'GBNF token reference',
          where(this.text, n.tok.offset, this.source),
          `${n.tok.text} matches a model token, not text`,
        );
      case 'seq':
        return seq(...n.items.map((x) => this.expr(x)));
      case 'alt':
        return alt(...n.items.map((x) => this.expr(x)));
      case 'repeat': {
        const item = this.expr(n.item);
        const op = n.op;
        if (op.type === 'star') return repeat(item, 0, Infinity);
        if (op.type === 'plus') return repeat(item, 1, Infinity);
        if (op.type === 'question') return repeat(item, 0, 1);
        const [min, max] = this.bounds(op);
        return repeat(item, min, max);
      }
    }
  }

  private fail(message: string, offset: number): never {
    syntaxError(message, this.text, offset, this.source);
  }

  /** Parses `{m}`, `{m,}`, `{m,n}` (spaces and tabs allowed inside). */
  private bounds(tok: Token): [number, number] {
    const m = /^\{[ \t]*(\d+)[ \t]*(?:(,)[ \t]*(\d+)?[ \t]*)?\}$/.exec(tok.text);
    if (!m) this.fail(`malformed repetition ${tok.text}: expected {m}, {m,} or {m,n}`, tok.offset);
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === undefined ? Infinity : Number(m[3]);
    if (min > GBNF_MAX_REPEAT || (max !== Infinity && max > GBNF_MAX_REPEAT)) {
      this.fail(`repetition bound in ${tok.text} exceeds ${GBNF_MAX_REPEAT}`, tok.offset);
    }
    if (min > max) this.fail(`repetition ${tok.text} has min > max`, tok.offset);
    return [min, max];
  }

  /**
   * Decodes one character at `i` of `body` (a literal or class body starting
   * at text offset `base`), as llama.cpp's `parse_char`. Returns the code
   * point and the index after it.
   */
  private char(body: string, i: number, base: number): [number, number] {
    const c = body.codePointAt(i)!;
    if (c !== 0x5c) return [c, i + (c > 0xffff ? 2 : 1)];
    const e = body[i + 1];
    switch (e) {
      case 'x':
        return this.hex(body, i, 2, base);
      case 'u':
        return this.hex(body, i, 4, base);
      case 'U':
        return this.hex(body, i, 8, base);
      case 't':
        return [9, i + 2];
      case 'r':
        return [13, i + 2];
      case 'n':
        return [10, i + 2];
      case '\\':
      case '"':
      case '[':
      case ']':
        return [e.charCodeAt(0), i + 2];
      default:
        this.fail(`unknown escape \\${e ?? ''}`, base + i);
    }
  }

  private hex(body: string, i: number, size: number, base: number): [number, number] {
    const digits = body.slice(i + 2, i + 2 + size);
    if (!new RegExp(`^[0-9a-fA-F]{${size}}$`).test(digits)) {
      this.fail(`expected ${size} hex digits after \\${body[i + 1]}`, base + i);
    }
    const cp = parseInt(digits, 16);
    if (cp > 0x10ffff) this.fail(`code point \\${body[i + 1]}${digits} is beyond U+10FFFF`, base + i);
    return [cp, i + 2 + size];
  }

  private stringLiteral(tok: Token): Expr {
    const body = tok.text.slice(1, -1);
    const base = tok.offset + 1;
    let out = '';
    for (let i = 0; i < body.length; ) {
      const [cp, next] = this.char(body, i, base);
      // A surrogate code point is never text; two escaped halves must not pair up into one character.
      if (cp >= 0xd800 && cp <= 0xdfff) this.fail(`surrogate code point U+${cp.toString(16).toUpperCase()} in a literal can never match`, base + i);
      out += String.fromCodePoint(cp);
      i = next;
    }
    return literal(out);
  }

  private charClass(tok: Token): Expr {
    const body = tok.text.slice(1, -1);
    const base = tok.offset + 1;
    let i = 0;
    const negated = body[0] === '^';
    if (negated) i = 1;
    if (i >= body.length) this.fail('empty character class', tok.offset);
    const ranges: number[] = [];
    while (i < body.length) {
      const at = i;
      const [lo, next] = this.char(body, i, base);
      i = next;
      let hi = lo;
      // llama.cpp: `-` starts a range unless it is the last character before `]`.
      if (body[i] === '-' && i + 1 < body.length) {
        [hi, i] = this.char(body, i + 1, base);
        if (hi < lo) this.fail(`inverted range in character class`, base + at);
      }
      ranges.push(lo, hi);
    }
    return negated ? notClass(ranges) : charClass(ranges);
  }
}
