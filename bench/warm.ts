// 3. Warm per-event latency: one GuardrailsRuntime (the Lambda code path, clients on the emulator) handling
// many CreateNotebookInstance events. "Our time" = wall time of the event minus the emulator's own recorded
// durationMs of the calls made during it.

import { DescribeNotebookInstanceCommand, ListTagsCommand } from '@aws-sdk/client-sagemaker';
import { SimulatedAccount } from '#cli/simulation';
import { createAwsClientProvider } from '#core/aws/client-provider';
import type { AwsClients } from '#core/aws/clients';
import { GuardrailsRuntime } from '#core/lambda/runtime';
import { DEFAULT_POLICY } from '#core/policy';
import type { Emulator } from '#emulator/index';
import {
  CREDENTIALS,
  type JsonEvent,
  lambdaContext,
  loadEvent,
  mean,
  median,
  percentile,
  REGION,
  silenced,
  withFreshIds,
} from './common.ts';

export interface LatencyStats {
  events: number;
  warmupEvents: number;
  /** Wall time per event (ms). */
  wallP50: number;
  wallP99: number;
  /** Wall time minus the emulator's durationMs of the event's calls (ms). */
  ownP50: number;
  ownP99: number;
  ownMean: number;
  ownMax: number;
  /** Sum of the emulator's durationMs per event (1 ms resolution). */
  emulatorMsP50: number;
  emulatorMsP99: number;
  emulatorMsTotal: number;
  callsPerEvent: { min: number; median: number; max: number };
  /** Calls of one measured event, as `service:Operation` (the first one). */
  callsOfOneEvent: string[];
  verdicts: Record<string, number>;
  logBytesPerEvent: number;
  stderrHead?: string;
}

export interface RoundTrip {
  operation: string;
  calls: number;
  wallP50: number;
  wallP99: number;
  emulatorMsP50: number;
}

export interface WarmResult {
  compliant: LatencyStats;
  noncompliant: LatencyStats;
  /** Bare SDK calls against the same emulator: what the HTTP client and emulator cost on their own. */
  sdkRoundTrips: RoundTrip[];
  note: string;
}

const ACCOUNT = '111122223333';

function notebookEvent(template: JsonEvent, name: string): JsonEvent {
  const event = withFreshIds(template);
  const detail = event.detail as {
    requestParameters: Record<string, unknown>;
    responseElements: Record<string, unknown>;
  };
  detail.requestParameters.notebookInstanceName = name;
  detail.responseElements.notebookInstanceArn = `arn:aws:sagemaker:${REGION}:${ACCOUNT}:notebook-instance/${name}`;
  return event;
}

async function run(
  runtime: GuardrailsRuntime,
  emulator: Emulator,
  events: JsonEvent[],
  warmup: number,
): Promise<LatencyStats> {
  const wall: number[] = [];
  const own: number[] = [];
  const emu: number[] = [];
  const calls: number[] = [];
  const verdicts: Record<string, number> = {};
  let callsOfOneEvent: string[] = [];
  const out = await silenced(async () => {
    for (let i = 0; i < events.length; i++) {
      emulator.clearCalls();
      const t0 = performance.now();
      const report = await runtime.handleEvent(events[i], lambdaContext(`bench-${i}`));
      const t1 = performance.now();
      if (i < warmup) continue;
      const emulatorMs = emulator.calls.reduce((sum, c) => sum + c.durationMs, 0);
      wall.push(t1 - t0);
      own.push(t1 - t0 - emulatorMs);
      emu.push(emulatorMs);
      calls.push(emulator.calls.length);
      verdicts[report.verdict] = (verdicts[report.verdict] ?? 0) + 1;
      if (callsOfOneEvent.length === 0)
        callsOfOneEvent = emulator.calls.map((c) => `${c.service}:${c.operation}`);
    }
  });
  const measured = events.length - warmup;
  return {
    events: measured,
    warmupEvents: warmup,
    wallP50: median(wall),
    wallP99: percentile(wall, 99),
    ownP50: median(own),
    ownP99: percentile(own, 99),
    ownMean: mean(own),
    ownMax: Math.max(...own),
    emulatorMsP50: median(emu),
    emulatorMsP99: percentile(emu, 99),
    emulatorMsTotal: emu.reduce((a, b) => a + b, 0),
    callsPerEvent: { min: Math.min(...calls), median: median(calls), max: Math.max(...calls) },
    callsOfOneEvent,
    verdicts,
    logBytesPerEvent: (out.stdoutBytes + out.stderrBytes) / events.length,
    ...(out.stderrHead ? { stderrHead: out.stderrHead } : {}),
  };
}

