/**
 * Object and array texts from member grammars: separators and whitespace
 * from the layout, optional members, member counts, property order.
 */
import { LimitExceededError, UnsupportedFeatureError } from '../../errors.js';
import { alt, empty, guarded, literal, nothing, ref, repeat, seq, star, type Expr, type ObjectGuardShape } from '../../ir/expr.js';
import type { RuleBuilder } from './builder.js';
import type { Layout } from './layout.js';

/** One named member of an object: its full `"key": value` text. */
export interface Member {
  readonly text: Expr;
  readonly required: boolean;
  /** The property name (decoded); needed by {@link Containers.objectGuarded}. */
  readonly key?: string;
}

/** What an object may hold. */
export interface ObjectShape {
  /** Named members in schema order. */
  readonly members: readonly Member[];
  /** Text of one additional member (`"key": value`), or null when none are allowed. */
  readonly extra: Expr | null;
  /** Text of an additional member at least one of which must appear (schema order, uncounted only). */
  readonly extraMust?: Expr;
  readonly minProps: number;
  readonly maxProps: number;
}

/** Builds object texts. */
export class Containers {
  constructor(
    private readonly b: RuleBuilder,
    private readonly layout: Layout,
    private readonly maxAnyOrder: number,
  ) {}

  private wrap(open: string, close: string, body: Expr, emptyOk: boolean, depth: number): Expr {
    const parts: Expr[] = [];
    if (body.kind !== 'nothing') parts.push(seq(literal(open), this.layout.open(depth), body, this.layout.close(depth), literal(close)));
    if (emptyOk) parts.push(seq(literal(open), this.layout.emptyInner, literal(close)));
    return alt(...parts);
  }

  /** Object texts in schema order: named members in order, then additional members. */
  objectInOrder(shape: ObjectShape, depth: number, hint: string): Expr {
    const { members, extra, minProps, maxProps } = shape;
    const n = members.length;
    let needed = 0;
    for (const m of members) if (m.required) needed++;
    if (needed > maxProps) return nothing();
    const sep = this.layout.sep(depth);
    const counted = minProps > 0 || maxProps !== Infinity;
    const must = shape.extraMust;
    if (must && counted) throw new UnsupportedFeatureError('not', hint, 'negated additionalProperties with minProperties/maxProperties');
    const emptyOk = needed === 0 && minProps === 0 && !must;
    if (!counted) {
      // F[i]: a non-empty member list from position i (no leading comma); R[i]: the rest, each with a leading comma
      const extraTail = extra ? star(seq(sep, extra)) : empty();
      let R: Expr = extraTail;
      let F: Expr = extra ? seq(extra, extraTail) : nothing();
      if (must) {
        // the additional members hold at least one `must` member
        R = seq(extraTail, sep, must, extraTail);
        F = alt(seq(must, extraTail), extra ? seq(extra, R) : nothing());
      }
      for (let i = n - 1; i >= 0; i--) {
        const m = members[i]!;
        const useRules = n > 2;
        const rNext = useRules && R.kind !== 'empty' ? this.b.add(`${hint}.r${i + 1}`, R) : R;
        const fNext = F;
        const withMe = seq(sep, m.text, rNext);
        R = m.required ? withMe : alt(withMe, rNext);
        F = m.required ? seq(m.text, rNext) : alt(seq(m.text, rNext), fNext);
      }
      return this.wrap('{', '}', F, emptyOk, depth);
    }
    // counted: states (i, c) with c = members so far, capped where it no longer matters
    const cap = maxProps === Infinity ? minProps : maxProps + 1;
    const memoR = new Map<string, Expr>();
    const capC = (c: number): number => Math.min(c, cap);
    const reqAfter: number[] = new Array<number>(n + 1).fill(0);
    for (let i = n - 1; i >= 0; i--) reqAfter[i] = reqAfter[i + 1]! + (members[i]!.required ? 1 : 0);
    // R(i, c): rest from position i given c members so far (each with a leading comma)
    const R = (i: number, c: number): Expr => {
      c = capC(c);
      if (c > maxProps || c + reqAfter[i]! > maxProps) return nothing();
      const key = `${i}:${c}`;
      const hit = memoR.get(key);
      if (hit) return hit;
      const name = this.b.reserve(`${hint}.r${i}c${c}`);
      const r = ref(name);
      memoR.set(key, r);
      let body: Expr;
      if (i === n) {
        const parts: Expr[] = [];
        if (c >= minProps) parts.push(empty());
        if (extra && c < maxProps) parts.push(seq(sep, extra, R(n, c + 1)));
        body = alt(...parts);
      } else {
        const m = members[i]!;
        const withMe = seq(sep, m.text, R(i + 1, c + 1));
        body = m.required ? withMe : alt(withMe, R(i + 1, c));
      }
      this.b.define(name, body);
      return r;
    };
    // F(i): first member at position ≥ i
    const parts: Expr[] = [];
    for (let i = 0; i < n; i++) {
      parts.push(seq(members[i]!.text, R(i + 1, 1)));
      if (members[i]!.required) break;
    }
    if (needed === 0 && extra && maxProps >= 1) parts.push(seq(extra, R(n, 1)));
    return this.wrap('{', '}', alt(...parts), emptyOk, depth);
  }

