/**
 * Lark-like front-end: a grammar in (a subset of) Lark's syntax to the IR.
 *
 * Supported: rules `name: a | b` (lowercase; `?name`, `!name`, `_name` are
 * tree-shaping only and mean the same language), terminals `NAME: ...`
 * (uppercase) built from literals `"..."` / `"..."i`, regexes `/.../flags`
 * (Python `re` syntax, see lark-regex.ts), ranges `"a".."z"` and other
 * terminals; operators `x?` `x*` `x+` `[x]` `x~n` `x~m..n` `x{n}` `x{m,}`
 * `x{m,n}`; aliases `-> name` (ignored: they name tree nodes); priorities
 * `name.N:` / `NAME.N:` (accepted and ignored: our semantics is the plain
 * context-free language, with no lexer priorities and no longest match);
 * `%import common.NAME [-> ALIAS]`, `%import common (A, B)` with our own
 * definitions of common.lark's terminals (lark-common.ts); `%ignore`.
 * Comments `//` and `#`. A definition runs until the next definition or
 * directive, so continuation lines need not start with `|`.
 *
 * `%ignore X` semantics (exact): let I be the union of all ignored
 * expressions. A text is in the language iff it is
 * `i0 t1 i1 t2 i2 ... tn in` where `t1 ... tn` is a sequence of terminal
 * matches derived from the start rule and every `ik` is in I*. Built by
 * appending `__IGNORE` (`= I*`) after every terminal occurrence in a rule
 * body (named terminals and anonymous literals/regexes alike) and adding the
 * start rule `__start ::= __IGNORE start`. Each gap is covered by exactly one
 * `I*`, so the only ambiguity left is inside I* itself, which is reduced by
 * writing `(x+ | y)*` as `(x | y)*` (same language). Terminal bodies are
 * not touched. Without `%ignore`, nothing is added and the start rule is
 * `start`.
 *
 * Lark's lexer is greedy (longest match, priorities); ours is the CFG over
 * characters, so e.g. `start: NAME NAME` with `NAME: /\w+/` accepts `ab`
 * (split `a`,`b`) where Lark would not.
 *
 * Unsupported (UnsupportedFeatureError): templates, `%declare`,
 * `%override`, `%extend`, other directives, imports other than `common`,
 * special tokens `<...>`, and the regex features listed in lark-regex.ts.
 */
import { withStackGuard } from '../../util/stack.js';
import nearley from 'nearley';
import { GrammarSyntaxError, UnsupportedFeatureError } from '../../errors.js';
import { alt, charClass, literal, ref, repeat, seq, star, type Expr, type Grammar } from '../../ir/expr.js';
import { parseRegex } from '../regex/index.js';
import type { LarkItem, LarkNode } from './lark-ast.js';
import { LARK_COMMON } from './lark-common.js';
import compiled from './lark-grammar.js';
import { LARK_TOKEN_NAMES, LARK_TRIVIA, larkLexer } from './lark-lexer.js';
import { translateLarkRegex } from './lark-regex.js';
import { runParser, syntaxError, where, type Token } from './runner.js';

/** Options of {@link parseLark}. */
export interface LarkOptions {
  /** File name or label used in error locations. */
  source?: string;
  /** Start rule; default `start`. */
  start?: string;
}

/** Name of the generated rule `I*` for `%ignore` (cannot clash: Lark names have at most one leading `_`). */
export const LARK_IGNORE_RULE = '__IGNORE';
/** Name of the generated start rule when the grammar has `%ignore`. */
export const LARK_START_RULE = '__start';
/** Largest repetition bound accepted in `~` / `{}` (larger is a syntax error, not a clamp). */
export const LARK_MAX_REPEAT = 1_000_000;

const TERMINAL_NAME = /^_?[A-Z][_A-Z0-9]*$/;
const RULE_NAME = /^_?[a-z][_a-z0-9]*$/;

interface Def {
  name: string;
  terminal: boolean;
  tok: Token;
  body: LarkNode | Expr;
}

/**
 * Parses a Lark-like grammar into the IR. Rules and terminals both become IR
 * rules under their Lark names (imported terminals under their alias), in
 * definition order; see the module comment for `%ignore`.
 * @throws GrammarSyntaxError with `line:column` on syntax errors, undefined
 *   or duplicate names, rules inside terminals, recursive terminals, a
 *   missing start rule and invalid regexes.
 * @throws UnsupportedFeatureError for the constructs listed in the module comment.
 */
