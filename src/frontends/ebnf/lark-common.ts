/**
 * Our definitions of the terminals of Lark's `common.lark`, for
 * `%import common.NAME`. Each is a self-contained IR expression (no
 * references), written from common.lark's definitions. Where common.lark uses
 * lazy regexes (`/.*?/`) and lookbehind, the definition below is the language
 * of the whole lexeme as Lark's lexer matches it:
 * - `ESCAPED_STRING`: `"` then any characters but newline, `"` only escaped
 *   (`\` followed by any character but newline), then `"`.
 * - `_STRING_INNER`: any characters but newline; `_STRING_ESC_INNER`: the
 *   inside of `ESCAPED_STRING`.
 * - `C_COMMENT`: `/*` ... `*\/` with no `*\/` inside.
 */
import { alt, charClass, literal, notClass, optional, plus, seq, star, type Expr } from '../../ir/expr.js';

const cls = (s: string): Expr => {
  const r: number[] = [];
  for (const ch of s) r.push(ch.codePointAt(0)!, ch.codePointAt(0)!);
  return charClass(r);
};
const DIGIT = charClass([0x30, 0x39]);
const HEXDIGIT = charClass([0x30, 0x39, 0x41, 0x46, 0x61, 0x66]);
const LCASE = charClass([0x61, 0x7a]);
const UCASE = charClass([0x41, 0x5a]);
const LETTER = charClass([0x41, 0x5a, 0x61, 0x7a]);
const SIGN = optional(cls('+-'));
const INT = plus(DIGIT);
const SIGNED_INT = seq(SIGN, INT);
const DECIMAL = alt(seq(INT, literal('.'), optional(INT)), seq(literal('.'), INT));
const EXP = seq(cls('eE'), SIGNED_INT);
const FLOAT = alt(seq(INT, EXP), seq(DECIMAL, optional(EXP)));
const NUMBER = alt(FLOAT, INT);
const NOT_NL = notClass([0x0a, 0x0a]);
const STRING_ESC_INNER = star(alt(notClass([0x0a, 0x0a, 0x22, 0x22, 0x5c, 0x5c]), seq(literal('\\'), NOT_NL)));
const CR = literal('\r');
const LF = literal('\n');

/** Terminals importable with `%import common.NAME`, by name. */
export const LARK_COMMON: ReadonlyMap<string, Expr> = new Map<string, Expr>([
  ['DIGIT', DIGIT],
  ['HEXDIGIT', HEXDIGIT],
  ['INT', INT],
  ['SIGNED_INT', SIGNED_INT],
  ['DECIMAL', DECIMAL],
  ['_EXP', EXP],
  ['FLOAT', FLOAT],
  ['SIGNED_FLOAT', seq(SIGN, FLOAT)],
  ['NUMBER', NUMBER],
  ['SIGNED_NUMBER', seq(SIGN, NUMBER)],
  ['_STRING_INNER', star(NOT_NL)],
  ['_STRING_ESC_INNER', STRING_ESC_INNER],
  ['ESCAPED_STRING', seq(literal('"'), STRING_ESC_INNER, literal('"'))],
  ['LCASE_LETTER', LCASE],
  ['UCASE_LETTER', UCASE],
  ['LETTER', LETTER],
  ['WORD', plus(LETTER)],
  ['CNAME', seq(alt(literal('_'), LETTER), star(alt(literal('_'), LETTER, DIGIT)))],
  ['WS_INLINE', plus(cls(' \t'))],
  ['WS', plus(cls(' \t\f\r\n'))],
  ['CR', CR],
  ['LF', LF],
  ['NEWLINE', plus(seq(optional(CR), LF))],
  ['SH_COMMENT', seq(literal('#'), star(NOT_NL))],
  ['CPP_COMMENT', seq(literal('//'), star(NOT_NL))],
  // "/*" ([^*] | "*"+ [^*/])* "*"+ "/"
  ['C_COMMENT', seq(literal('/*'), star(alt(notClass([0x2a, 0x2a]), seq(plus(literal('*')), notClass([0x2a, 0x2a, 0x2f, 0x2f])))), plus(literal('*')), literal('/'))],
  ['SQL_COMMENT', seq(literal('--'), star(NOT_NL))],
]);
