// The guardrails as the Lambda functions run them: event -> live assessment -> executed actions -> report.
// The replay CLI's --simulate and --live modes run exactly this.
import { randomUUID } from 'node:crypto';
import { parseSageMakerArn } from './arn.ts';
import type { AwsClientProvider } from './aws/client-provider.ts';
import { AwsCallError } from './aws/errors.ts';
import { createLiveStateSource } from './aws/live-source.ts';
import type { SnsMessage } from './aws/sns.ts';
import {
  type DeliveryClaim,
  DeliveryInProgressError,
  type DeliveryStore,
  type JournalEntries,
  memoryDeliveryStore,
} from './delivery.ts';
import { normalizeEvent } from './events/normalize.ts';
import type { ExecutionJournal } from './execute.ts';
import { type Execution, type ExecutionOptions, executePlan, notifyStep } from './execute.ts';
import { type ExemptionGrants, InMemoryExemptionGrants } from './exemption.ts';
import { locationOf } from './location.ts';
import { composeNotification, composeReadFailure, composeStopAbandoned } from './notification.ts';
import { type Assessment, assessEvent, type StateSource } from './pipeline.ts';
import type { Policy } from './policy.ts';
import {
  nextRecheck,
  RECHECK_DELAY_SECONDS,
  type RecheckRequest,
  recheckRequestFor,
  recheckScope,
} from './recheck.ts';
import { buildReport, type EventReport } from './report.ts';
import type { NormalizedChange } from './types.ts';

export interface GuardrailsOptions {
  policy: Policy;
  /** Clients per account and region: each event is read and acted on in its own. */
  clients: AwsClientProvider;
  topicArn?: string;
  /** AWS Chatbot custom notifications (Slack, Teams) go here too. */
  chatTopicArn?: string;
  dryRun?: boolean;
  /** The events' delivery records. Default: this process's memory (store/ has the DynamoDB one). */
  delivery?: DeliveryStore;
  /** Queues a re-check of a deferred stop (SQS). None: the deferred stop relies on the state-change event. */
  scheduleRecheck?: (request: RecheckRequest, delaySeconds: number) => Promise<void>;
  /** How long an invocation may hold an event before a retry may take it over: the Lambda timeout. */
  invocationBudgetMs?: number;
  now?: () => Date;
  /** The exact role ARNs of the deployed functions: their own calls are not judged. */
  ownRoleArns?: readonly string[];
  /** Organization mode: the member role's name; its calls in the event's own account are the guardrails'. */
  memberRoleName?: string;
  /** Where exemption grants are recorded (DynamoDB when deployed); this process's memory when not given. */
  grants?: ExemptionGrants;
}

export interface HandleOptions {
  /** A delayed re-check of a deferred stop: what it asks for. */
  recheck?: RecheckRequest;
  /** Time left in this invocation (Lambda's context), for how long the event is held. */
  remainingMs?: () => number;
  /**
   * The invocation's id (Lambda's awsRequestId): Lambda's retries of a failed invocation keep it, a redelivery
   * of the event has its own. Default: a new id per call.
   */
  requestId?: string;
  /**
   * A redrive from the failed-events queue: an event recorded completed whose alert is not recorded sent gets
   * it (its last attempt may have died between the completion record and the alert).
   */
  redrive?: boolean;
}

export interface HandledEvent {
  report: EventReport;
  assessment: Assessment;
  execution?: Execution;
  /** A read or write that failed after the SDK's retries. */
  error?: AwsCallError;
  /** Not settled: a transient failure, or another delivery of the event in progress. Lambda must retry it. */
  retry?: boolean;
  /** A repeat delivery of an event already handled: nothing was done again. */
  duplicate?: boolean;
}

/** The work of one event did not settle (a transient failure): what settled is recorded, then retried. */
class RetryLater extends Error {
  constructor(readonly execution: Execution) {
    super(execution.retry?.message ?? 'retry');
  }
}

