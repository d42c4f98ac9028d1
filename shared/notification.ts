// The message admins get: a subject they can scan in an inbox, a body that says who did what and what the
// guardrails did, and attributes that SNS subscriptions can filter on. Pure: built from the outcome alone.
import { consoleDomain, isRegionName, parseSageMakerArn } from './arn.ts';
import type { SnsMessage } from './aws/sns.ts';
import type { Assessment } from './pipeline.ts';
import { safeText } from './text.ts';
import type { ActionResult, Actor, NormalizedChange, ResourceRef, Severity } from './types.ts';

const SEVERITY_ORDER: Severity[] = ['critical', 'high', 'medium', 'low'];
const SUBJECT_MAX = 100; // SNS: subjects are ASCII, without control characters, at most 100 characters

/** Subject text: printable ASCII only (SNS rejects anything else), cut with "..." to fit. */
function asciiText(value: string, maxLength: number): string {
  const ascii = value.replace(/[^\x20-\x7e]/g, '?');
  return ascii.length > maxLength ? `${ascii.slice(0, Math.max(0, maxLength - 3))}...` : ascii;
}

function asciiSubject(value: string): string {
  return asciiText(value, SUBJECT_MAX);
}

export interface NotificationContext {
  assessment: Assessment;
  results: ActionResult[];
  mode: 'enforce' | 'report';
  /** The policy's status tag key, which says whether the guardrails had quarantined the resource. */
  statusTagKey: string;
  /** An earlier attempt at the event died before recording what it did: its alert may never have gone out. */
  interrupted?: boolean;
}

function headline(
  results: ActionResult[],
  mode: 'enforce' | 'report',
  assessment: Assessment,
  interrupted = false,
): string {
  const status = (type: string) => results.find((r) => r.type === type)?.status;
  if (mode === 'report') return results.some((r) => r.type === 'stop') ? 'WOULD STOP' : 'REPORT';
  if (assessment.evaluation?.granted && (assessment.evaluation.violations.length ?? 0) === 0) {
    return status('exempt') === 'done' ? 'EXEMPTED' : 'EXEMPTION FAILED';
  }
  if (status('stop') === 'done') return 'STOPPED';
  if (status('stop') === 'deferred') return 'STOP PENDING';
  if (results.some((r) => r.status === 'failed')) return 'ACTION FAILED';
  if (status('revert') === 'done') return 'REVERTED';
  if (status('tag') === 'done') return 'TAGGED';
  const { violations = [], unverifiable = [] } = assessment.evaluation ?? {};
  if (interrupted && violations.length === 0 && unverifiable.length === 0) return 'INTERRUPTED';
  if (violations.length === 0) return 'UNVERIFIABLE';
  return 'NONCOMPLIANT';
}

const NOUN: Record<ResourceRef['type'], string> = {
  'notebook-instance': 'notebook',
  'user-profile': 'user profile',
  domain: 'domain',
  space: 'space',
  app: 'app',
  'app-image-config': 'app image config',
  'notebook-instance-lifecycle-config': 'notebook lifecycle config',
  'studio-lifecycle-config': 'Studio lifecycle config',
};

/**
 * The resource in the AWS console of its partition. Built only from a validated ARN (the live resource's, or the
 * event's) and the partition's fixed console domain: no text from a message or tag can choose the host.
 */
export function consoleLink(resource: ResourceRef): string {
  const parsed = parseSageMakerArn(resource.arn);
  const domain = parsed && consoleDomain(parsed.partition);
  if (!parsed || !domain || !isRegionName(parsed.region))
    return '(no console link: not a SageMaker ARN of a known partition)';
  const region = parsed.region;
  const base = `https://${region}.${domain}/sagemaker/home?region=${region}#`;
  const name = encodeURIComponent(resource.name);
  switch (resource.type) {
    case 'notebook-instance':
      return `${base}/notebook-instances/${name}`;
    case 'user-profile':
      return `${base}/studio/${encodeURIComponent(resource.domainId ?? parsed.domainId ?? '')}/user/${name}`;
    case 'domain':
    case 'space':
    case 'app':
      // Spaces and apps are listed on their domain's page.
      return `${base}/studio/${encodeURIComponent(resource.domainId ?? resource.name)}`;
    case 'notebook-instance-lifecycle-config':
      return `${base}/notebook-instance-lifecycle-configs/${name}`;
    case 'app-image-config':
    case 'studio-lifecycle-config':
      // Listed on the admin configurations pages of the console; the ARN in the message names the resource.
      return `${base}/studio`;
  }
}

