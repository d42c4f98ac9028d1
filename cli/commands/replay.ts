// sm-guardrails replay: evaluates events offline, against a simulated AWS account, or live.
import { Option } from 'commander';
import type { EventReport } from '#core/report';
import { collect, loadPolicy, type RegisterCommand, UsageError } from '../context.ts';
import { FAULT_SERVICES, parseFaultSpec } from '../faults.ts';
import { formatAlert, formatReport, summarize } from '../format.ts';
import { readInputs } from '../inputs.ts';
import type { LiveOptions } from '../live-runner.ts';
import { createRunner, type ReplayMode } from '../runners.ts';

export interface ReplayOptions {
  config?: string;
  json?: boolean;
  simulate?: boolean;
  live?: boolean;
  dryRun?: boolean;
  exclude?: string[];
  showNotifications?: boolean;
  fault?: string[];
  redeliver?: boolean;
  stage?: string;
  table?: string;
}

const DETAILS = `
PATH is a file holding one event or an array of events, or a directory searched recursively for *.json.
Dead letters replay as the events they carry (Lambda on-failure destination records, SQS messages,
\`aws sqs receive-message\` output). Offline (the default) each event is evaluated alone and actions are
only planned.

With --live, the deployed guardrails' exemption grants are read with --stage STAGE (or --table NAME, in
AWS_REGION): a live replay that may change resources requires one (exit 2 without), since without the grants
every granted exemption tag would be judged forged and reverted. --dry-run without them says so, and an
event on a resource with an exemption tag is then unverifiable.

With --simulate, an invocation that does not settle (a transient AWS failure, another delivery of the event in
progress) is re-run as Lambda does, up to 2 retries, then reported dead-lettered. --fault SPEC makes the
guardrails' AWS calls fail: SPEC is service:Operation=ErrorName (every call) or service:Operation=ErrorName@N
(the first N calls), with service one of ${FAULT_SERVICES.join(', ')}; the SDK's own retries count as calls.

Examples:
  sm-guardrails replay events/
  sm-guardrails replay --simulate --exclude events/malformed events/
  sm-guardrails replay --simulate --redeliver --exclude events/malformed events/
  sm-guardrails replay --simulate --fault sns:Publish=ThrottlingException@2 --fault kms:DescribeKey=AccessDeniedException events/
  sm-guardrails replay --json --exclude '**/*-compliant.json' events/ | jq .verdict`;

export const registerReplay: RegisterCommand = (program, cli) => {
  program
    .command('replay')
    .description('evaluate events through the guardrails')
    .usage('[options] PATH...')
    // Optional for commander, so that a missing PATH gets this command's own message.
    .argument('[PATH...]', 'event files or directories')
    .option('--config <file>', 'the policy file (default: the built-in default policy)')
    .option('--json', 'JSON Lines: one report object per event')
    .addOption(
      new Option(
        '--simulate',
        'run the Lambda code path against an in-process AWS emulator seeded from the events',
      ).conflicts('live'),
    )
    .option(
      '--fault <spec>',
      'with --simulate: the guardrails AWS calls fail (service:Operation=ErrorName[@N]); repeatable',
      collect,
    )
    .option(
      '--redeliver',
      'with --simulate: every event delivered twice, concurrently, to two separate containers',
    )
    .option('--live', 'use the default AWS credential chain and region (or AWS_ENDPOINT_URL)')
    .option('--dry-run', 'with --live: read calls only, nothing is changed or sent')
    .option(
      '--stage <stage>',
      'with --live: the deployed stage whose exemption grants are read and recorded (table sm-guardrails-<stage>-records)',
    )
    .option('--table <name>', "with --live: the exemption grants' table itself, instead of --stage")
    .option(
      '--exclude <path-or-glob>',
      'leave out a file or directory (and all under it), or the paths matching a glob; repeatable',
      collect,
    )
    .addOption(
      new Option(
        '--show-notifications',
        'print each alert as SNS delivers it (subject, attributes, body); offline and with --dry-run, the alert that would be sent',
      ).conflicts('json'),
    )
    .addHelpText('after', DETAILS)
    .action(
      cli.action(async (paths: string[], options: ReplayOptions) => {
        if (paths.length === 0) throw new UsageError('replay needs at least one PATH');
        if (options.dryRun && !options.live) throw new UsageError('--dry-run goes with --live');
        if ((options.stage !== undefined || options.table !== undefined) && !options.live)
          throw new UsageError(`${options.stage !== undefined ? '--stage' : '--table'} goes with --live`);
        if ((options.fault?.length || options.redeliver) && !options.simulate)
          throw new UsageError(`${options.fault?.length ? '--fault' : '--redeliver'} goes with --simulate`);
        const faults = (options.fault ?? []).map(parseFaultSpec);
        const mode: ReplayMode = options.simulate
          ? 'simulate'
          : options.live
            ? options.dryRun
              ? 'live-dry-run'
              : 'live'
            : 'offline';

        const policy = await loadPolicy(options.config);
        const exclude = options.exclude ?? [];
        const items = await readInputs(paths, exclude);
        if (items.length === 0) {
          const excluded = exclude.length > 0 ? ' (after --exclude)' : '';
          cli.io.err(
            `sm-guardrails: warning: no event to replay: no *.json file in ${paths.join(' ')}${excluded}`,
          );
          return 2;
        }
        let live: LiveOptions = {};
        if (options.live) {
          // Before any event: a live replay honours (and records) the deployed stage's exemption grants.
          const { exemptionGrantsFor } = await import('../stage.ts');
          const choice = await exemptionGrantsFor(options, {
            dryRun: options.dryRun === true,
            command: 'replay --live',
          });
          cli.io.err(`sm-guardrails: ${choice.table ? '' : 'warning: '}${choice.note}`);
          live = { grants: choice.grants };
        }
        const runner = await createRunner(
          mode,
          policy,
          { faults, ...(options.redeliver ? { redeliver: true } : {}) },
          live,
        );
        let exitCode = 0;
        const reports: EventReport[] = [];
        const emit = (report: EventReport) => {
          reports.push(report);
          if (report.verdict === 'invalid') exitCode = 2;
          if (report.verdict === 'error' && exitCode === 0) exitCode = 1;
          if (!options.json) return cli.io.out(formatReport(report));
          cli.io.out(JSON.stringify(report));
          // The JSON stream is for machines; a person still sees each invalid input on stderr.
          if (report.verdict === 'invalid') cli.io.err(`${report.file}: ${report.reason}`);
        };
        try {
          for (const item of runner.order?.(items) ?? items) {
            const itemReports = await runner.run(item);
            let alerts = options.showNotifications ? runner.takeAlerts() : [];
            for (const report of itemReports) {
              emit(report);
              // Each published alert under the report that sent it; those without an id after the last one.
              const ids = new Set((report.notifications ?? []).map((n) => n.messageId));
              for (const alert of alerts.filter((a) => ids.has(a.messageId))) cli.io.out(formatAlert(alert));
              alerts = alerts.filter((a) => !ids.has(a.messageId));
            }
            for (const alert of alerts) cli.io.out(formatAlert(alert));
          }
        } finally {
          await runner.close();
        }
        if (!options.json) cli.io.out(summarize(reports));
        return exitCode;
      }),
    );
};
