/**
 * Glue between moo lexers and nearley parsers shared by the GBNF and Lark
 * front-ends: a token stream that drops trivia (spaces, comments, newlines)
 * and turns lexer and parser failures into {@link GrammarSyntaxError}s that
 * carry `line:column`.
 */
import moo from 'moo';
import nearley from 'nearley';
import { GrammarSyntaxError, locate } from '../../errors.js';

/** A moo token as the parsers see it. */
export type Token = moo.Token;

/** Options of {@link runParser}. */
export interface RunOptions {
  /** File name or label for error locations. */
  source?: string;
  /** Token types that are trivia and never reach the parser. */
  skip: ReadonlySet<string>;
  /** Human names of token types, for "expected ..." messages. */
  names: Readonly<Record<string, string>>;
  /**
   * Called on every token before the parser sees it; may throw a typed error
   * (unterminated literals, unsupported directives).
   */
  check?: (tok: Token) => void;
}

/** Location of `offset` in `text` as a {@link GrammarSyntaxError} wants it. */
export function where(text: string, offset: number, source?: string): string {
  const loc = locate(text, offset, source);
  return `${source ? source + ':' : ''}${loc.line}:${loc.column}`;
}

/** Throws a {@link GrammarSyntaxError} at `offset` of `text`. */
export function syntaxError(message: string, text: string, offset: number, source?: string): never {
  throw new GrammarSyntaxError(message, locate(text, offset, source));
}

/** nearley lexer over a moo lexer that drops trivia and reports lexer errors as typed errors. */
class TriviaFilter implements nearley.Lexer {
  private text = '';
  /** The typed error thrown from `next()`: nearley rewraps lexer errors, so the runner rethrows this one. */
  failure: unknown = undefined;
  constructor(
    private readonly inner: moo.Lexer,
    private readonly opts: RunOptions,
  ) {}
  reset(chunk: string, state?: moo.LexerState): void {
    this.text = chunk;
    this.inner.reset(chunk, state);
  }
  next(): Token | undefined {
    try {
      return this.advance();
    } catch (e) {
      this.failure = e;
      throw e;
    }
  }
  private advance(): Token | undefined {
    for (;;) {
      const tok = this.inner.next();
      if (tok === undefined) return undefined;
      if (tok.type === 'error') {
        const cp = String.fromCodePoint(tok.text.codePointAt(0)!);
        syntaxError(`unexpected character ${JSON.stringify(cp)}`, this.text, tok.offset, this.opts.source);
      }
      if (this.opts.skip.has(tok.type!)) continue;
      this.opts.check?.(tok);
      return tok;
    }
  }
  save(): moo.LexerState {
    return this.inner.save();
  }
  formatError(tok: Token): string {
    return this.inner.formatError(tok);
  }
  has(type: string): boolean {
    return this.inner.has(type);
  }
}

/** Terminal symbols the parser could have accepted in its last column. */
function expectedNames(parser: nearley.Parser, names: Readonly<Record<string, string>>): string[] {
  const table = (parser as unknown as { table: { states: { rule: { symbols: unknown[] }; dot: number }[] }[] }).table;
  const column = table[parser.current];
  const out = new Set<string>();
  if (!column) return [];
  for (const st of column.states) {
    const sym = st.rule.symbols[st.dot] as { type?: string; literal?: string } | string | undefined;
    if (sym === undefined || typeof sym === 'string') continue;
    if (sym.type !== undefined) out.add(names[sym.type] ?? sym.type);
    else if (sym.literal !== undefined) out.add(JSON.stringify(sym.literal));
  }
  return [...out].sort();
}

function describe(tok: Token, names: Readonly<Record<string, string>>): string {
  const name = names[tok.type!] ?? tok.type!;
  if (name === JSON.stringify(tok.text)) return name;
  const shown = tok.text.length > 30 ? tok.text.slice(0, 27) + '...' : tok.text;
  return `${name} ${JSON.stringify(shown)}`;
}

/** nearley grammars built once per compiled rule set. */
const grammars = new WeakMap<nearley.CompiledRules, nearley.Grammar>();

/**
 * Parses `text` with a compiled nearley grammar and a moo lexer. Returns the
 * single parse. Throws {@link GrammarSyntaxError} at the offending token, or
 * at the end of the text when the input stops early. The grammars used here
 * are unambiguous; more than one parse is a bug and throws `Error`.
 */
export function runParser<T>(rules: nearley.CompiledRules, lexer: moo.Lexer, text: string, opts: RunOptions): T {
  let grammar = grammars.get(rules);
  if (!grammar) grammars.set(rules, (grammar = nearley.Grammar.fromCompiled(rules)));
  const filter = new TriviaFilter(lexer, opts);
  const parser = new nearley.Parser(grammar, { lexer: filter });
  try {
    parser.feed(text);
  } catch (e) {
    if (filter.failure !== undefined) throw filter.failure;
    const tok = (e as { token?: Token }).token;
    if (!(e instanceof Error) || tok === undefined || e.name === 'GrammarSyntaxError') throw e;
    const exp = expectedNames(parser, opts.names);
    syntaxError(
      `unexpected ${describe(tok, opts.names)}${exp.length ? '; expected ' + exp.join(', ') : ''}`,
      text,
      tok.offset,
      opts.source,
    );
  }
  if (parser.results.length === 0) {
    const exp = expectedNames(parser, opts.names);
    syntaxError(`unexpected end of grammar${exp.length ? '; expected ' + exp.join(', ') : ''}`, text, text.length, opts.source);
  }
  if (parser.results.length > 1) throw new Error(`internal: ambiguous grammar parse (${parser.results.length} parses)`);
  return parser.results[0] as T;
}
