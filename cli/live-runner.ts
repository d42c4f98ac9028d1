// replay --simulate (in-process emulator, seeded from the events) and --live (a real account or AWS_ENDPOINT_URL):
// both run the Guardrails exactly as the Lambda functions do.
import { createAwsClients } from '#core/aws/clients';
import { Guardrails } from '#core/guardrails';
import type { Policy } from '#core/policy';
import type { EventReport } from '#core/report';
import { startEmulator } from '#emulator/index';
import type { InputItem } from './inputs.ts';
import { type Alert, invalidInputReport, type ReplayMode, type Runner } from './runners.ts';
import { eventTime, SimulatedAccount } from './simulation.ts';

const SIMULATED_CREDENTIALS = { accessKeyId: 'simulated', secretAccessKey: 'simulated' };

const itemEvent = (item: InputItem) => ('event' in item ? item.event : undefined);

function where(item: InputItem) {
  return { file: item.file, ...(item.index !== undefined ? { index: item.index } : {}) };
}

async function simulateRunner(policy: Policy): Promise<Runner> {
  // Notebooks change state only when the simulation says so (advanceNotebook), not on every Describe.
  const emulator = await startEmulator({ describesPerTransition: 0 });
  const region = 'us-east-1';
  const aws = createAwsClients({ endpoint: emulator.endpoint, region, credentials: SIMULATED_CREDENTIALS });
  const topicArn = emulator.seed.topic('sm-guardrails-alerts', region);
  const account = new SimulatedAccount(emulator, aws.sagemaker);
  const guardrails = new Guardrails({ policy, aws, topicArn });
  let seen = 0;
  return {
    // What the emulator's SNS accepted: the messages exactly as they were published.
    takeAlerts() {
      const published = emulator.published.slice(seen);
      seen = emulator.published.length;
      return published.map((m) => ({
        subject: m.subject ?? '',
        body: m.message,
        attributes: Object.fromEntries(
          Object.entries(m.messageAttributes).map(([name, value]) => [name, value.StringValue ?? '']),
        ),
        status: 'published',
        topicArn: m.topicArn,
        messageId: m.messageId,
      }));
    },
    order: (items) =>
      [...items].sort((a, b) => eventTime(itemEvent(a)).localeCompare(eventTime(itemEvent(b)))),
    async run(item) {
      if ('error' in item) return [invalidInputReport(item)];
      let note: string | undefined;
      try {
        note = await account.apply(item.event);
      } catch (error) {
        // The event does not fit the simulated account (e.g. a resource in an impossible state): say so, go on.
        note = `could not act out the call in the simulated account: ${(error as Error).message}`;
      }
      const first = (await guardrails.handle(item.event)).report;
      const reports: EventReport[] = [{ ...where(item), ...(note ? { simulated: note } : {}), ...first }];
      // A stop that had to wait happens once the notebook is InService: SageMaker announces it with a state-change event.
      const deferred = first.actions.some((a) => a.type === 'stop' && a.status === 'deferred');
      if (deferred && first.resource) {
        const arn = first.resource.arn;
        const parts = arn.split(':');
        const event = account.nextNotebookState(arn, parts[3] ?? region, parts[4] ?? emulator.accountId);
        if (event) {
          const next = (await guardrails.handle(event)).report;
          const status = (event as { detail: { NotebookInstanceStatus: string } }).detail
            .NotebookInstanceStatus;
          reports.push({ ...where(item), simulated: `minutes later the notebook is ${status}`, ...next });
        }
      }
      return reports;
    },
    async close() {
      await emulator.close();
    },
  };
}

function liveRunner(policy: Policy, dryRun: boolean): Runner {
  const topicArn = process.env.SM_GUARDRAILS_TOPIC_ARN;
  const guardrails = new Guardrails({
    policy,
    aws: createAwsClients(),
    dryRun,
    ...(topicArn ? { topicArn } : {}),
  });
  let alerts: Alert[] = [];
  return {
    async run(item) {
      if ('error' in item) return [invalidInputReport(item)];
      const { report, execution } = await guardrails.handle(item.event);
      const message = execution?.message;
      if (message && execution.notification?.status === 'sent') {
        alerts.push({
          ...message,
          status: 'published',
          ...(topicArn ? { topicArn } : {}),
          ...(execution.notification.messageId ? { messageId: execution.notification.messageId } : {}),
        });
      } else if (message && dryRun) alerts.push({ ...message, status: 'would be published' });
      return [{ ...where(item), ...report }];
    },
    takeAlerts() {
      const taken = alerts;
      alerts = [];
      return taken;
    },
    async close() {},
  };
}

export async function createLiveRunner(mode: ReplayMode, policy: Policy): Promise<Runner> {
  if (mode === 'simulate') return simulateRunner(policy);
  return liveRunner(policy, mode === 'live-dry-run');
}
