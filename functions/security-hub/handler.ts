// Security Hub findings (stage param securityHub): the event functions' on-success destination records arrive
// through the findings queue; each becomes BatchImportFindings in the resource's account and region. Powertools
// batch reports failed messages one by one, so SQS retries only those, then dead-letters them (alarmed).
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import {
  handleFindingsMessage,
  type SecurityHubClients,
  securityHubClientsFromEnvironment,
} from '#securityhub/lambda';

const processor = new BatchProcessor(EventType.SQS);
const logger = new Logger({ serviceName: 'sm-guardrails' });
let clients: SecurityHubClients | undefined;

export const handler = async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
  clients ??= securityHubClientsFromEnvironment();
  const hub = clients;
  const importOne = async (record: SQSRecord) => {
    try {
      const outcome = await handleFindingsMessage(record.body, hub);
      logger.info('security hub findings', { messageId: record.messageId, securityHub: outcome });
    } catch (error) {
      logger.error('security hub import failed: SQS will retry it', {
        messageId: record.messageId,
        error: error as Error,
      });
      throw error;
    }
  };
  return processPartialResponse(event, importOne, processor, {
    ...(context ? { context } : {}),
    processInParallel: false,
    throwOnFullBatchFailure: false,
  });
};
