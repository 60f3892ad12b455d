/**
 * Real-world patterns: every `pattern` / `patternProperties` key in the
 * JSONSchemaBench dev slice (../shared, skipped when absent). Each either
 * parses or fails with a typed error; syntax errors exactly where Node's
 * RegExp (u flag) rejects the pattern too; and on strings sampled from the
 * language, plus mutations, the oracle agrees with `new RegExp(p, 'u').test`.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { expect, it } from 'vitest';
import { ConstrainError, GrammarSyntaxError } from '../../../src/errors.js';
import { parseRegex } from '../../../src/frontends/regex/index.js';
import type { Expr } from '../../../src/ir/expr.js';
import { GrammarOracle } from '../../../src/testing/oracle.js';
import { describeShared, sharedPath } from '../../shared.js';
import { NoSample, mutate, rng, sampleExpr } from './sample.js';

const DIR = 'data/jsonschemabench-dev';

function collectPatterns(): string[] {
  const pats = new Set<string>();
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) return x.forEach(walk);
    if (x === null || typeof x !== 'object') return;
    const o = x as Record<string, unknown>;
    if (typeof o.pattern === 'string') pats.add(o.pattern);
    if (o.patternProperties && typeof o.patternProperties === 'object') for (const k of Object.keys(o.patternProperties)) pats.add(k);
    for (const v of Object.values(o)) walk(v);
  };
  for (const f of readdirSync(sharedPath(DIR)).sort()) {
    if (f.endsWith('.json')) walk((JSON.parse(readFileSync(sharedPath(`${DIR}/${f}`), 'utf8')) as { schema: unknown }).schema);
  }
  return [...pats];
}

describeShared(DIR, 'JSONSchemaBench patterns', () => {
  it('parse, or fail like RegExp, and agree with RegExp on sampled strings', () => {
    const all = collectPatterns();
    expect(all.length).toBeGreaterThan(500);
    const r = rng(11);
    const patterns = all;
    const bad: string[] = [];
    const counts = { parsed: 0, syntax: 0, unsupported: 0, cases: 0, lenient: 0 };
    // A pattern only Annex B syntax accepts: with lenient, match like `new RegExp(p)` on ASCII samples.
    const lenientCheck = (p: string): void => {
      let e: Expr;
      try {
        e = parseRegex(p, { lenient: true });
      } catch {
        return;
      }
      counts.lenient++;
      const re = new RegExp(p);
      const oracle = GrammarOracle.fromExpr(parseRegex(p, { lenient: true, mode: 'search' }));
      for (let i = 0; i < 6; i++) {
        try {
          const s = sampleExpr(r, e).replace(/[^\x00-\x7f]/g, 'a');
          for (const t of [s, mutate(r, s, ['a', '{', '}', ':', '-'])]) {
            if (oracle.accepts(t) !== re.test(t)) bad.push(`lenient ${JSON.stringify(p)}: ${JSON.stringify(t)}`);
          }
        } catch (err) {
          if (!(err instanceof NoSample)) throw err;
        }
      }
    };
    for (const p of patterns) {
      let nodeOk = true;
      try {
        new RegExp(p, 'u');
      } catch {
        nodeOk = false;
      }
      let e: Expr;
      try {
        e = parseRegex(p);
      } catch (err) {
        if (!(err instanceof ConstrainError)) throw err;
        const syntax = err instanceof GrammarSyntaxError;
        if (syntax) counts.syntax++;
        else counts.unsupported++;
        if (syntax === nodeOk) bad.push(`${JSON.stringify(p)}: ${err.message}`);
        if (syntax) lenientCheck(p);
        continue;
      }
      counts.parsed++;
      if (!nodeOk) bad.push(`${JSON.stringify(p)}: parsed, RegExp rejects it`);
      const search = new RegExp(p, 'u');
      const oracle = GrammarOracle.fromExpr(parseRegex(p, { mode: 'search' }));
      const alphabet = ['a', 'Z', '0', '-', '.', '/', ' ', '_', '@', ':', 'é'];
      for (let i = 0; i < 4; i++) {
        let s: string;
        try {
          s = sampleExpr(r, e);
        } catch (err) {
          if (err instanceof NoSample) continue;
          throw err;
        }
        if (Array.from(s).length > 40) continue;
        if (!search.test(s)) bad.push(`${JSON.stringify(p)}: sample ${JSON.stringify(s)} not matched by RegExp`);
        for (const t of [s, mutate(r, s, alphabet), mutate(r, mutate(r, s, alphabet), alphabet)]) {
          counts.cases++;
          if (oracle.accepts(t) !== search.test(t)) bad.push(`${JSON.stringify(p)}: ${JSON.stringify(t)}`);
        }
      }
    }
    expect(bad.slice(0, 10)).toEqual([]);
    expect(counts.parsed).toBeGreaterThan(patterns.length * 0.9);
    expect(counts.lenient).toBe(counts.syntax);
  });
});
