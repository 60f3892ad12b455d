/**
 * `constrain convert-llama2c`: converts a llama2.c checkpoint (Karpathy's
 * `run.c` formats, e.g. stories260K.bin) and a tokenizer.json into a model
 * directory that `constrain generate --model DIR` loads.
 */
import type { Command } from 'commander';
import { convertLlama2c } from '../decode/llama2c.js';
import { InvalidArgumentError } from '../errors.js';

/** Parsed options of `convert-llama2c`. */
export interface ConvertCliOptions {
  checkpoint: string;
  tokenizer: string;
  out: string;
  dtype: string;
  bos?: string;
  eos?: string;
}

function ids(v: string, flag: string): number[] {
  const out = v.split(',').map((s) => Number(s.trim()));
  if (out.length === 0 || out.some((n) => !Number.isInteger(n) || n < 0)) throw new InvalidArgumentError(`${flag} must be token ids separated by commas, got "${v}"`);
  return out;
}

/** Registers `convert-llama2c`. */
export function register(program: Command): void {
  program
    .command('convert-llama2c')
    .description('convert a llama2.c checkpoint to an ONNX model directory')
    .requiredOption('--checkpoint <file>', 'llama2.c checkpoint (.bin, legacy or version 1)')
    .requiredOption('--tokenizer <file|dir>', 'tokenizer.json (tokenizer_config.json beside it is copied too)')
    .requiredOption('--out <dir>', 'output model directory (created)')
    .option('--dtype <type>', 'float32 or float16', 'float32')
    .option('--bos <id>', 'BOS id (default 1)')
    .option('--eos <ids>', 'ids that end generation, comma-separated (default 2,1 as llama2.c)')
    .action((o: ConvertCliOptions) => {
      if (o.dtype !== 'float32' && o.dtype !== 'float16') throw new InvalidArgumentError(`--dtype must be float32 or float16, got "${o.dtype}"`);
      const bos = o.bos !== undefined ? ids(o.bos, '--bos') : undefined;
      if (bos && bos.length !== 1) throw new InvalidArgumentError('--bos takes one id');
      const t0 = performance.now();
      const dir = convertLlama2c(o.checkpoint, o.out, {
        tokenizer: o.tokenizer,
        dtype: o.dtype,
        ...(bos ? { bosTokenId: bos[0] } : {}),
        ...(o.eos !== undefined ? { eosTokenIds: ids(o.eos, '--eos') } : {}),
      });
      process.stdout.write(`wrote ${dir} (${Math.round(performance.now() - t0)} ms)\n`);
    });
}