export function parseLark(text: string, opts: LarkOptions = {}): Grammar {
  return withStackGuard('Lark grammar', () => parseLarkUnguarded(text, opts));
}

function parseLarkUnguarded(text: string, opts: LarkOptions): Grammar {
  const src = opts.source;
  function unsupported(feature: string, offset: number, detail?: string): never {
    throw new UnsupportedFeatureError(feature, where(text, offset, src), detail);
  }
  const items = runParser<LarkItem[]>(compiled as unknown as nearley.CompiledRules, larkLexer(), text, {
    source: src,
    skip: LARK_TRIVIA,
    names: LARK_TOKEN_NAMES,
    check: (tok) => {
      if (tok.type === 'badString') syntaxError('unterminated string literal', text, tok.offset, src);
      if (tok.type === 'directive') unsupported(`Lark directive ${tok.value}`, tok.offset);
      if (tok.type === 'templateHead') unsupported('Lark template', tok.offset, tok.text);
    },
  });

  const defs = new Map<string, Def>();
  const define = (d: Def): void => {
    const prev = defs.get(d.name);
    if (prev) {
      syntaxError(`'${d.name}' is defined twice (first at ${where(text, prev.tok.offset, src)})`, text, d.tok.offset, src);
    }
    defs.set(d.name, d);
  };
  const ignores: LarkNode[] = [];
  for (const it of items) {
    if (it.k === 'def') {
      const m = /^([?!]{0,2})(_?[a-zA-Z][_a-zA-Z0-9]*)/.exec(it.head.text)!;
      const name = m[2]!;
      const terminal = TERMINAL_NAME.test(name);
      if (!terminal && !RULE_NAME.test(name)) {
        syntaxError(`'${name}' is neither a rule name (lowercase) nor a terminal name (uppercase)`, text, it.head.offset, src);
      }
      if (terminal && m[1]) syntaxError(`terminal '${name}' cannot have the prefix '${m[1]}'`, text, it.head.offset, src);
      define({ name, terminal, tok: it.head, body: it.body });
    } else if (it.k === 'ignore') {
      ignores.push(it.body);
    } else {
      const path = it.path.map((t) => t.value);
      if (it.dot) unsupported('relative %import', it.dot.offset, `.${path.join('.')}`);
      if (!it.names && path.length < 2) syntaxError('expected %import module.NAME or %import module (NAMES)', text, it.tok.offset, src);
      const module = it.names ? path.join('.') : path.slice(0, -1).join('.');
      if (module !== 'common') unsupported('%import', it.path[0]!.offset, `module '${module}' (only 'common' is built in)`);
      const imported: [Token, Token][] = it.names
        ? it.names.map((t) => [t, t])
        : [[it.path[it.path.length - 1]!, it.alias ?? it.path[it.path.length - 1]!]];
      for (const [from, as] of imported) {
        const e = LARK_COMMON.get(from.value);
        if (!e) unsupported(`%import common.${from.value}`, from.offset, 'not one of the built-in common terminals');
        if (!TERMINAL_NAME.test(as.value)) syntaxError(`imported terminal needs an uppercase name, not '${as.value}'`, text, as.offset, src);
        define({ name: as.value, terminal: true, tok: as, body: e });
      }
    }
  }

  const conv = new LarkConverter(text, src, defs, ignores.length > 0);
  const rules = new Map<string, Expr>();
  for (const d of defs.values()) {
    rules.set(d.name, 'kind' in d.body ? d.body : conv.expr(d.body, d));
  }
  conv.checkTerminalCycles();
  let start = opts.start ?? 'start';
  const startDef = defs.get(start);
  if (!startDef || startDef.terminal) syntaxError(`grammar has no start rule '${start}'`, text, 0, src);
  if (ignores.length > 0) {
    // (x+ | y)* = (x | y)*: unwrapping `+` (also through a terminal name, as
    // in `%ignore WS`) keeps the language and removes most of I*'s ambiguity.
    const unplus = (e: Expr): Expr => {
      const body = e.kind === 'ref' ? rules.get(e.name)! : e;
      return body.kind === 'repeat' && body.min === 1 && body.max === Infinity ? body.item : e;
    };
    rules.set(LARK_IGNORE_RULE, star(alt(...ignores.map((n) => unplus(conv.expr(n, null))))));
    rules.set(LARK_START_RULE, seq(ref(LARK_IGNORE_RULE), ref(start)));
    start = LARK_START_RULE;
  }
  return { rules, start };
}

