// Planned actions -> executed actions. Idempotent and convergent: every write is computed against the live
// state, so running the same plan twice changes nothing the second time. A failed action is reported with
// AWS's error name and the others still run. Each step (tags, stop, alert) is noted in the event's journal once
// it succeeded or failed permanently, and the journal is recorded once, at the end (guardrails.ts): a retry
// redoes only the steps not recorded. A transient failure (throttling, 5xx after the SDK's retries) is not noted
// and holds the alert back: the event is retried.
import type { AwsClients } from './aws/clients.ts';
import { AwsCallError, errorName } from './aws/errors.ts';
import { addTags, deleteTags, readNotebookStatus, stopNotebookInstance } from './aws/sagemaker.ts';
import { publishNotification, publishRawMessage, type SnsMessage } from './aws/sns.ts';
import type { JournalEntries, SettledStep, StepName } from './delivery.ts';
import type { ExemptionGrants } from './exemption.ts';
import { composeChatNotification, composeNotification } from './notification.ts';
import type { Assessment } from './pipeline.ts';
import type { Policy } from './policy.ts';
import { describePlannedAction, type NotificationReport } from './report.ts';
import { hasTag, tagValue } from './tag-values.ts';
import type { ActionResult, NotebookStatus, PlannedAction, Tags } from './types.ts';

export interface ExecutionOptions {
  aws: AwsClients;
  policy: Policy;
  /** SNS topic for notifications; without one, notify is skipped and says so. */
  topicArn?: string;
  /** SNS topic for AWS Chatbot (Slack, Teams): each alert also goes there as a Chatbot custom notification. */
  chatTopicArn?: string;
  /** Read-only: report what would be done. */
  dryRun?: boolean;
  /** A re-check of a deferred stop: still deferred is not news. */
  recheck?: boolean;
  /** Queues the next re-check of a deferred stop; returns what to say about it. None: no backstop. */
  scheduleRecheck?: () => Promise<string>;
  /** Where exemption grants are recorded. */
  grants?: ExemptionGrants;
  /** The event's journal (none: nothing is recorded). */
  journal?: ExecutionJournal;
}

/** What earlier attempts of the event settled, and what this one settles (recorded by the caller at the end). */
export interface ExecutionJournal {
  recorded: JournalEntries;
  /** An earlier attempt of this event recorded its plan, or died recording nothing: this one finishes it. */
  resumed?: boolean;
  /** An earlier attempt of this invocation died before recording anything (see DeliveryClaim). */
  interrupted?: boolean;
  /**
   * Called as the alert is published: the completion record goes out alongside it, not after it (one round trip
   * less). Should the alert then fail, the caller releases the event again with what settled.
   */
  alerting?(): void;
}

export interface Execution {
  actions: ActionResult[];
  notification?: NotificationReport;
  /** The alert as composed for SNS (sent, or in a dry run what would have been). */
  message?: SnsMessage;
  /** A write failed transiently: nothing after it was recorded, the alert is held back, the event is retried. */
  retry?: AwsCallError;
}

const isTransient = (error: unknown): error is AwsCallError =>
  error instanceof AwsCallError && error.transient;

/** A step done before (recorded in the journal) is reported as it was; otherwise run, and noted unless transient. */
export async function journaled(
  opts: Pick<ExecutionOptions, 'journal' | 'dryRun'>,
  name: StepName,
  run: () => Promise<SettledStep & { retry?: AwsCallError }>,
): Promise<SettledStep & { retry?: AwsCallError }> {
  const journal = opts.dryRun ? undefined : opts.journal;
  const prior = journal?.recorded[name];
  if (prior) return prior;
  const settled = await run();
  if (journal && !settled.retry) {
    const { retry: _, ...record } = settled;
    journal.recorded[name] = record;
  }
  return settled;
}

type TagAction = Extract<PlannedAction, { type: 'tag' | 'revert' }>;
type StepOutcome = SettledStep & { retry?: AwsCallError };