export function describeActor(actor: Actor): string[] {
  const lines = [`${safeText(actor.arn ?? '(no IAM ARN)', 300)} (${safeText(actor.type, 40)})`];
  if (actor.roleArn) lines.push(`role ${safeText(actor.roleArn, 300)}`);
  if (actor.identityCenterUserId) {
    lines.push(
      `Identity Center user ${safeText(actor.identityCenterUserId, 80)}${actor.identityStoreArn ? ` in ${safeText(actor.identityStoreArn, 200)}` : ''}`,
    );
  }
  if (actor.sourceIdentity) lines.push(`source identity ${safeText(actor.sourceIdentity, 80)}`);
  if (actor.invokedBy) lines.push(`invoked by ${safeText(actor.invokedBy, 80)}`);
  if (actor.mfaAuthenticated !== undefined) lines.push(`MFA ${actor.mfaAuthenticated ? 'yes' : 'no'}`);
  return lines;
}

/** A user started a notebook the guardrails had stopped, and it was stopped again (or will be once InService). */
function restartedWhileQuarantined({ assessment, results, statusTagKey }: NotificationContext): boolean {
  const stop = results.find((r) => r.type === 'stop');
  return (
    assessment.change?.operation === 'start' &&
    (stop?.status === 'done' || stop?.status === 'deferred') &&
    (assessment.state?.tags?.[statusTagKey]?.startsWith('quarantined') ?? false)
  );
}

/**
 * `[sm-guardrails] <what> <noun> <name> in <account>/<region>: `. The name is user-controlled and the nouns of the
 * Studio resources are long: the name gives way (at most 40 characters) so that where it happened always fits.
 */
function subjectHead(
  what: string,
  resource: ResourceRef,
  where: { account: string; region: string },
): string {
  const fixed = `[sm-guardrails] ${what} ${NOUN[resource.type]} `;
  const place = ` in ${where.account}/${where.region}: `;
  const nameRoom = Math.min(40, Math.max(8, SUBJECT_MAX - 15 - fixed.length - place.length));
  return `${fixed}${asciiText(resource.name, nameRoom)}${place}`;
}

/** Which resource, which event, who: the head of every message about an event. */
function eventLines(change: NormalizedChange): string[] {
  const { resource } = change;
  const actorLines = describeActor(change.actor);
  return [
    `Resource:  ${resource.type} ${safeText(resource.name, 120)}`,
    `ARN:       ${safeText(resource.arn, 300)}`,
    `Account:   ${change.account}    Region: ${change.region}`,
    `Event:     ${change.eventName} at ${safeText(change.eventTime, 40)}`,
    `Event id:  ${safeText(change.eventId, 80)}`,
    `Actor:     ${actorLines[0]}`,
    ...actorLines.slice(1).map((line) => `           ${line}`),
  ];
}

