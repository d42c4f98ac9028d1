// The report of one event: the JSON Lines contract of `sm-guardrails replay --json` and the Lambda `finding` log.
import type { Assessment } from './pipeline.ts';
import type { ActionResult, Actor, PlannedAction, Unevaluated, Unverifiable, Verdict } from './types.ts';

export interface NotificationReport {
  subject: string;
  messageId?: string;
  status: 'sent' | 'failed' | 'planned' | 'skipped';
  error?: string;
  /** The same alert to the chat topic (AWS Chatbot), when one is configured. */
  chat?: { status: 'sent' | 'failed'; error?: string };
}

export interface EventReport {
  file?: string;
  /** Position in a file that holds an array of events. */
  index?: number;
  /** Replay --simulate: what the simulation did to produce this event (e.g. the notebook reached InService). */
  simulated?: string;
  eventId: string | null;
  eventName: string | null;
  verdict: Verdict | 'error';
  reason: string | null;
  resource: { type: string; arn: string; name: string } | null;
  actor: Actor | null;
  violations: Array<{
    rule: string;
    severity: string;
    message: string;
    seen: string;
    required: string;
    fix: string;
    recreateRequired?: boolean;
  }>;
  unevaluated: Unevaluated[];
  /** Rules whose live AWS read failed (with the error): not compliant. */
  unverifiable: Unverifiable[];
  /** Rules checked and passed: Security Hub findings of these rules are resolved (securityhub/). */
  passed?: string[];
  actions: ActionResult[];
  notifications?: NotificationReport[];
  /** Reporting-only event fields with an unexpected shape, ignored: the event was still enforced. */
  warnings?: string[];
  /** Replay --simulate --redeliver: which of the two deliveries of the event this is (1 or 2). */
  delivery?: number;
  /** Replay --simulate: invocations run, Lambda's retries included (shown when more than one). */
  attempts?: number;
  /** Why each retried invocation did not settle, in order. */
  retried?: string[];
  /** Still not settled after Lambda's 2 retries: the event went to the failed-events queue. */
  deadLettered?: boolean;
}

export function describePlannedAction(action: PlannedAction): string {
  switch (action.type) {
    case 'tag': {
      const set = Object.entries(action.tags).map(([k, v]) => `${k}=${v}`);
      const unset = action.untag.map((k) => `-${k}`);
      return `tag ${[...set, ...unset].join(', ')}`;
    }
    case 'stop':
      return 'stop the notebook instance';
    case 'revert':
      return action.restoreValue === null
        ? `remove tag ${action.key}`
        : `restore tag ${action.key}=${action.restoreValue}`;
    case 'exempt':
      return action.grant
        ? `record the exemption of ${action.resourceArn} until ${action.grant.expiresAt}`
        : `end the exemption of ${action.resourceArn}`;
    case 'notify':
      return 'notify the admins';
  }
}

/** Actions of an evaluation that nothing has executed (offline replay). */
export function plannedResults(assessment: Assessment, mode: 'enforce' | 'report'): ActionResult[] {
  return (assessment.evaluation?.actions ?? []).map((action) =>
    mode === 'report' && action.type !== 'notify'
      ? {
          type: action.type,
          status: 'skipped',
          detail: `report mode: would ${describePlannedAction(action)}`,
        }
      : { type: action.type, status: 'planned', detail: describePlannedAction(action) },
  );
}

export function buildReport(
  assessment: Assessment,
  actions: ActionResult[],
  extra: { file?: string; index?: number; notifications?: NotificationReport[]; verdict?: 'error' } = {},
): EventReport {
  const report: EventReport = {
    ...(extra.file !== undefined ? { file: extra.file } : {}),
    ...(extra.index !== undefined ? { index: extra.index } : {}),
    eventId: assessment.eventId ?? null,
    eventName: assessment.eventName ?? null,
    verdict: extra.verdict ?? assessment.verdict,
    reason: assessment.reason ?? null,
    // As the live read found it (a domain's name rather than its id), else as the event names it.
    resource: resourceOf(assessment),
    actor: assessment.actor ?? null,
    violations: (assessment.evaluation?.violations ?? []).map((v) => ({
      rule: v.rule,
      severity: v.severity,
      message: v.message,
      seen: v.seen,
      required: v.required,
      fix: v.fix,
      ...(v.recreateRequired ? { recreateRequired: true } : {}),
    })),
    unevaluated: assessment.evaluation?.unevaluated ?? [],
    unverifiable: assessment.evaluation?.unverifiable ?? [],
    actions,
  };
  // Only when a rule passed: most reports (and the JSON Lines contract's examples) stay as they were.
  if (assessment.evaluation?.passed.length) report.passed = assessment.evaluation.passed;
  if (extra.notifications) report.notifications = extra.notifications;
  if (assessment.change?.warnings) report.warnings = assessment.change.warnings;
  return report;
}

function resourceOf(assessment: Assessment): EventReport['resource'] {
  const ref = assessment.state?.ref ?? assessment.resource;
  return ref ? { type: ref.type, arn: ref.arn, name: ref.name } : null;
}
