// Generated automatically by nearley, version 2.20.1
// http://github.com/Hardmath123/nearley
// Bypasses TS6133. Allow declared but unused functions.
// @ts-ignore
function id(d: any[]): any { return d[0]; }
declare var define: any;
declare var pipe: any;
declare var star: any;
declare var plus: any;
declare var question: any;
declare var brace: any;
declare var name: any;
declare var string: any;
declare var charClass: any;
declare var dot: any;
declare var tokenRef: any;
declare var lparen: any;
declare var rparen: any;

import { gbnfLexer } from './gbnf-lexer.js';
import type { GbnfNode, GbnfRule } from './gbnf-ast.js';

const lexer = gbnfLexer();

interface NearleyToken {
  value: any;
  [key: string]: any;
};

interface NearleyLexer {
  reset: (chunk: string, info: any) => void;
  next: () => NearleyToken | undefined;
  save: () => any;
  formatError: (token: never) => string;
  has: (tokenType: string) => boolean;
};

interface NearleyRule {
  name: string;
  symbols: NearleySymbol[];
  postprocess?: (d: any[], loc?: number, reject?: {}) => any;
};

type NearleySymbol = string | { literal: any } | { test: (token: any) => boolean };

interface Grammar {
  Lexer: NearleyLexer | undefined;
  ParserRules: NearleyRule[];
  ParserStart: string;
};

const grammar: Grammar = {
  Lexer: lexer,
  ParserRules: [
    {"name": "grammar$ebnf$1", "symbols": []},
    {"name": "grammar$ebnf$1", "symbols": ["grammar$ebnf$1", "rule"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "grammar", "symbols": ["grammar$ebnf$1"], "postprocess": (d): GbnfRule[] => d[0]},
    {"name": "rule", "symbols": [(lexer.has("define") ? {type: "define"} : define), "alternates"], "postprocess": (d): GbnfRule => ({ head: d[0], body: d[1] })},
    {"name": "alternates", "symbols": ["sequence"], "postprocess": (d): GbnfNode => d[0]},
    {"name": "alternates", "symbols": ["alternates", (lexer.has("pipe") ? {type: "pipe"} : pipe), "sequence"], "postprocess": (d): GbnfNode => ({ k: 'alt', items: d[0].k === 'alt' ? [...d[0].items, d[2]] : [d[0], d[2]] })},
    {"name": "sequence", "symbols": ["items"], "postprocess": (d): GbnfNode => ({ k: 'seq', items: d[0] })},
    {"name": "items", "symbols": [], "postprocess": (): GbnfNode[] => []},
    {"name": "items", "symbols": ["items", "postfix"], "postprocess": (d): GbnfNode[] => [...d[0], d[1]]},
    {"name": "postfix", "symbols": ["primary"], "postprocess": (d): GbnfNode => d[0]},
    {"name": "postfix$subexpression$1", "symbols": [(lexer.has("star") ? {type: "star"} : star)]},
    {"name": "postfix$subexpression$1", "symbols": [(lexer.has("plus") ? {type: "plus"} : plus)]},
    {"name": "postfix$subexpression$1", "symbols": [(lexer.has("question") ? {type: "question"} : question)]},
    {"name": "postfix$subexpression$1", "symbols": [(lexer.has("brace") ? {type: "brace"} : brace)]},
    {"name": "postfix", "symbols": ["postfix", "postfix$subexpression$1"], "postprocess": (d): GbnfNode => ({ k: 'repeat', item: d[0], op: d[1][0] })},
    {"name": "primary", "symbols": [(lexer.has("name") ? {type: "name"} : name)], "postprocess": (d): GbnfNode => ({ k: 'ref', tok: d[0] })},
    {"name": "primary", "symbols": [(lexer.has("string") ? {type: "string"} : string)], "postprocess": (d): GbnfNode => ({ k: 'string', tok: d[0] })},
    {"name": "primary", "symbols": [(lexer.has("charClass") ? {type: "charClass"} : charClass)], "postprocess": (d): GbnfNode => ({ k: 'class', tok: d[0] })},
    {"name": "primary", "symbols": [(lexer.has("dot") ? {type: "dot"} : dot)], "postprocess": (d): GbnfNode => ({ k: 'any', tok: d[0] })},
    {"name": "primary", "symbols": [(lexer.has("tokenRef") ? {type: "tokenRef"} : tokenRef)], "postprocess": (d): GbnfNode => ({ k: 'token', tok: d[0] })},
    {"name": "primary", "symbols": [(lexer.has("lparen") ? {type: "lparen"} : lparen), "alternates", (lexer.has("rparen") ? {type: "rparen"} : rparen)], "postprocess": (d): GbnfNode => d[1]}
  ],
  ParserStart: "grammar",
};

export default grammar;