export function composeNotification(context: NotificationContext): SnsMessage {
  const { assessment, results, mode, interrupted = false } = context;
  const { change, evaluation } = assessment;
  if (!change || !evaluation) throw new Error('a notification needs an evaluated change');
  // As read live when it was (the event's own identifiers otherwise).
  const resource = assessment.state?.ref ?? change.resource;
  const violations = evaluation.violations;
  const { unverifiable, unevaluated, granted } = evaluation;
  const severity =
    SEVERITY_ORDER.find((s) => violations.some((v) => v.severity === s)) ??
    (unverifiable.length > 0 ? 'high' : 'low');
  const rules = [...new Set([...violations, ...unverifiable].map((v) => v.rule))];
  const first =
    violations[0]?.message ??
    (unverifiable[0]
      ? `${unverifiable[0].rule} could not be verified`
      : granted
        ? `exempt until ${granted.expiresAt.slice(0, 10)}`
        : interrupted
          ? 'an earlier attempt was interrupted'
          : 'noncompliant');
  const more = violations.length > 1 ? ` (+${violations.length - 1} more)` : '';
  // The name is user-controlled: capped. The first violation's message gives way so the subject keeps its count.
  const head = subjectHead(headline(results, mode, assessment, interrupted), resource, change);
  const room = SUBJECT_MAX - head.length - more.length;
  const subject =
    room >= 15 || violations.length <= 1
      ? asciiSubject(`${head}${asciiText(first, room)}${more}`)
      : asciiSubject(`${head}${violations.length} violations`);

  const opening = granted
    ? `An exemption of a SageMaker ${NOUN[resource.type]} was granted`
    : violations.length > 0
      ? `sm-guardrails found a noncompliant SageMaker ${NOUN[resource.type]}`
      : `sm-guardrails could not verify a SageMaker ${NOUN[resource.type]}`;
  const body = [
    `${opening}${mode === 'report' ? ' (report mode: nothing was changed)' : ''}.`,
    '',
    ...eventLines(change),
    ...(interrupted
      ? [
          '',
          'An earlier attempt at this event died before recording what it did: it may have changed the resource',
          '(a derived tag, an exemption) and its alert may not have gone out. Below is the evaluation now; check it.',
        ]
      : []),
    ...(restartedWhileQuarantined(context)
      ? ['', 'The notebook was started again while quarantined: the guardrails stopped it again.']
      : []),
    ...(granted
      ? [
          '',
          'Exemption:',
          `  granted by ${safeText(granted.grantedBy, 300)} at ${granted.grantedAt}`,
          `  until      ${granted.expiresAt}`,
          `  reason     ${safeText(granted.reason, 300)}`,
          '  The resource is not remediated until then (tag tampering still is); its quarantine, if any, is lifted.',
        ]
      : []),
    ...(unverifiable.length > 0
      ? [
          '',
          'Could not be verified (an AWS read failed; this is not a pass):',
          ...unverifiable.map((u) => `  - ${u.rule}: ${safeText(u.reason, 300)} [${safeText(u.error, 120)}]`),
        ]
      : []),
    ...(unevaluated.length > 0
      ? ['', 'Not evaluated:', ...unevaluated.map((u) => `  - ${u.rule}: ${safeText(u.reason, 300)}`)]
      : []),
    '',
    violations.length > 0 ? 'Violations:' : 'Violations: none found',
    ...violations.flatMap((v) => [
      `  - [${v.severity}] ${v.rule}: ${safeText(v.message, 200)}`,
      `      seen:     ${safeText(v.seen, 300)}`,
      `      required: ${safeText(v.required, 300)}`,
      `      fix:      ${safeText(v.fix, 400)}${v.recreateRequired ? ' (cannot be changed in place)' : ''}`,
    ]),
    '',
    'Actions:',
    ...results
      .filter((r) => r.type !== 'notify')
      .map(
        (r) =>
          `  - ${r.type}: ${r.status}${r.detail ? ` (${safeText(r.detail, 300)})` : ''}${r.error ? ` error ${safeText(r.error, 80)}` : ''}`,
      ),
    ...(results.every((r) => r.type === 'notify') ? ['  - none besides this notification'] : []),
    '',
    `Console:   ${consoleLink(resource)}`,
  ].join('\n');

  return {
    subject,
    body,
    attributes: {
      severity,
      rules: JSON.stringify(rules),
      resourceType: resource.type,
      mode,
      account: change.account,
    },
  };
}

/**
 * The admins' message when a deferred stop cannot happen: the noncompliant notebook ended Failed (it cannot be
 * stopped) or was deleted before it reached InService.
 */
