// Human output of replay: one line per event; under it who did it, each violation with its fix, the rules that
// could not be evaluated, the actions and notifications; then a summary.
import { describeActor } from '#core/notification';
import type { EventReport } from '#core/report';
import { safeText } from '#core/text';
import type { Alert } from './runners.ts';

const LABEL: Record<EventReport['verdict'], string> = {
  compliant: 'COMPLIANT   ',
  noncompliant: 'NONCOMPLIANT',
  unverifiable: 'UNVERIFIABLE',
  skipped: 'SKIPPED     ',
  invalid: 'INVALID     ',
  error: 'ERROR       ',
};

function where(report: EventReport): string {
  return report.index === undefined ? (report.file ?? '') : `${report.file}[${report.index}]`;
}

export function formatReport(report: EventReport): string {
  const resource = report.resource
    ? `${report.resource.type}/${report.resource.name}`
    : (report.eventName ?? '-');
  const rules = [...new Set(report.violations.map((v) => v.rule))];
  const detail = rules.length > 0 ? rules.join(', ') : (report.reason ?? '');
  const delivery = report.delivery ? `, delivery ${report.delivery}` : '';
  const lines = [`${LABEL[report.verdict]} ${resource}  ${detail}  (${where(report)}${delivery})`];
  if (report.simulated) lines.splice(0, 0, `  ~ ${report.simulated}`);
  // Event fields are attacker input: one line each, bounded (safeText), like in the admins' email.
  if (report.actor && report.verdict !== 'invalid')
    lines.push(`    by     ${describeActor(report.actor).join('; ')}`);
  for (const v of report.violations) {
    lines.push(`    [${v.severity}] ${v.rule}: ${safeText(v.message, 200)}`);
    lines.push(
      `        fix: ${safeText(v.fix, 400)}${v.recreateRequired && !/in place/.test(v.fix) ? ' (cannot be changed in place)' : ''}`,
    );
  }
  // Rules that were not evaluated or could not be verified are named: "compliant" means the rest passed.
  for (const u of report.unverifiable ?? [])
    lines.push(`    not verified: ${u.rule} (${safeText(u.reason, 200)}) [${safeText(u.error, 120)}]`);
  for (const u of report.unevaluated) lines.push(`    not evaluated: ${u.rule} (${safeText(u.reason, 200)})`);
  for (const action of report.actions) {
    lines.push(
      `    ${action.type.padEnd(6)} ${action.status}${action.detail ? `: ${action.detail}` : ''}${action.error ? ` [${action.error}]` : ''}`,
    );
  }
  for (const n of report.notifications ?? []) {
    lines.push(`    sns    ${n.status}: ${n.subject}${n.error ? ` [${n.error}]` : ''}`);
  }
  for (const [i, reason] of (report.retried ?? []).entries())
    lines.push(
      `    retry  invocation ${i + 1} did not settle (${safeText(reason, 200)}): Lambda ran it again`,
    );
  if (report.deadLettered)
    lines.push('    dlq    still not settled after 2 retries: sent to the failed-events queue (alarm)');
  return lines.join('\n');
}

export function summarize(reports: readonly EventReport[]): string {
  const count = (v: EventReport['verdict']) => reports.filter((r) => r.verdict === v).length;
  const parts = (['compliant', 'noncompliant', 'unverifiable', 'skipped', 'invalid', 'error'] as const)
    .filter((v) => (v !== 'error' && v !== 'unverifiable') || count(v) > 0)
    .map((v) => `${count(v)} ${v}`);
  const actions = reports.flatMap((r) => r.actions);
  const byStatus = new Map<string, number>();
  for (const a of actions) byStatus.set(a.status, (byStatus.get(a.status) ?? 0) + 1);
  const actionSummary = [...byStatus].map(([status, n]) => `${n} ${status}`).join(', ');
  const sent = reports.flatMap((r) => r.notifications ?? []).filter((n) => n.status === 'sent').length;
  return `${reports.length} events: ${parts.join(', ')}${actions.length ? `; actions: ${actionSummary}` : ''}${sent ? `; ${sent} notifications sent` : ''}`;
}

/** An alert as SNS delivers it to an email subscriber: the subject, then the body verbatim. */
export function formatAlert(alert: Alert): string {
  const id = alert.messageId ? ` ${alert.messageId}` : '';
  const to = alert.topicArn ? ` to ${alert.topicArn}` : '';
  const attributes = Object.entries(alert.attributes).map(([name, value]) => `${name}=${value}`);
  return [
    `--- alert${id}${to} (${alert.status})`,
    `Subject: ${alert.subject}`,
    `Attributes: ${attributes.join(' ')}`,
    '',
    alert.body,
    '--- end of alert',
  ].join('\n');
}
