#!/usr/bin/env node
// The `constrain` CLI. Built code lives in dist/ (`npm run build`; `prepare` runs it on install).
import { main } from '../dist/cli/main.js';

await main();