type Work = (journal: ExecutionOptions['journal']) => Promise<Execution>;

const DEFAULT_BUDGET_MS = 60_000;

export class Guardrails {
  readonly source: StateSource;
  readonly delivery: DeliveryStore;
  readonly grants: ExemptionGrants;
  private readonly now: () => Date;

  constructor(readonly options: GuardrailsOptions) {
    this.source = createLiveStateSource(options.clients);
    this.delivery = options.delivery ?? memoryDeliveryStore();
    this.grants = options.grants ?? new InMemoryExemptionGrants();
    this.now = options.now ?? (() => new Date());
  }

  async handle(event: unknown, handleOptions: HandleOptions = {}): Promise<HandledEvent> {
    const { policy } = this.options;
    const owner = handleOptions.requestId ?? randomUUID();
    // The event is claimed (one conditional write that returns what earlier attempts recorded) as its first AWS
    // read starts, alongside it: the lock costs no round trip of its own. Events that read nothing claim nothing.
    let claim: Promise<DeliveryClaim> | undefined;
    const claimOnRead = (change: NormalizedChange) => {
      if (claim || this.options.dryRun || change.eventId === undefined) return;
      claim = this.delivery.claim(change.eventId, this.leaseMs(handleOptions), owner);
      claim.catch(() => undefined); // awaited below; a read that fails first must not leave it unhandled
    };
    let assessment: Assessment;
    try {
      assessment = await assessEvent(event, policy, claimingSource(this.source, claimOnRead), {
        ownRoleArns: this.options.ownRoleArns ?? [],
        ...(this.options.memberRoleName ? { memberRoleName: this.options.memberRoleName } : {}),
        grants: this.grants,
        now: this.now(),
      });
    } catch (error) {
      if (!(error instanceof AwsCallError)) throw error;
      const normalized = normalizeEvent(event);
      const ids = normalized.kind === 'change' ? normalized.change : {};
      const failed: Assessment = {
        verdict: 'skipped',
        reason: error.message,
        ...pickIds(ids),
        ...(normalized.kind === 'change' ? { change: normalized.change } : {}),
      };
      if (error.transient || normalized.kind !== 'change') {
        // Retried: the claim is let go at once (a lease held on would refuse Lambda's retry).
        if (claim && failed.eventId) await this.release(claim, failed.eventId, owner);
        return {
          report: buildReport(failed, [], { verdict: 'error' }),
          assessment: failed,
          error,
          retry: true,
        };
      }
      // Permanent (access denied...): nothing can be checked until it is fixed, and the admins must know now.
      // The event still fails (after the alert, recorded once) so it ends in the failed-events queue, to be
      // redriven once the permission is fixed.
      const message = composeReadFailure(normalized.change, error, policy.mode);
      return this.settle(failed, claim, handleOptions, owner, async (journal) => {
        const alerted = await this.alert(message, journal);
        return { ...alerted, retry: alerted.retry ?? error };
      });
    }
    const recheck = handleOptions.recheck;
    if (recheck && assessment.verdict === 'skipped' && assessment.reason === 'resource no longer exists') {
      return this.settle(assessment, claim, handleOptions, owner, (journal) =>
        this.abandoned(recheck, 'deleted', journal),
      );
    }
    if ((assessment.evaluation?.actions ?? []).length === 0) {
      // Nothing to do now: no record is written (one round trip in all; the lease taken ends with the
      // invocation, and a redelivery after it is handled afresh). But a retry may find the resource compliant
      // because its first attempt tagged it: that attempt's plan must still be finished (its alert sent), and an
      // attempt of this invocation that died recording nothing may have hidden its finding: the admins are told.
      const found = claim ? await claim : undefined;
      if (found?.state === 'completed' && !this.unfinished(found, owner, handleOptions)) {
        return this.duplicate(assessment);
      }
      // Held: the delivery that holds the event finishes what it found; there is nothing to add to it.
      const resume =
        found?.state === 'completed' ||
        (found !== undefined && this.interrupted(found, owner, handleOptions)) ||
        (found?.state === 'claimed' && found.recorded.plan !== undefined);
      if (!resume) return { report: buildReport(assessment, []), assessment };
    }
    let effective = assessment;
    return this.settle(
      () => effective,
      claim,
      handleOptions,
      owner,
      async (journal) => {
        // The first attempt's findings decide the plan; the live state decides the writes.
        const plan = journal?.recorded.plan;
        if (journal && plan) journal.resumed = true;
        if (plan) {
          effective = { ...assessment, verdict: plan.verdict, evaluation: plan.evaluation };
          if (plan.reason) effective.reason = plan.reason;
        } else if (journal && assessment.evaluation) {
          // Goes with the completion record, or with the release of a failed attempt for its retry to finish.
          journal.recorded.plan = {
            verdict: assessment.verdict,
            evaluation: assessment.evaluation,
            ...(assessment.reason ? { reason: assessment.reason } : {}),
          };
        }
        if (journal?.interrupted && (effective.evaluation?.actions ?? []).length === 0 && effective.change) {
          // Compliant now, maybe by the dead attempt's own write: said, with the evaluation now.
          return this.alert(
            composeNotification({
              assessment: effective,
              results: [],
              mode: policy.mode,
              statusTagKey: policy.statusTagKey,
              interrupted: true,
            }),
            journal,
          );
        }
        const execution = await executePlan(effective, {
          ...this.executionOptions(journal, effective.change),
          ...(recheck ? { recheck: true } : {}),
          ...(this.options.scheduleRecheck
            ? { scheduleRecheck: () => this.queueRecheck(effective, recheck) }
            : {}),
        });
        const stop = execution.actions.find((a) => a.type === 'stop');
        const status = effective.state?.status;
        if (recheck && stop?.status === 'skipped' && status === 'Failed' && !execution.retry) {
          // The stop can never happen: say so, once (the plan's own alert is not sent on re-checks).
          const alert = await this.abandoned(recheck, status, journal, effective);
          return {
            ...execution,
            actions: [...execution.actions.filter((a) => a.type !== 'notify'), ...alert.actions],
            ...pick(alert),
          };
        }
        return execution;
      },
    );
  }

