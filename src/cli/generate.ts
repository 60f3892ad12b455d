/**
 * `constrain generate`: constrained (or free) generation with a model
 * directory or the built-in model, printing the text or, with `--json`, one
 * object: `text`, `finish_reason`, `tokens` (per token `id`, `text`,
 * `logprob`, `masked_logprob`, `top_logprobs`, `masked_top_logprobs`,
 * `removed_mass`, `forced`), `captures` (regex named groups), `prompt_tokens`,
 * `timing` and `provenance`. `--replay record.json` runs a recorded
 * generation again and checks the output (exit 1 when it differs).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InvalidArgumentError } from '../errors.js';
import type { ExecutionProviderName } from '../decode/model.js';
import type { ChatMessage } from '../generation/chat.js';
import type { ConstraintSpec, JsonPropertyOrder, JsonWhitespace } from '../generation/constraint.js';
import type { GenerationResult, TokenInfo } from '../generation/generation.js';
import { Generator, type GenerationRequest } from '../generation/generator.js';
import type { TopEntry } from '../generation/logprobs.js';
import { modelSpecOf, provenanceOf, replay } from '../generation/replay.js';
import type { Vocabulary } from '../vocab/vocabulary.js';
import { addGrammarFlags, type GrammarFlags } from './grammar.js';

/** Parsed options of `generate`. */
export interface GenerateCliOptions extends GrammarFlags {
  model: string;
  prompt?: string;
  messages?: string;
  chatTemplate?: string;
  choices?: string;
  maxTokens?: string;
  temperature?: string;
  topP?: string;
  topK?: string;
  minP?: string;
  seed?: string;
  logprobs?: string;
  prefill?: string;
  stop: string[];
  ep: string;
  threads?: string;
  jumpForward?: boolean;
  propertyOrder?: string;
  overlap?: boolean;
  json?: boolean;
  provenance?: string;
  replay?: string;
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    throw new InvalidArgumentError(`${what}: cannot read ${file}: ${(e as Error).message}`);
  }
}

function readJson(file: string, what: string): unknown {
  const text = readText(file, what);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new InvalidArgumentError(`${what}: ${file} is not valid JSON: ${(e as Error).message}`);
  }
}

/** A number flag; `InvalidArgumentError` naming the flag when it does not parse or is not an integer where one is needed. */
function num(v: string | undefined, flag: string, integer = false): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new InvalidArgumentError(`${flag} must be ${integer ? 'an integer' : 'a number'}, got "${v}"`);
  }
  return n;
}

/** The constraint the flags name (null: none), with its source kept for provenance. */
export function specFromFlags(f: GrammarFlags & { choices?: string; propertyOrder?: string }): ConstraintSpec | null {
  const given = [f.grammar, f.lark, f.regex, f.jsonSchema, f.choices].filter((x) => x !== undefined);
  if (given.length === 0) return null;
  if (given.length > 1) throw new InvalidArgumentError('give at most one of --grammar, --lark, --regex, --json-schema, --choices');
  if (f.regex !== undefined) return { kind: 'regex', source: f.regex };
  if (f.jsonSchema !== undefined) {
    const source = readText(f.jsonSchema, '--json-schema');
    try {
      JSON.parse(source);
    } catch (e) {
      throw new InvalidArgumentError(`--json-schema: ${f.jsonSchema} is not valid JSON: ${(e as Error).message}`);
    }
    const ws = f.whitespace as JsonWhitespace | undefined;
    if (ws !== undefined && !['flexible', 'compact', 'maskbench', 'pretty'].includes(ws)) {
      throw new InvalidArgumentError(`--whitespace must be flexible, compact, maskbench or pretty, got "${ws}"`);
    }
    const order = f.propertyOrder as JsonPropertyOrder | undefined;
    if (order !== undefined && !['schema', 'any', 'auto'].includes(order)) {
      throw new InvalidArgumentError(`--property-order must be schema, any or auto, got "${order}"`);
    }
    return {
      kind: 'json-schema',
      source,
      ...(ws ? { whitespace: ws } : {}),
      ...(f.lenient ? { lenient: true } : {}),
      ...(order ? { propertyOrder: order } : {}),
    };
  }
  if (f.choices !== undefined) {
    const choices = readText(f.choices, '--choices').split(/\r?\n/).filter((l) => l.length > 0);
    return { kind: 'choices', choices };
  }
  if (f.lark !== undefined || f.grammar!.endsWith('.lark')) return { kind: 'lark', source: readText(f.lark ?? f.grammar!, '--lark') };
  return { kind: 'gbnf', source: readText(f.grammar!, '--grammar') };
}

