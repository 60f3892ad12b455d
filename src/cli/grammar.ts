/**
 * `constrain compile`, `constrain check` and `constrain mask`: compile a
 * constraint and print its stats, check a text against it, and show which
 * tokens may follow a prefix (the "why was this token rejected?" view).
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { compileGbnf, compileJsonSchema, compileLark, compileRegex } from '../api.js';
import { InvalidArgumentError } from '../errors.js';
import type { CompiledGrammar, MatcherVocabulary } from '../matcher/compiled.js';
import { Vocabulary } from '../vocab/vocabulary.js';
import { allocateBitmask } from '../vocab/trie.js';

/** The constraint flags shared by the commands. */
export interface GrammarFlags {
  grammar?: string;
  lark?: string;
  regex?: string;
  jsonSchema?: string;
  lenient?: boolean;
  whitespace?: string;
}

/** Adds the constraint flags to a command. */
export function addGrammarFlags(cmd: Command): Command {
  return cmd
    .option('--grammar <file>', 'GBNF grammar file (.lark files are read as Lark)')
    .option('--lark <file>', 'Lark-like grammar file')
    .option('--regex <pattern>', 'ECMAScript regex the whole text must match')
    .option('--json-schema <file>', 'JSON Schema file')
    .option('--whitespace <mode>', 'JSON whitespace: flexible (default), compact, maskbench, pretty')
    .option('--lenient', 'JSON Schema: report keywords that cannot be enforced instead of failing');
}

/** Compiles the constraint the flags name. */
export function compileFromFlags(flags: GrammarFlags, vocab: MatcherVocabulary): CompiledGrammar {
  const given = [flags.grammar, flags.lark, flags.regex, flags.jsonSchema].filter((x) => x !== undefined);
  if (given.length !== 1) {
    throw new InvalidArgumentError('give exactly one of --grammar, --lark, --regex, --json-schema');
  }
  if (flags.regex !== undefined) return compileRegex(flags.regex, vocab);
  if (flags.jsonSchema !== undefined) {
    const schema = JSON.parse(readText(flags.jsonSchema)) as unknown;
    const ws = flags.whitespace as 'flexible' | 'compact' | 'maskbench' | 'pretty' | undefined;
    return compileJsonSchema(schema, vocab, { lenient: flags.lenient, whitespace: ws });
  }
  if (flags.lark !== undefined || flags.grammar!.endsWith('.lark')) {
    const file = flags.lark ?? flags.grammar!;
    return compileLark(readText(file), vocab, { source: file });
  }
  return compileGbnf(readText(flags.grammar!), vocab, { source: flags.grammar });
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new InvalidArgumentError(`cannot read ${file}: ${(e as Error).message}`);
  }
}

