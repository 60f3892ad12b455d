/**
 * The `constrain` command line: builds the commander program from one file
 * per subcommand (each exports `register(program)`), runs it, and maps
 * errors to exit codes. Only `cli/` prints for users or exits.
 *
 * Exit codes: 0 success (commands may set `process.exitCode`, e.g. `check`
 * uses 1 for "not accepted"), 2 usage errors and {@link ConstrainError}s
 * (`error: <message>`, no stack), 70 unexpected errors (stack printed).
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ConstrainError } from '../errors.js';
import { register as registerBench } from './bench.js';
import { register as registerConvert } from './convert.js';
import { register as registerE2e } from './e2e.js';
import { register as registerGenerate } from './generate.js';
import { register as registerGrammar } from './grammar.js';
import { register as registerVocab } from './vocab.js';

/** Exit code for usage errors and typed constrain errors. */
export const ExitUsage = 2;
/** Exit code for unexpected internal errors (BSD EX_SOFTWARE). */
export const ExitInternal = 70;

/** The package version, read from package.json. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Builds the program with all subcommands registered. */
export function buildProgram(): Command {
  const program = new Command('constrain')
    .description('Grammar-constrained decoding for ONNX language models: JSON Schema, regex, GBNF/Lark, exact token masks.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showHelpAfterError('(run with --help for usage)');
  // One line per subcommand file.
  registerVocab(program);
  registerGrammar(program);
  registerBench(program);
  registerGenerate(program);
  registerConvert(program);
  registerE2e(program);
  return program;
}

/** Makes commander throw instead of exiting, in every (sub)command. */
function exitOverrideAll(cmd: Command): void {
  cmd.exitOverride();
  for (const sub of cmd.commands) exitOverrideAll(sub);
}

/**
 * Runs the CLI on `argv` (arguments after the program name) and returns
 * the exit code; prints errors to stderr. Does not exit the process.
 * @param program the program to run; tests may pass one with extra commands
 */
export async function runCli(argv: readonly string[], program: Command = buildProgram()): Promise<number> {
  exitOverrideAll(program);
  const before = process.exitCode;
  process.exitCode = undefined;
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return Number(process.exitCode ?? 0);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : ExitUsage; // commander printed the message
    if (e instanceof ConstrainError) {
      process.stderr.write(`error: ${e.message}\n`);
      return ExitUsage;
    }
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return ExitInternal;
  } finally {
    process.exitCode = before;
  }
}

/** Entry point of `bin/constrain.js`: runs the CLI, flushes stdout, exits. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<never> {
  const code = await runCli(argv);
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  process.exit(code);
}
