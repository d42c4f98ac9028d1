// One message per account and region per sweep: what is new since the admins were last told (counts per rule,
// the worst resources first), what could not be evaluated, what failed. Nothing new: no message, so two sweeps
// of an unchanged account send one digest between them.
import type { AwsClients } from '#core/aws/clients';
import { errorName } from '#core/aws/errors';
import { publishNotification, publishRawMessage, type SnsMessage } from '#core/aws/sns';
import { composeChatNotification, consoleLink } from '#core/notification';
import type { Policy } from '#core/policy';
import { safeText } from '#core/text';
import type { ResourceType, Severity } from '#core/types';
import type { ResourceResult, SweepFinding, TargetSweep } from './sweep.ts';

const SEVERITY_ORDER: Severity[] = ['critical', 'high', 'medium', 'low'];
const rank = (s: string) => {
  const i = SEVERITY_ORDER.indexOf(s as Severity);
  return i < 0 ? SEVERITY_ORDER.length : i;
};
/** How many resources the digest names; the counts cover all of them. */
export const DIGEST_WORST = 10;

export function worstSeverity(result: ResourceResult): Severity | undefined {
  return [...result.violations].sort((a, b) => rank(a.severity) - rank(b.severity))[0]?.severity as
    | Severity
    | undefined;
}

/** Worst first: an unverifiable resource, then by severity, then by the number of violations. */
export function byWorst(a: ResourceResult, b: ResourceResult): number {
  const errors = Number(b.verdict === 'error') - Number(a.verdict === 'error');
  if (errors !== 0) return errors;
  const severity = rank(worstSeverity(a) ?? 'none') - rank(worstSeverity(b) ?? 'none');
  if (severity !== 0) return severity;
  return b.violations.length - a.violations.length || a.resource.arn.localeCompare(b.resource.arn);
}

export function resourceConsoleLink(r: ResourceResult['resource']): string {
  return consoleLink({
    type: r.type as ResourceType,
    arn: r.arn,
    name: r.name,
    ...(r.domainId ? { domainId: r.domainId } : {}),
  });
}

const ascii = (value: string, max: number) => {
  const text = value.replace(/[^\x20-\x7e]/g, '?');
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
};

export interface DigestInput {
  sweep: TargetSweep;
  sweepId: string;
  mode: Policy['mode'];
}

/** The digest of one account and region, or undefined when there is nothing new to tell. */
export function composeDigest({ sweep, sweepId, mode }: DigestInput): SnsMessage | undefined {
  const { target, results, news, listErrors } = sweep;
  if (news.length === 0 && listErrors.length === 0) return undefined;
  const where = `${target.account}/${target.region}`;
  const count = (v: ResourceResult['verdict']) => results.filter((r) => r.verdict === v).length;
  const unverifiable = news.filter((n) => n.result.verdict === 'error');
  const findings = news.filter((n) => n.result.verdict !== 'error');
  const failed = news.filter((n) => n.result.actions.some((a) => a.status === 'failed'));

  const perRule = new Map<string, { severity: string; all: number; fresh: number }>();
  for (const r of results) {
    for (const v of r.violations) {
      const entry = perRule.get(v.rule) ?? { severity: v.severity, all: 0, fresh: 0 };
      entry.all++;
      perRule.set(v.rule, entry);
    }
  }
  for (const n of findings)
    for (const rule of n.rules) {
      const entry = perRule.get(rule);
      if (entry) entry.fresh++;
    }
  const ruleLines = [...perRule]
    .sort(([ra, a], [rb, b]) => rank(a.severity) - rank(b.severity) || b.all - a.all || ra.localeCompare(rb))
    .map(
      ([rule, e]) => `  [${e.severity}] ${rule}: ${e.all} resource${e.all === 1 ? '' : 's'} (${e.fresh} new)`,
    );

  const worst = news
    .map((n) => n.result)
    .sort(byWorst)
    .slice(0, DIGEST_WORST);
  const describe = (r: ResourceResult) => {
    const head = `  - ${r.resource.type} ${safeText(r.resource.name, 80)}`;
    if (r.verdict === 'error') return [`${head}: could not be evaluated: ${safeText(r.reason ?? '', 300)}`];
    const rules = [...new Set(r.violations.map((v) => `[${v.severity}] ${v.rule}`))].join(', ');
    const acts = r.actions
      .filter((a) => a.type !== 'notify')
      .map((a) => `${a.type} ${a.status}${a.error ? ` (${safeText(a.error, 60)})` : ''}`);
    return [
      `${head}: ${rules}`,
      ...(acts.length ? [`      actions: ${acts.join(', ')}`] : []),
      `      ${resourceConsoleLink(r.resource)}`,
    ];
  };

  const parts = [
    findings.length ? `${findings.length} new finding${findings.length === 1 ? '' : 's'}` : '',
    unverifiable.length || listErrors.length ? `${unverifiable.length + listErrors.length} unverifiable` : '',
    failed.length ? `${failed.length} failed` : '',
  ].filter(Boolean);
  const subject = ascii(`[sm-guardrails] SWEEP ${where}: ${parts.join(', ')}`, 100);
  const body = [
    `sm-guardrails swept the SageMaker resources of ${where}${mode === 'report' ? ' (report mode: nothing was changed)' : ''}.`,
    `Sweep: ${safeText(sweepId, 80)}`,
    '',
    `Resources: ${results.length}: ${count('compliant')} compliant, ${count('noncompliant')} noncompliant, ${count('skipped')} skipped (exempt or deleted), ${count('error')} unverifiable.`,
    `New since the last alert: ${findings.length} resource${findings.length === 1 ? '' : 's'} with new or changed findings.`,
    '',
    'Findings by rule (all noncompliant resources; new ones in brackets):',
    ...(ruleLines.length ? ruleLines : ['  none']),
    '',
    `Worst first (${worst.length} of ${news.length}):`,
    ...worst.flatMap(describe),
    ...(listErrors.length
      ? [
          '',
          'Listing failed (every resource of these types is unverified):',
          ...listErrors.map((e) => `  - ${e.type}: ${safeText(e.error, 300)}`),
        ]
      : []),
  ].join('\n');
  const severities = news.flatMap((n) => n.result.violations.map((v) => v.severity));
  const severity =
    SEVERITY_ORDER.find((s) => severities.includes(s)) ??
    (unverifiable.length || listErrors.length ? 'high' : 'low');
  return {
    subject,
    body,
    attributes: {
      severity,
      rules: JSON.stringify([...new Set(findings.flatMap((n) => n.rules))].sort()),
      resourceType: 'sweep',
      mode,
      account: target.account,
    },
  };
}

