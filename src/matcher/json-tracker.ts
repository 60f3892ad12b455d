/**
 * JSON structure tracker: the guards' view of the text so far.
 *
 * Grammars with guards (the JSON Schema front-end's any-order objects) only
 * accept JSON texts, so every viable prefix is a JSON prefix and its
 * innermost open container and that container's keys are a function of the
 * bytes alone, whatever the parse. This scanner keeps them per chart set:
 * one small state per set (scanner mode, current frame, start of a key in
 * progress) and persistent frames (an object gains a key by a new frame
 * pointing to its previous version), so popping bytes is truncation, a
 * kernel set copies its predecessor's state, and a fork copies arrays.
 *
 * Keys are decoded lazily (from the bytes of the sets that hold them) when a
 * guard first looks at a frame: trying tokens that close a key costs no
 * allocation. Counts are of distinct keys, as validators count them
 * (`JSON.parse` keeps the last of duplicate keys).
 */

import type { GuardSpec, ObjectGuardShape } from '../ir/expr.js';

const NORMAL = 0;
/** Outside strings where the next string is a key (after `{` or `,` in an object). */
const NORMAL_KEY = 1;
const STR = 2;
const STR_ESC = 3;
const KEY = 4;
const KEY_ESC = 5;

const KIND_TOP = 0;
const KIND_OBJ = 1;
const KIND_ARR = 2;

const G_MEMBER = 0;
const G_EXTRA = 1;
const G_MORE = 2;
const G_CLOSE = 3;

/**
 * Scanner modes in which bytes other than `{}[],:"\` leave the state
 * unchanged, but for the bytes of a key in progress (`KEY`: a kernel there
 * marks the key unknown, see {@link JsonTracker.unknownHit}).
 */
export function isPlainMode(mode: number): boolean {
  return mode === NORMAL || mode === NORMAL_KEY || mode === STR || mode === KEY;
}

/** Whether byte `b` can change the tracker state from a plain mode. */
export function isStructuralByte(b: number): boolean {
  return b === 0x7b || b === 0x7d || b === 0x5b || b === 0x5d || b === 0x2c || b === 0x3a || b === 0x22 || b === 0x5c;
}

/** An object shape prepared for guard checks. */
interface RuntimeShape {
  readonly index: Map<string, number>;
  readonly required: Uint8Array;
  readonly reqTotal: number;
  readonly n: number;
  readonly min: number;
  readonly max: number;
  readonly extra: boolean;
}

/** What the guards need of one object frame. */
interface FrameInfo {
  /** Distinct keys so far. */
  readonly keys: Set<string>;
  /** Whether a key's text is unknown (see {@link JsonTracker.unknownHit}). */
  readonly unknown: boolean;
  shape: RuntimeShape | null;
  declSeen: number;
  reqSeen: number;
  seen: Uint8Array | null;
}

const EMPTY_INFO: FrameInfo = { keys: new Set(), unknown: false, shape: null, declSeen: 0, reqSeen: 0, seen: null };

function growI32(a: Int32Array, need: number): Int32Array<ArrayBuffer> {
  let n = a.length;
  while (n < need) n *= 2;
  const b = new Int32Array(n);
  b.set(a);
  return b;
}

const decoder = new TextDecoder('utf-8', { fatal: false });

/** Per-set JSON structure state and guard evaluation (see the module comment). */
export class JsonTracker {
  private readonly gKind: Uint8Array;
  private readonly gIndex: Int32Array;
  private readonly gShape: RuntimeShape[];

  // Per set.
  private setByte = new Int32Array(256);
  private setMode = new Uint8Array(256);
  private setFrame = new Int32Array(256);
  private setKeyStart = new Int32Array(256);
  private setFrameEnd = new Int32Array(256);
  /** 1 when the key in progress lost bytes to a kernel (its text is unknown). */
  private setUnknown = new Uint8Array(256);
  /**
   * Set when a guard looked at a frame whose last key is unknown: the result
   * was a guess, and the caller (the crossing-token walk) must redo that part
   * exactly by pushing the token's bytes.
   */
  unknownHit = false;

