/**
 * The JSON Schema front-end over the MaskBench dev slice, at the IR level:
 * how many schemas convert, which keywords stop the others, and (with
 * --check N) whether the first N schemas' instances, serialized as Python's
 * json.dumps does, are accepted by the GrammarOracle iff they are valid.
 *
 *   npx vite-node bench/conformance-maskbench.ts [--dir DIR] [--check N] [--max-chars C] [--json]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConstrainError, LimitExceededError, UnsupportedFeatureError } from '../src/errors.js';
import { jsonSchemaToGrammar } from '../src/frontends/json-schema/index.js';
import type { Expr, Grammar } from '../src/ir/expr.js';
import { GrammarOracle } from '../src/testing/oracle.js';
import { pyDumps } from '../test/frontends/json-schema/helpers.js';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const shared = process.env.CONSTRAIN_SHARED ?? join(process.cwd(), '..', 'shared');
const dir = opt('--dir') ?? join(shared, 'data', 'jsonschemabench-dev');
const check = Number(opt('--check') ?? '0');
const maxChars = Number(opt('--max-chars') ?? '400');

const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
const reasons = new Map<string, number>();
let ok = 0;
let unsupported = 0;
let limit = 0;
let errors = 0;
let checked = 0;
let pass = 0;
let fp = 0;
let fn = 0;
let skipped = 0;
let oracleSkipped = 0;
const maxOracle = Number(opt('--max-oracle') ?? '200000');

/** Rough size of the oracle's expansion (repeats expand linearly in their bounds). */
function oracleSize(g: Grammar): number {
  const memo = new Map<Expr, number>();
  const size = (e: Expr): number => {
    const hit = memo.get(e);
    if (hit !== undefined) return hit;
    let n = 1;
    switch (e.kind) {
      case 'seq':
      case 'alt':
        for (const x of e.items) n += size(x);
        break;
      case 'repeat':
        n += size(e.item) * Math.min(e.max === Infinity ? e.min + 1 : e.max, 1e7);
        break;
      default:
        break;
    }
    memo.set(e, n);
    return n;
  };
  let total = 0;
  for (const e of g.rules.values()) total += size(e);
  return total;
}
const ms: number[] = [];
const fpList: string[] = [];
for (const f of files) {
  const j = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { schema: unknown; tests: { data: unknown; valid: boolean }[] };
  const t0 = performance.now();
  let grammar;
  try {
    grammar = jsonSchemaToGrammar(j.schema, { whitespace: (opt('--whitespace') ?? 'maskbench') as 'maskbench' }).grammar;
    ok++;
  } catch (e) {
    const key =
      e instanceof UnsupportedFeatureError ? `unsupported ${e.feature}: ${e.message.replace(/^.*?: /, '').replace(/at \S+/g, '').slice(0, 70)}` : e instanceof LimitExceededError ? `limit ${e.limit}` : `error ${(e as Error).message.slice(0, 80)}`;
    if (e instanceof UnsupportedFeatureError) unsupported++;
    else if (e instanceof LimitExceededError) limit++;
    else {
      errors++;
      if (!(e instanceof ConstrainError)) console.error(f, e);
    }
    reasons.set(key, (reasons.get(key) ?? 0) + 1);
    continue;
  } finally {
    ms.push(performance.now() - t0);
  }
  if (checked < check) {
    if (oracleSize(grammar) > maxOracle) {
      oracleSkipped++;
      continue;
    }
    checked++;
    const o = new GrammarOracle(grammar);
    for (const t of j.tests) {
      const text = pyDumps(t.data);
      if (text.length > maxChars) {
        skipped++;
        continue;
      }
      const acc = o.accepts(text);
      if (acc === t.valid) pass++;
      else if (acc) {
        fp++;
        fpList.push(`${f}: ${text.slice(0, 100)}`);
      } else {
        fn++;
        if (args.includes('--verbose')) console.log(`FALSE NEGATIVE ${f}: ${text.slice(0, 160)}`);
      }
    }
  }
}
ms.sort((a, b) => a - b);
console.log(`schemas ${files.length}: converted ${ok}, unsupported ${unsupported}, limit ${limit}, error ${errors}`);
console.log(`convert ms: p50 ${ms[Math.floor(ms.length / 2)]!.toFixed(2)} p99 ${ms[Math.floor(ms.length * 0.99)]!.toFixed(1)} max ${ms[ms.length - 1]!.toFixed(1)}`);
for (const [k, v] of [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`${String(v).padStart(5)}  ${k}`);
if (check) console.log(`instances of ${checked} schemas: pass ${pass}, false positive ${fp}, false negative ${fn}, skipped (> ${maxChars} chars) ${skipped}; schemas skipped (oracle too large) ${oracleSkipped}`);
for (const x of fpList) console.log('FALSE POSITIVE ' + x);
