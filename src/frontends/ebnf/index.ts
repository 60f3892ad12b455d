/**
 * EBNF front-ends: GBNF (llama.cpp) and a Lark-like dialect, both producing
 * the grammar IR. Parsing uses moo lexers and nearley grammars (`gbnf.ne`,
 * `lark.ne`, compiled to the committed `*-grammar.ts` modules; regenerate with
 * `node_modules/.bin/nearleyc src/frontends/ebnf/gbnf.ne -o src/frontends/ebnf/gbnf-grammar.ts`
 * and likewise for `lark`; test/frontends/ebnf/generated.test.ts checks they are current).
 */
export { GBNF_MAX_REPEAT, parseGbnf, type GbnfOptions } from './gbnf.js';
export { LARK_IGNORE_RULE, LARK_MAX_REPEAT, LARK_START_RULE, parseLark, type LarkOptions } from './lark.js';
export { LARK_COMMON } from './lark-common.js';
export { detectDialect, parseEbnf, type EbnfDialect, type EbnfOptions } from './dialect.js';