  // Frames: 0 is the top level.
  private fParent = new Int32Array(64);
  private fKind = new Uint8Array(64);
  private fPrev = new Int32Array(64);
  private fKeyFrom = new Int32Array(64);
  private fKeyTo = new Int32Array(64);
  private fInfo: (FrameInfo | undefined)[] = [];
  private framesLen = 0;
  private scratch = new Uint8Array(64);

  constructor(guards: readonly GuardSpec[]) {
    const shapes = new Map<ObjectGuardShape, RuntimeShape>();
    this.gKind = new Uint8Array(guards.length);
    this.gIndex = new Int32Array(guards.length);
    this.gShape = guards.map((g, i) => {
      let rs = shapes.get(g.object);
      if (rs === undefined) {
        const o = g.object;
        const required = Uint8Array.from(o.required, (r) => (r ? 1 : 0));
        rs = {
          index: new Map(o.keys.map((k, j) => [k, j])),
          required,
          reqTotal: required.reduce((a, b) => a + b, 0),
          n: o.keys.length,
          min: o.min,
          max: o.max,
          extra: o.extra,
        };
        shapes.set(o, rs);
      }
      this.gKind[i] = g.kind === 'member' ? G_MEMBER : g.kind === 'extra' ? G_EXTRA : g.kind === 'more' ? G_MORE : G_CLOSE;
      this.gIndex[i] = g.kind === 'member' ? g.index : -1;
      return rs;
    });
    this.reset();
  }

  /** State of set 0: top level, nothing read. */
  reset(): void {
    this.framesLen = 0;
    this.newFrame(KIND_TOP, -1, -1);
    this.setByte[0] = -1;
    this.setMode[0] = NORMAL;
    this.setFrame[0] = 0;
    this.setKeyStart[0] = -1;
    this.setUnknown[0] = 0;
    this.setFrameEnd[0] = this.framesLen;
  }

  /** Scanner mode at set `k` (see {@link isPlainMode}). */
  mode(k: number): number {
    return this.setMode[k]!;
  }

  /** Set `n`: set `n - 1` then byte `b`. */
  step(n: number, b: number): void {
    this.ensureSets(n + 1);
    const p = n - 1;
    let mode = this.setMode[p]!;
    let f = this.setFrame[p]!;
    let ks = this.setKeyStart[p]!;
    let unknown = this.setUnknown[p]!;
    switch (mode) {
      case NORMAL:
      case NORMAL_KEY:
        if (b === 0x7b) {
          f = this.newFrame(KIND_OBJ, f, -1);
          mode = NORMAL_KEY;
        } else if (b === 0x5b) {
          f = this.newFrame(KIND_ARR, f, -1);
          mode = NORMAL;
        } else if (b === 0x7d || b === 0x5d) {
          if (this.fKind[f] !== KIND_TOP) f = this.fParent[f]!;
          mode = NORMAL;
        } else if (b === 0x2c) {
          mode = this.fKind[f] === KIND_OBJ ? NORMAL_KEY : NORMAL;
        } else if (b === 0x3a) {
          mode = NORMAL;
        } else if (b === 0x22) {
          if (mode === NORMAL_KEY) {
            mode = KEY;
            ks = n;
          } else {
            mode = STR;
          }
        }
        break;
      case STR:
        if (b === 0x5c) mode = STR_ESC;
        else if (b === 0x22) mode = NORMAL;
        break;
      case STR_ESC:
        mode = STR;
        break;
      case KEY:
        if (b === 0x5c) {
          mode = KEY_ESC;
        } else if (b === 0x22) {
          const g = this.newFrame(KIND_OBJ, this.fParent[f]!, f);
          this.fKeyFrom[g] = unknown ? -2 : ks + 1;
          this.fKeyTo[g] = n - 1;
          unknown = 0;
          f = g;
          mode = NORMAL;
          ks = -1;
        }
        break;
      case KEY_ESC:
        mode = KEY;
        break;
    }
    this.setByte[n] = b;
    this.setMode[n] = mode;
    this.setFrame[n] = f;
    this.setKeyStart[n] = ks;
    this.setUnknown[n] = unknown;
    this.setFrameEnd[n] = this.framesLen;
  }

