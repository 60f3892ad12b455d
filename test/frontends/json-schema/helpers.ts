/**
 * Test helpers: serializers (JSON.stringify variants and a Python
 * json.dumps-style one), ajv 2020 with formats, and the grammar oracle.
 */
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { jsonSchemaToGrammar, type JsonSchemaOptions } from '../../../src/frontends/json-schema/index.js';
import { GrammarOracle } from '../../../src/testing/oracle.js';

type AjvCtor = typeof Ajv2020Module.default;
const Ajv2020 = ((Ajv2020Module as unknown as { default?: AjvCtor }).default ?? Ajv2020Module) as AjvCtor;
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: unknown) => void;

/** A fresh ajv (2020-12) with ajv-formats, non-strict. */
export function makeAjv(): InstanceType<AjvCtor> {
  const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
  addFormats(ajv);
  return ajv;
}

function pyString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

function pyNumber(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return String(x);
  // Python float repr: shortest round-trip, exponent with sign and two digits
  let s = String(x);
  const m = /^(-?[\d.]+)e([+-])(\d+)$/.exec(s);
  if (m) s = `${m[1]}e${m[2]}${m[3]!.padStart(2, '0')}`;
  else if (Math.abs(x) >= 1e16) s = x.toExponential().replace(/e\+(\d)$/, 'e+0$1');
  return s;
}

/** Python `json.dumps(v, ensure_ascii=False)` (separators ", " and ": "; integral floats as ints). */
export function pyDumps(v: unknown): string {
  if (v === null) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (typeof v === 'number') return pyNumber(v);
  if (typeof v === 'string') return pyString(v);
  if (Array.isArray(v)) return '[' + v.map(pyDumps).join(', ') + ']';
  return '{' + Object.entries(v as object).map(([k, x]) => pyString(k) + ': ' + pyDumps(x)).join(', ') + '}';
}

/** The serializations of a value the default (flexible) grammar must treat alike. */
export function serializations(v: unknown): string[] {
  return [JSON.stringify(v), pyDumps(v), JSON.stringify(v, null, 2), asciiEscape(pyDumps(v))];
}

/** Compiles a schema and returns an acceptance function over texts. */
export function acceptor(schema: unknown, options?: JsonSchemaOptions): (text: string) => boolean {
  const { grammar } = jsonSchemaToGrammar(schema, options);
  const o = new GrammarOracle(grammar);
  return (t) => o.accepts(t);
}

/** Rewrites non-ASCII characters of a JSON text as `\uXXXX` escapes (json.dumps ensure_ascii=True). */
export function asciiEscape(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out += c < 0x80 ? text[i] : '\\u' + c.toString(16).padStart(4, '0');
  }
  return out;
}
