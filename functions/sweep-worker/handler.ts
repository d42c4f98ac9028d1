// The scheduled sweep's worker: one account and region per SQS message (sweep/lambda.ts). A failed message is
// reported alone, so SQS retries only it (then its dead-letter queue).
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { SweepWorker, sweepWorkerConfig } from '#sweep/lambda';

let worker: SweepWorker | undefined;

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  worker ??= new SweepWorker(sweepWorkerConfig());
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      await worker.handle(record.body);
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
