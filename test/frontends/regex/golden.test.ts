/**
 * Golden tests: the printed IR (printExpr) of simple patterns. Unicode
 * property tables are left out (they follow Node's Unicode version).
 */
import { describe, expect, it } from 'vitest';
import { parseRegex, type RegexOptions } from '../../../src/frontends/regex/index.js';
import { printExpr } from '../../../src/ir/expr.js';

const GOLDEN: readonly (readonly [string, RegexOptions, string])[] = [
  ["abc",{},"\"abc\""],
  ["a|bc*",{},"\"a\" | \"b\" \"c\"*"],
  ["^\\d{3}-\\d{2,}$",{},"[0-9]{3} \"-\" [0-9]{2,}"],
  ["(?:ab|cd)+?e?",{},"(\"ab\" | \"cd\")+ \"e\"?"],
  ["[^a-z_]\\s",{},"[\\x00-\\x5e`{-\\u{10ffff}] [\\x09-\\x0d\\x20\\xa0\\u{1680}\\u{2000}-\\u{200a}\\u{2028}-\\u{2029}\\u{202f}\\u{205f}\\u{3000}\\u{feff}]"],
  ["(^a|b)c",{"mode":"search"},"[\\x00-\\u{10ffff}]* \"bc\" [\\x00-\\u{10ffff}]* | \"ac\" [\\x00-\\u{10ffff}]*"],
  ["a^b",{},"[]"],
  ["a$|^b",{"mode":"search"},"\"b\" [\\x00-\\u{10ffff}]* | [\\x00-\\u{10ffff}]* \"a\""],
  ["(?:x(?:$|y))*",{},"\"xy\"* | \"xy\"* \"x\""],
  ["^ab|cd$",{"mode":"search"},"\"ab\" [\\x00-\\u{10ffff}]* | [\\x00-\\u{10ffff}]* \"cd\""],
  ["x",{"mode":"search"},"[\\x00-\\u{10ffff}]* \"x\" [\\x00-\\u{10ffff}]*"],
  ["",{"mode":"search"},"[\\x00-\\u{10ffff}]*"],
  ["k[a-c]",{"flags":"i"},"[Kk\\u{212a}] [A-Ca-c]"],
  [".",{},"[\\x00-\\x09\\x0b-\\x0c\\x0e-\\u{2027}\\u{202a}-\\u{10ffff}]"],
  [".",{"flags":"s"},"[\\x00-\\u{10ffff}]"],
  ["a\\uD800|b",{},"\"b\""],
  ["[😀-😂]\\u{1F600}",{},"[\\u{1f600}-\\u{1f602}] \"😀\""],
  ["(a|b){2,5}",{},"[a-b]{2,5}"],
  ["a|[0-4]|c|[5-9]|de|a",{},"[0-9ac] | \"de\""],
];

describe('regex → IR golden', () => {
  it.each(GOLDEN)('%j %j', (p, opts, printed) => {
    expect(printExpr(parseRegex(p, opts))).toBe(printed);
  });
});