/** A vocabulary of the 256 single bytes plus EOS (id 256): checks text byte by byte. */
export function byteVocabulary(): Vocabulary {
  const tokens: Uint8Array[] = [];
  for (let b = 0; b < 256; b++) tokens.push(Uint8Array.of(b));
  tokens.push(new Uint8Array(0));
  return Vocabulary.fromTokens(tokens, { eos: [256], special: [256] });
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function printable(bytes: Uint8Array): string {
  return JSON.stringify(Buffer.from(bytes).toString('utf8'));
}

/** Registers `compile`, `check` and `mask`. */
export function register(program: Command): void {
  addGrammarFlags(
    program
      .command('compile')
      .description('compile a constraint for a tokenizer; print stats (rules, lexemes, time) or the error')
      .requiredOption('--tokenizer <name|path>', 'tokenizer.json path or short name (llama3.1, qwen3, gemma3, ...)')
      .option('--json', 'print one JSON object'),
  ).action(async (opts: GrammarFlags & { tokenizer: string; json?: boolean }) => {
    const vocab = await Vocabulary.fromFile(opts.tokenizer);
    const t0 = performance.now();
    const compiled = compileFromFlags(opts, vocab);
    const compileMs = performance.now() - t0;
    const mask = allocateBitmask(vocab.size);
    const t1 = performance.now();
    compiled.matcher().fillNextTokenBitmask(mask);
    const firstMaskMs = performance.now() - t1;
    const out = {
      ...compiled.stats,
      lexerStates: compiled.lexer.size,
      compileMs: round(compileMs),
      firstMaskMs: round(firstMaskMs),
      report: compiled.report,
    };
    if (opts.json) process.stdout.write(JSON.stringify(out) + '\n');
    else {
      process.stdout.write(
        `rules ${out.rules}, nonterminals ${out.nonterminals}, productions ${out.productions}, lexemes ${out.lexemes}, ` +
          `lexer states ${out.lexerStates}\ncompile ${out.compileMs} ms, first mask ${out.firstMaskMs} ms\n`,
      );
      for (const r of compiled.report) process.stdout.write(`${r.status}: ${r.feature} at ${r.where || '/'}${r.detail ? ` (${r.detail})` : ''}\n`);
    }
  });

  addGrammarFlags(
    program
      .command('check')
      .description('read text on stdin; exit 0 if the constraint accepts it, 1 if not (printing the byte offset)')
      .option('--tokenizer <name|path>', 'also check token by token with this tokenizer')
      .option('--prefix', 'accept any prefix of a valid text'),
  ).action(async (opts: GrammarFlags & { tokenizer?: string; prefix?: boolean }) => {
    const input = await readStdin();
    const vocab = opts.tokenizer !== undefined ? await Vocabulary.fromFile(opts.tokenizer) : byteVocabulary();
    const m = compileFromFlags(opts, vocab).matcher();
    if (opts.tokenizer !== undefined) {
      const ids = vocab.encode(input.toString('utf8'));
      let offset = 0;
      for (let i = 0; i < ids.length; i++) {
        if (!m.acceptToken(ids[i]!)) {
          process.stdout.write(`rejected at token ${i} ${printable(vocab.tokenBytes(ids[i]!))} (byte offset ${offset})\n`);
          process.exitCode = 1;
          return;
        }
        offset += vocab.tokenBytes(ids[i]!).length;
      }
    } else {
      for (let i = 0; i < input.length; i++) {
        if (!m.acceptString(input.subarray(i, i + 1))) {
          process.stdout.write(`rejected at byte offset ${i}: ${printable(input.subarray(Math.max(0, i - 20), i))} then ${printable(input.subarray(i, i + 1))}\n`);
          process.exitCode = 1;
          return;
        }
      }
    }
    if (!opts.prefix && !m.isAccepting()) {
      process.stdout.write(`incomplete: the text is a valid prefix but not a complete match (byte offset ${input.length})\n`);
      process.exitCode = 1;
      return;
    }
    process.stdout.write('accepted\n');
  });

  addGrammarFlags(
    program
      .command('mask')
      .description('read a prefix on stdin; print the tokens allowed next')
      .requiredOption('--tokenizer <name|path>', 'tokenizer.json path or short name')
      .option('--json', 'print {"allowed": [ids], "eos": bool}')
      .option('--limit <n>', 'list at most n tokens (text output)', '200'),
  ).action(async (opts: GrammarFlags & { tokenizer: string; json?: boolean; limit: string }) => {
    const prefix = await readStdin();
    const vocab = await Vocabulary.fromFile(opts.tokenizer);
    const m = compileFromFlags(opts, vocab).matcher();
    if (!m.acceptString(prefix)) throw new InvalidArgumentError('the prefix on stdin is not accepted by the constraint (try `constrain check --prefix`)');
    const mask = allocateBitmask(vocab.size);
    m.fillNextTokenBitmask(mask);
    const allowed: number[] = [];
    let eos = false;
    for (let id = 0; id < vocab.size; id++) {
      if (!((mask[id >>> 5]! >>> (id & 31)) & 1)) continue;
      if (vocab.eosIds.includes(id)) eos = true;
      else allowed.push(id);
    }
    if (opts.json) {
      process.stdout.write(JSON.stringify({ allowed, eos }) + '\n');
      return;
    }
    process.stdout.write(`${allowed.length} tokens allowed${eos ? ', and EOS' : ''}\n`);
    const limit = Number(opts.limit);
    for (const id of allowed.slice(0, limit)) process.stdout.write(`${id}\t${printable(vocab.tokenBytes(id))}\n`);
    if (allowed.length > limit) process.stdout.write(`... ${allowed.length - limit} more\n`);
  });
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