async function roundTrips(
  aws: AwsClients,
  emulator: Emulator,
  name: string,
  arn: string,
  n: number,
): Promise<RoundTrip[]> {
  const ops: Array<[string, () => Promise<unknown>]> = [
    [
      'sagemaker:DescribeNotebookInstance',
      () => aws.sagemaker.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: name })),
    ],
    ['sagemaker:ListTags', () => aws.sagemaker.send(new ListTagsCommand({ ResourceArn: arn }))],
  ];
  const results: RoundTrip[] = [];
  for (const [operation, call] of ops) {
    const wall: number[] = [];
    const emu: number[] = [];
    for (let i = 0; i < n + 50; i++) {
      emulator.clearCalls();
      const t0 = performance.now();
      await call();
      const t1 = performance.now();
      if (i < 50) continue;
      wall.push(t1 - t0);
      emu.push(emulator.calls.reduce((s, c) => s + c.durationMs, 0));
    }
    results.push({
      operation,
      calls: n,
      wallP50: median(wall),
      wallP99: percentile(wall, 99),
      emulatorMsP50: median(emu),
    });
  }
  return results;
}

export async function measureWarm(options: {
  emulator: Emulator;
  topicArn: string;
  queueUrl: string;
  compliantEvents: number;
  noncompliantEvents: number;
  warmup: number;
}): Promise<WarmResult> {
  const { emulator } = options;
  const clients = createAwsClientProvider({
    home: { partition: 'aws', account: emulator.accountId, region: REGION },
    endpoint: emulator.endpoint,
    credentials: CREDENTIALS,
  });
  const aws = clients.homeClients;
  try {
    const runtime = new GuardrailsRuntime(
      { policy: DEFAULT_POLICY, topicArn: options.topicArn, recheckQueueUrl: options.queueUrl },
      clients,
    );
    const account = new SimulatedAccount(emulator, (location) => clients.for(location).sagemaker);
    const compliantTemplate = loadEvent('notebook-instance/create-compliant.json');
    const noncompliantTemplate = loadEvent('notebook-instance/create-all-defaults.json');
    const make = (template: JsonEvent, prefix: string, n: number) =>
      Array.from({ length: n }, (_, i) => notebookEvent(template, `${prefix}-${String(i).padStart(5, '0')}`));
    const compliant = make(compliantTemplate, 'bench-ok', options.compliantEvents + options.warmup);
    const noncompliant = make(noncompliantTemplate, 'bench-bad', options.noncompliantEvents + options.warmup);
    // Each event's own call acted out first (CreateNotebookInstance: the notebook exists, Pending; its KMS key too).
    for (const event of [...compliant, ...noncompliant]) await account.apply(event);
    emulator.clearCalls();

    const compliantStats = await run(runtime, emulator, compliant, options.warmup);
    const noncompliantStats = await run(runtime, emulator, noncompliant, options.warmup);
    const sdkRoundTrips = await roundTrips(
      aws,
      emulator,
      'bench-ok-00000',
      `arn:aws:sagemaker:${REGION}:${ACCOUNT}:notebook-instance/bench-ok-00000`,
      500,
    );
    emulator.clearCalls();
    return {
      compliant: compliantStats,
      noncompliant: noncompliantStats,
      sdkRoundTrips,
      note:
        'our time = wall time per event minus the emulator-recorded durationMs of its calls. The SDK client, ' +
        'HTTP request/response handling and the loopback round trip stay in our time; the emulator runs in the ' +
        'same process and records durationMs with 1 ms resolution (Date.now), so most calls record 0 ms and ' +
        'our time is an upper bound. sdkRoundTrips shows what a bare SDK call against the emulator costs.',
    };
  } finally {
    clients.destroy();
  }
}
