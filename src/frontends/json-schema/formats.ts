/**
 * String formats as regular expressions over decoded code points.
 *
 * Each format is an ECMAScript regex (whole-string match) accepting a subset
 * of the format's language per its RFC, and never more than ajv-formats'
 * `full` mode accepts. Where the exact language is not regular or not worth
 * it, the subset is documented here and reported as a restriction.
 */
import type { Expr } from '../../ir/expr.js';
import { parseRegex } from '../regex/index.js';

const LEAP = '(?:\\d\\d(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)';
const DATE =
  '(?:\\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|02-(?:0[1-9]|1\\d|2[0-8]))|' +
  LEAP +
  '-02-29)';
// RFC 3339 full-time; leap seconds (:60) are left out.
const TIME = '(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d+)?(?:[Zz]|[+-](?:[01]\\d|2[0-3]):[0-5]\\d)';
// RFC 3339 appendix A: a unit may be followed only by the next smaller one (P1Y2D is not a duration)
const DUR_DATE = '(?:\\d+Y(?:\\d+M(?:\\d+D)?)?|\\d+M(?:\\d+D)?|\\d+D)';
const DUR_TIME = '(?:T(?:\\d+H(?:\\d+M(?:\\d+S)?)?|\\d+M(?:\\d+S)?|\\d+S))';
const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = `(?:${OCTET}\\.){3}${OCTET}`;
const H16 = '[0-9a-f]{1,4}';
const LS32 = `(?:${H16}:${H16}|${IPV4})`;
// RFC 3986 IPv6address
const IPV6 =
  `(?:(?:${H16}:){6}${LS32}|::(?:${H16}:){5}${LS32}|(?:${H16})?::(?:${H16}:){4}${LS32}|(?:(?:${H16}:){0,1}${H16})?::(?:${H16}:){3}${LS32}|` +
  `(?:(?:${H16}:){0,2}${H16})?::(?:${H16}:){2}${LS32}|(?:(?:${H16}:){0,3}${H16})?::${H16}:${LS32}|(?:(?:${H16}:){0,4}${H16})?::${LS32}|` +
  `(?:(?:${H16}:){0,5}${H16})?::${H16}|(?:(?:${H16}:){0,6}${H16})?::)`;
/**
 * An RFC 1123 label of at most n characters without "--" in positions 3-4
 * (reserved for A-labels, RFC 5891 4.2.3.1, whose Punycode is not checked).
 */
function label(n: number): string {
  const X = '[a-z0-9]';
  const Y = '[a-z0-9-]';
  return `${X}(?:${X}|${Y}(?:${X}(?:${Y}{0,${n - 4}}${X})?|-${X}(?:${Y}{0,${n - 5}}${X})?))?`;
}
const LABEL63 = label(63);
const LABEL30 = label(30);
// Host names up to 253 characters, no trailing dot: the length bound is kept
// by two bounded shapes (≤3 labels of ≤63, or ≤8 labels of ≤30 characters).
const HOSTNAME = `(?:${LABEL63}(?:\\.${LABEL63}){0,2}|${LABEL30}(?:\\.${LABEL30}){0,7})`;
const ATEXT = "[a-z0-9!#$%&'*+/=?^_`{|}~-]";
const EMAIL = `${ATEXT}+(?:\\.${ATEXT}+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?`;
// RFC 3986 URI / URI-reference (the jmrware regex that ajv-formats uses, without its stray '"').
const PCT = '%[0-9a-f]{2}';
const UNRES_SUB = "[a-z0-9\\-._~!$&'()*+,;=]";
const PCHAR = `(?:[a-z0-9\\-._~!$&'()*+,;=:@]|${PCT})`;
const AUTHORITY = `(?:(?:[a-z0-9\\-._~!$&'()*+,;=:]|${PCT})*@)?(?:\\[(?:${IPV6}|[vV][0-9a-f]+\\.[a-z0-9\\-._~!$&'()*+,;=:]+)\\]|${IPV4}|(?:${UNRES_SUB}|${PCT})*)(?::\\d*)?`;
const PATH_ABEMPTY = `(?:\\/${PCHAR}*)*`;
const HIER = `(?:\\/\\/${AUTHORITY}${PATH_ABEMPTY}|\\/(?:${PCHAR}+${PATH_ABEMPTY})?|${PCHAR}+${PATH_ABEMPTY})?`;
const QUERY = `(?:\\?(?:${PCHAR}|[/?])*)?`;
const FRAGMENT = `(?:#(?:${PCHAR}|[/?])*)?`;
const URI = `[a-z][a-z0-9+\\-.]*:${HIER}${QUERY}${FRAGMENT}`;
const NOSCHEME_SEG = `(?:[a-z0-9\\-._~!$&'()*+,;=@]|${PCT})+`;
const RELATIVE = `(?:\\/\\/${AUTHORITY}${PATH_ABEMPTY}|\\/(?:${PCHAR}+${PATH_ABEMPTY})?|${NOSCHEME_SEG}${PATH_ABEMPTY})?${QUERY}${FRAGMENT}`;

