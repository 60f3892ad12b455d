/**
 * moo lexer of the Lark-like grammar dialect. A definition head
 * `name:` / `?name.2:` / `NAME.-1:` is one token (`head`), so newlines can be
 * plain whitespace: a definition runs until the next head or directive.
 */
import moo from 'moo';

/** Token types that never reach the parser. */
export const LARK_TRIVIA: ReadonlySet<string> = new Set(['ws', 'nl', 'comment']);

/** Human names of the token types, for error messages. */
export const LARK_TOKEN_NAMES: Readonly<Record<string, string>> = {
  head: 'definition `name:`',
  templateHead: 'template definition `name{...}:`',
  kwIgnore: '%ignore',
  kwImport: '%import',
  directive: 'directive',
  name: 'name',
  string: 'string literal',
  badString: 'unterminated string literal',
  regexp: 'regular expression /.../',
  special: 'special token <...>',
  number: 'number',
  arrow: '"->"',
  dotdot: '".."',
  dot: '"."',
  lparen: '"("',
  rparen: '")"',
  lbrack: '"["',
  rbrack: '"]"',
  lbrace: '"{"',
  rbrace: '"}"',
  comma: '","',
  pipe: '"|"',
  star: '"*"',
  plus: '"+"',
  question: '"?"',
  tilde: '"~"',
};

/** Creates a fresh Lark lexer (moo lexers are stateful). */
export function larkLexer(): moo.Lexer {
  return moo.compile({
    ws: /[ \t\f]+/,
    nl: { match: /\r\n|\r|\n/, lineBreaks: true },
    comment: /(?:\/\/|#)[^\r\n]*/,
    head: /[?!]{0,2}_?[a-zA-Z][_a-zA-Z0-9]*(?:[ \t]*\.[ \t]*-?\d+)?[ \t]*:/,
    templateHead: /[?!]{0,2}_?[a-zA-Z][_a-zA-Z0-9]*[ \t]*\{[^}\r\n]*\}[ \t]*(?:\.[ \t]*-?\d+[ \t]*)?:/,
    directive: {
      match: /%[a-zA-Z_]+/,
      type: moo.keywords({ kwIgnore: '%ignore', kwImport: '%import' }),
    },
    name: /_?[a-zA-Z][_a-zA-Z0-9]*/,
    string: /"(?:[^"\\\r\n]|\\[^\r\n])*"i?/,
    badString: /"(?:[^"\\\r\n]|\\[^\r\n])*\\?/,
    regexp: { match: /\/(?:[^/\\]|\\[^])+\/[a-zA-Z]*/, lineBreaks: true },
    special: /<[^>\r\n]*>/,
    number: /\d+/,
    arrow: '->',
    dotdot: '..',
    dot: '.',
    lparen: '(',
    rparen: ')',
    lbrack: '[',
    rbrack: ']',
    lbrace: '{',
    rbrace: '}',
    comma: ',',
    pipe: '|',
    star: '*',
    plus: '+',
    question: '?',
    tilde: '~',
    error: moo.error,
  });
}
