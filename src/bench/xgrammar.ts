/**
 * The `xgrammar` MaskBench engine: XGrammar's C++ core compiled to WASM
 * (`@mlc-ai/web-xgrammar`, a devDependency), driven synchronously.
 *
 * The package is marked ESM but ships a CommonJS/UMD bundle, and its
 * JavaScript wrapper makes every call async although the WASM bindings are
 * synchronous. To time masks without promise hops, the bundle is loaded as
 * CommonJS from a patched copy (in the OS temp folder) that exposes the
 * embind module: `GrammarCompiler.CompileJSONSchema`, `GrammarMatcher`
 * (`GetNextTokenBitmask`, `AcceptToken`) are then called directly, as the
 * wrapper itself does after its `await`.
 *
 * Settings are MaskBench's "XGrammar (default)" configuration:
 * `any_whitespace=false`, `strict_mode=true`, no indentation, separators
 * `", "` and `": "` (what Python's `json.dumps` prints). `compliant` mode is
 * MaskBench's `--xgr-compliant`: any whitespace, non-strict.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { InvalidArgumentError } from '../errors.js';
import { type BenchEngine, type BenchGrammar, type BenchMatcher, EngineAbortError } from './maskbench.js';
import type { BenchTokenizer, TokenizerJson } from './tokenizer.js';

/** Embind handles and functions of web-xgrammar used here (untyped upstream). */
interface EmbindHandle {
  delete(): void;
}
interface XgrBinding {
  vecStringFromJSArray(xs: string[]): EmbindHandle;
  vecIntFromJSArray(xs: number[]): EmbindHandle;
  vecIntToView(v: EmbindHandle): Int32Array;
  TokenizerInfo: new (vocab: EmbindHandle, type: string, size: number, stop: EmbindHandle | undefined, prependSpace: boolean) => EmbindHandle;
  GrammarCompiler: new (info: EmbindHandle, maxThreads: number, cache: boolean) => XgrCompilerHandle;
  GrammarMatcher: new (cg: EmbindHandle, stop: EmbindHandle | undefined, terminateWithoutStop: boolean, maxRollback: number) => XgrMatcherHandle;
}
interface XgrCompilerHandle extends EmbindHandle {
  CompileJSONSchema(
    schema: string, anyWhitespace: boolean, indent: number | undefined, separators: { first: string; second: string } | undefined,
    strict: boolean, maxWhitespaceCnt: number | undefined,
  ): EmbindHandle;
}
interface XgrMatcherHandle extends EmbindHandle {
  GetNextTokenBitmask(vocabSize: number): EmbindHandle;
  AcceptToken(id: number, verbose: boolean): boolean;
}
interface XgrModule {
  Grammar: { builtinJSONGrammar(): Promise<{ dispose(): void }> };
  __constrainBinding(): XgrBinding | null;
  /** Receives each line the WASM module prints (`[WARNING] ...`, `[FATAL] ...`, `Aborted()`). */
  __constrainPrintErr: (line: string) => void;
}

/** Options of the xgrammar engine. */
export interface XGrammarEngineOptions {
  /** 'default' (MaskBench "XGrammar"): fixed whitespace, strict; 'compliant': any whitespace, non-strict. */
  mode?: 'default' | 'compliant';
}

/** The vocabulary type XGrammar's TokenizerInfo wants, detected as its `from_huggingface` does. */
export function detectXgrammarVocabType(json: TokenizerJson): { vocabType: 'byte_level' | 'byte_fallback' | 'raw'; prependSpace: boolean } {
  const dec = JSON.stringify(json.decoder ?? null);
  const vocabType = dec.includes('"ByteLevel"') ? 'byte_level' : dec.includes('"ByteFallback"') || json.model.byte_fallback ? 'byte_fallback' : 'raw';
  const norm = JSON.stringify(json.normalizer ?? null);
  const pre = JSON.stringify(json.pre_tokenizer ?? null);
  const prependSpace =
    /"Prepend","prepend":"▁"/.test(norm) || (/"Metaspace"/.test(pre) && /"prepend_scheme":"(always|first)"|"add_prefix_space":true/.test(pre));
  return { vocabType, prependSpace };
}

/** Source patches: expose the embind module, and route its stderr through a hook. */
const PATCHES: [string, string][] = [
  ['let binding = null;', 'let binding = null; exports.__constrainBinding = () => binding; exports.__constrainPrintErr = (s) => console.error(s);'],
  // XGrammar's warnings go to stdout, its fatal errors to stderr: collect both.
  ['binding = await Module();', 'binding = await Module({ print: (s) => exports.__constrainPrintErr(s), printErr: (s) => exports.__constrainPrintErr(s) });'],
];
let modulePromise: Promise<XgrModule> | undefined;