/** The request the flags describe. */
export function requestFromFlags(o: GenerateCliOptions): GenerationRequest {
  if ((o.prompt === undefined) === (o.messages === undefined)) throw new InvalidArgumentError('give one of --prompt TEXT and --messages FILE');
  let messages: ChatMessage[] | undefined;
  if (o.messages !== undefined) messages = readJson(o.messages, '--messages') as ChatMessage[];
  return {
    ...(o.prompt !== undefined ? { prompt: o.prompt } : { messages }),
    ...(o.chatTemplate !== undefined ? { chatTemplate: readText(o.chatTemplate, '--chat-template') } : {}),
    constraint: specFromFlags(o),
    prefill: o.prefill,
    stop: o.stop.length ? o.stop : undefined,
    maxTokens: num(o.maxTokens, '--max-tokens', true),
    temperature: num(o.temperature, '--temperature'),
    topP: num(o.topP, '--top-p'),
    topK: num(o.topK, '--top-k', true),
    minP: num(o.minP, '--min-p'),
    seed: num(o.seed, '--seed', true),
    // --json always reports the chosen tokens' logprobs.
    logprobs: num(o.logprobs, '--logprobs', true) ?? (o.json ? 0 : undefined),
    jumpForward: o.jumpForward ?? false,
  };
}

function epOf(v: string): ExecutionProviderName {
  if (v !== 'cpu' && v !== 'cuda') throw new InvalidArgumentError(`--ep must be cpu or cuda, got "${v}"`);
  return v;
}

function tops(list: TopEntry[] | null, vocab: Vocabulary): Array<{ id: number; text: string; logprob: number }> {
  return (list ?? []).map((e) => ({ id: e.id, text: tokenString(vocab, e.id), logprob: e.logprob }));
}

function tokenString(vocab: Vocabulary, id: number): string {
  if (id >= vocab.size) return '';
  return vocab.isSpecial(id) ? vocab.tokenText(id) : Buffer.from(vocab.tokenBytes(id)).toString('utf8');
}

/** The `--json` object of a result (snake_case, DESIGN §3.3). */
export function resultJson(r: GenerationResult, vocab: Vocabulary): Record<string, unknown> {
  return {
    text: r.text,
    finish_reason: r.finishReason,
    tokens: r.tokens.map((t: TokenInfo) => ({
      id: t.id,
      text: t.text,
      logprob: t.logprob,
      masked_logprob: t.maskedLogprob,
      top_logprobs: tops(t.topLogprobs, vocab),
      masked_top_logprobs: tops(t.maskedTopLogprobs, vocab),
      removed_mass: t.removedMass,
      forced: t.forced,
    })),
    ...(r.captures ? { captures: r.captures } : {}),
    ...(r.stopString !== null ? { stop_string: r.stopString } : {}),
    prompt_tokens: r.promptTokens,
    timing: r.timing,
    provenance: r.provenance,
  };
}

