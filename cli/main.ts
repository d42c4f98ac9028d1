// sm-guardrails: the CLI's entry point (bin/sm-guardrails.mjs runs the bundle of this file, dist/cli.mjs).
//
// One module per command. To add a command:
//   1. Write cli/commands/<name>.ts exporting `register<Name>: RegisterCommand` (see cli/context.ts). It calls
//      `program.command('<name>')`, declares its arguments and options (repeatable ones with `collect`), a
//      one-line description, longer help with `.addHelpText('after', ...)`, and
//      `.action(cli.action(async (args..., options) => exitStatus))`.
//   2. Add it to COMMANDS below (the order is the order in `--help`).
// Conventions: write only through `cli.io` (tests capture it; never console.log or process.stdout); return the
// exit status (0 done, 2 bad input or usage, 1 internal or AWS error); throw UsageError for a bad combination
// of arguments, PolicyError for a bad policy (main prints one line per problem). Import heavy modules (the
// emulator, AWS clients) with a dynamic import() inside the action, so that `--help` and the other commands
// stay fast and the CLI bundle's startup small.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { PolicyError } from '#core/policy';
import { registerCheckConfig } from './commands/check-config.ts';
import { registerGeneratePolicies } from './commands/generate-policies.ts';
import { registerRedrive } from './commands/redrive.ts';
import { registerReplay } from './commands/replay.ts';
import { registerRules } from './commands/rules.ts';
import { registerScan } from './commands/scan.ts';
import { type Cli, type Io, type RegisterCommand, UsageError } from './context.ts';

export type { Io } from './context.ts';

const COMMANDS: RegisterCommand[] = [
  registerReplay,
  registerRedrive,
  registerScan,
  registerCheckConfig,
  registerRules,
  registerGeneratePolicies,
];

const processIo: Io = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** The version in package.json: one directory up from both cli/main.ts and its bundle dist/cli.mjs. */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

const EXIT_STATUS = `
Exit status: 0 every input was evaluated; 2 an input, the policy or the command line was invalid;
1 an internal or AWS error.`;

function createProgram(io: Io, status: { code: number }): Command {
  const program = new Command('sm-guardrails')
    .description(
      'SageMaker guardrails: replay CloudTrail events through the policy checks (offline, against a ' +
        'simulated AWS account, or live), sweep every existing resource, validate a policy file, list the rules, generate the preventive ' +
        'IAM policies and SCPs the policy implies.',
    )
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .helpCommand('help [command]', 'show help for a command')
    .addHelpText('afterAll', EXIT_STATUS)
    // Settings made before the commands are added are inherited by them.
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.out(text.replace(/\n$/, '')),
      writeErr: (text) => io.err(text.replace(/\n$/, '')),
      outputError: (text, write) => write(text.replace(/^error: /, 'sm-guardrails: ')),
    })
    .showHelpAfterError('(run with --help for usage)')
    .showSuggestionAfterError(true);
  const cli: Cli = {
    io,
    action(run) {
      return async (...args) => {
        try {
          status.code = await run(...args);
        } catch (error) {
          if (!(error instanceof UsageError)) throw error;
          // The action's last argument is its command: report the mistake as commander reports its own.
          (args.at(-1) as Command).error(`error: ${error.message}`, { exitCode: 2 });
        }
      };
    },
  };
  for (const register of COMMANDS) register(program, cli);
  return program;
}

/** Runs the CLI; returns the exit status. Errors become one line on stderr, never a stack trace. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const status = { code: 0 };
  try {
    await createProgram(io, status).parseAsync(argv, { from: 'user' });
    return status.code;
  } catch (error) {
    // --help, --version: 0. A parse error or `sm-guardrails` alone (help on stderr): a usage error, 2.
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof PolicyError) {
      for (const problem of error.problems) io.err(`${error.file}: ${problem}`);
      return 2;
    }
    io.err(`sm-guardrails: internal error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