export function composeStopAbandoned(
  notebook: { arn: string; name: string },
  where: { account: string; region: string },
  detail: { attempts: number; firstDeferredAt: string; status: string; rules: string[] },
): SnsMessage {
  const ended = detail.status === 'deleted' ? 'deleted' : detail.status;
  const subject = asciiSubject(
    `[sm-guardrails] NOT STOPPED notebook ${asciiText(notebook.name, 40)} in ${where.account}/${where.region}: ${ended}`,
  );
  const body = [
    `sm-guardrails could not stop a noncompliant SageMaker notebook instance: it ended ${ended} before it was InService (re-check ${detail.attempts}).`,
    '',
    `Resource:  notebook-instance ${safeText(notebook.name, 120)}`,
    `ARN:       ${safeText(notebook.arn, 300)}`,
    `Account:   ${where.account}    Region: ${where.region}`,
    `Deferred:  since ${detail.firstDeferredAt}`,
    `Rules:     ${detail.rules.join(', ')}`,
    '',
    detail.status === 'deleted'
      ? 'Nothing is left to stop. If it is created again, the guardrails check it again.'
      : 'A Failed notebook cannot be stopped: check why it failed (capacity, a lifecycle script over 5 minutes) and delete it; if it is started again, the guardrails check it again.',
    '',
    `Console:   ${consoleLink({ type: 'notebook-instance', ...notebook })}`,
  ].join('\n');
  return {
    subject,
    body,
    attributes: {
      severity: 'high',
      rules: JSON.stringify(detail.rules),
      resourceType: 'notebook-instance',
      mode: 'enforce',
      account: where.account,
    },
  };
}

/**
 * The admins' message when the resource could not be read (access denied, a key or principal that cannot be
 * read...): nothing could be checked or done, and only the admins can fix it. Never silence.
 */
export function composeReadFailure(
  change: NormalizedChange,
  error: { call: string; errorName: string; message: string },
  mode: 'enforce' | 'report',
): SnsMessage {
  const resource = change.resource;
  const subject = asciiSubject(
    `${subjectHead('UNVERIFIED', resource, change)}${asciiText(error.call, 40)} ${asciiText(error.errorName, 40)}`,
  );
  const body = [
    `sm-guardrails could not check a SageMaker ${NOUN[resource.type]}: an AWS read failed and does not succeed on retry. Nothing was changed; treat it as noncompliant until checked.`,
    '',
    ...eventLines(change),
    '',
    `Failed:    ${safeText(error.message, 600)}`,
    'Fix:       grant the guardrails role this read (or the key policy / resource policy it needs), then redrive',
    '           the event: sm-guardrails redrive --stage <stage> (docs/operate.md).',
    '',
    `Console:   ${consoleLink(resource)}`,
  ].join('\n');
  return {
    subject,
    body,
    attributes: {
      severity: 'high',
      rules: JSON.stringify([]),
      resourceType: resource.type,
      mode,
      account: change.account,
    },
  };
}

/**
 * An alert as an AWS Chatbot (Amazon Q Developer in chat applications) custom notification: the JSON an SNS
 * topic mapped to a Slack or Teams channel carries (`version` "1.0" and `source` "custom" are required). Any
 * alert (findings, UNVERIFIED, NOT STOPPED...): the subject as title, the email body in a code block, where chat
 * markdown cannot format, link or mention through the user-controlled values it holds.
 */
export function composeChatNotification(message: SnsMessage): string {
  const body = message.body.replace(/```/g, "'''");
  const { severity = 'low', resourceType = 'sagemaker', account = '', mode = 'enforce' } = message.attributes;
  return JSON.stringify({
    version: '1.0',
    source: 'custom',
    content: {
      textType: 'client-markdown',
      title: message.subject.slice(0, 250),
      description: `\`\`\`\n${body.slice(0, 7900)}\n\`\`\``,
      keywords: [severity, resourceType, account].filter(Boolean),
    },
    metadata: {
      summary: message.subject,
      eventType: 'SageMakerGuardrailsAlert',
      additionalContext: { severity, account, mode },
    },
  });
}