  /** `change`: act in its own account and region. SNS is always the home's (see client-provider.ts). */
  private executionOptions(
    journal: ExecutionOptions['journal'],
    change?: NormalizedChange,
  ): ExecutionOptions {
    const { clients, policy, topicArn, chatTopicArn, dryRun } = this.options;
    return {
      aws: change ? clients.for(locationOf(change)) : clients.homeClients,
      policy,
      grants: this.grants,
      ...(topicArn ? { topicArn } : {}),
      ...(chatTopicArn ? { chatTopicArn } : {}),
      ...(dryRun ? { dryRun: true } : {}),
      ...(journal ? { journal } : {}),
    };
  }

  private async queueRecheck(assessment: Assessment, current: RecheckRequest | undefined): Promise<string> {
    const request = current ? nextRecheck(current) : recheckRequestFor(assessment, this.now());
    if (!request || !this.options.scheduleRecheck) return 'no re-check possible';
    await this.options.scheduleRecheck(request, RECHECK_DELAY_SECONDS);
    return `re-checked in ${RECHECK_DELAY_SECONDS} s (re-check ${request.attempt})`;
  }

  private async alert(message: SnsMessage, journal: ExecutionOptions['journal']): Promise<Execution> {
    const step = await notifyStep(this.executionOptions(journal), message);
    return {
      actions: step.results,
      ...(step.notification ? { notification: step.notification } : {}),
      ...(step.retry ? { retry: step.retry } : {}),
    };
  }

