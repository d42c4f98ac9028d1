// Deferred stops: a noncompliant notebook found Pending (or Updating) must end Stopped once it is InService.
// The state-change rule is the fast path; this delayed re-check through SQS is the backstop for a lost event.
import type { Assessment } from './pipeline.ts';
import type { ResourceRef } from './types.ts';

export interface RecheckRequest {
  kind: 'sm-guardrails/notebook-recheck';
  resource: ResourceRef;
  account: string;
  region: string;
  /** The event that found the notebook Pending, for correlation. */
  originEventId: string;
  attempt: number;
  firstDeferredAt: string;
}

/** Pending usually lasts a few minutes, sometimes over 10: re-check at 5, 10, 15 and 20 minutes, then give up and tell the admins. */
export const RECHECK_DELAY_SECONDS = 300;
export const MAX_RECHECKS = 4;

export function recheckRequestFor(assessment: Assessment, now: Date): RecheckRequest | undefined {
  const change = assessment.change;
  if (change?.resource.type !== 'notebook-instance') return undefined;
  return {
    kind: 'sm-guardrails/notebook-recheck',
    resource: assessment.state?.ref ?? change.resource,
    account: change.account,
    region: change.region,
    originEventId: change.eventId,
    attempt: 1,
    firstDeferredAt: now.toISOString(),
  };
}

export function isRecheckRequest(value: unknown): value is RecheckRequest {
  const v = value as Partial<RecheckRequest> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.kind === 'sm-guardrails/notebook-recheck' &&
    typeof v.resource?.arn === 'string'
  );
}

/**
 * The re-check as an event the guardrails already understand: a notebook state change with the live status.
 * Its id is derived from the origin, so a redelivered SQS message is recognised as the same re-check.
 */
export function recheckEvent(request: RecheckRequest, now: Date): Record<string, unknown> {
  return {
    version: '0',
    id: `recheck-${request.originEventId}-${request.attempt}`,
    'detail-type': 'SageMaker Notebook Instance State Change',
    source: 'sm-guardrails.recheck',
    account: request.account,
    time: now.toISOString(),
    region: request.region,
    resources: [request.resource.arn],
    detail: {
      NotebookInstanceArn: request.resource.arn,
      NotebookInstanceName: request.resource.name,
      // The status is read live; the event only locates the notebook.
      NotebookInstanceStatus: 'Pending',
    },
  };
}
