/**
 * `constrain vocab --tokenizer T [--json]`: loads a vocabulary and prints
 * what constrain sees in it (kind, sizes, EOS/BOS, special tokens, trie
 * nodes, load time).
 */
import type { Command } from 'commander';
import { Vocabulary } from '../vocab/vocabulary.js';

/** Parsed options of `vocab`. */
export interface VocabOptions {
  tokenizer: string;
  json?: boolean;
}

/** What `vocab --json` prints (one line). */
export interface VocabReport {
  name: string;
  file: string;
  kind: string;
  size: number;
  tokenizerSize: number;
  eosIds: number[];
  bosId: number | null;
  special: { count: number; first: { id: number; text: string }[] };
  trieNodes: number;
  /** Wall-clock time of Vocabulary.fromFile. */
  loadMs: number;
  /** CPU time of this process during the load (less sensitive to other load on the machine). */
  loadCpuMs: number;
}

/** How many special tokens to list. */
const ShownSpecials = 8;

/** Loads the vocabulary and builds the report. */
export async function vocabReport(tokenizer: string): Promise<VocabReport> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const v = await Vocabulary.fromFile(tokenizer);
  const loadMs = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  const specials = v.specialIds();
  return {
    name: v.name,
    file: v.file,
    kind: v.kind,
    size: v.size,
    tokenizerSize: v.tokenizerSize,
    eosIds: [...v.eosIds],
    bosId: v.bosId ?? null,
    special: { count: specials.length, first: specials.slice(0, ShownSpecials).map((id) => ({ id, text: v.tokenText(id) })) },
    trieNodes: v.trie.nodeCount,
    loadMs: Math.round(loadMs * 10) / 10,
    loadCpuMs: Math.round((cpu.user + cpu.system) / 100) / 10,
  };
}

function formatReport(r: VocabReport): string {
  const specials = r.special.first.map((s) => `${s.id} ${JSON.stringify(s.text)}`).join(', ');
  return [
    `tokenizer       ${r.name}${r.name !== r.file ? ` (${r.file})` : ''}`,
    `kind            ${r.kind}`,
    `size            ${r.size} (logits / mask length)`,
    `tokenizer size  ${r.tokenizerSize}${r.size > r.tokenizerSize ? ` (${r.size - r.tokenizerSize} padding ids)` : ''}`,
    `eos ids         ${r.eosIds.join(', ') || '(none)'}`,
    `bos id          ${r.bosId ?? '(none)'}`,
    `special tokens  ${r.special.count}${r.special.count ? `: ${specials}${r.special.count > r.special.first.length ? ', ...' : ''}` : ''}`,
    `trie nodes      ${r.trieNodes}`,
    `load time       ${r.loadMs} ms (cpu ${r.loadCpuMs} ms)`,
  ].join('\n');
}

/** Registers `vocab` on `program`. */
export function register(program: Command): void {
  program
    .command('vocab')
    .description('load a tokenizer and show its vocabulary: kind, sizes, EOS/BOS, special tokens, trie, load time')
    .requiredOption('--tokenizer <name|path>', 'tokenizer.json, a directory holding one, or a short name (llama3.1, llama3, qwen3, gemma3, llama2, gpt-oss, deepseek-v3)')
    .option('--json', 'print one JSON line')
    .action(async (opts: VocabOptions) => {
      const report = await vocabReport(opts.tokenizer);
      process.stdout.write((opts.json ? JSON.stringify(report) : formatReport(report)) + '\n');
    });
}
