/**
 * JSON values as data: deep equality (JSON Schema `const`/`enum` semantics)
 * and type atoms.
 */

/** Type atoms: `number` is `int` ∪ `nonint`. */
export type Atom = 'null' | 'boolean' | 'object' | 'array' | 'string' | 'int' | 'nonint';
/** All atoms. */
export const ALL_ATOMS: readonly Atom[] = ['null', 'boolean', 'object', 'array', 'string', 'int', 'nonint'];

/** Atoms of a JSON Schema type name, or undefined for an unknown name. */
export function atomsOfType(t: string): Atom[] | undefined {
  switch (t) {
    case 'null':
    case 'boolean':
    case 'object':
    case 'array':
    case 'string':
      return [t];
    case 'integer':
      return ['int'];
    case 'number':
      return ['int', 'nonint'];
    default:
      return undefined;
  }
}

/** Atom of a JSON value (numbers with integral value are `int`, like ajv). */
export function atomOf(v: unknown): Atom {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'nonint';
  if (typeof v === 'string') return 'string';
  if (Array.isArray(v)) return 'array';
  return 'object';
}

/** Deep equality of JSON values (object key order ignored, 1 equals 1.0). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    if (a.length !== bb.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], bb[i])) return false;
    return true;
  }
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/** Whether `v` is deep-equal to a member of `list`. */
export function includesValue(list: readonly unknown[], v: unknown): boolean {
  for (const x of list) if (deepEqual(x, v)) return true;
  return false;
}

/** Whether a value is plain JSON (`json`), holds something else (`not-json`), or nests deeper than `maxDepth` (`deep`). */
export function checkJson(v: unknown, maxDepth: number): 'json' | 'not-json' | 'deep' {
  const stack: [unknown, number][] = [[v, 0]];
  while (stack.length) {
    const [x, d] = stack.pop()!;
    if (x === null || typeof x === 'boolean' || typeof x === 'string') continue;
    if (typeof x === 'number') {
      if (!Number.isFinite(x)) return 'not-json';
      continue;
    }
    if (typeof x !== 'object') return 'not-json';
    if (d >= maxDepth) return 'deep';
    for (const y of Array.isArray(x) ? x : Object.values(x as object)) stack.push([y, d + 1]);
  }
  return 'json';
}
