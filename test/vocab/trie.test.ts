import { describe, expect, it } from 'vitest';
import { allocateBitmask, TokenTrie, walkTrie, type Recognizer } from '../../src/vocab/trie.js';
import { sortIdsByBytes } from '../../src/vocab/bytesort.js';
import { rng } from '../random.js';


function randomVocab(rand: () => number, n: number, alphabet: number[], maxLen: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let id = 0; id < n; id++) {
    const r = rand();
    if (r < 0.05) out.push(new Uint8Array(0)); // excluded (special / padding)
    else if (r < 0.15 && id > 0) out.push(out[Math.floor(rand() * id)].slice()); // duplicate byte string
    else {
      const len = 1 + Math.floor(rand() * maxLen);
      out.push(Uint8Array.from({ length: len }, () => alphabet[Math.floor(rand() * alphabet.length)]));
    }
  }
  return out;
}

/** Recognizer of "is a prefix of one of these strings"; checks the push/pop discipline. */
class PrefixRecognizer implements Recognizer {
  stack: number[] = [];
  pushes = 0;
  constructor(private readonly strings: Uint8Array[]) {}
  accepts(bytes: ArrayLike<number>): boolean {
    return this.strings.some((s) => s.length >= bytes.length && Array.prototype.every.call(bytes, (b: number, k: number) => s[k] === b));
  }
  tryPushByte(b: number): boolean {
    if (!this.accepts([...this.stack, b])) return false;
    this.stack.push(b);
    this.pushes++;
    return true;
  }
  popBytes(n: number): void {
    if (!(n >= 0 && n <= this.stack.length)) throw new Error(`bad pop ${n} with ${this.stack.length} pushed`);
    this.stack.length -= n;
  }
}

/** Recognizer running a random DFA over bytes; state stack. */
class DfaRecognizer implements Recognizer {
  stack: number[];
  constructor(private readonly delta: Int32Array, initial: number) {
    this.stack = [initial];
  }
  run(bytes: Uint8Array): boolean {
    let s = this.stack[this.stack.length - 1];
    for (const b of bytes) {
      s = this.delta[s * 256 + b];
      if (s < 0) return false;
    }
    return true;
  }
  tryPushByte(b: number): boolean {
    const s = this.delta[this.stack[this.stack.length - 1] * 256 + b];
    if (s < 0) return false;
    this.stack.push(s);
    return true;
  }
  popBytes(n: number): void {
    if (!(n >= 0 && n < this.stack.length)) throw new Error(`bad pop ${n} with ${this.stack.length - 1} pushed`);
    this.stack.length -= n;
  }
}

function maskIds(mask: Uint32Array): number[] {
  const ids: number[] = [];
  for (let id = 0; id < mask.length * 32; id++) if (mask[id >>> 5] & (1 << (id & 31))) ids.push(id);
  return ids;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const m = Math.min(a.length, b.length);
  for (let k = 0; k < m; k++) if (a[k] !== b[k]) return a[k] - b[k];
  return a.length - b.length;
}

function checkInvariants(trie: TokenTrie, tokens: Uint8Array[]): void {
  const n = trie.nodeCount;
  expect(trie.subtreeSize[0]).toBe(n);
  expect(trie.depth[0]).toBe(0);
  expect(trie.tokStart.length).toBe(n + 1);
  // Reconstruct each node's byte string from the DFS layout with a path stack.
  const path: number[] = [];
  const seen = new Set<number>();
  for (let i = 1; i < n; i++) {
    path.length = trie.depth[i] - 1;
    path.push(trie.byte[i]);
    expect(trie.depth[i]).toBeGreaterThanOrEqual(1);
    expect(trie.subtreeSize[i]).toBeGreaterThanOrEqual(1);
    const j = i + trie.subtreeSize[i];
    expect(j).toBeLessThanOrEqual(n);
    for (let k = i + 1; k < j; k++) expect(trie.depth[k]).toBeGreaterThan(trie.depth[i]);
    if (j < n) expect(trie.depth[j]).toBeLessThanOrEqual(trie.depth[i]);
    expect(trie.popCount[i]).toBe(trie.depth[i] - (j < n ? trie.depth[j] : 0) + 1);
    if (i + 1 < n && trie.depth[i + 1] === trie.depth[i]) expect(trie.byte[i + 1]).toBeGreaterThan(trie.byte[i]); // sorted siblings
    for (let k = trie.tokStart[i]; k < trie.tokStart[i + 1]; k++) {
      const id = trie.tokIds[k];
      expect([...tokens[id]]).toEqual(path);
      if (k > trie.tokStart[i]) expect(id).toBeGreaterThan(trie.tokIds[k - 1]);
      seen.add(id);
    }
  }
  expect(trie.tokStart[1]).toBe(0); // nothing ends at the root
  const expected = tokens.map((t, id) => (t.length > 0 ? id : -1)).filter((id) => id >= 0);
  expect([...seen].sort((a, b) => a - b)).toEqual(expected);
}