/** Loads web-xgrammar's bundle as CommonJS with its embind module exposed (once per thread). */
export function loadWebXgrammar(): Promise<XgrModule> {
  modulePromise ??= (async () => {
    const require = createRequire(import.meta.url);
    let libFile: string;
    try {
      libFile = join(dirname(require.resolve('@mlc-ai/web-xgrammar/package.json')), 'lib', 'index.js');
    } catch {
      throw new InvalidArgumentError('engine xgrammar needs the devDependency @mlc-ai/web-xgrammar (npm install --save-dev @mlc-ai/web-xgrammar)');
    }
    let patched = readFileSync(libFile, 'utf8');
    for (const [from, to] of PATCHES) {
      if (patched.split(from).length !== 2) {
        throw new InvalidArgumentError(`${libFile}: unknown web-xgrammar build (expected one "${from}" to expose its bindings)`);
      }
      patched = patched.replace(from, to);
    }
    const dir = join(tmpdir(), 'constrain-web-xgrammar');
    const file = join(dir, `index-${createHash('sha256').update(patched).digest('hex').slice(0, 16)}.cjs`);
    if (!existsSync(file)) {
      mkdirSync(dir, { recursive: true });
      const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
      writeFileSync(tmp, patched);
      renameSync(tmp, file); // atomic: parallel workers never see a half-written file
    }
    const mod = createRequire(file)(file) as XgrModule;
    (await mod.Grammar.builtinJSONGrammar()).dispose(); // forces WASM instantiation
    if (!mod.__constrainBinding()) throw new InvalidArgumentError(`${libFile}: web-xgrammar bindings did not initialize`);
    return mod;
  })();
  return modulePromise;
}

/** Creates the xgrammar engine for `tok` (TokenizerInfo from the same tokenizer.json, stop ids = tok.eosIds). */
export async function createXGrammarEngine(tok: BenchTokenizer, opts: XGrammarEngineOptions = {}): Promise<BenchEngine> {
  const mod = await loadWebXgrammar();
  const b = mod.__constrainBinding()!;
  const { vocabType, prependSpace } = detectXgrammarVocabType(tok.json);
  const strings = tok.tokenStrings();
  while (strings.length < tok.size) strings.push('');
  const vocabVec = b.vecStringFromJSArray(strings);
  const stopVec = b.vecIntFromJSArray([...tok.eosIds]);
  const info = new b.TokenizerInfo(vocabVec, vocabType.toUpperCase(), tok.size, stopVec, prependSpace);
  vocabVec.delete();
  stopVec.delete();
  // One thread (WASM), cache off: every schema is compiled from scratch and memory does not grow.
  const compiler = new b.GrammarCompiler(info, 1, false);
  const compliant = opts.mode === 'compliant';
  const size = tok.size;
  const eos = Int32Array.from(tok.eosIds);
  const separators = { first: ', ', second: ': ' };

  const isEosAllowed = (mask: Uint32Array): boolean => {
    for (let i = 0; i < eos.length; i++) {
      const id = eos[i]!;
      if ((mask[id >>> 5]! >>> (id & 31)) & 1) return true;
    }
    return false;
  };

  // XGrammar reports schema errors with LOG(FATAL), which in this WASM build
  // prints "[FATAL] file:line: message" and aborts; warnings name ignored keywords.
  let messages: string[] = [];
  mod.__constrainPrintErr = (line: string) => {
    if (line !== 'Aborted()') messages.push(line.replace(/^\[(FATAL|WARNING)\] \S*\/cpp\//, '[$1] cpp/'));
  };

  return {
    name: compliant ? 'xgrammar-compliant' : 'xgrammar',
    compile(schemaText: string): BenchGrammar {
      messages = [];
      let cg: EmbindHandle;
      try {
        cg = compiler.CompileJSONSchema(schemaText, compliant, undefined, separators, !compliant, undefined);
      } catch (e) {
        const fatal = messages.find((m) => m.startsWith('[FATAL]'));
        // After an abort the WASM instance is not safe to reuse (its C++ stack was never unwound).
        throw new EngineAbortError(`xgrammar aborted: ${fatal ?? (e instanceof Error ? e.message : String(e))}`);
      }
      const notes = messages;
      return {
        notes,
        matcher(): BenchMatcher {
          const h = new b.GrammarMatcher(cg, undefined, false, -1);
          let target: Uint32Array | undefined;
          let target32: Int32Array = new Int32Array(0);
          return {
            fillNextTokenBitmask(mask: Uint32Array): void {
              if (mask !== target) {
                target = mask;
                target32 = new Int32Array(mask.buffer, mask.byteOffset, mask.length);
              }
              const v = h.GetNextTokenBitmask(size);
              target32.set(b.vecIntToView(v));
              v.delete();
            },
            acceptToken: (id: number): boolean => h.AcceptToken(id, false),
            isEosAllowed,
            dispose: () => h.delete(),
          };
        },
        dispose: () => cg.delete(),
      };
    },
    dispose(): void {
      compiler.delete();
      info.delete();
    },
  };
}
