// Deferred stops: a noncompliant notebook found Pending (or Updating) must end Stopped once it is InService.
// The state-change rule is the fast path; this delayed re-check through SQS is the backstop for a lost event.
// Only the stack's own roles may send to the queue (its queue policy); even so a message is trusted for the
// notebook's identity only: everything the guardrails then do or say comes from the live notebook and the policy.
import * as z from 'zod/mini';
import { type ArnScope, notebookArn, parseSageMakerArn, sameArn } from './arn.ts';
import type { Assessment } from './pipeline.ts';
import type { ResourceRef } from './types.ts';
import './zod.ts';

export interface RecheckRequest {
  kind: 'sm-guardrails/notebook-recheck';
  /** The notebook: its ARN (which names partition, region and account) and its name. Nothing else. */
  resource: ResourceRef;
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
  const ref = assessment.state?.ref ?? change?.resource;
  if (!change || ref?.type !== 'notebook-instance') return undefined;
  return {
    kind: 'sm-guardrails/notebook-recheck',
    resource: { type: 'notebook-instance', arn: ref.arn, name: ref.name },
    originEventId: change.eventId,
    attempt: 1,
    firstDeferredAt: now.toISOString(),
  };
}

export function nextRecheck(request: RecheckRequest): RecheckRequest {
  return { ...request, attempt: request.attempt + 1 };
}

const NOTEBOOK_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

const recheckSchema = z.object({
  kind: z.literal('sm-guardrails/notebook-recheck'),
  resource: z.object({
    type: z.literal('notebook-instance'),
    arn: z.string().check(z.maxLength(256)),
    name: z.string().check(z.regex(NOTEBOOK_NAME)),
  }),
  originEventId: z.string().check(z.regex(/^[A-Za-z0-9._:-]{1,128}$/)),
  attempt: z.number().check(z.int(), z.minimum(1), z.maximum(1_000_000)),
  firstDeferredAt: z.iso.datetime(),
});

/**
 * A re-check message as the guardrails accept it: a notebook ARN of a known shape whose name is the message's
 * name, and nothing else (other fields are dropped). Undefined for anything else: the caller logs and drops it.
 */
export function parseRecheckRequest(value: unknown): RecheckRequest | undefined {
  const parsed = recheckSchema.safeParse(value);
  if (!parsed.success) return undefined;
  const { resource, originEventId, attempt, firstDeferredAt } = parsed.data;
  const arn = parseSageMakerArn(resource.arn);
  if (
    arn?.type !== 'notebook-instance' ||
    !sameArn(notebookArn(arn.region, arn.account, resource.name, arn.partition), resource.arn)
  ) {
    return undefined;
  }
  return {
    kind: 'sm-guardrails/notebook-recheck',
    resource: { type: 'notebook-instance', arn: resource.arn, name: resource.name },
    originEventId,
    attempt,
    firstDeferredAt,
  };
}

export function isRecheckRequest(value: unknown): value is RecheckRequest {
  return parseRecheckRequest(value) !== undefined;
}

/** Where the re-checked notebook lives, from its ARN. */
export function recheckScope(request: RecheckRequest): ArnScope {
  const arn = parseSageMakerArn(request.resource.arn);
  if (!arn) throw new Error(`not a SageMaker ARN: ${request.resource.arn}`);
  return arn;
}

/**
 * The re-check as an event the guardrails already understand: a notebook state change with the live status.
 * Its id is derived from the origin and the attempt, so a redelivered SQS message is the same re-check and
 * each attempt is handled once.
 */
export function recheckEvent(request: RecheckRequest, now: Date): Record<string, unknown> {
  const { account, region } = recheckScope(request);
  return {
    version: '0',
    id: `recheck-${request.originEventId}-${request.attempt}`,
    'detail-type': 'SageMaker Notebook Instance State Change',
    source: 'sm-guardrails.recheck',
    account,
    time: now.toISOString(),
    region,
    resources: [request.resource.arn],
    detail: {
      NotebookInstanceArn: request.resource.arn,
      NotebookInstanceName: request.resource.name,
      // The status is read live; the event only locates the notebook.
      NotebookInstanceStatus: 'Pending',
    },
  };
}