/** `i I İ ı`: one class under Python's case-insensitive matching, apart under ECMAScript's simple case folding. */
const DOTTED_I = [0x49, 0x49, 0x69, 0x69, 0x130, 0x131];
function touchesI(cp: number): boolean {
  return cp === 0x49 || cp === 0x69 || cp === 0x130 || cp === 0x131;
}

/**
 * Case-insensitive matching in Python `re` equates `i`, `I`, `İ` (U+0130)
 * and `ı` (U+0131); ECMAScript's `i` flag (simple case folding), which the
 * regex front-end implements, keeps the last two apart. This pass widens
 * every class or literal character touching one of them to all four, which
 * is the whole difference for these code points.
 */
function pythonDottedI(e: Expr): Expr {
  switch (e.kind) {
    case 'class': {
      const r = e.ranges;
      for (let i = 0; i < r.length; i += 2) {
        for (const cp of [0x49, 0x69, 0x130, 0x131]) if (cp >= r[i]! && cp <= r[i + 1]!) return charClass([...r, ...DOTTED_I]);
      }
      return e;
    }
    case 'literal': {
      if (![...e.text].some((c) => touchesI(c.codePointAt(0)!))) return e;
      return seq(...[...e.text].map((c) => (touchesI(c.codePointAt(0)!) ? charClass(DOTTED_I) : literal(c))));
    }
    case 'seq':
      return seq(...e.items.map(pythonDottedI));
    case 'alt':
      return alt(...e.items.map(pythonDottedI));
    case 'repeat':
      return repeat(pythonDottedI(e.item), e.min, e.max);
    default:
      return e;
  }
}

/** Converts Lark syntax trees to IR expressions. */
class LarkConverter {
  /** Terminal-to-terminal references, for the recursion check. */
  private readonly termRefs = new Map<string, { to: string; tok: Token }[]>();
  constructor(
    private readonly text: string,
    private readonly source: string | undefined,
    private readonly defs: ReadonlyMap<string, Def>,
    private readonly ignoring: boolean,
  ) {}

  private fail(message: string, offset: number): never {
    syntaxError(message, this.text, offset, this.source);
  }
  private loc(offset: number): string {
    return where(this.text, offset, this.source);
  }

  /** A terminal occurrence inside a rule: followed by `I*` when the grammar has `%ignore`. */
  private occurrence(e: Expr): Expr {
    return this.ignoring ? seq(e, ref(LARK_IGNORE_RULE)) : e;
  }

  /** Converts `n`, the body of `owner` (null: an `%ignore` expression, which is terminal context). */
  expr(n: LarkNode, owner: Def | null): Expr {
    const inTerminal = owner === null || owner.terminal;
    const lexeme = (e: Expr): Expr => (inTerminal ? e : this.occurrence(e));
    switch (n.k) {
      case 'name': {
        const name = n.tok.value;
        const d = this.defs.get(name);
        if (!d) this.fail(`undefined ${TERMINAL_NAME.test(name) ? 'terminal' : 'rule'} '${name}'`, n.tok.offset);
        if (inTerminal && !d.terminal) {
          this.fail(`rule '${name}' used inside ${owner ? `terminal '${owner.name}'` : '%ignore'}`, n.tok.offset);
        }
        if (d.terminal && owner?.terminal) {
          const list = this.termRefs.get(owner.name) ?? [];
          list.push({ to: name, tok: n.tok });
          this.termRefs.set(owner.name, list);
        }
        return d.terminal ? lexeme(ref(name)) : ref(name);
      }
      case 'string': {
        const [s, insensitive] = this.stringValue(n.tok);
        return lexeme(insensitive ? this.caseless(s, n.tok) : literal(s));
      }
      case 'regexp':
        return lexeme(this.regex(n.tok));
      case 'range': {
        const [lo] = this.stringValue(n.lo);
        const [hi] = this.stringValue(n.hi);
        const a = [...lo];
        const b = [...hi];
        if (a.length !== 1 || b.length !== 1) this.fail('a range needs one-character strings ("a".."z")', n.lo.offset);
        const x = a[0]!.codePointAt(0)!;
        const y = b[0]!.codePointAt(0)!;
        if (x > y) this.fail('inverted range', n.lo.offset);
        return lexeme(charClass([x, y]));
      }
      case 'template':
        throw new UnsupportedFeatureError('Lark template', this.loc(n.tok.offset), `${n.tok.value}{...}`);
      case 'special':
        throw new UnsupportedFeatureError('special token', this.loc(n.tok.offset), `${n.tok.text} matches a model token, not text`);
      case 'seq':
        return seq(...n.items.map((x) => this.expr(x, owner)));
      case 'alt':
        return alt(...n.items.map((x) => this.expr(x, owner)));
      case 'repeat': {
        if (n.min > LARK_MAX_REPEAT || (n.max !== Infinity && n.max > LARK_MAX_REPEAT)) {
          this.fail(`repetition bound exceeds ${LARK_MAX_REPEAT}`, n.tok.offset);
        }
        if (n.min > n.max) this.fail(`repetition has min ${n.min} > max ${n.max}`, n.tok.offset);
        return repeat(this.expr(n.item, owner), n.min, n.max);
      }
    }
  }

