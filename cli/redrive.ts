// sm-guardrails redrive: the events in a deployed stage's failed-events queue, run again through the guardrails
// with that stage's policy, mode, alert topic, re-check queue and delivery records. A message is deleted only
// once its event settled (done, or failed for good and reported); anything else stays in the queue.
import { readFile } from 'node:fs/promises';
import {
  DeleteMessageCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { parse } from 'yaml';
import { createAwsClientProvider } from '#core/aws/client-provider';
import { sendDelayedMessage } from '#core/aws/sqs';
import { Guardrails } from '#core/guardrails';
import type { Policy } from '#core/policy';
import type { EventReport } from '#core/report';
import { dynamoDeliveryStore } from '#store/delivery';
import { DynamoExemptionGrants } from '#store/exemption-grants';
import { createStoreClient } from '#store/table';
import { loadPolicy, UsageError } from './context.ts';
import { unwrapDeadLetters } from './inputs.ts';
import { callerLocation } from './live-runner.ts';
import { stagePrefix, stageTableName } from './stage.ts';

export interface RedriveOptions {
  stage: string;
  /** Overrides of the stage's policy file and mode (as given to `serverless deploy --param`). */
  config?: string;
  mode?: string;
  dryRun?: boolean;
  /** At most this many messages. */
  max?: number;
}

/** The stage's policy file and mode as serverless.yml gives them (`params.default`, then `params.<stage>`). */
export async function stagePolicy(stage: string, overrides: Pick<RedriveOptions, 'config' | 'mode'>) {
  let params: Record<string, { policyFile?: string; mode?: string }> = {};
  try {
    const text = await readFile('serverless.yml', 'utf8');
    params = (parse(text, { logLevel: 'silent' }) as { params?: typeof params }).params ?? {};
  } catch {
    // Not in the repository that deployed the stage: the defaults, or what the options say.
  }
  const merged = { ...params.default, ...params[stage] };
  const file = overrides.config ?? merged.policyFile;
  const mode = overrides.mode ?? merged.mode ?? '';
  if (mode !== '' && mode !== 'enforce' && mode !== 'report')
    throw new UsageError(`--mode must be enforce or report, not "${mode}"`);
  const loaded: Policy = await loadPolicy(file);
  const policy: Policy = mode === 'enforce' || mode === 'report' ? { ...loaded, mode } : loaded;
  return { policy, file: file ?? '(the default policy)' };
}

async function queueUrl(sqs: SQSClient, name: string): Promise<string | undefined> {
  try {
    return (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
  } catch (error) {
    if ((error as Error).name === 'QueueDoesNotExist' || /NonExistentQueue/.test((error as Error).name))
      return undefined;
    throw error;
  }
}

export interface RedriveSummary {
  received: number;
  deleted: number;
  /** Still not settled (a transient failure again): left in the queue, to be redriven later. */
  failing: number;
  /** Not an event the guardrails can read: left in the queue for a person to look at. */
  unreadable: number;
}

export async function redrive(
  options: RedriveOptions,
  emit: (report: EventReport) => void,
  warn: (text: string) => void,
): Promise<RedriveSummary> {
  const { policy, file } = await stagePolicy(options.stage, options);
  const home = await callerLocation();
  const memberRoleName = process.env.SM_GUARDRAILS_MEMBER_ROLE_NAME;
  const clients = createAwsClientProvider({ home, ...(memberRoleName ? { memberRoleName } : {}) });
  const prefix = stagePrefix(options.stage);
  const sqs = clients.homeClients.sqs;
  const failedEvents = await queueUrl(sqs, `${prefix}-failed-events`);
  if (!failedEvents)
    throw new UsageError(
      `stage "${options.stage}": no queue ${prefix}-failed-events in ${home.account}/${home.region}`,
    );
  const recheckUrl = await queueUrl(sqs, `${prefix}-recheck`);
  const topicArn = `arn:${home.partition}:sns:${home.region}:${home.account}:${prefix}-alerts`;
  warn(
    `redrive: stage ${options.stage} (${home.account}/${home.region}), policy ${file}, mode ${policy.mode}${options.dryRun ? ', dry run' : ''}`,
  );
  const store = createStoreClient();
  const guardrails = new Guardrails({
    policy,
    clients,
    topicArn,
    ...(options.dryRun ? { dryRun: true } : {}),
    // The stage's own records: what was already done for an event is not done again, and the exemptions the
    // stage granted are honoured (without them every granted exemption tag would be judged forged and reverted).
    delivery: dynamoDeliveryStore(store, stageTableName(options.stage)),
    grants: new DynamoExemptionGrants(store, stageTableName(options.stage)),
    ...(recheckUrl
      ? {
          scheduleRecheck: async (request, delay) =>
            void (await sendDelayedMessage(sqs, recheckUrl, request, delay)),
        }
      : {}),
  });
  const summary: RedriveSummary = { received: 0, deleted: 0, failing: 0, unreadable: 0 };
  const max = options.max ?? Number.POSITIVE_INFINITY;
  while (summary.received < max) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: failedEvents,
        MaxNumberOfMessages: Math.min(10, max - summary.received),
        // A message left in the queue comes back only after this run: each is handled once per run.
        VisibilityTimeout: 900,
        WaitTimeSeconds: 1,
      }),
    );
    if (Messages.length === 0) break;
    for (const message of Messages) {
      summary.received++;
      let event: unknown;
      try {
        event = unwrapDeadLetters(JSON.parse(message.Body ?? ''));
      } catch {
        event = undefined;
      }
      const readable = typeof event === 'object' && event !== null && !Array.isArray(event);
      if (!readable) {
        summary.unreadable++;
        warn(`redrive: message ${message.MessageId} is not an event: left in the queue`);
        continue;
      }
      // A new invocation (its own request id) that finishes what the dead-lettered one may have left unsent.
      const handled = await guardrails.handle(event, { redrive: true });
      emit({ ...handled.report, file: `sqs:${message.MessageId}` });
      if (handled.retry || handled.report.verdict === 'invalid') {
        if (handled.report.verdict === 'invalid') summary.unreadable++;
        else summary.failing++;
        continue;
      }
      if (!options.dryRun) {
        await sqs.send(
          new DeleteMessageCommand({ QueueUrl: failedEvents, ReceiptHandle: message.ReceiptHandle }),
        );
        summary.deleted++;
      }
    }
  }
  return summary;
}
