// sm-guardrails scan: sweep every existing resource with the same rules and actions as the event path, live or
// against a simulated account built from exported describe outputs.
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import cliProgress from 'cli-progress';
import { createAwsClientProvider } from '#core/aws/client-provider';
import { partitionOf } from '#core/kms';
import { ExportError, type ExportedResource, parseExport } from '../sweep/exports.ts';
import { renderHtmlReport } from '../sweep/html.ts';
import {
  type ClientsFor,
  DEFAULT_CONCURRENCY,
  runSweep,
  SWEEP_MAX_ATTEMPTS,
  type SweepSummary,
  sweepClients,
} from '../sweep/run.ts';
import type { ResourceResult, TargetSweep } from '../sweep/sweep.ts';
import { type Target, target } from '../sweep/target.ts';
import { type Io, loadPolicy, UsageError } from './context.ts';
import { readInputs } from './inputs.ts';
import { type ExemptionGrantsChoice, exemptionGrantsFor } from './stage.ts';

export interface ScanOptions {
  config?: string;
  json?: boolean;
  html?: string;
  simulate?: string;
  live?: boolean;
  dryRun?: boolean;
  regions?: string;
  accounts?: string;
  memberRole?: string;
  concurrency?: string;
  stage?: string;
  table?: string;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

const ACCOUNT = /^\d{12}$/;

function accountsOf(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const accounts = value
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  const bad = accounts.find((a) => !ACCOUNT.test(a));
  if (bad !== undefined || accounts.length === 0)
    throw new UsageError(`--accounts: not an account id: "${bad ?? ''}"`);
  return [...new Set(accounts)];
}

function regionsOf(value: string | undefined): string[] {
  const fallback = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const regions = (value ?? fallback)
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  const bad = regions.find((r) => !REGION.test(r));
  if (bad !== undefined || regions.length === 0)
    throw new UsageError(`--regions: not a region: "${bad ?? ''}"`);
  return [...new Set(regions)];
}

async function readExports(path: string): Promise<ExportedResource[]> {
  const items = await readInputs([path]);
  if (items.length === 0) throw new ExportError(`${path}: no *.json file`);
  const resources: ExportedResource[] = [];
  for (const item of items) {
    if ('error' in item) throw new ExportError(`${item.file}: ${item.error}`);
    const where = item.index === undefined ? item.file : `${item.file}[${item.index}]`;
    resources.push(parseExport(item.event, where));
  }
  return resources;
}

async function callerAccount(): Promise<string> {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  const sts = new STSClient({
    region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(endpoint ? { endpoint } : {}),
  });
  const { Account } = await sts.send(new GetCallerIdentityCommand({}));
  if (!Account) throw new Error('sts:GetCallerIdentity returned no account');
  return Account;
}

function line(result: ResourceResult): string {
  const label = result.verdict.toUpperCase().padEnd(12);
  const rules = [...new Set(result.violations.map((v) => v.rule))];
  const where = `${result.resource.account}/${result.resource.region}`;
  const lines = [
    `${label} ${result.resource.type}/${result.resource.name}  ${rules.length ? rules.join(', ') : (result.reason ?? '')}  (${where})`,
  ];
  for (const a of result.actions) {
    lines.push(
      `    ${a.type.padEnd(6)} ${a.status}${a.detail ? `: ${a.detail}` : ''}${a.error ? ` [${a.error}]` : ''}`,
    );
  }
  return lines.join('\n');
}

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) =>
    r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  '),
  );
}

