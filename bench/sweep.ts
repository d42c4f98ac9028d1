// The sweep (sweep/) over 10, 1,000 and 10,000 notebooks in the emulator, with 20 ms added to every call and a
// rate limit the emulator enforces (ThrottlingException past it): wall time, calls, calls per resource, throttles.
// 1 in 10 notebooks is noncompliant (root access, InService): it costs a tag write and a stop, and the digest.
// `tsx bench/sweep.ts` runs this part alone and updates the `sweep` key of bench/results.json.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createAwsClients } from '#core/aws/clients';
import { DEFAULT_POLICY } from '#core/policy';
import { startEmulator } from '#emulator/index';
import { runSweep, sweepClients } from '../sweep/run.ts';
import { target } from '../sweep/target.ts';
import { BENCH_DIR, CREDENTIALS, log, REGION, round } from './common.ts';

export const SWEEP_SIZES = [10, 1_000, 10_000];
export const SWEEP_LATENCY_MS = 20;
export const SWEEP_CONCURRENCY = 5;
/** Calls per second per region the emulator accepts: close to what 5 calls in flight of 20 ms make here. */
export const SWEEP_RATE_LIMIT = 150;
export const SWEEP_TARGET_SECONDS = 300;

export interface SweepRun {
  notebooks: number;
  wallSeconds: number;
  calls: number;
  callsPerResource: number;
  throttled: number;
  listCalls: number;
  noncompliant: number;
  errors: number;
  digestsSent: number;
}

export interface SweepBenchResult {
  latencyMs: number;
  concurrency: number;
  rateLimitPerSecond: number;
  runs: SweepRun[];
}

async function sweepOnce(notebooks: number): Promise<SweepRun> {
  const emulator = await startEmulator({
    describesPerTransition: 0,
    latencyMs: SWEEP_LATENCY_MS,
    rateLimitPerSecond: SWEEP_RATE_LIMIT,
  });
  try {
    const topicArn = emulator.seed.topic('sm-guardrails-alerts', REGION);
    const key = emulator.seed.kmsKey({ region: REGION });
    for (let i = 0; i < notebooks; i++) {
      const open = i % 10 === 9;
      emulator.seed.notebookInstance({
        name: `nb-${String(i).padStart(5, '0')}`,
        region: REGION,
        status: 'InService',
        directInternetAccess: 'Disabled',
        rootAccess: open ? 'Enabled' : 'Disabled',
        imdsMinimumVersion: '2',
        subnetId: 'subnet-0a1b2c3d',
        securityGroupIds: ['sg-0a1b2c3d'],
        kmsKeyId: key,
        tags: [{ Key: 'project', Value: 'bench' }],
      });
    }
    const { clientsFor, calls } = sweepClients(SWEEP_CONCURRENCY, (t, o) =>
      createAwsClients({ ...o, endpoint: emulator.endpoint, region: t.region, credentials: CREDENTIALS }),
    );
    const started = performance.now();
    const summary = await runSweep({
      targets: [target(emulator.accountId, REGION)],
      clientsFor,
      policy: DEFAULT_POLICY,
      sweepId: `bench-${notebooks}`,
      concurrency: SWEEP_CONCURRENCY,
      topicArnFor: () => topicArn,
    });
    const wallSeconds = (performance.now() - started) / 1000;
    return {
      notebooks,
      wallSeconds: round(wallSeconds, 1),
      calls: calls.total,
      callsPerResource: round(calls.total / notebooks, 2),
      throttled: emulator.calls.filter((c) => c.errorCode === 'ThrottlingException').length,
      listCalls: emulator.calls.filter((c) => /^List(?!Tags$)/.test(c.operation)).length,
      noncompliant: summary.noncompliant,
      errors: summary.error,
      digestsSent: summary.digests.sent,
    };
  } finally {
    await emulator.close();
  }
}

export async function measureSweep(sizes = SWEEP_SIZES): Promise<SweepBenchResult> {
  const runs: SweepRun[] = [];
  for (const n of sizes) {
    log(`  sweep of ${n.toLocaleString('en-US')} notebooks`);
    runs.push(await sweepOnce(n));
  }
  return {
    latencyMs: SWEEP_LATENCY_MS,
    concurrency: SWEEP_CONCURRENCY,
    rateLimitPerSecond: SWEEP_RATE_LIMIT,
    runs,
  };
}

export function sweepRows(s: SweepBenchResult) {
  return s.runs.map((r) => ({
    metric: `Sweep of ${r.notebooks.toLocaleString('en-US')} notebooks (${s.latencyMs} ms per call, ${s.concurrency} concurrent, ${s.rateLimitPerSecond} calls/s limit): wall time; calls (per resource); throttled`,
    result: `${r.wallSeconds} s; ${r.calls.toLocaleString('en-US')} calls (${r.callsPerResource}); ${r.throttled} throttled`,
    target: r.notebooks === 10_000 ? `< ${SWEEP_TARGET_SECONDS / 60} min` : '—',
    met: r.notebooks === 10_000 ? r.wallSeconds < SWEEP_TARGET_SECONDS && r.errors === 0 : null,
  }));
}

// Alone: `tsx bench/sweep.ts [sizes...]` measures and updates bench/results.json's `sweep` key.
if (import.meta.url === `file://${process.argv[1]}`) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((n) => n > 0);
  const result = await measureSweep(sizes.length ? sizes : SWEEP_SIZES);
  const file = path.join(BENCH_DIR, 'results.json');
  const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  json.sweep = result;
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  for (const row of sweepRows(result))
    process.stdout.write(
      `${row.metric}: ${row.result}${row.met === null ? '' : row.met ? ' (met)' : ' (MISSED)'}\n`,
    );
}
