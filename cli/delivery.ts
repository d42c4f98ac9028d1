// Delivery as EventBridge and Lambda do it, for the simulation and the tests: an event to one or more
// containers at once (EventBridge delivers at least once), each invocation that does not settle re-run up to
// twice (Lambda's asynchronous retries), then dead-lettered (the on-failure destination).
import { randomUUID } from 'node:crypto';
import { normalizeEvent } from '#core/events/normalize';
import type { Guardrails, HandleOptions } from '#core/guardrails';
import { buildReport, type EventReport } from '#core/report';

/** Lambda retries a failed asynchronous invocation twice, then sends the event to the on-failure destination. */
export const LAMBDA_RETRIES = 2;

/** An invocation that threw (its delivery records could not be written, say): the Lambda invocation failed. */
function failedInvocation(event: unknown, error: unknown): EventReport {
  const normalized = normalizeEvent(event);
  const ids = normalized.kind === 'change' ? normalized.change : normalized;
  const reason = `the invocation failed: ${error instanceof Error ? error.message : String(error)}`;
  return buildReport(
    {
      verdict: 'skipped',
      reason,
      ...(ids.eventId ? { eventId: ids.eventId } : {}),
      ...(ids.eventName ? { eventName: ids.eventName } : {}),
    },
    [],
    { verdict: 'error' },
  );
}

async function invoke(
  guardrails: Guardrails,
  event: unknown,
  handleOptions: HandleOptions,
): Promise<{ report: EventReport; settled: boolean }> {
  try {
    const handled = await guardrails.handle(event, handleOptions);
    return { report: handled.report, settled: !handled.retry };
  } catch (error) {
    return { report: failedInvocation(event, error), settled: false };
  }
}

/**
 * Delivers `event` to every container concurrently; a delivery that does not settle is run again a minute
 * later (after every container's attempt of this round), at most LAMBDA_RETRIES times. One report per
 * delivery: the last attempt's, with the attempts, why each retried one did not settle, and whether it ended
 * dead-lettered.
 */
export async function deliverLikeLambda(
  containers: readonly Guardrails[],
  event: unknown,
  options: { numbered?: boolean | undefined; handle?: HandleOptions } = {},
): Promise<EventReport[]> {
  const deliveries = containers.map((guardrails) => ({
    guardrails,
    // Each delivery is an invocation of its own; Lambda's retries of it keep its request id.
    requestId: options.handle?.requestId ?? randomUUID(),
    attempts: 0,
    retried: [] as string[],
    settled: false,
    report: undefined as EventReport | undefined,
  }));
  for (let round = 0; round <= LAMBDA_RETRIES; round++) {
    const pending = deliveries.filter((d) => !d.settled);
    if (pending.length === 0) break;
    if (round > 0) for (const d of pending) d.retried.push(d.report?.reason ?? 'the invocation failed');
    await Promise.all(
      pending.map(async (d) => {
        const { report, settled } = await invoke(d.guardrails, event, {
          ...options.handle,
          requestId: d.requestId,
        });
        Object.assign(d, { report, settled, attempts: d.attempts + 1 });
      }),
    );
  }
  return deliveries.map((d, i) => ({
    ...(d.report as EventReport),
    ...(options.numbered ? { delivery: i + 1 } : {}),
    ...(d.attempts > 1 ? { attempts: d.attempts, retried: d.retried } : {}),
    ...(d.settled ? {} : { deadLettered: true }),
  }));
}
