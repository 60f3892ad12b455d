/**
 * Guards for the reference recognizer: decides a {@link GuardSpec} on the
 * text read so far, sharing no code with the matcher's JSON tracker. It
 * rescans the whole prefix (slow and simple), finds the innermost open
 * container with `JSON.parse`-decoded keys, and decides the look-ahead by
 * searching the member counts a valid close could reach.
 */
import type { GuardSpec } from '../ir/expr.js';

/** Keys of the innermost open object of a JSON prefix, or null when the innermost container is not an object. */
export function innermostObjectKeys(text: string): string[] | null {
  const stack: { obj: boolean; keys: string[] }[] = [];
  let i = 0;
  let expectKey = false;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) break; // inside a string: guards are never checked there
      if (expectKey && stack.length > 0) stack[stack.length - 1]!.keys.push(JSON.parse(text.slice(i, j + 1)) as string);
      expectKey = false;
      i = j + 1;
      continue;
    }
    if (ch === '{') {
      stack.push({ obj: true, keys: [] });
      expectKey = true;
    } else if (ch === '[') {
      stack.push({ obj: false, keys: [] });
      expectKey = false;
    } else if (ch === '}' || ch === ']') {
      stack.pop();
      expectKey = false;
    } else if (ch === ',') {
      expectKey = stack.length > 0 && stack[stack.length - 1]!.obj;
    } else if (ch === ':') {
      expectKey = false;
    }
    i++;
  }
  const top = stack[stack.length - 1];
  return top !== undefined && top.obj ? top.keys : null;
}

/** Whether guard `g` holds after the JSON prefix `text`. */
export function guardHolds(g: GuardSpec, text: string): boolean {
  const keys = innermostObjectKeys(text);
  if (keys === null) return false;
  const o = g.object;
  const distinct = new Set(keys);
  const seen = o.keys.map((k) => distinct.has(k));
  const count = distinct.size;
  /** Whether a valid close is reachable from declared keys `seenNow` and `countNow` distinct keys. */
  const closable = (seenNow: readonly boolean[], countNow: number): boolean => {
    const missingReq = o.keys.filter((_, i) => o.required[i] && !seenNow[i]).length;
    const optional = o.keys.filter((_, i) => !o.required[i] && !seenNow[i]).length;
    const extras = o.extra ? Math.max(0, o.min) + 1 : 0;
    for (let t = 0; t <= optional; t++) {
      for (let e = 0; e <= extras; e++) {
        const total = countNow + missingReq + t + e;
        if (total >= o.min && total <= o.max) return true;
      }
    }
    return false;
  };
  switch (g.kind) {
    case 'member': {
      if (seen[g.index]) return false;
      const next = seen.slice();
      next[g.index] = true;
      return closable(next, count + 1);
    }
    case 'extra':
      return o.extra && closable(seen, count + 1);
    case 'more':
      return o.keys.some((_, i) => !seen[i] && closable(seen.map((s, j) => s || j === i), count + 1)) || (o.extra && closable(seen, count + 1));
    case 'close':
      return o.keys.every((_, i) => !o.required[i] || seen[i]) && count >= o.min && count <= o.max;
  }
}