  /**
   * Object texts with members in any order (subset states; members ≤ the
   * any-order limit). With brackets `[` `]`: arrays of distinct items from a
   * finite set (`uniqueItems` over a finite domain).
   */
  objectAnyOrder(shape: ObjectShape, depth: number, hint: string, brackets: '{}' | '[]' = '{}'): Expr {
    const { members, extra, minProps, maxProps } = shape;
    const n = members.length;
    if (n > this.maxAnyOrder) {
      throw new LimitExceededError('maxAnyOrderProperties', this.maxAnyOrder, `${n} properties with propertyOrder 'any'`);
    }
    const counted = minProps > 0 || maxProps !== Infinity;
    if (counted && extra) throw new LimitExceededError('maxAnyOrderProperties', this.maxAnyOrder, "minProperties/maxProperties with additional properties and propertyOrder 'any'");
    let reqMask = 0;
    members.forEach((m, i) => {
      if (m.required) reqMask |= 1 << i;
    });
    const sep = this.layout.sep(depth);
    const popcount = (x: number): number => {
      let c = 0;
      for (; x; x &= x - 1) c++;
      return c;
    };
    const memo = new Map<number, Expr>();
    // T(S): rest after members S (each with a leading comma)
    const T = (S: number): Expr => {
      const hit = memo.get(S);
      if (hit) return hit;
      const name = this.b.reserve(`${hint}.s${S.toString(16)}`);
      const r = ref(name);
      memo.set(S, r);
      const parts: Expr[] = [];
      const c = popcount(S);
      if ((S & reqMask) === reqMask && c >= minProps) parts.push(empty());
      if (c < maxProps) {
        for (let i = 0; i < n; i++) if (!(S & (1 << i))) parts.push(seq(sep, members[i]!.text, T(S | (1 << i))));
        if (extra) parts.push(seq(sep, extra, r));
      }
      this.b.define(name, alt(...parts));
      return r;
    };
    const first: Expr[] = [];
    if (maxProps >= 1) {
      for (let i = 0; i < n; i++) first.push(seq(members[i]!.text, T(1 << i)));
      if (extra) first.push(seq(extra, T(0)));
    }
    return this.wrap(brackets[0]!, brackets[1]!, alt(...first), reqMask === 0 && minProps === 0, depth);
  }

  /**
   * Object texts with members in any order, for any number of members:
   * `{ item (sep item)* }` where each item is a declared member or an
   * additional one, checked by guards on the text read so far (the matcher's
   * JSON tracker): a declared key at most once, a comma only while some member
   * can still be added, the closing brace once every required key is there
   * and the count reaches minProperties. Each guard looks ahead (a member is
   * allowed only if a valid close stays reachable after it), so no accepted
   * prefix is a dead end. Counts are of distinct keys, so a repeated
   * additional key (valid JSON, where the last one wins, and each value is
   * checked against the same schema) is counted once, as validators do.
   */
  objectGuarded(shape: ObjectShape, depth: number, hint: string): Expr {
    const { members, extra, minProps, maxProps } = shape;
    const n = members.length;
    const keys = members.map((m) => {
      if (m.key === undefined) throw new Error('internal: guarded object member without a key');
      return m.key;
    });
    if (new Set(keys).size !== n) throw new Error('internal: guarded object with a repeated key');
    let needed = 0;
    for (const m of members) if (m.required) needed++;
    if (needed > maxProps || (!extra && n < minProps)) return nothing();
    const obj: ObjectGuardShape = { keys, required: members.map((m) => m.required), extra: extra !== null, min: minProps, max: maxProps };
    const emptyOk = needed === 0 && minProps === 0;
    const emptyObj = seq(literal('{'), this.layout.emptyInner, literal('}'));
    // can a first member be added at all (the `more` guard at count 0)?
    const minOk = extra !== null || n >= minProps;
    const startOk = minOk && ((needed > 0 && needed <= maxProps) || ((n > needed || extra !== null) && 1 + needed <= maxProps));
    if (!startOk) return emptyOk ? emptyObj : nothing();
    const items: Expr[] = members.map((m, index) => guarded({ kind: 'member', object: obj, index }, m.text));
    if (extra) items.push(guarded({ kind: 'extra', object: obj }, extra));
    const item = this.b.add(`${hint}.item`, alt(...items));
    const more = guarded({ kind: 'more', object: obj }, seq(this.layout.sep(depth), item));
    const close = guarded({ kind: 'close', object: obj }, seq(this.layout.close(depth), literal('}')));
    const full = seq(literal('{'), this.layout.open(depth), item, star(more), close);
    return emptyOk ? alt(full, emptyObj) : full;
  }