/** What the tag and revert actions want written, minus what the resource already has. */
export function tagWrites(actions: readonly TagAction[], current: Tags): { set: Tags; unset: string[] } {
  const set: Tags = {};
  const unset: string[] = [];
  for (const action of actions) {
    if (action.type === 'tag') {
      for (const [key, value] of Object.entries(action.tags))
        if (tagValue(current, key) !== value) set[key] = value;
      for (const key of action.untag) if (hasTag(current, key)) unset.push(key);
    } else if (action.restoreValue === null) {
      if (hasTag(current, action.key)) unset.push(action.key);
    } else if (tagValue(current, action.key) !== action.restoreValue) {
      set[action.key] = action.restoreValue;
    }
  }
  return { set, unset: [...new Set(unset)] };
}

function wouldDo(action: PlannedAction, why: string): ActionResult {
  return { type: action.type, status: 'skipped', detail: `${why}: would ${describePlannedAction(action)}` };
}

async function executeTagging(
  actions: TagAction[],
  assessment: Assessment,
  opts: ExecutionOptions,
): Promise<SettledStep & { retry?: AwsCallError }> {
  const state = assessment.state;
  if (!state) return { results: [] };
  const { set, unset } = tagWrites(actions, state.tags ?? {});
  const touches = (action: TagAction) =>
    action.type === 'tag'
      ? Object.keys(action.tags).some((k) => k in set) || action.untag.some((k) => unset.includes(k))
      : action.key in set || unset.includes(action.key);
  let failure: AwsCallError | Error | undefined;
  if (!opts.dryRun && (Object.keys(set).length > 0 || unset.length > 0)) {
    // One AddTags and at most one DeleteTags for all tag and revert actions of the event; together when they touch
    // different keys (one round trip), else in order.
    const add = () =>
      Object.keys(set).length > 0 ? addTags(opts.aws.sagemaker, state.ref.arn, set) : Promise.resolve();
    const remove = () =>
      unset.length > 0 ? deleteTags(opts.aws.sagemaker, state.ref.arn, unset) : Promise.resolve();
    try {
      if (unset.some((key) => Object.hasOwn(set, key))) {
        await add();
        await remove();
      } else {
        const settled = await Promise.allSettled([add(), remove()]);
        const rejected = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (rejected) throw rejected.reason;
      }
    } catch (error) {
      failure = error as Error;
    }
  }
  const results = actions.map((action): ActionResult => {
    if (!touches(action)) {
      return {
        type: action.type,
        status: 'skipped',
        detail: `already in place: ${describePlannedAction(action)}`,
      };
    }
    if (opts.dryRun) return wouldDo(action, 'dry run');
    if (failure) {
      return { type: action.type, status: 'failed', detail: failure.message, error: errorName(failure) };
    }
    return { type: action.type, status: 'done', detail: describePlannedAction(action) };
  });
  return { results, ...(isTransient(failure) ? { retry: failure } : {}) };
}

const STOP_DECISION: Record<NotebookStatus, Omit<ActionResult, 'type'> | 'stop'> = {
  InService: 'stop',
  Stopping: { status: 'skipped', detail: 'already stopping' },
  Stopped: { status: 'skipped', detail: 'already stopped' },
  Deleting: { status: 'skipped', detail: 'being deleted' },
  // Pending or Updating cannot be stopped yet: the function set stops it once InService.
  Pending: { status: 'deferred', detail: 'notebook is Pending: it is stopped once InService' },
  Updating: { status: 'deferred', detail: 'notebook is Updating: checked again once the update ends' },
  Failed: { status: 'skipped', detail: 'notebook is Failed and cannot be stopped: admins notified' },
};

async function executeStop(
  assessment: Assessment,
  opts: ExecutionOptions,
): Promise<ActionResult & { retry?: AwsCallError }> {
  const state = assessment.state;
  const status = state?.status;
  if (!state || !status) return { type: 'stop', status: 'skipped', detail: 'notebook status unknown' };
  const decision = STOP_DECISION[status];
  if (decision !== 'stop') return { type: 'stop', ...decision };
  if (opts.dryRun) return wouldDo({ type: 'stop' }, 'dry run');
  try {
    await stopNotebookInstance(opts.aws.sagemaker, state.ref.name);
    return { type: 'stop', status: 'done', detail: 'StopNotebookInstance called: the notebook is Stopping' };
  } catch (error) {
    // The status moved between our read and the stop (AWS answers ValidationException): decide on the new one.
    if (error instanceof AwsCallError && error.errorName === 'ValidationException') {
      const now = await readNotebookStatus(opts.aws.sagemaker, state.ref.name).catch(() => null);
      if (now === undefined) return { type: 'stop', status: 'skipped', detail: 'the notebook was deleted' };
      const next = now ? STOP_DECISION[now] : undefined;
      if (next && next !== 'stop') return { type: 'stop', ...next };
    }
    const failed: ActionResult = {
      type: 'stop',
      status: 'failed',
      detail: (error as Error).message,
      error: errorName(error),
    };
    return isTransient(error) ? Object.assign(failed, { retry: error }) : failed;
  }
}

