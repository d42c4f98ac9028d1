// `npm run bench`: bundle sizes, cold start (bundled vs unbundled), warm per-event latency, AWS calls per
// event, evaluator throughput, the sweep of 10 to 10,000 notebooks; all in one run. Writes bench/results.json and bench/results.md and prints the
// table. Exits 0 when a target is missed (benchmarks are no pass/fail gate): look for MISSED in the output.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SimulatedAccount } from '#cli/simulation';
import { createAwsClients } from '#core/aws/clients';
import { type Emulator, startEmulator } from '#emulator/index';
import { createStoreClient, ensureTable } from '#store/table';
import { buildBundles } from './bundle.ts';
import { measureCalls } from './calls.ts';
import { killChildren, measureColdStart } from './cold-start.ts';
import {
  BENCH_DIR,
  BENCH_TABLE,
  CREDENTIALS,
  LOCAL_TMP,
  loadEvent,
  loadSampleEvents,
  log,
  REGION,
} from './common.ts';
import { measureLatency } from './latency.ts';
import { measureOrganization } from './organization.ts';
import { type BenchResults, consoleSummary, type Machine, markdown, rows } from './report.ts';
import { measureSweep } from './sweep.ts';
import { measureThroughput } from './throughput.ts';
import { measureWarm } from './warm.ts';

// The SDK warns once per process that Node 20 support ends; the warning is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const numberFromEnv = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

const config = {
  coldStartFunction: 'notebook-instances',
  coldStartEvent: 'notebook-instance/create-compliant.json',
  coldRunsPerVariant: numberFromEnv('BENCH_COLD_RUNS', 10),
  warmCompliantEvents: numberFromEnv('BENCH_WARM_EVENTS', 2000),
  warmNoncompliantEvents: numberFromEnv('BENCH_WARM_NONCOMPLIANT_EVENTS', 500),
  warmupEvents: 100,
  throughputSeconds: numberFromEnv('BENCH_THROUGHPUT_SECONDS', 2),
  /** An AWS round trip as Lambda sees it, injected into every emulated call for the latency measurement. */
  latencyMs: numberFromEnv('BENCH_LATENCY_MS', 20),
  latencyEventsPerType: numberFromEnv('BENCH_LATENCY_EVENTS', 40),
};

const cpus = os.cpus();
const machine: Machine = {
  cpu: cpus[0]?.model ?? 'unknown',
  cores: cpus.length,
  node: process.version,
  platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  loadAverageAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
  date: new Date().toISOString(),
};

const started = performance.now();
const bundledDir = mkdtempSync(path.join(os.tmpdir(), 'sm-guardrails-bench-'));
mkdirSync(LOCAL_TMP, { recursive: true });
const localDir = mkdtempSync(path.join(LOCAL_TMP, 'run-'));
let emulator: Emulator | undefined;

async function cleanup(): Promise<void> {
  killChildren();
  const e = emulator;
  emulator = undefined;
  if (e) await e.close();
  rmSync(bundledDir, { recursive: true, force: true });
  rmSync(localDir, { recursive: true, force: true });
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void cleanup().finally(() => process.exit(130));
  });
}

async function main(): Promise<BenchResults> {
  const samples = loadSampleEvents();

  log('1/8 bundle sizes: building the functions with esbuild (bundled, and with packages external)');
  const bundles = await buildBundles(bundledDir, path.join(localDir, 'unbundled'));

  log(`2/8 evaluator throughput (${config.throughputSeconds} s per loop, ${samples.length} sample events)`);
  const throughput = await measureThroughput(samples, config.throughputSeconds);

  emulator = await startEmulator({ describesPerTransition: 0 });
  const seedWorld = (e: Emulator) => ({
    topicArn: e.seed.topic('sm-guardrails-alerts', REGION),
    queueUrl: e.seed.queue('sm-guardrails-recheck', REGION),
  });
  const tableClient = createStoreClient({
    endpoint: emulator.endpoint,
    region: REGION,
    credentials: CREDENTIALS,
  });
  await ensureTable(tableClient, BENCH_TABLE);
  tableClient.destroy();

  log(`3/8 cold start: ${config.coldRunsPerVariant} runs per variant, interleaved`);
  const world = seedWorld(emulator);
  const coldEvent = loadEvent(config.coldStartEvent);
  const actor = createAwsClients({ endpoint: emulator.endpoint, region: REGION, credentials: CREDENTIALS });
  await new SimulatedAccount(emulator, () => actor.sagemaker).apply(coldEvent); // the notebook and its KMS key exist
  actor.destroy();
  const nb = bundles.find((b) => b.fn === config.coldStartFunction);
  if (!nb) throw new Error(`no bundle for ${config.coldStartFunction}`);
  const coldStart = await measureColdStart({
    emulator,
    env: { endpoint: emulator.endpoint, ...world, tableName: BENCH_TABLE },
    fn: nb.fn,
    bundledPath: nb.bundledPath,
    unbundledPath: nb.unbundledPath,
    eventName: config.coldStartEvent,
    event: coldEvent,
    eventFile: path.join(localDir, 'cold-event.json'),
    runsPerVariant: config.coldRunsPerVariant,
  });

  log(
    `4/8 warm latency: ${config.warmCompliantEvents} compliant + ${config.warmNoncompliantEvents} noncompliant events`,
  );
  emulator.reset();
  const warm = await measureWarm({
    emulator,
    ...seedWorld(emulator),
    compliantEvents: config.warmCompliantEvents,
    noncompliantEvents: config.warmNoncompliantEvents,
    warmup: config.warmupEvents,
  });

  log(`5/8 AWS calls per event for ${samples.length} sample events`);
  emulator.reset();
  const calls = await measureCalls(emulator, samples);

  log(
    `6/8 latency as users feel it: ${config.latencyMs} ms per AWS call, 5 event types, ` +
      `${config.latencyEventsPerType} events each, concurrent and forced sequential`,
  );
  emulator.reset();
  const latency = await measureLatency({
    emulator,
    ...seedWorld(emulator),
    latencyMs: config.latencyMs,
    eventsPerType: config.latencyEventsPerType,
  });

  log('7/8 sweep: 10, 1,000 and 10,000 notebooks, 20 ms per call, rate-limited emulator');
  const sweep = await measureSweep();
  log('8/8 an organization through one container: 100 accounts x 4 regions, member role');
  emulator.reset();
  const organization = await measureOrganization({ emulator });

  return {
    machine,
    config,
    durationSeconds: 0,
    bundles,
    coldStart,
    warm,
    calls,
    throughput,
    latency,
    sweep,
    organization,
  };
}

try {
  const results = await main();
  await cleanup();
  results.durationSeconds = Math.round((performance.now() - started) / 100) / 10;
  results.machine.loadAverageAtEnd = os.loadavg().map((x) => Math.round(x * 100) / 100);
  // Targets first: metric, result, target and met (null where there is no target).
  const { machine: m, ...rest } = results;
  const json = { machine: m, targets: rows(results), ...rest };
  writeFileSync(path.join(BENCH_DIR, 'results.json'), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(path.join(BENCH_DIR, 'results.md'), markdown(results));
  process.stdout.write(`${consoleSummary(results)}\n`);
  log(`done in ${results.durationSeconds} s; wrote bench/results.json and bench/results.md`);
} catch (error) {
  await cleanup();
  process.stderr.write(`[bench] failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
}
// Nothing should be left running; if a stray handle were, do not hang the caller.
setTimeout(() => process.exit(), 5_000).unref();