  /**
   * Array texts: `prefix[i]` for the first items, then `rest` (null: no
   * more items), with min ≤ length ≤ max.
   */
  array(prefix: readonly Expr[], rest: Expr | null, min: number, max: number, depth: number): Expr {
    const sep = this.layout.sep(depth);
    const k = prefix.length;
    if (rest === null) max = Math.min(max, k);
    if (min > max) return nothing();
    const emptyOk = min === 0;
    if (max === 0) return this.wrap('[', ']', nothing(), emptyOk, depth);
    // tail after the prefix: rest items, each with a leading comma
    let body: Expr;
    if (k === 0) {
      body = seq(rest!, repeat(seq(sep, rest!), Math.max(0, min - 1), max - 1));
    } else {
      let cur: Expr = max > k && rest ? repeat(seq(sep, rest), Math.max(0, min - k), max - k) : empty();
      for (let i = Math.min(k, max) - 1; i >= 0; i--) {
        const item = i === 0 ? seq(prefix[i]!, cur) : seq(sep, prefix[i]!, cur);
        cur = i >= min || i === 0 ? (i === 0 ? item : alt(empty(), item)) : item;
      }
      body = cur;
    }
    return this.wrap('[', ']', body, emptyOk, depth);
  }

  /**
   * Array texts with length in [min, max] and a count of `x` items in
   * [cMin, cMax], items given per index by `xy(i)` (constant from `fixed`
   * on): rules over (length so far, count so far), both capped where they
   * no longer matter.
   */
  arrayCountingBounded(xy: (i: number) => [Expr, Expr], fixed: number, min: number, max: number, cMin: number, cMax: number, depth: number): Expr {
    const sep = this.layout.sep(depth);
    const nCap = max === Infinity ? Math.max(min, fixed) : max;
    const kCap = cMax === Infinity ? cMin : cMax;
    if (nCap * (kCap + 1) > 20_000) throw new LimitExceededError('maxRules', 20_000, 'contains with item counts');
    const items = new Map<number, [Expr, Expr]>();
    const at = (i: number): [Expr, Expr] => {
      const j = Math.min(i, fixed);
      let v = items.get(j);
      if (!v) {
        v = xy(j);
        items.set(j, v);
      }
      return v;
    };
    const memo = new Map<string, Expr>();
    // R(n, k): the rest after n items of which k counted, each with a leading comma
    const R = (n: number, k: number): Expr => {
      const nn = Math.min(n, nCap);
      const kk = Math.min(k, kCap);
      const key = `${nn}:${kk}`;
      const hit = memo.get(key);
      if (hit) return hit;
      const name = this.b.reserve(`contains.n${nn}k${kk}`);
      const r = ref(name);
      memo.set(key, r);
      const parts: Expr[] = [];
      if (n >= min && k >= cMin) parts.push(empty());
      if (n < max) {
        const [x, y] = at(n);
        if (k < cMax) parts.push(seq(sep, x, R(n + 1, k + 1)));
        parts.push(seq(sep, y, R(n + 1, k)));
      }
      this.b.define(name, alt(...parts));
      return r;
    };
    const first: Expr[] = [];
    if (max >= 1) {
      const [x, y] = at(0);
      if (cMax >= 1) first.push(seq(x, R(1, 1)));
      first.push(seq(y, R(1, 0)));
    }
    return this.wrap('[', ']', alt(...first), min === 0 && cMin === 0, depth);
  }

  /**
   * Array texts whose items are `x` (counted) or `y` (not counted), with the
   * count of `x` items in [cMin, cMax]. With `cMax` infinite, `y` may itself
   * match `x` items.
   */
  arrayCounting(x: Expr, y: Expr, cMin: number, cMax: number, depth: number): Expr {
    const sep = this.layout.sep(depth);
    const W = star(seq(sep, y));
    const V = seq(sep, x);
    const parts: Expr[] = [];
    if (cMax >= cMin) {
      parts.push(seq(y, W, repeat(seq(V, W), cMin, cMax)));
      if (cMax >= 1) parts.push(seq(x, W, repeat(seq(V, W), Math.max(0, cMin - 1), cMax - 1)));
    }
    return this.wrap('[', ']', alt(...parts), cMin === 0, depth);
  }
}
