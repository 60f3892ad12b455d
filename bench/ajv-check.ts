/**
 * ajv as an independent oracle for what the matcher accepts (used by
 * bench/ajv-oracle.ts and test/bench/conformance-ajv.test.ts).
 *
 * For each schema: the test instances the matcher accepts (token by token,
 * then EOS) must be valid by ajv, and so must random instances drawn through
 * the masks (src/bench/random-walk.ts). ajv's class follows the schema's
 * draft: 2020-12 (also for schemas without `$schema` unless they use the
 * draft-07 array form of `items`), 2019-09, and draft-07 for draft-04/06/07
 * (draft-04's boolean `exclusiveMinimum`/`exclusiveMaximum` cannot be checked
 * by ajv 8: such schemas count as ajv compile failures).
 */
import Ajv, { type ValidateFunction } from 'ajv';
import Ajv2019 from 'ajv/dist/2019.js';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { compileJsonSchema, type CompileJsonSchemaOptions } from '../src/api.js';
import { matchText } from '../src/bench/conformance.js';
import { randomWalk } from '../src/bench/random-walk.js';
import type { CompiledGrammar } from '../src/matcher/compiled.js';
import type { Vocabulary } from '../src/vocab/vocabulary.js';

/** Counts of an oracle run. */
export interface AjvCounts {
  /** Schemas seen. */
  schemas: number;
  /** Schemas our compiler rejected (typed errors: not checked). */
  compileSkipped: number;
  /** Schemas ajv could not compile, or (suite) where ajv contradicts the suite's labels (not checked). */
  ajvSkipped: number;
  /** Accepted instances with numbers a double cannot hold (over 15 significant digits, huge exponents): ajv's arithmetic is not exact there (not checked). */
  impreciseSkipped: number;
  /** Test instances the matcher accepted and ajv checked. */
  testsChecked: number;
  /** Random-walk instances that ended with EOS allowed and ajv checked. */
  walksChecked: number;
  /** Random walks that hit the token bound unfinished (not checked). */
  walksUnfinished: number;
  /** Accepted instances ajv calls invalid (must be 0). */
  invalidAccepted: number;
  /** Descriptions of the invalid accepted instances. */
  failures: string[];
}

/** Fresh zero counts. */
export function emptyCounts(): AjvCounts {
  return { schemas: 0, compileSkipped: 0, ajvSkipped: 0, impreciseSkipped: 0, testsChecked: 0, walksChecked: 0, walksUnfinished: 0, invalidAccepted: 0, failures: [] };
}

/** Adds `b` into `a`. */
export function addCounts(a: AjvCounts, b: AjvCounts): void {
  for (const k of Object.keys(a) as (keyof AjvCounts)[]) {
    if (k === 'failures') a.failures.push(...b.failures);
    else a[k] += b[k];
  }
}

function hasArrayItems(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(hasArrayItems);
  if (v === null || typeof v !== 'object') return false;
  for (const [k, x] of Object.entries(v)) {
    if (k === 'items' && Array.isArray(x)) return true;
    if (hasArrayItems(x)) return true;
  }
  return false;
}

function hasBooleanExclusive(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(hasBooleanExclusive);
  if (v === null || typeof v !== 'object') return false;
  for (const [k, x] of Object.entries(v)) {
    if ((k === 'exclusiveMinimum' || k === 'exclusiveMaximum') && typeof x === 'boolean') return true;
    if (hasBooleanExclusive(x)) return true;
  }
  return false;
}

/**
 * An ajv validator for `schema`, or the reason ajv cannot compile it.
 * `formats`: assert `format` with ajv-formats (false: annotation only).
 */
export function ajvValidator(schema: unknown, opts: { formats: boolean; remotes?: Record<string, unknown> }): ValidateFunction | string {
  const s = schema !== null && typeof schema === 'object' ? (schema as Record<string, unknown>) : undefined;
  const uri = typeof s?.$schema === 'string' ? s.$schema : '';
  const common = { strict: false, logger: false, validateFormats: opts.formats, allowUnionTypes: true } as const;
  let ajv: Ajv;
  let target = schema;
  if (/draft\/2020-12/.test(uri)) ajv = new Ajv2020(common);
  else if (/draft\/2019-09/.test(uri)) ajv = new Ajv2019(common);
  else if (/draft-0[467]/.test(uri) || (uri === '' && hasArrayItems(schema))) {
    if (hasBooleanExclusive(schema)) return 'draft-04 boolean exclusiveMinimum/exclusiveMaximum';
    ajv = new Ajv(common);
    if (uri && !/draft-07/.test(uri)) {
      const { $schema: _drop, ...rest } = s!;
      target = rest;
    }
  } else if (uri === '') ajv = new Ajv2020(common);
  else return `unknown $schema ${uri}`;
  if (opts.formats) addFormats(ajv);
  for (const [u, doc] of Object.entries(opts.remotes ?? {})) {
    try {
      ajv.addSchema(doc as object, u);
    } catch {
      // a remote of another draft: the schemas that need it fail to compile below
    }
  }
  try {
    return ajv.compile(target as object);
  } catch (e) {
    return (e as Error).message.slice(0, 200);
  }
}

