/**
 * What the JSON Schema front-end did with each constraining keyword.
 */
import { UnsupportedFeatureError } from '../../errors.js';

/** One keyword occurrence. */
export interface ReportEntry {
  /** The keyword, e.g. `uniqueItems`. */
  readonly keyword: string;
  /** JSON pointer of the schema holding it (`""` for the root), prefixed by its document URI when not the root. */
  readonly pointer: string;
  /** Why, when not plainly enforced. */
  readonly detail?: string;
}

/** The report of one conversion. */
export interface SchemaReport {
  /** Keywords not enforced (only with `lenient`): the grammar accepts more than the schema. */
  readonly ignored: ReportEntry[];
  /** Keywords enforced approximately (only with `lenient`), e.g. `oneOf` read as `anyOf`. */
  readonly approximated: ReportEntry[];
  /** Unknown keywords (ignored per the specification). */
  readonly unknownKeywords: ReportEntry[];
  /** Restrictions the grammar makes on purpose (it accepts fewer texts than the schema), e.g. property order. */
  readonly restricted: ReportEntry[];
}

/** Collects report entries and applies the lenient / strict policy. */
export class Reporter {
  /** The report being built. */
  readonly report: SchemaReport = { ignored: [], approximated: [], unknownKeywords: [], restricted: [] };
  private readonly seen = new Set<string>();
  constructor(private readonly lenient: boolean) {}

  /** A keyword that cannot be enforced: throws, or with `lenient` records it as ignored. */
  unsupported(keyword: string, pointer: string, detail?: string): void {
    if (!this.lenient) throw new UnsupportedFeatureError(keyword, pointer, detail);
    this.add(this.report.ignored, keyword, pointer, detail);
  }
  /** A keyword enforced approximately: throws, or with `lenient` records it. */
  approximate(keyword: string, pointer: string, detail?: string): void {
    if (!this.lenient) throw new UnsupportedFeatureError(keyword, pointer, detail);
    this.add(this.report.approximated, keyword, pointer, detail);
  }
  /** An unknown keyword (never throws). */
  unknown(keyword: string, pointer: string): void {
    this.add(this.report.unknownKeywords, keyword, pointer);
  }
  /** A deliberate restriction (never throws). */
  restrict(keyword: string, pointer: string, detail: string): void {
    this.add(this.report.restricted, keyword, pointer, detail);
  }
  private add(list: ReportEntry[], keyword: string, pointer: string, detail?: string): void {
    const key = `${list === this.report.ignored ? 'i' : list === this.report.approximated ? 'a' : list === this.report.restricted ? 'r' : 'u'}|${keyword}|${pointer}|${detail ?? ''}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    list.push(detail === undefined ? { keyword, pointer } : { keyword, pointer, detail });
  }
}