describe('sortIdsByBytes', () => {
  it('matches a comparator sort (stable) on random strings', () => {
    const rand = rng(7);
    for (let round = 0; round < 20; round++) {
      const tokens = randomVocab(rand, 1 + Math.floor(rand() * 300), [0, 1, 2, 97, 98, 255], 6);
      const start = new Uint32Array(tokens.length + 1);
      for (let id = 0; id < tokens.length; id++) start[id + 1] = start[id] + tokens[id].length;
      const pool = new Uint8Array(start[tokens.length]);
      tokens.forEach((t, id) => pool.set(t, start[id]));
      const ids = Int32Array.from(tokens.keys());
      sortIdsByBytes(pool, start, ids);
      const expected = [...tokens.keys()].sort((a, b) => compareBytes(tokens[a], tokens[b]) || a - b);
      expect([...ids]).toEqual(expected);
    }
  });

  it('matches a comparator sort on long strings sharing prefixes (radix path)', () => {
    const rand = rng(8);
    for (let round = 0; round < 5; round++) {
      const tokens = randomVocab(rand, 2000, [97, 98], 14);
      const start = new Uint32Array(tokens.length + 1);
      for (let id = 0; id < tokens.length; id++) start[id + 1] = start[id] + tokens[id].length;
      const pool = new Uint8Array(start[tokens.length]);
      tokens.forEach((t, id) => pool.set(t, start[id]));
      const subset = Int32Array.from([...tokens.keys()].filter((id) => id % 3 !== 1).reverse());
      const ids = subset.slice();
      sortIdsByBytes(pool, start, ids);
      const expected = [...subset].sort((a, b) => compareBytes(tokens[a], tokens[b]) || a - b);
      expect([...ids]).toEqual(expected);
    }
  });
});

describe('TokenTrie', () => {
  it('lays out a small vocabulary in DFS order', () => {
    const enc = new TextEncoder();
    const trie = TokenTrie.build(['ab', 'a', 'b', '', 'abc', 'a'].map((s) => enc.encode(s)));
    // root, a, ab, abc, b
    expect(trie.nodeCount).toBe(5);
    expect([...trie.byte]).toEqual([0, 97, 98, 99, 98]);
    expect([...trie.depth]).toEqual([0, 1, 2, 3, 1]);
    expect([...trie.subtreeSize]).toEqual([5, 3, 2, 1, 1]);
    expect([...trie.popCount]).toEqual([1, 1, 2, 3, 2]);
    expect([...trie.tokStart]).toEqual([0, 0, 2, 3, 4, 5]);
    expect([...trie.tokIds]).toEqual([1, 5, 0, 4, 2]);
    expect(trie.maxDepth).toBe(3);
  });

  it('keeps its invariants on random vocabularies', () => {
    const rand = rng(11);
    for (let round = 0; round < 12; round++) {
      const tokens = randomVocab(rand, 1 + Math.floor(rand() * 200), [10, 32, 97, 98, 99, 200], 5);
      checkInvariants(TokenTrie.build(tokens), tokens);
    }
  });

  it('handles an empty vocabulary', () => {
    const trie = TokenTrie.build([new Uint8Array(0)]);
    expect(trie.nodeCount).toBe(1);
    const mask = allocateBitmask(1);
    expect(walkTrie(trie, new PrefixRecognizer([]), mask)).toBe(0);
    expect(mask[0]).toBe(0);
  });
});

