// How replay runs one input: offline (the event alone), or through the Lambda code path (simulate, live).
import { assessEvent, offlineStateSource } from '#core/pipeline';
import type { Policy } from '#core/policy';
import { buildReport, type EventReport, plannedResults } from '#core/report';
import type { InputItem } from './inputs.ts';

export type ReplayMode = 'offline' | 'simulate' | 'live' | 'live-dry-run';

export interface Runner {
  /** The reports of one input: one, or more when a simulation plays out what follows (a deferred stop). */
  run(item: InputItem): Promise<EventReport[]>;
  /** The order inputs are run in (simulate: the order the events happened). Default: as given. */
  order?(items: InputItem[]): InputItem[];
  close(): Promise<void>;
}

export function invalidInputReport(item: InputItem & { error: string }): EventReport {
  return buildReport({ verdict: 'invalid', reason: `$: ${item.error}` }, [], {
    file: item.file,
    ...(item.index !== undefined ? { index: item.index } : {}),
  });
}

function offlineRunner(policy: Policy): Runner {
  return {
    async run(item) {
      const where = { file: item.file, ...(item.index !== undefined ? { index: item.index } : {}) };
      if ('error' in item) return [invalidInputReport(item)];
      const assessment = await assessEvent(item.event, policy, offlineStateSource);
      return [buildReport(assessment, plannedResults(assessment, policy.mode), where)];
    },
    async close() {},
  };
}

export async function createRunner(mode: ReplayMode, policy: Policy): Promise<Runner> {
  if (mode === 'offline') return offlineRunner(policy);
  const { createLiveRunner } = await import('./live-runner.ts');
  return createLiveRunner(mode, policy);
}
