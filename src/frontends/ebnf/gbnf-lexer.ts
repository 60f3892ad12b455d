/**
 * moo lexer of GBNF (llama.cpp's grammar format). Literals, character
 * classes and `{m,n}` bounds are single tokens whose insides the front-end
 * decodes itself, so escape errors point at the exact character.
 *
 * A rule head `name ::=` is one token (`define`): that is what lets newlines
 * be plain whitespace, a rule running until the next head.
 */
import moo from 'moo';

/** Token types that never reach the parser. */
export const GBNF_TRIVIA: ReadonlySet<string> = new Set(['ws', 'nl', 'comment']);

/** Human names of the token types, for error messages. */
export const GBNF_TOKEN_NAMES: Readonly<Record<string, string>> = {
  define: 'rule definition `name ::=`',
  name: 'rule name',
  string: 'string literal',
  badString: 'unterminated string literal',
  charClass: 'character class',
  badClass: 'unterminated character class',
  brace: 'repetition `{m,n}`',
  tokenRef: 'token reference `<...>`',
  lparen: '"("',
  rparen: '")"',
  pipe: '"|"',
  star: '"*"',
  plus: '"+"',
  question: '"?"',
  dot: '"."',
};

/** Creates a fresh GBNF lexer (moo lexers are stateful). */
export function gbnfLexer(): moo.Lexer {
  return moo.compile({
    ws: /[ \t]+/,
    nl: { match: /\r\n|\r|\n/, lineBreaks: true },
    comment: /#[^\r\n]*/,
    define: { match: /[A-Za-z0-9_-]+[ \t]*::=/, value: (s: string) => s.replace(/[ \t]*::=$/, '') },
    name: /[A-Za-z0-9_-]+/,
    string: { match: /"(?:[^"\\]|\\[^])*"/, lineBreaks: true },
    badString: { match: /"(?:[^"\\]|\\[^])*\\?/, lineBreaks: true },
    charClass: { match: /\[(?:[^\]\\]|\\[^])*\]/, lineBreaks: true },
    badClass: { match: /\[(?:[^\]\\]|\\[^])*\\?/, lineBreaks: true },
    brace: /\{[^}\r\n]*\}/,
    tokenRef: /!?<[^>\r\n]*>/,
    lparen: '(',
    rparen: ')',
    pipe: '|',
    star: '*',
    plus: '+',
    question: '?',
    dot: '.',
    error: moo.error,
  });
}
