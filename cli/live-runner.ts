// replay --simulate (in-process emulator, seeded from the events) and --live (a real account or AWS_ENDPOINT_URL):
// both run the Guardrails exactly as the Lambda functions do.
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { createAwsClientProvider } from '#core/aws/client-provider';
import { clientConfig } from '#core/aws/clients';
import type { ExemptionGrants } from '#core/exemption';
import { Guardrails } from '#core/guardrails';
import type { Policy } from '#core/policy';
import type { EventReport } from '#core/report';
import { type FaultSpec, startEmulator } from '#emulator/index';
import { dynamoDeliveryStore } from '#store/delivery';
import { createStoreClient, ensureTable } from '#store/table';
import { deliverLikeLambda } from './delivery.ts';
import type { InputItem } from './inputs.ts';
import { type Alert, invalidInputReport, type ReplayMode, type Runner } from './runners.ts';
import { eventTime, SimulatedAccount } from './simulation.ts';

/** The guardrails' clients sign with this key, the simulated users with another: --fault hits only the former. */
const GUARDRAILS_CREDENTIALS = { accessKeyId: 'simulated-guardrails', secretAccessKey: 'simulated' };
const USER_CREDENTIALS = { accessKeyId: 'simulated-user', secretAccessKey: 'simulated' };
const RECORDS_TABLE = 'sm-guardrails-simulated-records';
/** The member role every simulated account other than the emulator's own has (as the member template creates it). */
const SIMULATED_MEMBER_ROLE = 'sm-guardrails-member';

const itemEvent = (item: InputItem) => ('event' in item ? item.event : undefined);

function where(item: InputItem) {
  return { file: item.file, ...(item.index !== undefined ? { index: item.index } : {}) };
}

/** What a live replay is given: the deployed stage's exemption grants (cli/stage.ts). */
export interface LiveOptions {
  grants?: ExemptionGrants;
}

export interface SimulateOptions {
  /** Faults the guardrails' AWS calls meet (`--fault`); the simulated users' own calls never fail. */
  faults?: FaultSpec[];
  /** Every event delivered twice, concurrently, to two containers (`--redeliver`). */
  redeliver?: boolean;
}

async function simulateRunner(policy: Policy, options: SimulateOptions = {}): Promise<Runner> {
  // Notebooks change state only when the simulation says so (advanceNotebook), not on every Describe.
  const emulator = await startEmulator({ describesPerTransition: 0 });
  const region = 'us-east-1';
  const endpoint = emulator.endpoint;
  // Home: the emulator's default account, as a central deployment; every other account through its member role,
  // every partition through the one local endpoint.
  const provider = (credentials: { accessKeyId: string; secretAccessKey: string }) =>
    createAwsClientProvider({
      home: { partition: 'aws', account: emulator.accountId, region },
      endpoint,
      credentials,
      memberRoleName: SIMULATED_MEMBER_ROLE,
      anyPartition: true,
    });
  const users = provider(USER_CREDENTIALS);
  const topicArn = emulator.seed.topic('sm-guardrails-alerts', region);
  const account = new SimulatedAccount(
    emulator,
    (location) => users.for(location).sagemaker,
    (id) => {
      if (id !== emulator.accountId) emulator.seed.role({ account: id, name: SIMULATED_MEMBER_ROLE });
    },
  );
  // The guardrails' records: a real DynamoDB (dynalite, behind the emulator), shared by all containers.
  const storeClient = () => createStoreClient({ endpoint, region, credentials: GUARDRAILS_CREDENTIALS });
  await ensureTable(storeClient(), RECORDS_TABLE);
  /** A Lambda container: its own clients, caches and memory; the account and the records are shared. */
  const container = () =>
    new Guardrails({
      policy,
      clients: provider(GUARDRAILS_CREDENTIALS),
      topicArn,
      delivery: dynamoDeliveryStore(storeClient(), RECORDS_TABLE),
    });
  const containers = options.redeliver ? [container(), container()] : [container()];
  // The guardrails' calls in the home account (member accounts are reached with assumed-role keys).
  for (const fault of options.faults ?? [])
    emulator.injectFault({ ...fault, accessKeyId: GUARDRAILS_CREDENTIALS.accessKeyId });

  const deliver = (event: unknown) => deliverLikeLambda(containers, event, { numbered: options.redeliver });

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
      const first = await deliver(item.event);
      const reports: EventReport[] = first.map((r) => ({
        ...where(item),
        ...(note ? { simulated: note } : {}),
        ...r,
      }));
      // A stop that had to wait happens once the notebook is InService: SageMaker announces it with a state-change event.
      const deferred = first.find((r) => r.actions.some((a) => a.type === 'stop' && a.status === 'deferred'));
      if (deferred?.resource) {
        const arn = deferred.resource.arn;
        const parts = arn.split(':');
        const event = account.nextNotebookState(arn, parts[3] ?? region, parts[4] ?? emulator.accountId);
        if (event) {
          const status = (event as { detail: { NotebookInstanceStatus: string } }).detail
            .NotebookInstanceStatus;
          for (const next of await deliver(event))
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
export async function callerLocation() {
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

async function liveRunner(policy: Policy, dryRun: boolean, live: LiveOptions): Promise<Runner> {
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
    // The stage's grants: what the deployed functions granted is honoured, what this run grants is recorded there.
    ...(live.grants ? { grants: live.grants } : {}),
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

export async function createLiveRunner(
  mode: ReplayMode,
  policy: Policy,
  simulate: SimulateOptions = {},
  live: LiveOptions = {},
): Promise<Runner> {
  if (mode === 'simulate') return simulateRunner(policy, simulate);
  return liveRunner(policy, mode === 'live-dry-run', live);
}
