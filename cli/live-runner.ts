// replay --simulate (in-process emulator, seeded from the events) and --live (a real account or AWS_ENDPOINT_URL):
// both run the Guardrails exactly as the Lambda functions do.
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { createAwsClientProvider } from '#core/aws/client-provider';
import { clientConfig } from '#core/aws/clients';
import { Guardrails } from '#core/guardrails';
import type { Policy } from '#core/policy';
import type { EventReport } from '#core/report';
import { startEmulator } from '#emulator/index';
import type { InputItem } from './inputs.ts';
import { type Alert, invalidInputReport, type ReplayMode, type Runner } from './runners.ts';
import { eventTime, SimulatedAccount } from './simulation.ts';

const SIMULATED_CREDENTIALS = { accessKeyId: 'simulated', secretAccessKey: 'simulated' };
/** The member role every simulated account other than the emulator's own has (as the member template creates it). */
const SIMULATED_MEMBER_ROLE = 'sm-guardrails-member';

const itemEvent = (item: InputItem) => ('event' in item ? item.event : undefined);

function where(item: InputItem) {
  return { file: item.file, ...(item.index !== undefined ? { index: item.index } : {}) };
}

async function simulateRunner(policy: Policy): Promise<Runner> {
  // Notebooks change state only when the simulation says so (advanceNotebook), not on every Describe.
  const emulator = await startEmulator({ describesPerTransition: 0 });
  const region = 'us-east-1';
  // Home: the emulator's default account, as a central deployment; every other account through its member role,
  // every partition through the one local endpoint.
  const clients = createAwsClientProvider({
    home: { partition: 'aws', account: emulator.accountId, region },
    endpoint: emulator.endpoint,
    credentials: SIMULATED_CREDENTIALS,
    memberRoleName: SIMULATED_MEMBER_ROLE,
    anyPartition: true,
  });
  const topicArn = emulator.seed.topic('sm-guardrails-alerts', region);
  const account = new SimulatedAccount(
    emulator,
    (location) => clients.for(location).sagemaker,
    (id) => {
      if (id !== emulator.accountId) emulator.seed.role({ account: id, name: SIMULATED_MEMBER_ROLE });
    },
  );
  const guardrails = new Guardrails({ policy, clients, topicArn });
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

/** Where the caller's credentials act: the home of a live replay. */
async function callerLocation() {
  const config = clientConfig();
  const sts = new STSClient(config);
  try {
    const { Account, Arn } = await sts.send(new GetCallerIdentityCommand({}));
    const partition = Arn?.split(':')[1];
    if (!Account || !partition) throw new Error('sts:GetCallerIdentity answered no account');
    return { partition, account: Account, region: config.region };
  } finally {
    sts.destroy();
  }
}

async function liveRunner(policy: Policy, dryRun: boolean): Promise<Runner> {
  const topicArn = process.env.SM_GUARDRAILS_TOPIC_ARN;
  const memberRoleName = process.env.SM_GUARDRAILS_MEMBER_ROLE_NAME;
  const guardrails = new Guardrails({
    policy,
    clients: createAwsClientProvider({
      home: await callerLocation(),
      ...(memberRoleName ? { memberRoleName } : {}),
    }),
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