export function summaryTable(
  summary: SweepSummary & { calls?: number },
  sweeps: readonly TargetSweep[],
): string {
  const count = (s: TargetSweep, v: ResourceResult['verdict']) =>
    String(s.results.filter((r) => r.verdict === v).length);
  const out = [
    '',
    ...table([
      ['account/region', 'resources', 'compliant', 'noncompliant', 'skipped', 'unverifiable', 'new'],
      ...sweeps.map((s) => [
        `${s.target.account}/${s.target.region}`,
        String(s.results.length),
        count(s, 'compliant'),
        count(s, 'noncompliant'),
        count(s, 'skipped'),
        String(Number(count(s, 'error')) + s.listErrors.length),
        String(s.news.length),
      ]),
      [
        'total',
        String(summary.resources),
        String(summary.compliant),
        String(summary.noncompliant),
        String(summary.skipped),
        String(summary.error + summary.listErrors.length),
        String(sweeps.reduce((n, s) => n + s.news.length, 0)),
      ],
    ]),
  ];
  const rules = Object.entries(summary.byRule).sort(([, a], [, b]) => b - a);
  if (rules.length) out.push('', ...table([['rule', 'resources'], ...rules.map(([r, n]) => [r, String(n)])]));
  const actions = Object.entries(summary.actions)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  const digests = Object.entries(summary.digests)
    .filter(([k, n]) => k !== 'none' && n > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  out.push(
    '',
    `actions: ${actions || 'none'}; digests: ${digests || 'none (nothing new)'}`,
    `${summary.calls ?? 0} AWS calls (${summary.resources ? ((summary.calls ?? 0) / summary.resources).toFixed(2) : '0'} per resource) in ${(summary.durationMs / 1000).toFixed(1)} s`,
  );
  return out.join('\n');
}

/** The scan command's work; `commands/scan.ts` declares its options. */
export async function runScan(values: ScanOptions, io: Io): Promise<number> {
  if (values.simulate === undefined && !values.live)
    throw new UsageError('scan needs --simulate PATH or --live');
  if (values.dryRun && !values.live) throw new UsageError('--dry-run goes with --live');
  if ((values.stage !== undefined || values.table !== undefined) && !values.live)
    throw new UsageError(`${values.stage !== undefined ? '--stage' : '--table'} goes with --live`);
  const concurrency = values.concurrency === undefined ? DEFAULT_CONCURRENCY : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 100)
    throw new UsageError(`--concurrency: an integer from 1 to 100, not "${values.concurrency}"`);
  const policy = await loadPolicy(values.config);

  let targets: Target[];
  let clientsFor: ClientsFor;
  let calls: { total: number; toJSON(): Record<string, number> };
  let topicArnFor: (t: Target) => string | undefined;
  let close = async () => {};
  let grants: ExemptionGrantsChoice | undefined;
  if (values.simulate !== undefined) {
    let resources: ExportedResource[];
    try {
      resources = await readExports(values.simulate);
    } catch (error) {
      if (!(error instanceof ExportError)) throw error;
      io.err(error.message);
      return 2;
    }
    const { simulateOrganization } = await import('../sweep/simulate.ts');
    let org: Awaited<ReturnType<typeof simulateOrganization>>;
    try {
      org = await simulateOrganization(resources);
    } catch (error) {
      if (!(error instanceof ExportError)) throw error;
      io.err(error.message);
      return 2;
    }
    const bound = sweepClients(concurrency, org.baseClients);
    ({ clientsFor, calls } = bound);
    targets = values.regions
      ? org.targets.filter((t) => regionsOf(values.regions).includes(t.region))
      : org.targets;
    topicArnFor = org.topicArnFor;
    close = org.close;
  } else {
    const regions = regionsOf(values.regions);
    const accounts = accountsOf(values.accounts);
    const caller = await callerAccount();
    const memberRoleName = values.memberRole ?? process.env.SM_GUARDRAILS_MEMBER_ROLE_NAME;
    if (!memberRoleName && (accounts ?? []).some((a) => a !== caller))
      throw new UsageError(
        '--accounts other than your own need --member-role NAME (or SM_GUARDRAILS_MEMBER_ROLE_NAME)',
      );
    // The deployed stage's grants, read before anything is listed: the sweep honours what the event path granted.
    grants = await exemptionGrantsFor(values, { dryRun: values.dryRun === true, command: 'scan --live' });
    if (!grants.table) io.err(`sm-guardrails: warning: ${grants.note}`);
    const home = {
      account: caller,
      region: regions[0] ?? 'us-east-1',
      partition: partitionOf(regions[0] ?? ''),
    };
    // The organization's accounts through the member role (assumed once per account and cached), the caller's own
    // with its own credentials: the same client provider the functions use.
    const endpoint = process.env.AWS_ENDPOINT_URL;
    const provider = createAwsClientProvider({
      home,
      ...(memberRoleName ? { memberRoleName } : {}),
      ...(endpoint ? { endpoint } : {}),
      retryMode: 'adaptive',
      maxAttempts: SWEEP_MAX_ATTEMPTS,
    });
    targets = (accounts ?? [caller]).flatMap((account) => regions.map((region) => target(account, region)));
    const bound = sweepClients(concurrency, (t) => provider.for(t));
    ({ clientsFor, calls } = bound);
    close = async () => provider.destroy();
    const topic = process.env.SM_GUARDRAILS_TOPIC_ARN;
    topicArnFor = () => topic;
  }

  const sweeps: TargetSweep[] = [];
  const bar =
    process.stderr.isTTY && !process.env.CI
      ? new cliProgress.SingleBar(
          {
            format:
              'sweep {bar} {value}/{total} resources | {rate}/s | {noncompliant} noncompliant, {errors} unverifiable | {eta_formatted}',
            hideCursor: true,
            clearOnComplete: true,
            etaBuffer: 200,
          },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  const started = performance.now();
  let total = 0;
  let done = 0;
  let noncompliant = 0;
  let errors = 0;
  const payload = () => ({
    rate: (done / Math.max(0.001, (performance.now() - started) / 1000)).toFixed(1),
    noncompliant,
    errors,
  });
  bar?.start(0, 0, payload());
  let summary: SweepSummary;
  try {
    summary = await runSweep({
      targets,
      clientsFor,
      policy,
      sweepId: `scan-${new Date().toISOString()}-${randomUUID().slice(0, 8)}`,
      concurrency,
      ...(values.dryRun ? { dryRun: true } : {}),
      ...(grants ? { grants: grants.grants } : {}),
      topicArnFor,
      onListed: (_t, n) => {
        total += n;
        bar?.setTotal(total);
      },
      onResult: (r) => {
        done++;
        if (r.verdict === 'noncompliant') noncompliant++;
        if (r.verdict === 'error') errors++;
        bar?.update(done, payload());
      },
      onTarget: (sweep) => {
        sweeps.push(sweep);
        if (values.json) for (const r of sweep.results) io.out(JSON.stringify(r));
      },
    });
  } finally {
    bar?.stop();
    await close();
  }
  const full = {
    ...summary,
    calls: calls.total,
    callsByOperation: calls.toJSON(),
    ...(grants ? { exemptionGrants: grants.table ?? 'not read' } : {}),
  };
  if (values.json) io.out(JSON.stringify({ summary: full }));
  else {
    for (const s of sweeps)
      for (const r of s.results) if (r.verdict !== 'compliant' && r.verdict !== 'skipped') io.out(line(r));
    io.out(summaryTable(full, sweeps));
    if (grants) io.out(grants.note);
  }
  if (values.html) {
    await writeFile(
      values.html,
      renderHtmlReport({ summary: full, sweeps, generatedAt: new Date().toISOString() }),
    );
    if (!values.json) io.out(`HTML report: ${values.html}`);
  }
  return summary.error > 0 || summary.listErrors.length > 0 ? 1 : 0;
}
