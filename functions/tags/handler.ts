// Tags on notebooks, user profiles and domains: AddTags, DeleteTags.
import type { Context, EventBridgeEvent } from 'aws-lambda';
import type { EventReport } from '#core/report';
import { containerRuntime } from '../container.ts';

export const handler = (event: EventBridgeEvent<string, unknown>, context: Context): Promise<EventReport> =>
  containerRuntime().handleEvent(event, context);
