// The scheduled sweep's worker: one account and region per SQS message (sweep/lambda.ts). A failed message is
// reported alone, so SQS retries only it (then its dead-letter queue).
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { DynamoExemptionGrants } from '#store/exemption-grants';
import { createStoreClient } from '#store/table';
import { SweepWorker, sweepWorkerConfig } from '#sweep/lambda';

let worker: SweepWorker | undefined;

/** The worker with the exemption grants the event functions record (the same table), as functions/container.ts. */
function newWorker(): SweepWorker {
  const config = sweepWorkerConfig();
  if (!config.tableName) throw new Error('SM_GUARDRAILS_TABLE is not set: the exemption grants need it');
  return new SweepWorker({
    ...config,
    grants: new DynamoExemptionGrants(createStoreClient(), config.tableName),
  });
}

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  worker ??= newWorker();
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      // A redelivery (a failed or timed-out attempt) may follow status-tag repairs: see sweep/security-hub.ts.
      await worker.handle(record.body, Number(record.attributes?.ApproximateReceiveCount) || 1);
    } catch (error) {
      worker.logger.error('sweep target failed: SQS will retry it', {
        messageId: record.messageId,
        error: error as Error,
      });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};
