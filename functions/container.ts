// The composition root of the Lambda functions: which clients and stores the core runs with, created once per
// container. The core (shared/) defines the ports; store/ implements them on DynamoDB; they meet here.
import {
  clientProviderFromEnvironment,
  configFromEnvironment,
  GuardrailsRuntime,
} from '#core/lambda/runtime';
import { dynamoDeliveryStore } from '#store/delivery';
import { DynamoExemptionGrants } from '#store/exemption-grants';
import { createStoreClient } from '#store/table';

let runtime: GuardrailsRuntime | undefined;

/** The container's runtime, created on the first invocation. */
export function containerRuntime(): GuardrailsRuntime {
  if (runtime) return runtime;
  const config = configFromEnvironment();
  // Without the table there is no guarantee across containers: refuse to run rather than repeat actions.
  if (!config.tableName) throw new Error('SM_GUARDRAILS_TABLE is not set: the delivery records need it');
  const clients = clientProviderFromEnvironment();
  const client = createStoreClient();
  const store = dynamoDeliveryStore(client, config.tableName);
  // Exemptions are honoured only from grants recorded here, where users cannot write.
  const grants = new DynamoExemptionGrants(client, config.tableName);
  runtime = new GuardrailsRuntime({ ...config, grants }, clients, undefined, store);
  return runtime;
}
