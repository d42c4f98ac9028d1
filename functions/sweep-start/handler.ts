// The scheduled sweep's start: one SQS message per account and region (sweep/lambda.ts).
import type { Context, ScheduledEvent } from 'aws-lambda';
import { createAwsClients } from '#core/aws/clients';
import { accountOfFunction, SweepStarter, sweepStartConfig } from '#sweep/lambda';

let starter: SweepStarter | undefined;

export const handler = async (event: ScheduledEvent, context: Context): Promise<{ targets: number }> => {
  starter ??= new SweepStarter(sweepStartConfig(), createAwsClients());
  const requests = await starter.start(event.id, accountOfFunction(context.invokedFunctionArn));
  return { targets: requests.length };
};