  /** A deferred stop that cannot happen any more: the notebook ended Failed or was deleted. */
  private abandoned(
    request: RecheckRequest,
    status: string,
    journal: ExecutionOptions['journal'],
    assessment?: Assessment,
  ): Promise<Execution> {
    const rules = [...new Set((assessment?.evaluation?.violations ?? []).map((v) => v.rule))];
    // The live notebook's identity when it was read; else the message's, whose ARN was validated. The message's
    // other fields are not trusted: where it lives comes from the ARN.
    const notebook = assessment?.state?.ref ?? request.resource;
    const message = composeStopAbandoned(notebook, parseSageMakerArn(notebook.arn) ?? recheckScope(request), {
      attempts: request.attempt,
      firstDeferredAt: request.firstDeferredAt,
      status,
      rules,
    });
    return this.alert(message, journal);
  }

  /** The claim's lease: the time this invocation has left (a crashed one is taken over after it). */
  private leaseMs(handleOptions: HandleOptions): number {
    return handleOptions.remainingMs?.() ?? this.options.invocationBudgetMs ?? DEFAULT_BUDGET_MS;
  }

  /** A failed attempt lets go of the event, so Lambda's retry takes it at once. */
  private async release(claim: Promise<DeliveryClaim>, eventId: string, owner: string): Promise<void> {
    if ((await claim.catch(() => undefined))?.state !== 'claimed') return;
    // Best effort: a release that fails leaves the lease to end with the invocation's time.
    await this.delivery.record(eventId, {}, 'released', owner).catch(() => undefined);
  }

  /**
   * A completed event whose alert may not have gone out: the completion record is written alongside the alert,
   * so Lambda's retry of the same invocation (same request id) cannot know whether the alert got through, and
   * sends it (a duplicate after a crash is the documented limit; a lost alert is not). A redelivery (another
   * request id) does nothing; a redrive of a dead-lettered event sends what is not recorded sent.
   */
  /**
   * An earlier attempt of this invocation (its own request id) claimed the event and recorded nothing: it died,
   * maybe after a write that hides its finding (a derived tag, a grant), so its alert is sent whatever the
   * resource looks like now. A redrive counts any claim that recorded nothing: the event failed for good.
   */
  private interrupted(found: DeliveryClaim, owner: string, handleOptions: HandleOptions): boolean {
    if (found.state === 'completed') return false;
    const unrecorded = (found.unrecorded ?? []).filter((id) => handleOptions.redrive || id === owner);
    return unrecorded.length > 0;
  }

  private unfinished(
    found: Extract<DeliveryClaim, { state: 'completed' }>,
    owner: string,
    handleOptions: HandleOptions,
  ): boolean {
    if (found.recorded.notify) return false;
    return found.owner === owner || handleOptions.redrive === true;
  }

  private duplicate(assessment: Assessment): HandledEvent {
    const duplicate: Assessment = {
      ...assessment,
      verdict: 'skipped',
      reason: `duplicate delivery of event ${assessment.eventId}: already handled, nothing done again`,
    };
    delete duplicate.evaluation;
    return { report: buildReport(duplicate, []), assessment: duplicate, duplicate: true };
  }