/** Registers `generate`. */
export function register(program: Command): void {
  const collect = (v: string, prev: string[]): string[] => [...prev, v];
  const cmd = program
    .command('generate')
    .description('generate text with a model (default: the built-in one), optionally constrained')
    .option('--model <dir|builtin>', 'model directory (Hugging Face / Optimum ONNX layout) or builtin', 'builtin')
    .option('--prompt <text>', 'prompt text')
    .option('--messages <file>', 'chat messages: JSON [{role, content}], rendered with the chat template (- for stdin)')
    .option('--chat-template <file>', 'Jinja chat template to use instead of the model\'s')
    .option('--choices <file>', 'constraint: exactly one line of this file');
  addGrammarFlags(cmd)
    .option('--max-tokens <n>', 'most tokens after the prefill (default 256)')
    .option('--temperature <t>', '0 = greedy (default)')
    .option('--top-p <p>', 'nucleus sampling')
    .option('--top-k <k>', 'top-k sampling')
    .option('--min-p <p>', 'min-p sampling')
    .option('--seed <s>', 'PRNG seed (default 0)')
    .option('--logprobs <n>', 'report top-N logprobs of the model and of the masked distribution')
    .option('--prefill <text>', 'text the answer starts with')
    .option('--stop <text>', 'stop string (repeatable)', collect, [])
    .option('--jump-forward', 'batch forced tokens (one forward pass, no sampling)')
    .option('--property-order <order>', 'JSON Schema objects: schema (keys in schema order: forced text), any, auto (default)')
    .option('--overlap', 'run the model in a worker thread and compute the mask during its forward pass (same output)')
    .option('--ep <name>', 'execution provider: cpu or cuda', 'cpu')
    .option('--threads <n>', 'intra-op threads')
    .option('--json', 'print one JSON object with tokens, logprobs and provenance')
    .option('--provenance <file>', 'write the provenance record to this file')
    .option('--replay <file>', 'run a provenance record (or a --json output) again and check the output')
    .action(async (o: GenerateCliOptions) => {
      const ep = epOf(o.ep);
      const threads = num(o.threads, '--threads', true);
      if (o.replay !== undefined) {
        const rec = provenanceOf(readJson(o.replay, '--replay'));
        const explicitModel = cmd.getOptionValueSource('model') === 'cli' ? o.model : undefined;
        const gen = await Generator.load(modelSpecOf(rec, explicitModel), { ep, threads, overlap: o.overlap ?? false });
        try {
          const out = await replay(rec, { generator: gen, ep });
          if (o.provenance) writeFileSync(o.provenance, JSON.stringify(out.result.provenance, null, 2) + '\n');
          const replayInfo = { matches: out.matches, differences: out.differences, notes: out.notes };
          process.stdout.write((o.json ? JSON.stringify({ ...resultJson(out.result, gen.vocab), replay: replayInfo }) : out.result.text) + '\n');
          for (const n of out.notes) process.stderr.write(`note: ${n}\n`);
          if (!out.matches) {
            process.stderr.write(`constrain generate --replay: output differs from the record: ${out.differences.join('; ')}\n`);
            process.exitCode = 1;
          }
        } finally {
          await gen.release();
        }
        return;
      }
      const request = requestFromFlags(o);
      const gen = await Generator.load(o.model, { ep, threads, overlap: o.overlap ?? false });
      try {
        let result: GenerationResult;
        if (!o.json && !request.stop) {
          // Stream the text as it comes (a streaming decoder keeps split UTF-8 characters whole).
          const dec = new TextDecoder();
          const it = gen.stream(request);
          let step = await it.next();
          while (!step.done) {
            const t = step.value;
            process.stdout.write(dec.decode(t.id < gen.vocab.size ? gen.vocab.tokenBytes(t.id) : new Uint8Array(0), { stream: true }));
            step = await it.next();
          }
          result = step.value;
          process.stdout.write(dec.decode() + '\n');
        } else {
          result = await gen.generate(request);
          process.stdout.write((o.json ? JSON.stringify(resultJson(result, gen.vocab)) : result.text) + '\n');
        }
        if (o.provenance) writeFileSync(o.provenance, JSON.stringify(result.provenance, null, 2) + '\n');
      } finally {
        await gen.release();
      }
    });
}
