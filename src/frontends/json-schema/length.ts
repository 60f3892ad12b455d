/**
 * Intersecting a regular expression over decoded code points with a length
 * range (minLength / maxLength), structurally, without automata: exact for
 * alternations, repeats of fixed-length items, and sequences with at most
 * one variable-length item; anything else returns null.
 */
import { alt, nothing, repeat, seq, type Expr } from '../../ir/expr.js';

/** Shortest and longest string length (code points) of an expression without rule references. */
export function lengthRange(e: Expr): [number, number] {
  switch (e.kind) {
    case 'empty':
      return [0, 0];
    case 'nothing':
      return [Infinity, -Infinity];
    case 'literal': {
      const n = [...e.text].length;
      return [n, n];
    }
    case 'class':
      return [1, 1];
    case 'seq': {
      let a = 0;
      let b = 0;
      for (const it of e.items) {
        const [x, y] = lengthRange(it);
        a += x;
        b += y;
      }
      return [a, b];
    }
    case 'alt': {
      let a = Infinity;
      let b = -Infinity;
      for (const it of e.items) {
        const [x, y] = lengthRange(it);
        a = Math.min(a, x);
        b = Math.max(b, y);
      }
      return [a, b];
    }
    case 'repeat': {
      const [x, y] = lengthRange(e.item);
      if (x === Infinity) return e.min === 0 ? [0, 0] : [Infinity, -Infinity];
      return [x * e.min, y === 0 ? 0 : y * e.max];
    }
    case 'ref':
    case 'guard':
      throw new Error('internal: rule reference in a string expression');
  }
}

/** The strings of `e` whose length is in [min, max], or null when not expressible structurally. */
export function withLength(e: Expr, min: number, max: number): Expr | null {
  const [a, b] = lengthRange(e);
  if (a > b) return nothing();
  if (a >= min && b <= max) return e;
  if (b < min || a > max) return nothing();
  switch (e.kind) {
    case 'alt': {
      const parts: Expr[] = [];
      for (const it of e.items) {
        const r = withLength(it, min, max);
        if (r === null) return null;
        parts.push(r);
      }
      return alt(...parts);
    }
    case 'repeat': {
      const [x, y] = lengthRange(e.item);
      if (x !== y || x === 0) {
        // variable-length item: only a single mandatory copy can be narrowed
        if (e.min === 1 && e.max === 1) return withLength(e.item, min, max);
        return null;
      }
      const lo = Math.max(e.min, Math.ceil(min / x));
      const hi = Math.min(e.max, Math.floor(max / x));
      return lo > hi ? nothing() : repeat(e.item, lo, hi);
    }
    case 'seq': {
      let fixed = 0;
      let varIndex = -1;
      for (let i = 0; i < e.items.length; i++) {
        const [x, y] = lengthRange(e.items[i]!);
        if (x === y) fixed += x;
        else if (varIndex >= 0) return null;
        else varIndex = i;
      }
      if (varIndex < 0) return fixed >= min && fixed <= max ? e : nothing();
      const inner = withLength(e.items[varIndex]!, Math.max(0, min - fixed), max - fixed);
      if (inner === null) return null;
      const items = e.items.slice();
      items[varIndex] = inner;
      return seq(...items);
    }
    default:
      return null;
  }
}
