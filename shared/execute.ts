// Planned actions -> executed actions. Idempotent and convergent: every write is computed against the live
// state, so running the same plan twice changes nothing the second time. A failed action is reported with
// AWS's error name and the others still run.
import type { AwsClients } from './aws/clients.ts';
import { AwsCallError, errorName } from './aws/errors.ts';
import { addTags, deleteTags, readNotebookStatus, stopNotebookInstance } from './aws/sagemaker.ts';
import { publishNotification, type SnsMessage } from './aws/sns.ts';
import { composeNotification } from './notification.ts';
import type { Assessment } from './pipeline.ts';
import type { Policy } from './policy.ts';
import { describePlannedAction, type NotificationReport } from './report.ts';
import type { ActionResult, NotebookStatus, PlannedAction, Tags } from './types.ts';

export interface ExecutionOptions {
  aws: AwsClients;
  policy: Policy;
  /** SNS topic for notifications; without one, notify is skipped and says so. */
  topicArn?: string;
  /** Read-only: report what would be done. */
  dryRun?: boolean;
  /** A re-check of a deferred stop: still deferred is not news. */
  recheck?: boolean;
}

export interface Execution {
  actions: ActionResult[];
  notification?: NotificationReport;
  /** The alert as composed for SNS (sent, or in a dry run what would have been). */
  message?: SnsMessage;
}

type TagAction = Extract<PlannedAction, { type: 'tag' | 'revert' }>;

/** What the tag and revert actions want written, minus what the resource already has. */
export function tagWrites(actions: readonly TagAction[], current: Tags): { set: Tags; unset: string[] } {
  const set: Tags = {};
  const unset: string[] = [];
  for (const action of actions) {
    if (action.type === 'tag') {
      for (const [key, value] of Object.entries(action.tags)) if (current[key] !== value) set[key] = value;
      for (const key of action.untag) if (key in current) unset.push(key);
    } else if (action.restoreValue === null) {
      if (action.key in current) unset.push(action.key);
    } else if (current[action.key] !== action.restoreValue) {
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
): Promise<ActionResult[]> {
  const state = assessment.state;
  if (!state) return [];
  const { set, unset } = tagWrites(actions, state.tags ?? {});
  const touches = (action: TagAction) =>
    action.type === 'tag'
      ? Object.keys(action.tags).some((k) => k in set) || action.untag.some((k) => unset.includes(k))
      : action.key in set || unset.includes(action.key);
  let failure: AwsCallError | Error | undefined;
  if (!opts.dryRun && (Object.keys(set).length > 0 || unset.length > 0)) {
    // One AddTags and at most one DeleteTags for all tag and revert actions of the event.
    try {
      if (Object.keys(set).length > 0) await addTags(opts.aws.sagemaker, state.ref.arn, set);
      if (unset.length > 0) await deleteTags(opts.aws.sagemaker, state.ref.arn, unset);
    } catch (error) {
      failure = error as Error;
    }
  }
  return actions.map((action): ActionResult => {
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

async function executeStop(assessment: Assessment, opts: ExecutionOptions): Promise<ActionResult> {
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
      const now = await readNotebookStatus(opts.aws.sagemaker, state.ref.name).catch(() => undefined);
      const next = now ? STOP_DECISION[now] : undefined;
      if (next && next !== 'stop') return { type: 'stop', ...next };
    }
    return { type: 'stop', status: 'failed', detail: (error as Error).message, error: errorName(error) };
  }
}

/**
 * Notify when the guardrails did (or tried, or will do) something, or when there is nothing else they could do.
 * Not when every other action found its work already done: that is a redelivery or a repeat of a known
 * finding, and the admins were told the first time.
 */
export function shouldNotify(
  results: readonly ActionResult[],
  mode: Policy['mode'],
  recheck = false,
): boolean {
  if (mode === 'report') return !recheck;
  const others = results.filter((r) => r.type !== 'notify');
  if (others.length === 0) return !recheck;
  return others.some((r) => {
    if (r.status === 'deferred') return !recheck;
    return r.status !== 'skipped' || !r.detail?.startsWith('already');
  });
}

export async function executePlan(assessment: Assessment, opts: ExecutionOptions): Promise<Execution> {
  const plan = assessment.evaluation?.actions ?? [];
  if (plan.length === 0) return { actions: [] };
  const mode = opts.policy.mode;
  const results: ActionResult[] = [];

  const tagging = plan.filter((a): a is TagAction => a.type === 'tag' || a.type === 'revert');
  if (mode === 'report') results.push(...tagging.map((a) => wouldDo(a, 'report mode')));
  else results.push(...(await executeTagging(tagging, assessment, opts)));

  if (plan.some((a) => a.type === 'stop')) {
    results.push(
      mode === 'report' ? wouldDo({ type: 'stop' }, 'report mode') : await executeStop(assessment, opts),
    );
  }

  if (!plan.some((a) => a.type === 'notify')) return { actions: results };
  if (!shouldNotify(results, mode, opts.recheck)) {
    results.push({
      type: 'notify',
      status: 'skipped',
      detail: 'already notified: the resource is already in this status',
    });
    return { actions: results };
  }
  const message = composeNotification({ assessment, results, mode, statusTagKey: opts.policy.statusTagKey });
  if (opts.dryRun || !opts.topicArn) {
    const why = opts.dryRun ? 'dry run: not sent' : 'no SNS topic configured';
    results.push({ type: 'notify', status: 'skipped', detail: why });
    return {
      actions: results,
      notification: { subject: message.subject, status: opts.dryRun ? 'planned' : 'skipped' },
      message,
    };
  }
  try {
    const messageId = await publishNotification(opts.aws.sns, opts.topicArn, message);
    results.push({ type: 'notify', status: 'done', detail: `sns:Publish ${messageId}` });
    return {
      actions: results,
      notification: { subject: message.subject, messageId, status: 'sent' },
      message,
    };
  } catch (error) {
    const name = errorName(error);
    results.push({ type: 'notify', status: 'failed', detail: (error as Error).message, error: name });
    return { actions: results, notification: { subject: message.subject, status: 'failed', error: name } };
  }
}
