// 4. AWS calls per event, by type: every sample event (malformed ones aside) against a freshly seeded emulator
// where the event's own call has been acted out (SimulatedAccount.apply), handled by the Lambda runtime twice:
// first by a fresh container (empty KMS and IAM caches), then again by that same, now warm, container
// (resource re-seeded, new event ids so it is no redelivery).

import { SimulatedAccount } from '#cli/simulation';
import { createAwsClientProvider } from '#core/aws/client-provider';
import { createAwsClients } from '#core/aws/clients';
import { GuardrailsRuntime } from '#core/lambda/runtime';
import { DEFAULT_POLICY } from '#core/policy';
import type { Emulator } from '#emulator/index';
import {
  CREDENTIALS,
  isReadOperation,
  type JsonEvent,
  lambdaContext,
  REGION,
  type SampleEvent,
  silenced,
  withFreshIds,
} from './common.ts';

export interface CallCount {
  /** `service:Operation` -> calls. */
  byOperation: Record<string, number>;
  reads: number;
  writes: number;
  total: number;
}

export interface EventCalls {
  file: string;
  /** The warm handling's verdict. */
  verdict: string;
  /** Only when the fresh container's verdict differs. */
  freshVerdict?: string;
  actions: string[];
  fresh: CallCount;
  warm: CallCount;
  note?: string;
}

export interface CallsResult {
  events: EventCalls[];
  compliantNotebook: { file: string; warmReads: number; warmWrites: number; met: boolean };
}

const COMPLIANT_NOTEBOOK = 'notebook-instance/create-compliant.json';

function count(emulator: Emulator): CallCount {
  const byOperation: Record<string, number> = {};
  let reads = 0;
  for (const c of emulator.calls) {
    const name = `${c.service}:${c.operation}`;
    byOperation[name] = (byOperation[name] ?? 0) + 1;
    if (isReadOperation(c.operation)) reads++;
  }
  return { byOperation, reads, writes: emulator.calls.length - reads, total: emulator.calls.length };
}

export async function measureCalls(emulator: Emulator, samples: SampleEvent[]): Promise<CallsResult> {
  const actor = createAwsClients({ endpoint: emulator.endpoint, region: REGION, credentials: CREDENTIALS });
  const account = new SimulatedAccount(emulator, () => actor.sagemaker);
  const topicName = 'sm-guardrails-alerts';
  const queueName = 'sm-guardrails-recheck';
  const seedWorld = () => ({
    topicArn: emulator.seed.topic(topicName, REGION),
    queueUrl: emulator.seed.queue(queueName, REGION),
  });

  /** Fresh emulator state, the event's own call acted out, then calls recorded for the handling alone. */
  const prepare = async (event: JsonEvent): Promise<string | undefined> => {
    emulator.reset();
    seedWorld();
    let note: string | undefined;
    try {
      note = await account.apply(event);
    } catch (error) {
      note = `could not act out the call: ${(error as Error).message}`;
    }
    emulator.clearCalls();
    return note;
  };

  const results: EventCalls[] = [];
  try {
    for (const { file, event } of samples) {
      emulator.reset();
      const world = seedWorld();
      const clients = createAwsClientProvider({
        home: { partition: 'aws', account: emulator.accountId, region: REGION },
        endpoint: emulator.endpoint,
        credentials: CREDENTIALS,
      });
      try {
        const runtime = new GuardrailsRuntime(
          { policy: DEFAULT_POLICY, topicArn: world.topicArn, recheckQueueUrl: world.queueUrl },
          clients,
        );
        const note = await prepare(event);
        const first = await silenced(() =>
          runtime.handleEvent(withFreshIds(event), lambdaContext('bench-first')),
        );
        const fresh = count(emulator);
        await prepare(event);
        const second = await silenced(() =>
          runtime.handleEvent(withFreshIds(event), lambdaContext('bench-warm')),
        );
        const warm = count(emulator);
        const report = second.value;
        results.push({
          file,
          verdict: report.verdict,
          ...(first.value.verdict !== report.verdict ? { freshVerdict: first.value.verdict } : {}),
          actions: report.actions.map((a) => `${a.type}:${a.status}`),
          fresh,
          warm,
          ...(note ? { note } : {}),
        });
      } finally {
        clients.destroy();
      }
    }
  } finally {
    actor.destroy();
    emulator.reset();
  }
  const nb = results.find((r) => r.file === COMPLIANT_NOTEBOOK);
  const warmReads = nb?.warm.reads ?? Number.NaN;
  const warmWrites = nb?.warm.writes ?? Number.NaN;
  return {
    events: results,
    compliantNotebook: {
      file: COMPLIANT_NOTEBOOK,
      warmReads,
      warmWrites,
      met: nb?.verdict === 'compliant' && warmReads <= 2 && warmWrites === 0,
    },
  };
}
