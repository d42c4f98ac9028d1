// The guardrails as the Lambda functions run them: event -> live assessment -> executed actions -> report.
// The replay CLI's --simulate and --live modes run exactly this.
import type { AwsClients } from './aws/clients.ts';
import { AwsCallError } from './aws/errors.ts';
import { createLiveStateSource } from './aws/live-source.ts';
import { publishNotification } from './aws/sns.ts';
import { normalizeEvent } from './events/normalize.ts';
import { type Execution, executePlan } from './execute.ts';
import { composeStopAbandoned } from './notification.ts';
import { type Assessment, assessEvent, type StateSource } from './pipeline.ts';
import type { Policy } from './policy.ts';
import type { RecheckRequest } from './recheck.ts';
import { buildReport, type EventReport } from './report.ts';

export interface GuardrailsOptions {
  policy: Policy;
  aws: AwsClients;
  topicArn?: string;
  dryRun?: boolean;
}

export interface HandleOptions {
  /** A delayed re-check of our own: a stop that is still deferred is no news for the admins. */
  recheck?: boolean;
}

export interface HandledEvent {
  report: EventReport;
  assessment: Assessment;
  execution?: Execution;
  /** A read or write that failed after the SDK's retries; transient ones are worth a Lambda retry. */
  error?: AwsCallError;
}

/** Event ids this container has handled, so a redelivery to it does nothing twice. Bounded. */
export class RecentEventIds {
  private readonly ids = new Set<string>();
  constructor(private readonly capacity = 1000) {}
  has(id: string): boolean {
    return this.ids.has(id);
  }
  add(id: string): void {
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
  }
}

export class Guardrails {
  readonly source: StateSource;
  private readonly recent = new RecentEventIds();

  constructor(readonly options: GuardrailsOptions) {
    this.source = createLiveStateSource(options.aws);
  }

  async handle(event: unknown, handleOptions: HandleOptions = {}): Promise<HandledEvent> {
    const { policy } = this.options;
    let assessment: Assessment;
    try {
      assessment = await assessEvent(event, policy, this.source);
    } catch (error) {
      if (!(error instanceof AwsCallError)) throw error;
      const normalized = normalizeEvent(event);
      const ids = normalized.kind === 'change' ? normalized.change : {};
      const failed: Assessment = { verdict: 'skipped', reason: error.message, ...pickIds(ids) };
      return { report: buildReport(failed, [], { verdict: 'error' }), assessment: failed, error };
    }
    const id = assessment.eventId;
    if (id && assessment.verdict === 'noncompliant' && this.recent.has(id)) {
      const duplicate: Assessment = {
        ...assessment,
        verdict: 'skipped',
        reason: `duplicate delivery of event ${id}`,
      };
      delete duplicate.evaluation;
      return { report: buildReport(duplicate, []), assessment: duplicate };
    }
    const execution = await executePlan(assessment, {
      aws: this.options.aws,
      policy,
      ...(this.options.topicArn ? { topicArn: this.options.topicArn } : {}),
      ...(this.options.dryRun ? { dryRun: true } : {}),
      ...(handleOptions.recheck ? { recheck: true } : {}),
    });
    if (id) this.recent.add(id);
    const report = buildReport(assessment, execution.actions, {
      ...(execution.notification ? { notifications: [execution.notification] } : {}),
    });
    return { report, assessment, execution };
  }

  /** Past the last re-check the notebook is still not InService: the admins must know it is running unstopped. */
  async notifyStopAbandoned(request: RecheckRequest, last: HandledEvent): Promise<void> {
    if (!this.options.topicArn || this.options.dryRun) return;
    const message = composeStopAbandoned(request.resource, request, {
      attempts: request.attempt,
      firstDeferredAt: request.firstDeferredAt,
      status: last.assessment.state?.status ?? 'not InService',
      rules: [...new Set(last.report.violations.map((v) => v.rule))],
    });
    await publishNotification(this.options.aws.sns, this.options.topicArn, message);
  }
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
