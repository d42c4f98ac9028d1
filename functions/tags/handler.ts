// Tags on notebooks, user profiles and domains: AddTags, DeleteTags.
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { containerRuntime } from '#core/lambda/runtime';
import type { EventReport } from '#core/report';

export const handler = (event: EventBridgeEvent<string, unknown>, context: Context): Promise<EventReport> =>
  containerRuntime().handleEvent(event, context);
