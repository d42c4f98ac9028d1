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

/**
 * Re-checked every 60 s for as long as the notebook is Pending or Updating (SageMaker can take well over 20
 * minutes), with no attempt cap: a noncompliant notebook is stopped within about a minute of reaching InService
 * even when its state-change event is lost. The chain ends only when the notebook is stopped, stopping, Failed
 * or deleted. 60 s is well under SQS's 900 s delay limit.
 */
export const RECHECK_DELAY_SECONDS = 60;

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

export function nextRecheck(request: RecheckRequest): RecheckRequest {
  return { ...request, attempt: request.attempt + 1 };
}

export function isRecheckRequest(value: unknown): value is RecheckRequest {
  const v = value as Partial<RecheckRequest> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.kind === 'sm-guardrails/notebook-recheck' &&
    typeof v.resource?.arn === 'string' &&
    typeof v.resource?.name === 'string' &&
    typeof v.originEventId === 'string' &&
    typeof v.attempt === 'number' &&
    Number.isSafeInteger(v.attempt) &&
    v.attempt >= 1
  );
}

/**
 * The re-check as an event the guardrails already understand: a notebook state change with the live status.
 * Its id is derived from the origin and the attempt, so a redelivered SQS message is the same re-check and
 * each attempt is handled once.
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