describe('walkTrie', () => {
  it('equals brute force with prefix recognizers', () => {
    const rand = rng(1234);
    for (let round = 0; round < 60; round++) {
      const alphabet = [97, 98, 99, 0xc3, 0xa9];
      const tokens = randomVocab(rand, 1 + Math.floor(rand() * 150), alphabet, 5);
      const strings = randomVocab(rand, Math.floor(rand() * 6), alphabet, 8).filter((s) => s.length > 0);
      const trie = TokenTrie.build(tokens);
      const r = new PrefixRecognizer(strings);
      // Sometimes start from a non-empty state: the walk must restore it.
      const context = strings.length > 0 && rand() < 0.5 ? strings[0].subarray(0, Math.floor(rand() * strings[0].length)) : new Uint8Array(0);
      for (const b of context) expect(r.tryPushByte(b)).toBe(true);
      const before = [...r.stack];
      const size = tokens.length + Math.floor(rand() * 40);
      const mask = allocateBitmask(size);
      const visited = walkTrie(trie, r, mask);
      expect(r.stack).toEqual(before);
      const expected = tokens
        .map((t, id) => (t.length > 0 && r.accepts([...context, ...t]) ? id : -1))
        .filter((id) => id >= 0);
      expect(maskIds(mask)).toEqual(expected);
      expect(visited).toBeLessThanOrEqual(trie.nodeCount - 1);
      expect(visited).toBeGreaterThanOrEqual(r.pushes - context.length);
    }
  });

  it('equals brute force with random DFAs and ORs into the mask', () => {
    const rand = rng(99);
    for (let round = 0; round < 40; round++) {
      const states = 1 + Math.floor(rand() * 6);
      const delta = new Int32Array(states * 256).fill(-1);
      const alphabet = [32, 48, 49, 97, 255];
      for (let s = 0; s < states; s++) for (const b of alphabet) if (rand() < 0.7) delta[s * 256 + b] = Math.floor(rand() * states);
      const tokens = randomVocab(rand, 1 + Math.floor(rand() * 300), alphabet, 6);
      const trie = TokenTrie.build(tokens);
      const initial = Math.floor(rand() * states);
      const r = new DfaRecognizer(delta, initial);
      const mask = allocateBitmask(tokens.length);
      const preset = tokens.length - 1; // bits already set stay set
      mask[preset >>> 5] |= 1 << (preset & 31);
      walkTrie(trie, r, mask);
      expect(r.stack).toEqual([initial]);
      const expected = tokens.map((t, id) => (id === preset || (t.length > 0 && r.run(t)) ? id : -1)).filter((id) => id >= 0);
      expect(maskIds(mask)).toEqual(expected);
    }
  });

  it('visits each node once when everything is accepted and skips dead subtrees', () => {
    const enc = new TextEncoder();
    const tokens = ['a', 'ab', 'abc', 'b', 'bc', 'c'].map((s) => enc.encode(s));
    const trie = TokenTrie.build(tokens);
    const all = new PrefixRecognizer([enc.encode('abc'), enc.encode('bc'), enc.encode('c')]);
    const mask = allocateBitmask(6);
    expect(walkTrie(trie, all, mask)).toBe(trie.nodeCount - 1);
    expect(maskIds(mask)).toEqual([0, 1, 2, 3, 4, 5]);
    const onlyC = new PrefixRecognizer([enc.encode('c')]);
    const m2 = allocateBitmask(6);
    expect(walkTrie(trie, onlyC, m2)).toBe(3); // a (dead, skips ab, abc), b (dead, skips bc), c
    expect(maskIds(m2)).toEqual([5]);
  });
});

describe('allocateBitmask', () => {
  it('rounds up to 32-bit words', () => {
    expect(allocateBitmask(0).length).toBe(0);
    expect(allocateBitmask(1).length).toBe(1);
    expect(allocateBitmask(32).length).toBe(1);
    expect(allocateBitmask(33).length).toBe(2);
    expect(allocateBitmask(151936).length).toBe(4748);
    expect(() => allocateBitmask(-1)).toThrow(RangeError);
  });
});