/**
 * Whether a JSON text has a number a double does not hold exactly enough for
 * ajv's checks: more than 15 significant digits, or a decimal exponent beyond
 * ±300.
 */
export function hasImpreciseNumber(text: string): boolean {
  const re = /"(?:[^"\\]|\\.)*"|-?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m[1] === undefined) continue; // a string
    const digits = (m[1] + (m[2] ?? '').replace(/0+$/, '')).replace(/^0+/, '');
    if (digits.length > 15) return true;
    if (m[3] !== undefined && Math.abs(Number(m[3])) > 300) return true;
  }
  return false;
}

function valueAt(data: unknown, pointer: string): unknown {
  let v = data;
  for (const part of pointer.split('/').slice(1)) v = (v as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  return v;
}

/** A finite double as an exact decimal: digits × 10^-scale (via its shortest round-trip text). */
function decimal(x: number): { digits: bigint; scale: number } {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(x))!;
  const frac = m[3] ?? '';
  let digits = BigInt(m[1]! + m[2]! + frac);
  let scale = frac.length - Number(m[4] ?? 0);
  if (scale < 0) {
    digits *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { digits, scale };
}

/** Whether `x` is an exact multiple of `m`, both read as the decimals they print as. */
export function exactMultipleOf(x: unknown, m: unknown): boolean {
  if (typeof x !== 'number' || typeof m !== 'number' || !Number.isFinite(x) || !(m > 0)) return false;
  const a = decimal(x);
  const b = decimal(m);
  const scale = Math.max(a.scale, b.scale);
  const ai = a.digits * 10n ** BigInt(scale - a.scale);
  const bi = b.digits * 10n ** BigInt(scale - b.scale);
  return ai % bi === 0n;
}

/** Options of {@link checkSchema}. */
export interface CheckSchemaOptions {
  /** Label in failure descriptions. */
  id: string;
  /** The schema. */
  schema: unknown;
  /**
   * Instance texts with their labels (already serialized as the compile
   * options expect), and their expected validity when known (suite tests): a
   * schema where ajv disagrees with one is skipped (ajv is wrong there).
   */
  instances: { text: string; label: string; valid?: boolean }[];
  vocab: Vocabulary;
  /** Options for compileJsonSchema (whitespace must fit the instance texts). */
  compile: CompileJsonSchemaOptions;
  /** Whether ajv asserts formats (match `compile.formatAssertion`). */
  formats: boolean;
  /** Random walks per schema (default 3). */
  walks?: number;
  /** Seed of the first walk (default 1). */
  seed?: number;
  /** Token bound of a walk (default 200). */
  maxTokens?: number;
  /** Time budget of a walk, ms (default 3000; past it the walk counts as unfinished). */
  walkMs?: number;
}

/** Checks one schema: accepted test instances and random walks against ajv. */
export function checkSchema(o: CheckSchemaOptions): AjvCounts {
  const c = emptyCounts();
  c.schemas = 1;
  let compiled: CompiledGrammar;
  try {
    compiled = compileJsonSchema(o.schema, o.vocab, o.compile);
  } catch {
    c.compileSkipped = 1;
    return c;
  }
  const validate = ajvValidator(o.schema, { formats: o.formats, remotes: o.compile.remotes });
  if (typeof validate === 'string') {
    c.ajvSkipped = 1;
    return c;
  }
  for (const inst of o.instances) {
    if (inst.valid === undefined || hasImpreciseNumber(inst.text)) continue;
    let ok: boolean;
    try {
      ok = validate(JSON.parse(inst.text)) as boolean;
    } catch {
      ok = !inst.valid;
    }
    if (ok !== inst.valid) {
      c.ajvSkipped = 1;
      return c;
    }
  }
  const check = (text: string, what: string): void => {
    if (hasImpreciseNumber(text)) {
      c.impreciseSkipped++;
      return;
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      c.invalidAccepted++;
      c.failures.push(`${o.id} ${what}: not JSON: ${text.slice(0, 200)}`);
      return;
    }
    if (!validate(data)) {
      if (validate.errors?.every((e) => e.keyword === 'multipleOf' && exactMultipleOf(valueAt(data, e.instancePath), e.params['multipleOf']))) {
        c.impreciseSkipped++; // ajv's float division is wrong here; the exact decimal check passes
        return;
      }
      c.invalidAccepted++;
      c.failures.push(`${o.id} ${what}: ajv ${validate.errors?.[0]?.instancePath ?? ''} ${validate.errors?.[0]?.message ?? ''}: ${text.slice(0, 200)}`);
    }
  };
  for (const inst of o.instances) {
    if (!matchText(compiled, o.vocab, inst.text).accepted) continue;
    c.testsChecked++;
    check(inst.text, inst.label);
  }
  const walks = o.walks ?? 3;
  for (let i = 0; i < walks; i++) {
    const seed = (o.seed ?? 1) + i;
    const w = randomWalk(compiled, { seed, maxTokens: o.maxTokens ?? 200, deadlineMs: o.walkMs ?? 3000 });
    if (!w.finished) {
      c.walksUnfinished++;
      continue;
    }
    c.walksChecked++;
    check(w.text, `walk seed ${seed}`);
  }
  return c;
}
