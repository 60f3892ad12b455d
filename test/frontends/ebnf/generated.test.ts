/**
 * The committed nearley parsers (`*-grammar.ts`) are what `nearleyc` makes of
 * the `.ne` sources: regenerate with
 *   node_modules/.bin/nearleyc src/frontends/ebnf/gbnf.ne -o src/frontends/ebnf/gbnf-grammar.ts
 *   node_modules/.bin/nearleyc src/frontends/ebnf/lark.ne -o src/frontends/ebnf/lark-grammar.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../shared.js';

describe('generated nearley parsers are up to date', () => {
  for (const name of ['gbnf', 'lark']) {
    it(`${name}-grammar.ts`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'nearleyc-'));
      try {
        const out = join(dir, `${name}-grammar.ts`);
        const nearleyc = join(repoRoot, 'node_modules', 'nearley', 'bin', 'nearleyc.js');
        execFileSync(process.execPath, [nearleyc, join(repoRoot, 'src/frontends/ebnf', `${name}.ne`), '-o', out], { stdio: 'pipe' });
        expect(readFileSync(out, 'utf8')).toBe(readFileSync(join(repoRoot, 'src/frontends/ebnf', `${name}-grammar.ts`), 'utf8'));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
