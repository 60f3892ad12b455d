#!/usr/bin/env node
// Runs `constrain bench mask` from a build without the full CLI:
//   node bench/maskbench.mjs --tokenizer llama3.1 --schemas ../shared/data/jsonschemabench-dev --engine xgrammar --json
// Uses ./dist (npm run build) or the build folder named by $CONSTRAIN_DIST.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';

const dist = resolve(process.env.CONSTRAIN_DIST ?? new URL('../dist', import.meta.url).pathname);
const { register } = await import(pathToFileURL(`${dist}/cli/bench.js`).href);
const program = new Command('constrain');
register(program);
await program.parseAsync(['bench', 'mask', ...process.argv.slice(2)], { from: 'user' });