  /**
   * Decodes a Lark string literal as Lark does: `\n \f \t \r \xHH \uHHHH
   * \UHHHHHHHH`, `\\` and `\"` are escapes; any other `\c` stays as the two
   * characters. Returns the text and whether the `i` flag is set.
   */
  private stringValue(tok: Token): [string, boolean] {
    const insensitive = tok.text.endsWith('i');
    const body = tok.text.slice(1, insensitive ? -2 : -1);
    let out = '';
    for (let i = 0; i < body.length; ) {
      const c = body[i]!;
      if (c !== '\\') {
        out += c;
        i++;
        continue;
      }
      const e = body[i + 1]!;
      const size = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
      if (size > 0) {
        const hex = body.slice(i + 2, i + 2 + size);
        if (!new RegExp(`^[0-9a-fA-F]{${size}}$`).test(hex)) this.fail(`expected ${size} hex digits after \\${e}`, tok.offset + 1 + i);
        const cp = parseInt(hex, 16);
        if (cp > 0x10ffff) this.fail(`code point \\${e}${hex} is beyond U+10FFFF`, tok.offset + 1 + i);
        if (cp >= 0xd800 && cp <= 0xdfff) this.fail(`surrogate code point \\${e}${hex} in a literal can never match`, tok.offset + 1 + i);
        out += String.fromCodePoint(cp);
        i += 2 + size;
        continue;
      }
      const simple: Record<string, string> = { n: '\n', f: '\f', t: '\t', r: '\r', '\\': '\\', '"': '"' };
      out += simple[e] ?? '\\' + e;
      i += 2;
    }
    return [out, insensitive];
  }

  /** `"text"i`: each code point matched case-insensitively, by the regex front-end's `i` flag. */
  private caseless(s: string, tok: Token): Expr {
    let pattern = '';
    for (const ch of s) pattern += /[A-Za-z0-9]/.test(ch) ? ch : `\\u{${ch.codePointAt(0)!.toString(16)}}`;
    return pythonDottedI(parseRegex(pattern, { mode: 'full', flags: 'i', source: this.loc(tok.offset) }));
  }

  private regex(tok: Token): Expr {
    const close = tok.text.lastIndexOf('/');
    const body = tok.text.slice(1, close);
    const flags = tok.text.slice(close + 1);
    const at = (i: number) => tok.offset + 1 + i;
    const nl = body.search(/[\r\n]/);
    if (nl >= 0 && !flags.includes('x')) this.fail('newline inside a regex (Lark allows it only with the x flag)', at(nl));
    const { pattern, flags: esFlags } = translateLarkRegex(body, flags, {
      syntax: (m, i) => this.fail(m, at(i)),
      unsupported: (f, i, d) => {
        throw new UnsupportedFeatureError(f, this.loc(at(i)), d);
      },
    });
    try {
      const e = parseRegex(pattern, { mode: 'full', flags: esFlags, source: `${this.loc(tok.offset)} ${tok.text}` });
      return esFlags.includes('i') ? pythonDottedI(e) : e;
    } catch (e) {
      if (e instanceof GrammarSyntaxError) this.fail(`invalid regex ${tok.text}: ${e.message}`, tok.offset);
      throw e;
    }
  }

  /** Lark forbids recursive terminals (they would not be regular): a syntax error at the reference closing the cycle. */
  checkTerminalCycles(): void {
    const state = new Map<string, 1 | 2>();
    const visit = (name: string): void => {
      state.set(name, 1);
      for (const { to, tok } of this.termRefs.get(name) ?? []) {
        const s = state.get(to);
        if (s === 1) this.fail(`terminal '${to}' is recursive (terminals must be regular)`, tok.offset);
        if (s === undefined) visit(to);
      }
      state.set(name, 2);
    };
    for (const name of this.termRefs.keys()) if (!state.has(name)) visit(name);
  }
}
