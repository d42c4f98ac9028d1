// Delayed re-checks of notebooks whose stop was deferred (SQS DelaySeconds). Failed messages are reported
// one by one, so SQS retries only those.
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { containerRuntime } from '../container.ts';

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const runtime = containerRuntime();
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      await runtime.handleRecheck(record.body);
    } catch (error) {
      runtime.logger.error('re-check failed: SQS will retry it', {
        messageId: record.messageId,
        error: error as Error,
      });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};
