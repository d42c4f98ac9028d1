// The composition root of the Lambda functions: which clients and stores the core runs with, created once per
// container. The core (shared/) defines the ports; store/ implements them on DynamoDB; they meet here.
import {
  clientProviderFromEnvironment,
  configFromEnvironment,
  GuardrailsRuntime,
} from '#core/lambda/runtime';
import { dynamoDeliveryStore } from '#store/delivery';
import { createStoreClient } from '#store/table';

let runtime: GuardrailsRuntime | undefined;

/** The container's runtime, created on the first invocation. */
export function containerRuntime(): GuardrailsRuntime {
  if (runtime) return runtime;
  const config = configFromEnvironment();
  // Without the table there is no guarantee across containers: refuse to run rather than repeat actions.
  if (!config.tableName) throw new Error('SM_GUARDRAILS_TABLE is not set: the delivery records need it');
  const clients = clientProviderFromEnvironment();
  const store = dynamoDeliveryStore(createStoreClient(), config.tableName);
  runtime = new GuardrailsRuntime(config, clients, undefined, store);
  return runtime;
}