  /**
   * Set `n`: the state of set `n - 1` after bytes that a kernel skips (they
   * leave a plain mode unchanged; inside a key they make its text unknown).
   */
  copy(n: number, modeAfter = -1): void {
    this.ensureSets(n + 1);
    const p = n - 1;
    const mode = this.setMode[p]!;
    this.setByte[n] = -1;
    this.setMode[n] = modeAfter >= 0 ? modeAfter : mode;
    this.setFrame[n] = this.setFrame[p]!;
    this.setKeyStart[n] = this.setKeyStart[p]!;
    this.setUnknown[n] = mode === KEY || mode === KEY_ESC ? 1 : this.setUnknown[p]!;
    this.setFrameEnd[n] = this.framesLen;
  }

  /** Drops what sets `numSets..` made. */
  truncate(numSets: number): void {
    this.framesLen = this.setFrameEnd[numSets - 1]!;
  }

  /**
   * The mode after bytes `path[0..len)` from set `k`, when they change
   * nothing but the mode (no container opens or closes, no key starts or
   * ends, not inside a key); -1 otherwise.
   */
  modeAfter(k: number, path: Uint8Array, len: number): number {
    let mode = this.setMode[k]!;
    if (mode === KEY || mode === KEY_ESC) return -1;
    const obj = this.fKind[this.setFrame[k]!] === KIND_OBJ;
    for (let i = 0; i < len; i++) {
      const b = path[i]!;
      switch (mode) {
        case NORMAL:
        case NORMAL_KEY:
          if (b === 0x7b || b === 0x5b || b === 0x7d || b === 0x5d) return -1;
          if (b === 0x2c) mode = obj ? NORMAL_KEY : NORMAL;
          else if (b === 0x3a) mode = NORMAL;
          else if (b === 0x22) {
            if (mode === NORMAL_KEY) return -1;
            mode = STR;
          }
          break;
        case STR:
          if (b === 0x5c) mode = STR_ESC;
          else if (b === 0x22) mode = NORMAL;
          break;
        default:
          mode = STR;
      }
    }
    return mode;
  }

  /** Whether guard `g` holds at set `k`. */
  check(g: number, k: number): boolean {
    const f = this.setFrame[k]!;
    if (this.fKind[f] !== KIND_OBJ) return false;
    const sh = this.gShape[g]!;
    const info = this.shapeInfo(f, sh);
    if (info.unknown) this.unknownHit = true;
    const c = info.keys.size;
    const R = sh.reqTotal - info.reqSeen;
    const U = sh.n - info.declSeen;
    const max = sh.max;
    const minOk = (after: number): boolean => sh.extra || after >= sh.min;
    switch (this.gKind[g]) {
      case G_MEMBER: {
        const i = this.gIndex[g]!;
        if (info.seen![i]) return false;
        return c + 1 + R - sh.required[i]! <= max && minOk(c + U);
      }
      case G_EXTRA:
        return sh.extra && c + 1 + R <= max;
      case G_MORE:
        if (!minOk(c + U)) return sh.extra && c + 1 + R <= max;
        return (R > 0 && c + R <= max) || ((U > R || sh.extra) && c + 1 + R <= max);
      default:
        return R === 0 && c >= sh.min;
    }
  }

