/**
 * The user-facing generation API: a loaded model with its tokenizer and chat
 * template, turning requests (prompt or chat messages, constraint, prefill,
 * sampling, seed, stop strings, logprobs) into {@link Generation} sessions.
 *
 * ```ts
 * const gen = await Generator.load('builtin');
 * const r = await gen.generate({ prompt: 'Name: ', constraint: { kind: 'regex', source: '[A-Z][a-z]+' }, seed: 1 });
 * console.log(r.text, r.provenance);
 * for await (const tok of gen.stream({ prompt: 'Once' })) process.stdout.write(tok.text);
 * ```
 */
import { dirname, resolve } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { resolveModelDir } from '../decode/builtin.js';
import { loadModel, type ExecutionProviderName, type LanguageModel } from '../decode/model.js';
import { WorkerLM } from '../decode/worker-model.js';
import { InvalidArgumentError, ModelLoadError } from '../errors.js';
import { CompiledGrammar } from '../matcher/compiled.js';
import { checkSamplingParams } from '../sampling/draw.js';
import { Vocabulary } from '../vocab/vocabulary.js';
import { checkMessages, readChatTemplateConfig, renderChat, type ChatMessage, type ChatTemplateConfig } from './chat.js';
import { checkSpec, compileConstraint, constraintHash, type ConstraintSpec } from './constraint.js';
import { Generation, checkSeed, type GenerationContext, type GenerationResult, type TokenInfo } from './generation.js';
import { encodePrefill, encodePrompt } from './prompt.js';
import { fileHash, modelHash, packageVersions, PROVENANCE_FORMAT, type Provenance, type RecordedRequest } from './provenance.js';

/** A generation request. Give `prompt` or `messages`. */
export interface GenerationRequest {
  /** Plain text prompt (BOS added as the tokenizer does). */
  prompt?: string;
  /** Chat messages, rendered with the model's chat template (or `chatTemplate`). */
  messages?: ChatMessage[];
  /** A Jinja chat template to use instead of the model's. */
  chatTemplate?: string;
  /** Add the tokenizer's special tokens (BOS) to a plain prompt. Default: tokenizer_config `add_bos_token` (true). */
  addSpecialTokens?: boolean;
  /** The constraint: a spec (recorded in provenance, replayable) or an already compiled grammar. */
  constraint?: ConstraintSpec | CompiledGrammar | null;
  /** Text the answer must start with (forced, tokenized as the model would after the prompt). */
  prefill?: string;
  /** Stop strings: the output ends before the first one the generated text (not the prefill) contains. */
  stop?: string[];
  /** Most tokens to generate after the prefill. Default 256. */
  maxTokens?: number;
  /** 0 (default) = greedy. */
  temperature?: number;
  /** Keep the k most likely tokens (0 = off). */
  topK?: number;
  /** Nucleus probability (1 = off). */
  topP?: number;
  /** Min-p filter (0 = off). */
  minP?: number;
  /** PRNG seed (default 0): same seed and inputs, same bytes. */
  seed?: number;
  /**
   * Logprobs: omitted = none (fastest); 0 = the chosen token's; N = also the
   * top-N of the model's and of the masked distribution (N up to the vocabulary size).
   */
  logprobs?: number;
  /** Batch the constraint's forced tokens without sampling (one forward pass). Default false. */
  jumpForward?: boolean;
  /** Do not stop at EOS when unconstrained (benchmarks). */
  ignoreEos?: boolean;
  /** Aborts at the next step (finish reason `aborted`). */
  signal?: AbortSignal;
  /**
   * With a generator loaded with `overlap`: compute the constraint's work for
   * the next token (forced tokens, else the mask) while the model runs.
   * Default true there; no effect otherwise. Never changes the output.
   */
  overlap?: boolean;
}

