/**
 * Every GBNF grammar in ../shared compiles with the Llama-3.1 tokenizer and
 * accepts texts written for it, token by token through the masks, with EOS
 * at the end; texts outside the language are rejected somewhere.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, expect, it } from 'vitest';
import { Vocabulary } from '../../src/vocab/vocabulary.js';
import { resolveTokenizerPath } from '../../src/vocab/resolve.js';
import { compileGbnf } from '../../src/api.js';
import { allocateBitmask } from '../../src/vocab/trie.js';
import type { CompiledGrammar } from '../../src/matcher/compiled.js';
import { describeShared, sharedPath } from '../shared.js';

const cases: Record<string, { accept: string[]; reject: string[] }> = {
  'llama.cpp-grammars/arithmetic.gbnf': { accept: ['1+2*3=7\n', '(4 -x1) /6= y\n2=2\n'], reject: ['1+2*3', '*2=2\n'] },
  'llama.cpp-grammars/c.gbnf': {
    accept: ['int main(){return 0;}', 'int f(int x){int y = x*2;if(y>3){return y;}return 0;}'],
    reject: ['int main({}', 'main(){}'],
  },
  'llama.cpp-grammars/chess.gbnf': { accept: ['1. e4 e5\n2. Nf3 Nc6\n', '1. d4 d5\n2. c4 dxc4\n3. e4 O-O\n'], reject: ['1. e9 e5\n2. Nf3 Nc6\n', '1. e4'] },
  'llama.cpp-grammars/english.gbnf': { accept: ['Hello, world!', 'It costs $5.\nOK'], reject: ['héllo', ' leading'] },
  'llama.cpp-grammars/japanese.gbnf': { accept: ['こんにちは', '日本語の テキスト'], reject: ['hello', 'こんにちは '] },
  'llama.cpp-grammars/json.gbnf': { accept: ['{"a": [1, 2.5e3, "x"], "b": {"c": null}}', '{}'], reject: ['{"a": }', '[1, 2]'] },
  'llama.cpp-grammars/json_arr.gbnf': { accept: ['[\n{"name": "x", "n": 1},\n[true, -2.5e3]]', '[\n]'], reject: ['{"a": 1}', '[\n1,\n]'] },
  'llama.cpp-grammars/list.gbnf': { accept: ['- one\n- two items\n'], reject: ['- \n', '* one\n'] },
  'ambient-labs-gbnf/simple.gbnf': { accept: ['1+2=3\n', '10*3=30\n4/2=2\n'], reject: ['1+2=\n', '=3\n'] },
  'ambient-labs-gbnf/sql.gbnf': { accept: ['SELECT a, b FROM baz'], reject: ['SELECT a FROM foo', 'DROP TABLE baz'] },
  'ambient-labs-gbnf/yes-no.gbnf': { accept: ['yes', 'no'], reject: ['yess', 'maybe'] },
  'xml-gbnf/xml_simple.gbnf': { accept: ['<a href="x">text<b/></a>', '<root/>'], reject: ['<a>', '<a></a'] },
  'xml-gbnf/xml_1_0_full.gbnf': { accept: ['<?xml version="1.0"?>\n<doc a="1"><x>y &amp; z</x><!-- c --></doc>'], reject: ['<doc'] },
};

let vocab: Vocabulary;
beforeAll(async () => {
  vocab = await Vocabulary.fromFile(resolveTokenizerPath('llama3.1'));
});

/** Feeds `text` token by token, checking each token is in the mask; returns whether all was accepted and EOS is allowed. */
function run(compiled: CompiledGrammar, text: string): boolean {
  const m = compiled.matcher();
  const mask = allocateBitmask(vocab.size);
  for (const id of vocab.encode(text)) {
    m.fillNextTokenBitmask(mask);
    const inMask = ((mask[id >>> 5]! >>> (id & 31)) & 1) === 1;
    const accepted = m.acceptToken(id);
    expect(inMask).toBe(accepted);
    if (!accepted) return false;
  }
  m.fillNextTokenBitmask(mask);
  const eos = vocab.eosIds.some((e) => ((mask[e >>> 5]! >>> (e & 31)) & 1) === 1);
  expect(eos).toBe(m.isAccepting());
  return eos;
}

describeShared('data/grammars/llama.cpp-grammars', 'shared GBNF grammars with the llama3.1 vocabulary', () => {
  for (const [file, { accept, reject }] of Object.entries(cases)) {
    it(file, () => {
      const compiled = compileGbnf(readFileSync(sharedPath(`data/grammars/${file}`), 'utf8'), vocab, { source: file });
      for (const t of accept) expect(run(compiled, t), `accepts ${JSON.stringify(t)}`).toBe(true);
      for (const t of reject) expect(run(compiled, t), `rejects ${JSON.stringify(t)}`).toBe(false);
    });
  }
});
