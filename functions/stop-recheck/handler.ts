// Delayed re-checks of notebooks whose stop was deferred (SQS DelaySeconds). Powertools batch reports failed
// messages one by one (ReportBatchItemFailures), so SQS retries only those.
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { containerRuntime } from '../container.ts';

const processor = new BatchProcessor(EventType.SQS);

export const handler = async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
  const runtime = containerRuntime();
  const recheck = async (record: SQSRecord) => {
    try {
      await runtime.handleRecheck(record.body, context, record.messageId);
    } catch (error) {
      runtime.logger.error('re-check failed: SQS will retry it', {
        messageId: record.messageId,
        error: error as Error,
      });
      throw error;
    }
  };
  // One at a time, as before: a batch's re-checks share the account's API rate.
  return processPartialResponse(event, recheck, processor, {
    ...(context ? { context } : {}),
    processInParallel: false,
    // Every message failed: still report them one by one (as the tests and the alarms expect), not one error.
    throwOnFullBatchFailure: false,
  });
};