  /** Copies this tracker's state into `other` (same guards). */
  copyTo(other: JsonTracker): void {
    other.setByte = this.setByte.slice();
    other.setMode = this.setMode.slice();
    other.setFrame = this.setFrame.slice();
    other.setKeyStart = this.setKeyStart.slice();
    other.setFrameEnd = this.setFrameEnd.slice();
    other.setUnknown = this.setUnknown.slice();
    other.fParent = this.fParent.slice();
    other.fKind = this.fKind.slice();
    other.fPrev = this.fPrev.slice();
    other.fKeyFrom = this.fKeyFrom.slice();
    other.fKeyTo = this.fKeyTo.slice();
    other.fInfo = this.fInfo.slice();
    other.framesLen = this.framesLen;
  }

  private ensureSets(need: number): void {
    if (need <= this.setByte.length) return;
    this.setByte = growI32(this.setByte, need);
    this.setFrame = growI32(this.setFrame, need);
    this.setKeyStart = growI32(this.setKeyStart, need);
    this.setFrameEnd = growI32(this.setFrameEnd, need);
    const m = new Uint8Array(this.setByte.length);
    m.set(this.setMode);
    this.setMode = m;
    const u = new Uint8Array(this.setByte.length);
    u.set(this.setUnknown);
    this.setUnknown = u;
  }

  private newFrame(kind: number, parent: number, prev: number): number {
    const f = this.framesLen++;
    if (f >= this.fParent.length) {
      this.fParent = growI32(this.fParent, f + 1);
      this.fPrev = growI32(this.fPrev, f + 1);
      this.fKeyFrom = growI32(this.fKeyFrom, f + 1);
      this.fKeyTo = growI32(this.fKeyTo, f + 1);
      const k = new Uint8Array(this.fParent.length);
      k.set(this.fKind);
      this.fKind = k;
    }
    this.fKind[f] = kind;
    this.fParent[f] = parent;
    this.fPrev[f] = prev;
    this.fKeyFrom[f] = -1;
    this.fKeyTo[f] = -1;
    this.fInfo[f] = undefined;
    return f;
  }

  /** The decoded key that frame `f` added (its bytes are in sets `fKeyFrom..fKeyTo`). */
  private keyOf(f: number): string {
    const from = this.fKeyFrom[f]!;
    if (from === -2) return `\u0000unknown key ${f}`;
    const to = this.fKeyTo[f]!;
    if (this.scratch.length < to - from + 1) this.scratch = new Uint8Array(2 * (to - from + 1));
    let len = 0;
    let escaped = false;
    for (let s = from; s <= to; s++) {
      const b = this.setByte[s]!;
      if (b < 0) continue;
      if (b === 0x5c) escaped = true;
      this.scratch[len++] = b;
    }
    const raw = decoder.decode(this.scratch.subarray(0, len));
    if (!escaped) return raw;
    try {
      return JSON.parse('"' + raw + '"') as string;
    } catch {
      return raw;
    }
  }

  private info(f: number): FrameInfo {
    let info = this.fInfo[f];
    if (info !== undefined) return info;
    const prev = this.fPrev[f]!;
    const base = prev >= 0 ? this.info(prev) : EMPTY_INFO;
    const keys = new Set(base.keys);
    if (prev >= 0) keys.add(this.keyOf(f));
    info = { keys, unknown: base.unknown || this.fKeyFrom[f] === -2, shape: null, declSeen: 0, reqSeen: 0, seen: null };
    this.fInfo[f] = info;
    return info;
  }

  private shapeInfo(f: number, sh: RuntimeShape): FrameInfo {
    const info = this.info(f);
    if (info.shape === sh) return info;
    const seen = new Uint8Array(sh.n);
    let decl = 0;
    let req = 0;
    for (const k of info.keys) {
      const i = sh.index.get(k);
      if (i === undefined) continue;
      seen[i] = 1;
      decl++;
      req += sh.required[i]!;
    }
    info.shape = sh;
    info.seen = seen;
    info.declSeen = decl;
    info.reqSeen = req;
    return info;
  }
}
