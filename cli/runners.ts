// How replay runs one input: offline (the event alone), or through the Lambda code path (simulate, live).
import { composeNotification } from '#core/notification';
import { type Assessment, assessEvent, offlineStateSource } from '#core/pipeline';
import type { Policy } from '#core/policy';
import { buildReport, type EventReport, plannedResults } from '#core/report';
import type { ActionResult } from '#core/types';
import type { InputItem } from './inputs.ts';
import type { LiveOptions, SimulateOptions } from './live-runner.ts';

export type ReplayMode = 'offline' | 'simulate' | 'live' | 'live-dry-run';

/** An alert as SNS takes it: the subject and body an email subscriber gets, and the message attributes. */
export interface Alert {
  subject: string;
  body: string;
  attributes: Record<string, string>;
  /** `published`: SNS accepted it (simulate: the emulator's SNS; live); otherwise what would be published. */
  status: 'published' | 'would be published';
  topicArn?: string;
  messageId?: string;
}

export interface Runner {
  /** The reports of one input: one, or more when a simulation plays out what follows (a deferred stop). */
  run(item: InputItem): Promise<EventReport[]>;
  /** The order inputs are run in (simulate: the order the events happened). Default: as given. */
  order?(items: InputItem[]): InputItem[];
  /** The alerts published (or, offline and in a dry run, that would be) since the last call. */
  takeAlerts(): Alert[];
  close(): Promise<void>;
}

export function invalidInputReport(item: InputItem & { error: string }): EventReport {
  return buildReport({ verdict: 'invalid', reason: `$: ${item.error}` }, [], {
    file: item.file,
    ...(item.index !== undefined ? { index: item.index } : {}),
  });
}

/** The alert an offline evaluation would send: composed from the planned actions, as the Lambda would. */
function plannedAlert(assessment: Assessment, planned: ActionResult[], policy: Policy): Alert | undefined {
  if (!assessment.change || !assessment.evaluation || !planned.some((a) => a.type === 'notify')) return;
  const message = composeNotification({
    assessment,
    results: planned.filter((a) => a.type !== 'notify'),
    mode: policy.mode,
    statusTagKey: policy.statusTagKey,
  });
  return { ...message, status: 'would be published' };
}

function offlineRunner(policy: Policy): Runner {
  let alerts: Alert[] = [];
  return {
    async run(item) {
      const where = { file: item.file, ...(item.index !== undefined ? { index: item.index } : {}) };
      if ('error' in item) return [invalidInputReport(item)];
      const assessment = await assessEvent(item.event, policy, offlineStateSource);
      const planned = plannedResults(assessment, policy.mode);
      const alert = plannedAlert(assessment, planned, policy);
      if (alert) alerts.push(alert);
      return [buildReport(assessment, planned, where)];
    },
    takeAlerts() {
      const taken = alerts;
      alerts = [];
      return taken;
    },
    async close() {},
  };
}

export async function createRunner(
  mode: ReplayMode,
  policy: Policy,
  simulate: SimulateOptions = {},
  live: LiveOptions = {},
): Promise<Runner> {
  if (mode === 'offline') return offlineRunner(policy);
  const { createLiveRunner } = await import('./live-runner.ts');
  return createLiveRunner(mode, policy, simulate, live);
}
