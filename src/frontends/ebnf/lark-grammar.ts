// Generated automatically by nearley, version 2.20.1
// http://github.com/Hardmath123/nearley
// Bypasses TS6133. Allow declared but unused functions.
// @ts-ignore
function id(d: any[]): any { return d[0]; }
declare var head: any;
declare var kwIgnore: any;
declare var kwImport: any;
declare var arrow: any;
declare var name: any;
declare var lparen: any;
declare var rparen: any;
declare var dot: any;
declare var comma: any;
declare var pipe: any;
declare var question: any;
declare var star: any;
declare var plus: any;
declare var tilde: any;
declare var number: any;
declare var dotdot: any;
declare var lbrace: any;
declare var rbrace: any;
declare var lbrack: any;
declare var rbrack: any;
declare var string: any;
declare var regexp: any;
declare var special: any;

import { larkLexer } from './lark-lexer.js';
import type { LarkItem, LarkNode } from './lark-ast.js';

const lexer = larkLexer();
const rep = (item: LarkNode, tok: any, min: number, max: number): LarkNode => ({ k: 'repeat', item, min, max, tok });
const num = (tok: any): number => Number(tok.value);

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
    {"name": "grammar$ebnf$1", "symbols": ["grammar$ebnf$1", "item"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "grammar", "symbols": ["grammar$ebnf$1"], "postprocess": (d): LarkItem[] => d[0]},
    {"name": "item", "symbols": [(lexer.has("head") ? {type: "head"} : head), "expansions"], "postprocess": (d): LarkItem => ({ k: 'def', head: d[0], body: d[1] })},
    {"name": "item", "symbols": [(lexer.has("kwIgnore") ? {type: "kwIgnore"} : kwIgnore), "expansions"], "postprocess": (d): LarkItem => ({ k: 'ignore', tok: d[0], body: d[1] })},
    {"name": "item", "symbols": [(lexer.has("kwImport") ? {type: "kwImport"} : kwImport), "path"], "postprocess": (d): LarkItem => ({ k: 'import', tok: d[0], dot: d[1][0], path: d[1][1], alias: null, names: null })},
    {"name": "item", "symbols": [(lexer.has("kwImport") ? {type: "kwImport"} : kwImport), "path", (lexer.has("arrow") ? {type: "arrow"} : arrow), (lexer.has("name") ? {type: "name"} : name)], "postprocess": (d): LarkItem => ({ k: 'import', tok: d[0], dot: d[1][0], path: d[1][1], alias: d[3], names: null })},
    {"name": "item", "symbols": [(lexer.has("kwImport") ? {type: "kwImport"} : kwImport), "path", (lexer.has("lparen") ? {type: "lparen"} : lparen), "names", (lexer.has("rparen") ? {type: "rparen"} : rparen)], "postprocess": (d): LarkItem => ({ k: 'import', tok: d[0], dot: d[1][0], path: d[1][1], alias: null, names: d[3] })},
    {"name": "path$ebnf$1", "symbols": [(lexer.has("dot") ? {type: "dot"} : dot)], "postprocess": id},
    {"name": "path$ebnf$1", "symbols": [], "postprocess": () => null},
    {"name": "path", "symbols": ["path$ebnf$1", "dotted"], "postprocess": (d) => [d[0], d[1]]},
    {"name": "dotted", "symbols": [(lexer.has("name") ? {type: "name"} : name)], "postprocess": (d) => [d[0]]},
    {"name": "dotted", "symbols": ["dotted", (lexer.has("dot") ? {type: "dot"} : dot), (lexer.has("name") ? {type: "name"} : name)], "postprocess": (d) => [...d[0], d[2]]},
    {"name": "names", "symbols": [(lexer.has("name") ? {type: "name"} : name)], "postprocess": (d) => [d[0]]},
    {"name": "names", "symbols": ["names", (lexer.has("comma") ? {type: "comma"} : comma), (lexer.has("name") ? {type: "name"} : name)], "postprocess": (d) => [...d[0], d[2]]},
    {"name": "expansions", "symbols": ["alias"], "postprocess": (d): LarkNode => d[0]},
    {"name": "expansions", "symbols": ["expansions", (lexer.has("pipe") ? {type: "pipe"} : pipe), "alias"], "postprocess": (d): LarkNode => ({ k: 'alt', items: d[0].k === 'alt' ? [...d[0].items, d[2]] : [d[0], d[2]] })},
    {"name": "alias", "symbols": ["expansion"], "postprocess": (d): LarkNode => d[0]},
    {"name": "alias", "symbols": ["expansion", (lexer.has("arrow") ? {type: "arrow"} : arrow), (lexer.has("name") ? {type: "name"} : name)], "postprocess": (d): LarkNode => d[0]},
    {"name": "expansion", "symbols": ["exprs"], "postprocess": (d): LarkNode => ({ k: 'seq', items: d[0] })},
    {"name": "exprs", "symbols": [], "postprocess": (): LarkNode[] => []},
    {"name": "exprs", "symbols": ["exprs", "expr"], "postprocess": (d): LarkNode[] => [...d[0], d[1]]},
    {"name": "expr", "symbols": ["atom"], "postprocess": (d): LarkNode => d[0]},
    {"name": "expr", "symbols": ["atom", (lexer.has("question") ? {type: "question"} : question)], "postprocess": (d) => rep(d[0], d[1], 0, 1)},
    {"name": "expr", "symbols": ["atom", (lexer.has("star") ? {type: "star"} : star)], "postprocess": (d) => rep(d[0], d[1], 0, Infinity)},
    {"name": "expr", "symbols": ["atom", (lexer.has("plus") ? {type: "plus"} : plus)], "postprocess": (d) => rep(d[0], d[1], 1, Infinity)},
    {"name": "expr", "symbols": ["atom", (lexer.has("tilde") ? {type: "tilde"} : tilde), (lexer.has("number") ? {type: "number"} : number)], "postprocess": (d) => rep(d[0], d[1], num(d[2]), num(d[2]))},
    {"name": "expr", "symbols": ["atom", (lexer.has("tilde") ? {type: "tilde"} : tilde), (lexer.has("number") ? {type: "number"} : number), (lexer.has("dotdot") ? {type: "dotdot"} : dotdot), (lexer.has("number") ? {type: "number"} : number)], "postprocess": (d) => rep(d[0], d[1], num(d[2]), num(d[4]))},
    {"name": "expr", "symbols": ["atom", (lexer.has("lbrace") ? {type: "lbrace"} : lbrace), (lexer.has("number") ? {type: "number"} : number), (lexer.has("rbrace") ? {type: "rbrace"} : rbrace)], "postprocess": (d) => rep(d[0], d[1], num(d[2]), num(d[2]))},
    {"name": "expr", "symbols": ["atom", (lexer.has("lbrace") ? {type: "lbrace"} : lbrace), (lexer.has("number") ? {type: "number"} : number), (lexer.has("comma") ? {type: "comma"} : comma), (lexer.has("rbrace") ? {type: "rbrace"} : rbrace)], "postprocess": (d) => rep(d[0], d[1], num(d[2]), Infinity)},
    {"name": "expr", "symbols": ["atom", (lexer.has("lbrace") ? {type: "lbrace"} : lbrace), (lexer.has("number") ? {type: "number"} : number), (lexer.has("comma") ? {type: "comma"} : comma), (lexer.has("number") ? {type: "number"} : number), (lexer.has("rbrace") ? {type: "rbrace"} : rbrace)], "postprocess": (d) => rep(d[0], d[1], num(d[2]), num(d[4]))},
    {"name": "atom", "symbols": [(lexer.has("lparen") ? {type: "lparen"} : lparen), "expansions", (lexer.has("rparen") ? {type: "rparen"} : rparen)], "postprocess": (d): LarkNode => d[1]},
    {"name": "atom", "symbols": [(lexer.has("lbrack") ? {type: "lbrack"} : lbrack), "expansions", (lexer.has("rbrack") ? {type: "rbrack"} : rbrack)], "postprocess": (d) => rep(d[1], d[0], 0, 1)},
    {"name": "atom", "symbols": ["value"], "postprocess": (d): LarkNode => d[0]},
    {"name": "value", "symbols": [(lexer.has("name") ? {type: "name"} : name)], "postprocess": (d): LarkNode => ({ k: 'name', tok: d[0] })},
    {"name": "value", "symbols": [(lexer.has("string") ? {type: "string"} : string)], "postprocess": (d): LarkNode => ({ k: 'string', tok: d[0] })},
    {"name": "value", "symbols": [(lexer.has("regexp") ? {type: "regexp"} : regexp)], "postprocess": (d): LarkNode => ({ k: 'regexp', tok: d[0] })},
    {"name": "value", "symbols": [(lexer.has("string") ? {type: "string"} : string), (lexer.has("dotdot") ? {type: "dotdot"} : dotdot), (lexer.has("string") ? {type: "string"} : string)], "postprocess": (d): LarkNode => ({ k: 'range', lo: d[0], hi: d[2] })},
    {"name": "value", "symbols": [(lexer.has("special") ? {type: "special"} : special)], "postprocess": (d): LarkNode => ({ k: 'special', tok: d[0] })},
    {"name": "value", "symbols": [(lexer.has("name") ? {type: "name"} : name), (lexer.has("lbrace") ? {type: "lbrace"} : lbrace), "templateArgs", (lexer.has("rbrace") ? {type: "rbrace"} : rbrace)], "postprocess": (d): LarkNode => ({ k: 'template', tok: d[0] })},
    {"name": "templateArgs", "symbols": ["templateArg"]},
    {"name": "templateArgs", "symbols": ["templateArgs", (lexer.has("comma") ? {type: "comma"} : comma), "templateArg"]},
    {"name": "templateArg", "symbols": [(lexer.has("name") ? {type: "name"} : name)]},
    {"name": "templateArg", "symbols": [(lexer.has("string") ? {type: "string"} : string)]},
    {"name": "templateArg", "symbols": [(lexer.has("regexp") ? {type: "regexp"} : regexp)]}
  ],
  ParserStart: "grammar",
};

export default grammar;