export interface DigestDelivery {
  subject?: string;
  status: 'sent' | 'failed' | 'planned' | 'skipped' | 'none';
  messageId?: string;
  error?: string;
  /** The digest itself when it could not be sent, so it can still be logged. */
  message?: SnsMessage;
  /** The same digest to the chat topic (AWS Chatbot), when one is configured. */
  chat?: { status: 'sent' | 'failed'; error?: string };
}

/**
 * Sends the target's digest (unless dry run or no topic) and settles each resource's `notify` action with its
 * outcome, so the JSON lines say whether the admins were told.
 */
export async function deliverDigest(
  input: DigestInput & { clients: AwsClients; topicArn?: string; chatTopicArn?: string; dryRun?: boolean },
): Promise<DigestDelivery> {
  const message = composeDigest(input);
  if (!message) return { status: 'none' };
  let delivery: DigestDelivery;
  if (input.dryRun) delivery = { subject: message.subject, status: 'planned' };
  else if (!input.topicArn) delivery = { subject: message.subject, status: 'skipped' };
  else {
    try {
      const { messageId } = await publishNotification(input.clients.sns, input.topicArn, message);
      delivery = { subject: message.subject, status: 'sent', messageId };
      // Chat goes with the email, as the event functions' alerts do: its failure is reported, never holds the
      // email back.
      if (input.chatTopicArn) {
        try {
          await publishRawMessage(input.clients.sns, input.chatTopicArn, composeChatNotification(message));
          delivery.chat = { status: 'sent' };
        } catch (error) {
          delivery.chat = { status: 'failed', error: errorName(error) };
        }
      }
    } catch (error) {
      delivery = { subject: message.subject, status: 'failed', error: errorName(error), message };
    }
  }
  settleNotifications(input.sweep.news, delivery);
  return delivery;
}

function settleNotifications(news: readonly SweepFinding[], delivery: DigestDelivery): void {
  for (const { result } of news) {
    const notify = result.actions.find((a) => a.type === 'notify' && a.status === 'planned');
    if (!notify) continue;
    if (delivery.status === 'sent') {
      notify.status = 'done';
      notify.detail = `in the sweep digest: sns:Publish ${delivery.messageId ?? ''}`;
    } else if (delivery.status === 'failed') {
      notify.status = 'failed';
      notify.detail = 'the sweep digest could not be sent';
      if (delivery.error) notify.error = delivery.error;
    } else {
      notify.status = 'skipped';
      notify.detail =
        delivery.status === 'planned'
          ? 'dry run: would be in the sweep digest'
          : 'no SNS topic configured: would be in the sweep digest';
    }
  }
}