/**
 * Whether the admins are told. Never decided by a tag a user can write: every finding of a user's own API call
 * is told (a redelivery of the same call is dropped before this, by its delivery record). SageMaker's
 * state-change events and the guardrails' own re-checks are told only when an action did something or failed,
 * when a stop was first deferred, or when a rule could not be verified.
 */
export function shouldNotify(
  results: readonly ActionResult[],
  assessment: Assessment,
  mode: Policy['mode'],
  recheck = false,
): boolean {
  if (assessment.change?.operation !== 'state-change') return true;
  if (!recheck && (assessment.evaluation?.unverifiable.length ?? 0) > 0) return true;
  if (mode === 'report') return false;
  return results.some(
    (r) =>
      r.type !== 'notify' &&
      (r.status === 'done' || r.status === 'failed' || (r.status === 'deferred' && !recheck)),
  );
}

/** Records or ends an exemption grant in the guardrails' own store. */
async function executeExempt(
  action: Extract<PlannedAction, { type: 'exempt' }>,
  opts: ExecutionOptions,
): Promise<ActionResult & { retry?: AwsCallError }> {
  if (opts.dryRun) return wouldDo(action, 'dry run');
  if (!opts.grants) {
    return {
      type: 'exempt',
      status: 'failed',
      detail: 'no exemption store configured',
      error: 'NoGrantStore',
    };
  }
  try {
    if (action.grant) await opts.grants.put(action.grant);
    else await opts.grants.delete(action.resourceArn);
    return { type: 'exempt', status: 'done', detail: describePlannedAction(action) };
  } catch (error) {
    const failed: ActionResult = {
      type: 'exempt',
      status: 'failed',
      detail: (error as Error).message,
      error: errorName(error),
    };
    return isTransient(error) ? Object.assign(failed, { retry: error }) : failed;
  }
}