/** Options of {@link Generator.load}. */
export interface GeneratorOptions {
  /** Execution provider (default cpu; cuda throws `ExecutionProviderError` when unavailable). */
  ep?: ExecutionProviderName;
  /** Intra-op threads. */
  threads?: number;
  /**
   * Run the model in a worker thread so the constraint's work for the next
   * token overlaps the forward pass (see `WorkerLM`). Same output. Default
   * false: it pays only when the constraint's work per token exceeds a thread
   * hand-off (~15 µs) and a core is free for the worker.
   */
  overlap?: boolean;
}

/** A loaded model ready to generate. */
export class Generator {
  /** The model (in this thread, or a `WorkerLM` when loaded with `overlap`). */
  readonly model: LanguageModel;
  /** Its vocabulary (tokenizer.json of the model directory). */
  readonly vocab: Vocabulary;
  /** Chat template and special-token texts. */
  readonly chat: ChatTemplateConfig;
  /** The `--model` value it was loaded from. */
  readonly spec: string;
  private readonly modelSha: string;
  private readonly tokenizerSha: string;
  private readonly grammars = new Map<string, CompiledGrammar>();

  private constructor(spec: string, model: LanguageModel, vocab: Vocabulary, chat: ChatTemplateConfig, modelSha: string, tokenizerSha: string) {
    this.spec = spec;
    this.model = model;
    this.vocab = vocab;
    this.chat = chat;
    this.modelSha = modelSha;
    this.tokenizerSha = tokenizerSha;
  }

  /**
   * Loads `builtin` (the seeded built-in model, generated on first use) or a
   * model directory with its tokenizer.json. Hashes the model files for provenance.
   */
  static async load(model = 'builtin', options: GeneratorOptions = {}): Promise<Generator> {
    const dir = await resolveModelDir(model);
    const m: LanguageModel = options.overlap
      ? await WorkerLM.load(dir, { ep: options.ep, threads: options.threads })
      : await loadModel(dir, { ep: options.ep, threads: options.threads });
    try {
      const root = existsSync(dir) && statSync(dir).isFile() ? dirname(resolve(dir)) : m.info.dir;
      const vocab = await Vocabulary.fromFile(root);
      if (vocab.tokenizerSize > m.info.vocabSize) {
        throw new ModelLoadError(m.info.file, `the tokenizer has ${vocab.tokenizerSize} tokens but the logits only ${m.info.vocabSize}`);
      }
      const [modelSha, tokenizerSha] = await Promise.all([modelHash(m.info.file), fileHash(vocab.file)]);
      return new Generator(model, m, vocab, readChatTemplateConfig(root), modelSha, tokenizerSha);
    } catch (e) {
      await m.release();
      throw e;
    }
  }

  /** Compiles a constraint spec for this vocabulary (cached by hash). */
  compile(spec: ConstraintSpec): CompiledGrammar {
    const h = constraintHash(spec);
    let c = this.grammars.get(h);
    if (!c) {
      c = compileConstraint(spec, this.vocab);
      this.grammars.set(h, c);
    }
    return c;
  }

  /** Starts a session (nothing runs until its first step). Throws `InvalidArgumentError` on a bad request. */
  start(request: GenerationRequest): Generation {
    return new Generation(this.context(request));
  }

  /** Runs a request to the end. */
  async generate(request: GenerationRequest): Promise<GenerationResult> {
    return this.start(request).run();
  }

  /** Streams a request's tokens; the generator's return value is the result. */
  stream(request: GenerationRequest): AsyncGenerator<TokenInfo, GenerationResult> {
    return this.start(request).stream();
  }

  /** Frees the model session. */
  async release(): Promise<void> {
    await this.model.release();
  }