  /**
   * Runs an event's work once across deliveries and containers: under the claim (taken alongside the reads, or
   * here when none was), then ONE record of what settled: completed, or on a transient failure released with
   * what settled, so the retry redoes only the rest. A completed event is a duplicate; one held by another
   * delivery is retried later.
   */
  private async settle(
    assessmentOf: Assessment | (() => Assessment),
    claimed: Promise<DeliveryClaim> | undefined,
    handleOptions: HandleOptions,
    owner: string,
    work: Work,
    error?: AwsCallError,
  ): Promise<HandledEvent> {
    const current = () => (typeof assessmentOf === 'function' ? assessmentOf() : assessmentOf);
    const eventId = current().eventId;
    const extra = error ? ({ verdict: 'error' } as const) : {};
    const durable = eventId !== undefined && !this.options.dryRun;
    const report = (execution: Execution) =>
      buildReport(current(), execution.actions, {
        ...extra,
        ...(execution.notification ? { notifications: [execution.notification] } : {}),
      });
    let journal: ExecutionJournal | undefined;
    let completion: Promise<void> | undefined;
    const complete = (recorded: JournalEntries) =>
      this.delivery.record(eventId as string, recorded, 'completed', owner);
    try {
      if (durable) {
        const found = await (claimed ?? this.delivery.claim(eventId, this.leaseMs(handleOptions), owner));
        if (found.state === 'completed' && !this.unfinished(found, owner, handleOptions)) {
          return this.duplicate(current());
        }
        if (found.state === 'held') throw new DeliveryInProgressError(eventId);
        const recorded = found.recorded;
        // The completion record goes out as the alert does (the alert is the last step): one round trip less.
        journal = {
          recorded,
          alerting: () => {
            completion ??= complete(structuredClone(recorded));
            completion.catch(() => undefined); // awaited below
          },
        };
        if (found.state === 'completed') journal.resumed = true;
        else if (this.interrupted(found, owner, handleOptions)) {
          Object.assign(journal, { resumed: true, interrupted: true });
        }
      }
      const execution = await work(journal);
      if (execution.retry) throw new RetryLater(execution);
      if (journal) await (completion ?? complete(journal.recorded));
      return { report: report(execution), assessment: current(), execution, ...(error ? { error } : {}) };
    } catch (failure) {
      const assessment = current();
      if (failure instanceof RetryLater) {
        // What settled is kept, and the event let go for the retry (a completion written alongside a failed
        // alert is undone, after it landed); should this record fail, the retry comes after the lease and redoes
        // what is not recorded (every write converges on the live state), or finds its own completion and alerts.
        if (journal) {
          await completion?.catch(() => undefined);
          await this.delivery.record(eventId as string, journal.recorded, 'released', owner);
        }
        const execution = failure.execution;
        const waiting: Assessment = { ...assessment, reason: execution.retry?.message ?? 'retried' };
        return {
          report: buildReport(waiting, execution.actions, {
            verdict: 'error',
            ...(execution.notification ? { notifications: [execution.notification] } : {}),
          }),
          assessment: waiting,
          execution,
          ...(execution.retry ? { error: execution.retry } : {}),
          retry: true,
        };
      }
      if (failure instanceof DeliveryInProgressError) {
        const waiting: Assessment = { ...assessment, reason: failure.message };
        return { report: buildReport(waiting, [], { verdict: 'error' }), assessment: waiting, retry: true };
      }
      throw failure;
    }
  }
}

/** The state source, with `onRead` told of each change it reads for, as the read starts. */
function claimingSource(source: StateSource, onRead: (change: NormalizedChange) => void): StateSource {
  return {
    kind: source.kind,
    readState(change) {
      onRead(change);
      return source.readState(change);
    },
    resolveKmsKey(keyId, change) {
      onRead(change);
      return source.resolveKmsKey(keyId, change);
    },
    resolveKmsAllowlist: (allowlist) => source.resolveKmsAllowlist(allowlist),
    principalTags(actor, change, options) {
      onRead(change);
      return source.principalTags(actor, change, options);
    },
  };
}

function pick(execution: Execution): Partial<Execution> {
  return {
    ...(execution.notification ? { notification: execution.notification } : {}),
    ...(execution.retry ? { retry: execution.retry } : {}),
  };
}

function pickIds(
  change: Partial<Pick<Assessment, 'eventId' | 'eventName' | 'actor' | 'resource'>>,
): Partial<Assessment> {
  const ids: Partial<Assessment> = {};
  if (change.eventId) ids.eventId = change.eventId;
  if (change.eventName) ids.eventName = change.eventName;
  if (change.actor) ids.actor = change.actor;
  if (change.resource) ids.resource = change.resource;
  return ids;
}
