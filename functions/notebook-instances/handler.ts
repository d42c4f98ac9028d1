// Notebook instances: CreateNotebookInstance, UpdateNotebookInstance, StartNotebookInstance, and SageMaker's notebook state-change events.
import type { Context, EventBridgeEvent } from 'aws-lambda';
import type { EventReport } from '#core/report';
import { containerRuntime } from '../container.ts';

export const handler = (event: EventBridgeEvent<string, unknown>, context: Context): Promise<EventReport> =>
  containerRuntime().handleEvent(event, context);