  /** Checks and settles a request. */
  private context(req: GenerationRequest): GenerationContext {
    const hasPrompt = req.prompt !== undefined;
    if (hasPrompt === (req.messages !== undefined)) throw new InvalidArgumentError('give exactly one of prompt and messages');
    if (hasPrompt && typeof req.prompt !== 'string') throw new InvalidArgumentError('prompt must be a string');
    const sampling = { temperature: req.temperature ?? 0, topK: req.topK ?? 0, topP: req.topP ?? 1, minP: req.minP ?? 0 };
    checkSamplingParams(sampling);
    const seed = req.seed ?? 0;
    checkSeed(seed);
    const maxTokens = req.maxTokens ?? 256;
    if (!Number.isInteger(maxTokens) || maxTokens < 0) throw new InvalidArgumentError(`maxTokens must be an integer >= 0, got ${maxTokens}`);
    const V = this.model.info.vocabSize;
    const logprobs = req.logprobs ?? null;
    if (logprobs !== null && (!Number.isInteger(logprobs) || logprobs < 0 || logprobs > V)) {
      throw new InvalidArgumentError(`logprobs must be an integer in 0..${V} (the vocabulary size), got ${logprobs}`);
    }
    const stop = req.stop ?? [];
    if (!Array.isArray(stop) || stop.some((s) => typeof s !== 'string' || s.length === 0)) throw new InvalidArgumentError('stop must be a list of non-empty strings');

    let promptText: string;
    let addSpecial: boolean;
    if (hasPrompt) {
      promptText = req.prompt!;
      addSpecial = req.addSpecialTokens ?? this.chat.addBosToken;
    } else {
      checkMessages(req.messages);
      const cfg = req.chatTemplate !== undefined ? { ...this.chat, template: req.chatTemplate } : this.chat;
      promptText = renderChat(cfg, req.messages, `${this.model.info.dir}/tokenizer_config.json`);
      addSpecial = false; // the template writes BOS itself
    }
    const bos = this.vocab.bosId ?? this.model.info.bosTokenId;
    const promptIds = encodePrompt(this.vocab, promptText, addSpecial, bos ?? null);
    const prefill = req.prefill ?? '';
    const prefillIds = encodePrefill(this.vocab, promptText, promptIds, prefill, addSpecial);

    let spec: ConstraintSpec | null = null;
    let compiled: CompiledGrammar | null = null;
    if (req.constraint instanceof CompiledGrammar) {
      compiled = req.constraint;
      if (compiled.vocab !== this.vocab) throw new InvalidArgumentError('the compiled constraint was built for another vocabulary: compile it with generator.vocab');
    } else if (req.constraint) {
      checkSpec(req.constraint);
      spec = req.constraint;
      compiled = this.compile(spec);
    }

    const request: RecordedRequest = {
      ...(hasPrompt ? { prompt: req.prompt } : { messages: req.messages!.map((m) => ({ role: m.role, content: m.content })) }),
      ...(req.chatTemplate !== undefined ? { chatTemplate: req.chatTemplate } : {}),
      addSpecialTokens: addSpecial,
      ...(prefill ? { prefill } : {}),
      ...(stop.length ? { stop: stop.slice() } : {}),
      maxTokens,
      sampling,
      seed,
      logprobs,
      jumpForward: req.jumpForward ?? false,
      ignoreEos: req.ignoreEos ?? false,
    };
    const info = this.model.info;
    const record: Omit<Provenance, 'created' | 'result'> = {
      format: PROVENANCE_FORMAT,
      model: { spec: this.spec, dir: info.dir, file: info.file, sha256: this.modelSha, dtype: info.kvType, ep: info.ep, vocabSize: info.vocabSize },
      tokenizer: { file: this.vocab.file, sha256: this.tokenizerSha },
      request,
      grammar: spec ? { ...spec, sha256: constraintHash(spec) } : compiled ? { kind: 'compiled', sha256: null } : null,
      packages: packageVersions(),
    };
    return {
      model: this.model,
      vocab: this.vocab,
      spec,
      compiled,
      promptIds,
      prefillIds,
      sampling,
      seed,
      maxTokens,
      stop,
      logprobs,
      jumpForward: req.jumpForward ?? false,
      ignoreEos: req.ignoreEos ?? false,
      signal: req.signal,
      overlap: this.model instanceof WorkerLM && (req.overlap ?? true),
      record,
    };
  }
}
