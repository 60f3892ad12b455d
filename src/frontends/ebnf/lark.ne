# nearley grammar of the Lark-like dialect. Regenerate the committed parser with
#   node_modules/.bin/nearleyc src/frontends/ebnf/lark.ne -o src/frontends/ebnf/lark-grammar.ts
# The grammar is unambiguous: the runner treats two parses as a bug.
@preprocessor typescript
@{%
import { larkLexer } from './lark-lexer.js';
import type { LarkItem, LarkNode } from './lark-ast.js';

const lexer = larkLexer();
const rep = (item: LarkNode, tok: any, min: number, max: number): LarkNode => ({ k: 'repeat', item, min, max, tok });
const num = (tok: any): number => Number(tok.value);
%}
@lexer lexer

grammar -> item:* {% (d): LarkItem[] => d[0] %}

item -> %head expansions {% (d): LarkItem => ({ k: 'def', head: d[0], body: d[1] }) %}
  | %kwIgnore expansions {% (d): LarkItem => ({ k: 'ignore', tok: d[0], body: d[1] }) %}
  | %kwImport path
    {% (d): LarkItem => ({ k: 'import', tok: d[0], dot: d[1][0], path: d[1][1], alias: null, names: null }) %}
  | %kwImport path %arrow %name
    {% (d): LarkItem => ({ k: 'import', tok: d[0], dot: d[1][0], path: d[1][1], alias: d[3], names: null }) %}
  | %kwImport path %lparen names %rparen
    {% (d): LarkItem => ({ k: 'import', tok: d[0], dot: d[1][0], path: d[1][1], alias: null, names: d[3] }) %}

path -> %dot:? dotted {% (d) => [d[0], d[1]] %}
dotted -> %name {% (d) => [d[0]] %}
  | dotted %dot %name {% (d) => [...d[0], d[2]] %}
names -> %name {% (d) => [d[0]] %}
  | names %comma %name {% (d) => [...d[0], d[2]] %}

expansions -> alias {% (d): LarkNode => d[0] %}
  | expansions %pipe alias
    {% (d): LarkNode => ({ k: 'alt', items: d[0].k === 'alt' ? [...d[0].items, d[2]] : [d[0], d[2]] }) %}

# `-> alias` names a tree node; it does not change the language.
alias -> expansion {% (d): LarkNode => d[0] %}
  | expansion %arrow %name {% (d): LarkNode => d[0] %}

expansion -> exprs {% (d): LarkNode => ({ k: 'seq', items: d[0] }) %}
exprs -> null {% (): LarkNode[] => [] %}
  | exprs expr {% (d): LarkNode[] => [...d[0], d[1]] %}

expr -> atom {% (d): LarkNode => d[0] %}
  | atom %question {% (d) => rep(d[0], d[1], 0, 1) %}
  | atom %star {% (d) => rep(d[0], d[1], 0, Infinity) %}
  | atom %plus {% (d) => rep(d[0], d[1], 1, Infinity) %}
  | atom %tilde %number {% (d) => rep(d[0], d[1], num(d[2]), num(d[2])) %}
  | atom %tilde %number %dotdot %number {% (d) => rep(d[0], d[1], num(d[2]), num(d[4])) %}
  | atom %lbrace %number %rbrace {% (d) => rep(d[0], d[1], num(d[2]), num(d[2])) %}
  | atom %lbrace %number %comma %rbrace {% (d) => rep(d[0], d[1], num(d[2]), Infinity) %}
  | atom %lbrace %number %comma %number %rbrace {% (d) => rep(d[0], d[1], num(d[2]), num(d[4])) %}

atom -> %lparen expansions %rparen {% (d): LarkNode => d[1] %}
  | %lbrack expansions %rbrack {% (d) => rep(d[1], d[0], 0, 1) %}
  | value {% (d): LarkNode => d[0] %}

value -> %name {% (d): LarkNode => ({ k: 'name', tok: d[0] }) %}
  | %string {% (d): LarkNode => ({ k: 'string', tok: d[0] }) %}
  | %regexp {% (d): LarkNode => ({ k: 'regexp', tok: d[0] }) %}
  | %string %dotdot %string {% (d): LarkNode => ({ k: 'range', lo: d[0], hi: d[2] }) %}
  | %special {% (d): LarkNode => ({ k: 'special', tok: d[0] }) %}
  | %name %lbrace templateArgs %rbrace {% (d): LarkNode => ({ k: 'template', tok: d[0] }) %}

templateArgs -> templateArg | templateArgs %comma templateArg
templateArg -> %name | %string | %regexp
