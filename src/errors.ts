/**
 * Typed errors of constrain. Every error carries a machine-readable `code`
 * and, where it applies, a location: `line:column` for grammar text, a byte
 * offset for regexes, a JSON pointer for schemas, a file path for inputs.
 */

/** Machine codes of all errors constrain throws. */
export type ErrorCode =
  | 'GRAMMAR_SYNTAX'
  | 'UNSUPPORTED_FEATURE'
  | 'LIMIT_EXCEEDED'
  | 'EMPTY_LANGUAGE'
  | 'TOKENIZER_LOAD'
  | 'MODEL_LOAD'
  | 'EXECUTION_PROVIDER'
  | 'INVALID_ARGUMENT'
  // failures of the batch worker pool (src/batch)
  | 'POOL_CLOSED'
  | 'WORKER_EXITED'
  | 'TIMEOUT'
  | 'SEQUENCE_LOST';

/** Base class: every error of constrain has a `code`. */
export class ConstrainError extends Error {
  /** Machine-readable error kind. */
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Where in a grammar text an error is: 1-based line and column, 0-based offset. */
export interface SourceLocation {
  /** 1-based line. */
  line: number;
  /** 1-based column (in UTF-16 code units of the line). */
  column: number;
  /** 0-based offset (UTF-16 code units) into the source text. */
  offset: number;
  /** File name or a label such as `<regex>`, when known. */
  source?: string;
}

/** Computes line and column of a UTF-16 offset into `text`. */
export function locate(text: string, offset: number, source?: string): SourceLocation {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1, offset, source };
}

function formatLocation(loc: SourceLocation): string {
  return `${loc.source ? loc.source + ':' : ''}${loc.line}:${loc.column}`;
}

/** A grammar, regex or template text that does not parse, or refers to an undefined rule. */
export class GrammarSyntaxError extends ConstrainError {
  /** Where the problem is. */
  readonly location: SourceLocation;
  constructor(message: string, location: SourceLocation) {
    super('GRAMMAR_SYNTAX', `${message} (at ${formatLocation(location)})`);
    this.location = location;
  }
}

/** A construct or keyword that constrain cannot enforce exactly. */
export class UnsupportedFeatureError extends ConstrainError {
  /** The construct or keyword, e.g. `backreference`, `uniqueItems`. */
  readonly feature: string;
  /** JSON pointer (schemas) or `line:column` / offset description (text grammars). */
  readonly where: string;
  constructor(feature: string, where: string, detail?: string) {
    super('UNSUPPORTED_FEATURE', `unsupported ${feature} at ${where || '/'}${detail ? ': ' + detail : ''}`);
    this.feature = feature;
    this.where = where;
  }
}

/** A resource limit was hit: states, items, time, nesting, repetition bounds. */
export class LimitExceededError extends ConstrainError {
  /** Name of the limit (a key of the limits options object). */
  readonly limit: string;
  /** The limit's value in force. */
  readonly value: number;
  constructor(limit: string, value: number, detail?: string) {
    super('LIMIT_EXCEEDED', `limit ${limit}=${value} exceeded${detail ? ': ' + detail : ''}`);
    this.limit = limit;
    this.value = value;
  }
}

/** A grammar or schema whose language is empty: no output could ever satisfy it. */
export class EmptyLanguageError extends ConstrainError {
  constructor(detail: string) {
    super('EMPTY_LANGUAGE', `the constraint matches no text at all: ${detail}`);
  }
}

/** A tokenizer file that is missing, malformed or of an unknown kind. */
export class TokenizerLoadError extends ConstrainError {
  /** The file the problem is in. */
  readonly file: string;
  constructor(file: string, problem: string) {
    super('TOKENIZER_LOAD', `${file}: ${problem}`);
    this.file = file;
  }
}

/** A model directory or model file that cannot be loaded. */
export class ModelLoadError extends ConstrainError {
  /** The path the problem is in. */
  readonly path: string;
  constructor(path: string, problem: string) {
    super('MODEL_LOAD', `${path}: ${problem}`);
    this.path = path;
  }
}

/** An execution provider was requested that is not available. */
export class ExecutionProviderError extends ConstrainError {
  constructor(message: string) {
    super('EXECUTION_PROVIDER', message);
  }
}

/** A request whose arguments are out of range or inconsistent. */
export class InvalidArgumentError extends ConstrainError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message);
  }
}