/**
 * ASCII case-insensitivity spelled out (`a-z` → `a-zA-Z`): the `i` flag in
 * Unicode mode would also fold `ſ` and the Kelvin sign into `s` and `k`.
 */
function caseless(src: string): string {
  return src.replace(/a-z/g, 'a-zA-Z').replace(/a-f/g, 'a-fA-F');
}

/** A format: regex source (ASCII letters match either case). */
interface FormatDef {
  readonly source: string;
  /** What the regex leaves out of the RFC language, when anything. */
  readonly restriction?: string;
}

const FORMATS: Readonly<Record<string, FormatDef>> = {
  date: { source: DATE },
  time: { source: TIME, restriction: 'leap seconds (:60) are not accepted' },
  'date-time': { source: `${DATE}[Tt]${TIME}`, restriction: 'leap seconds (:60) are not accepted' },
  duration: { source: `P(?:${DUR_DATE}${DUR_TIME}?|${DUR_TIME}|\\d+W)` },
  email: { source: EMAIL, restriction: 'dot-atom local parts and host-name domains only (no quoted strings, no address literals)' },
  hostname: { source: HOSTNAME, restriction: "at most 3 labels of up to 63 or 8 labels of up to 30 characters; no A-labels (xn--)" },
  ipv4: { source: IPV4 },
  ipv6: { source: IPV6 },
  uuid: { source: '[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}' },
  uri: { source: URI },
  'uri-reference': { source: `(?:${URI}|${RELATIVE})` },
  'json-pointer': { source: '(?:\\/(?:[^~/]|~0|~1)*)*' },
  'relative-json-pointer': { source: '(?:0|[1-9][0-9]*)(?:#|(?:\\/(?:[^~/]|~0|~1)*)*)' },
  iri: { source: URI, restriction: 'ASCII URIs only (no non-ASCII IRI characters)' },
  'iri-reference': { source: `(?:${URI}|${RELATIVE})`, restriction: 'ASCII URI references only (no non-ASCII IRI characters)' },
  // ajv-formats' "url": http(s)/ftp with a host name and a letter TLD (no user info, no IP hosts)
  url: {
    source: '(?:[hH][tT][tT][pP][sS]?|[fF][tT][pP]):\\/\\/(?:[a-z0-9]+-)*[a-z0-9]+(?:\\.(?:[a-z0-9]+-)*[a-z0-9]+)*\\.[a-z]{2,}(?::\\d{2,5})?(?:\\/[^\\s]*)?',
    restriction: 'ASCII host names with a letter TLD only (no user info, IP addresses or non-ASCII hosts)',
  },
  byte: { source: '(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?' },
};

/** Formats that do not constrain strings (ajv-formats: always valid, or apply to numbers only). */
export const NON_STRING_FORMATS: ReadonlySet<string> = new Set(['password', 'binary', 'float', 'double', 'int32', 'int64']);

/** Formats ajv-formats knows that this front-end does not enforce. */
export const UNSUPPORTED_FORMATS: ReadonlySet<string> = new Set([
  'regex',
  'uri-template',
  'idn-email',
  'idn-hostname',
  'json-pointer-uri-fragment',
  'iso-time',
  'iso-date-time',
]);

const cache = new Map<string, Expr>();

/** Whether the front-end enforces this string format. */
export function isKnownFormat(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(FORMATS, name);
}

/** What the format's grammar leaves out, if anything. */
export function formatRestriction(name: string): string | undefined {
  return FORMATS[name]?.restriction;
}

/** The decoded-string expression of a known format. */
export function formatExpr(name: string): Expr {
  const hit = cache.get(name);
  if (hit) return hit;
  const def = FORMATS[name];
  if (!def) throw new Error(`internal: unknown format ${name}`);
  const e = parseRegex(caseless(def.source), { mode: 'full', source: `<format ${name}>` });
  cache.set(name, e);
  return e;
}

/** A JS RegExp for the format (for checking enum values and property names). */
export function formatRegExp(name: string): RegExp {
  const def = FORMATS[name]!;
  return new RegExp(`^(?:${caseless(def.source)})$`, 'u');
}
