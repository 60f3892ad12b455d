/**
 * Number grammars against exact decimal arithmetic: for random bounds and
 * random number texts, the grammar accepts a text iff its value is in range
 * (plain texts always; exponent texts only where the grammar promises them).
 */
import { describe, expect, test } from 'vitest';
import { compareDec, integerRange, numberRange, toDecimal, type Bound, type SignedDec } from '../../../src/frontends/json-schema/numbers.js';
import { GrammarOracle } from '../../../src/testing/oracle.js';
import { rng } from '../../random.js';


/** Exact value of a plain JSON number text. */
function parsePlain(text: string): SignedDec {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text)!;
  return { neg: m[1] === '-' && /[1-9]/.test(text), int: BigInt(m[2]!), frac: (m[3] ?? '').replace(/0+$/, '') };
}

function inRange(v: SignedDec, lo: Bound | null, hi: Bound | null): boolean {
  if (lo) {
    const c = compareDec(v, lo.value);
    if (c < 0 || (c === 0 && lo.exclusive)) return false;
  }
  if (hi) {
    const c = compareDec(v, hi.value);
    if (c > 0 || (c === 0 && hi.exclusive)) return false;
  }
  return true;
}

function randomText(r: () => number): string {
  const digits = (n: number): string => Array.from({ length: n }, () => String(Math.floor(r() * 10))).join('');
  const intPart = r() < 0.3 ? '0' : String(1 + Math.floor(r() * 9)) + digits(Math.floor(r() * 4));
  const frac = r() < 0.5 ? '' : '.' + digits(1 + Math.floor(r() * 4));
  return (r() < 0.4 ? '-' : '') + intPart + frac;
}

function randomBound(r: () => number): Bound | null {
  if (r() < 0.2) return null;
  const x = Number((r() * 200 - 100).toFixed(Math.floor(r() * 4)));
  return { value: toDecimal(r() < 0.15 ? 0 : x), exclusive: r() < 0.5 };
}

describe('numberRange', () => {
  test('plain texts: accepted iff the value is in range (random bounds)', () => {
    const r = rng(7);
    for (let round = 0; round < 60; round++) {
      const lo = randomBound(r);
      const hi = randomBound(r);
      const o = GrammarOracle.fromExpr(numberRange(lo, hi).expr);
      for (let i = 0; i < 40; i++) {
        const t = randomText(r);
        expect(o.accepts(t), `${t} in ${JSON.stringify([lo, hi], (_, v) => (typeof v === 'bigint' ? String(v) : v))}`).toBe(inRange(parsePlain(t), lo, hi));
      }
    }
  });

  test('bound values and their neighbours', () => {
    const lo: Bound = { value: toDecimal(1.25), exclusive: true };
    const hi: Bound = { value: toDecimal(3), exclusive: false };
    const o = GrammarOracle.fromExpr(numberRange(lo, hi).expr);
    const cases: [string, boolean][] = [
      ['1.25', false],
      ['1.250', false],
      ['1.2500001', true],
      ['1.26', true],
      ['3', true],
      ['3.000', true],
      ['3.0001', false],
      ['2', true],
      ['1', false],
      ['-2', false],
      ['3e0', true],
      ['3.0001e0', false],
      ['1.25e0', false],
      ['2.5E-0', true],
      ['30e-1', false],
    ];
    for (const [t, ok] of cases) expect(o.accepts(t), t).toBe(ok);
  });

  test('exponent forms where the bound is zero', () => {
    const pos = GrammarOracle.fromExpr(numberRange({ value: toDecimal(0), exclusive: true }, null).expr);
    for (const [t, ok] of [['1e-7', true], ['0e5', false], ['0.0', false], ['-1e3', false], ['2.5E+10', true], ['0.00001', true]] as const) {
      expect(pos.accepts(t), t).toBe(ok);
    }
    const r = numberRange(null, null);
    expect(r.restricted).toBe(false);
    const any = GrammarOracle.fromExpr(r.expr);
    for (const t of ['0', '-0', '1.5e-3', '10E+2', '-0.0e0']) expect(any.accepts(t), t).toBe(true);
    for (const t of ['01', '1.', '.5', '+1', '1e', '--1', '1.e5', 'NaN']) expect(any.accepts(t), t).toBe(false);
  });
});

describe('normalized exponent forms under decimal bounds', () => {
  test('random bounds vs exact comparison', () => {
    const r = rng(23);
    for (let round = 0; round < 40; round++) {
      const lo = randomBound(r);
      const hi = randomBound(r);
      const o = GrammarOracle.fromExpr(numberRange(lo, hi).expr);
      for (let i = 0; i < 30; i++) {
        const mant = String(1 + Math.floor(r() * 9)) + (r() < 0.5 ? '' : '.' + String(Math.floor(r() * 1000)).padStart(3, '0'));
        const e = Math.floor(r() * 8) - 4;
        const sign = r() < 0.4 ? '-' : '';
        const text = `${sign}${mant}e${e < 0 ? '-' : r() < 0.5 ? '+' : ''}${r() < 0.2 ? '0' : ''}${Math.abs(e)}`;
        const value = toDecimal(Number(text));
        expect(o.accepts(text), `${text} in ${JSON.stringify([lo, hi], (_, v) => (typeof v === 'bigint' ? String(v) : v))}`).toBe(inRange(value, lo, hi));
      }
    }
  });
});

describe('integerRange', () => {
  test('random ranges vs BigInt comparison', () => {
    const r = rng(11);
    for (let round = 0; round < 60; round++) {
      const a = BigInt(Math.floor(r() * 4000 - 2000));
      const b = a + BigInt(Math.floor(r() * 3000));
      const lo = r() < 0.2 ? null : a;
      const hi = r() < 0.2 ? null : b;
      const o = GrammarOracle.fromExpr(integerRange(lo, hi));
      for (let i = 0; i < 30; i++) {
        const x = BigInt(Math.floor(r() * 10000 - 5000));
        const ok = (lo === null || x >= lo) && (hi === null || x <= hi);
        expect(o.accepts(x.toString()), `${x} in [${lo}, ${hi}]`).toBe(ok);
        expect(o.accepts(`${x}.00`), `${x}.00 in [${lo}, ${hi}]`).toBe(ok);
      }
      expect(o.accepts('-0')).toBe((lo === null || lo <= 0n) && (hi === null || hi >= 0n));
      expect(o.accepts('007')).toBe(false);
    }
  });
});