export async function executePlan(assessment: Assessment, opts: ExecutionOptions): Promise<Execution> {
  const plan = assessment.evaluation?.actions ?? [];
  if (plan.length === 0) return { actions: [] };
  const mode = opts.policy.mode;
  const results: ActionResult[] = [];
  let retry: AwsCallError | undefined;

  const tagging = plan.filter((a): a is TagAction => a.type === 'tag' || a.type === 'revert');
  const exempt = plan.find((a) => a.type === 'exempt');
  // The grant is recorded before the quarantine is lifted: a failed record leaves the resource as it was.
  if (exempt) {
    if (mode === 'report') results.push(wouldDo(exempt, 'report mode'));
    else {
      const step = await journaled(opts, 'exempt', async () => {
        const { retry: failure, ...result } = await executeExempt(exempt, opts);
        return { results: [result], ...(failure ? { retry: failure } : {}) };
      });
      results.push(...step.results);
      retry ??= step.retry;
    }
  }

  const tagsStep = async (): Promise<StepOutcome> => {
    if (mode === 'report') return { results: tagging.map((a) => wouldDo(a, 'report mode')) };
    if (tagging.length === 0) return { results: [] };
    return journaled(opts, 'tags', () => executeTagging(tagging, assessment, opts));
  };
  const stopStep = async (): Promise<StepOutcome> => {
    if (!plan.some((a) => a.type === 'stop')) return { results: [] };
    if (mode === 'report') return { results: [wouldDo({ type: 'stop' }, 'report mode')] };
    // The stop and, when it must wait, the queued re-check are one step: a retry redoes both or neither.
    return journaled(opts, 'stop', async () => {
      let { retry: failure, ...result } = await executeStop(assessment, opts);
      if (result.status === 'deferred' && opts.scheduleRecheck && !opts.dryRun) {
        try {
          result = { ...result, detail: `${result.detail}; ${await opts.scheduleRecheck()}` };
        } catch (error) {
          result = {
            type: 'stop',
            status: 'failed',
            detail: `${result.detail}, but the re-check could not be queued: ${(error as Error).message}`,
            error: errorName(error),
          };
          if (isTransient(error)) failure = error;
        }
      }
      return { results: [result], ...(failure ? { retry: failure } : {}) };
    });
  };
  // Tagging and the stop (or its re-check message) do not depend on each other: one round trip for both, each
  // recorded on its own (one journal attribute per step). The alert waits for both, so it says what happened.
  for (const step of await Promise.all([tagsStep(), stopStep()])) {
    results.push(...step.results);
    retry ??= step.retry;
  }

  const outcome = (extra: Partial<Execution> = {}): Execution => ({
    actions: results,
    ...extra,
    ...(retry ? { retry } : {}),
  });
  if (!plan.some((a) => a.type === 'notify')) return outcome();
  if (retry) {
    // The alert says what happened: it waits for the retry that settles the failed action (then the
    // failed-events queue and its alarm, and `sm-guardrails redrive`, which sends it).
    results.push({ type: 'notify', status: 'deferred', detail: `not sent yet: ${retry.call} is retried` });
    return outcome();
  }
  // A retry of an attempt that recorded its plan but not its alert, or that died before recording anything: its
  // alert may never have been sent, whatever the writes now find already in place.
  const resumed = opts.journal?.resumed === true && !opts.journal.recorded.notify && !opts.recheck;
  if (!resumed && !shouldNotify(results, assessment, mode, opts.recheck)) {
    results.push({
      type: 'notify',
      status: 'skipped',
      detail: 'nothing new: no action was needed on this state change',
    });
    return outcome();
  }
  const message = composeNotification({
    assessment,
    results,
    mode,
    statusTagKey: opts.policy.statusTagKey,
    ...(opts.journal?.interrupted ? { interrupted: true } : {}),
  });
  const step = await notifyStep(opts, message);
  results.push(...step.results);
  retry ??= step.retry;
  return outcome({ ...(step.notification ? { notification: step.notification } : {}), message });
}

/** Publishes one alert, once per event (journaled). A transient SNS failure is retried with the event. */
export function notifyStep(
  opts: Pick<ExecutionOptions, 'aws' | 'topicArn' | 'chatTopicArn' | 'dryRun' | 'journal'>,
  message: SnsMessage,
): Promise<SettledStep & { retry?: AwsCallError }> {
  if (opts.dryRun || !opts.topicArn) {
    const why = opts.dryRun ? 'dry run: not sent' : 'no SNS topic configured';
    return Promise.resolve({
      results: [{ type: 'notify', status: 'skipped', detail: why }],
      notification: { subject: message.subject, status: opts.dryRun ? 'planned' : 'skipped' },
    });
  }
  const topicArn = opts.topicArn;
  return journaled(opts, 'notify', async () => {
    opts.journal?.alerting?.();
    try {
      const { messageId, attempts } = await publishNotification(opts.aws.sns, topicArn, message);
      // The SDK's own retries (throttling, 5xx) are reported: the alert got through, but SNS was struggling.
      const retried =
        attempts > 1 ? ` (after ${attempts - 1} SDK ${attempts > 2 ? 'retries' : 'retry'})` : '';
      // Chat goes with the email, once: its failure is reported and never holds the email back.
      const chat = opts.chatTopicArn ? await publishChat(opts.aws, opts.chatTopicArn, message) : undefined;
      return {
        results: [{ type: 'notify', status: 'done', detail: `sns:Publish ${messageId}${retried}` }],
        notification: { subject: message.subject, messageId, status: 'sent', ...(chat ? { chat } : {}) },
      };
    } catch (error) {
      const name = errorName(error);
      return {
        results: [{ type: 'notify', status: 'failed', detail: (error as Error).message, error: name }],
        notification: { subject: message.subject, status: 'failed', error: name },
        ...(isTransient(error) ? { retry: error } : {}),
      };
    }
  });
}

async function publishChat(
  aws: AwsClients,
  chatTopicArn: string,
  message: SnsMessage,
): Promise<NonNullable<NotificationReport['chat']>> {
  try {
    await publishRawMessage(aws.sns, chatTopicArn, composeChatNotification(message));
    return { status: 'sent' };
  } catch (error) {
    return { status: 'failed', error: errorName(error) };
  }
}
