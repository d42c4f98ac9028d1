// sm-guardrails: replay events through the guardrails, validate a policy file.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { DEFAULT_POLICY, type Policy, PolicyError } from '#core/policy';
import { parsePolicy } from '#core/policy-file';
import type { EventReport } from '#core/report';
import { RULES } from '#core/rules/index';
import { formatReport, summarize } from './format.ts';
import { readInputs } from './inputs.ts';
import { createRunner, type ReplayMode } from './runners.ts';

const USAGE = `Usage:
  sm-guardrails replay [--config FILE] [--json] [--simulate | --live [--dry-run]] [--exclude PATH]... PATH...
      Evaluate events (a file with one event or an array of events, or a directory of *.json).
      Offline by default: the event alone is evaluated and actions are only planned.
      --simulate  run the Lambda code path against an in-process AWS emulator seeded from the events
      --live      use the default AWS credential chain and region (or AWS_ENDPOINT_URL)
      --dry-run   with --live: read calls only, nothing is changed or sent
  sm-guardrails check-config FILE
      Validate a policy file.
  sm-guardrails rules
      List the rules.

Exit status: 0 every input was evaluated; 2 an input or the policy was invalid; 1 an internal or AWS error.`;

type Write = (text: string) => void;
export interface Io {
  out: Write;
  err: Write;
}
const processIo: Io = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

async function loadPolicy(file: string | undefined): Promise<Policy> {
  if (!file) return DEFAULT_POLICY;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PolicyError(file, [code === 'ENOENT' ? 'no such file' : `cannot read (${code})`]);
  }
  return parsePolicy(text, file);
}

async function replay(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      json: { type: 'boolean', default: false },
      simulate: { type: 'boolean', default: false },
      live: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      exclude: { type: 'string', multiple: true, default: [] },
    },
  });
  if (positionals.length === 0) throw new UsageError('replay needs at least one PATH');
  if (values.simulate && values.live) throw new UsageError('--simulate and --live exclude each other');
  if (values['dry-run'] && !values.live) throw new UsageError('--dry-run goes with --live');
  const mode: ReplayMode = values.simulate
    ? 'simulate'
    : values.live
      ? values['dry-run']
        ? 'live-dry-run'
        : 'live'
      : 'offline';

  const policy = await loadPolicy(values.config);
  const items = await readInputs(positionals, values.exclude);
  const runner = await createRunner(mode, policy);
  let exitCode = 0;
  const reports: EventReport[] = [];
  const emit = (report: EventReport) => {
    reports.push(report);
    if (report.verdict === 'invalid') exitCode = 2;
    if (report.verdict === 'error' && exitCode === 0) exitCode = 1;
    if (!values.json) return io.out(formatReport(report));
    io.out(JSON.stringify(report));
    // The JSON stream is for machines; a person still sees each invalid input on stderr.
    if (report.verdict === 'invalid') io.err(`${report.file}: ${report.reason}`);
  };
  try {
    for (const item of runner.order?.(items) ?? items)
      for (const report of await runner.run(item)) emit(report);
  } finally {
    await runner.close();
  }
  if (!values.json) io.out(summarize(reports));
  return exitCode;
}

async function checkConfig(args: string[], io: Io): Promise<number> {
  const [file, ...rest] = args;
  if (!file || rest.length > 0) throw new UsageError('check-config takes exactly one FILE');
  await loadPolicy(file);
  io.out(`${file}: valid policy`);
  return 0;
}

function listRules(io: Io): number {
  for (const { meta } of RULES) {
    io.out(`${meta.id.padEnd(32)} ${meta.severity.padEnd(9)} ${meta.resourceTypes.join(', ')}`);
  }
  return 0;
}

class UsageError extends Error {}

/** Runs the CLI; returns the exit status. Errors become one line on stderr, never a stack trace. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'replay':
        return await replay(args, io);
      case 'check-config':
        return await checkConfig(args, io);
      case 'rules':
        return listRules(io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof PolicyError) {
      for (const problem of error.problems) io.err(`${error.file}: ${problem}`);
      return 2;
    }
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`sm-guardrails: ${(error as Error).message}\n${USAGE}`);
      return 2;
    }
    io.err(`sm-guardrails: internal error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
