# nearley grammar of GBNF (llama.cpp). Regenerate the committed parser with
#   node_modules/.bin/nearleyc src/frontends/ebnf/gbnf.ne -o src/frontends/ebnf/gbnf-grammar.ts
# The grammar is unambiguous: the runner treats two parses as a bug.
@preprocessor typescript
@{%
import { gbnfLexer } from './gbnf-lexer.js';
import type { GbnfNode, GbnfRule } from './gbnf-ast.js';

const lexer = gbnfLexer();
%}
@lexer lexer

grammar -> rule:* {% (d): GbnfRule[] => d[0] %}

rule -> %define alternates {% (d): GbnfRule => ({ head: d[0], body: d[1] }) %}

alternates -> sequence {% (d): GbnfNode => d[0] %}
  | alternates %pipe sequence
    {% (d): GbnfNode => ({ k: 'alt', items: d[0].k === 'alt' ? [...d[0].items, d[2]] : [d[0], d[2]] }) %}

sequence -> items {% (d): GbnfNode => ({ k: 'seq', items: d[0] }) %}
items -> null {% (): GbnfNode[] => [] %}
  | items postfix {% (d): GbnfNode[] => [...d[0], d[1]] %}

postfix -> primary {% (d): GbnfNode => d[0] %}
  | postfix (%star | %plus | %question | %brace) {% (d): GbnfNode => ({ k: 'repeat', item: d[0], op: d[1][0] }) %}

primary -> %name {% (d): GbnfNode => ({ k: 'ref', tok: d[0] }) %}
  | %string {% (d): GbnfNode => ({ k: 'string', tok: d[0] }) %}
  | %charClass {% (d): GbnfNode => ({ k: 'class', tok: d[0] }) %}
  | %dot {% (d): GbnfNode => ({ k: 'any', tok: d[0] }) %}
  | %tokenRef {% (d): GbnfNode => ({ k: 'token', tok: d[0] }) %}
  | %lparen alternates %rparen {% (d): GbnfNode => d[1] %}
