// sm-guardrails redrive: re-runs the events of a deployed stage's failed-events queue.
import type { EventReport } from '#core/report';
import { type RegisterCommand, UsageError } from '../context.ts';
import { formatReport } from '../format.ts';

interface Options {
  stage?: string;
  config?: string;
  mode?: string;
  dryRun?: boolean;
  json?: boolean;
  max?: string;
}

const DETAILS = `
Each message of the stage's failed-events queue (sm-guardrails-<stage>-failed-events: Lambda on-failure records
and events EventBridge could not deliver) is run through the guardrails as the stage's functions would: the
stage's policy file and mode (serverless.yml params; --config and --mode if you deployed with --param), its
alert topic, re-check queue and delivery records (what was already done for an event is not done again).
A message is deleted once its event settled; one that fails again, or is not an event, stays in the queue.
The default AWS credential chain and region, or AWS_ENDPOINT_URL (the local emulator).

Exit status: 0 the queue was emptied; 1 messages are left (still failing or unreadable).

Example:
  sm-guardrails redrive --stage prod --dry-run     # what would happen
  sm-guardrails redrive --stage prod`;

export const registerRedrive: RegisterCommand = (program, cli) => {
  program
    .command('redrive')
    .description("re-run the events of a deployed stage's failed-events queue, then delete them")
    .requiredOption('--stage <stage>', 'the deployed stage (serverless --stage)')
    .option('--config <file>', "the stage's policy file (default: serverless.yml's policyFile for the stage)")
    .option(
      '--mode <mode>',
      "enforce or report (default: serverless.yml's mode for the stage, else the policy's)",
    )
    .option('--dry-run', 'read calls only: nothing is changed, sent or deleted')
    .option('--json', 'JSON Lines: one report object per message')
    .option('--max <n>', 'at most this many messages')
    .addHelpText('after', DETAILS)
    .action(
      cli.action(async (options: Options) => {
        if (!options.stage) throw new UsageError('redrive needs --stage');
        const max = options.max === undefined ? undefined : Number(options.max);
        if (max !== undefined && !(Number.isInteger(max) && max > 0))
          throw new UsageError(`--max must be a positive whole number, not "${options.max}"`);
        const { redrive } = await import('../redrive.ts');
        const emit = (report: EventReport) =>
          cli.io.out(options.json ? JSON.stringify(report) : formatReport(report));
        const summary = await redrive(
          {
            stage: options.stage,
            ...(options.config ? { config: options.config } : {}),
            ...(options.mode ? { mode: options.mode } : {}),
            ...(options.dryRun ? { dryRun: true } : {}),
            ...(max ? { max } : {}),
          },
          emit,
          (text) => cli.io.err(text),
        );
        const line = `${summary.received} messages: ${summary.deleted} handled and deleted, ${summary.failing} still failing, ${summary.unreadable} not events (left in the queue)`;
        if (options.json) cli.io.err(line);
        else cli.io.out(line);
        return summary.failing + summary.unreadable > 0 ? 1 : 0;
      }),
    );
};
