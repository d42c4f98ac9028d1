// The guardrails' own DynamoDB table, which users cannot write: one table, one string key, a TTL attribute.
// Each kind of record has its own key prefix (`delivery#` per event, exemption grants...),
// so one table, one IAM statement and one backup cover them all. serverless.yml defines the same table.
import { CreateTableCommand, type CreateTableCommandInput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** The environment variable that names the table in the deployed functions. */
export const STORE_TABLE_ENV = 'SM_GUARDRAILS_TABLE';
/** The partition key (a string). */
export const KEY_ATTRIBUTE = 'id';
/** Epoch seconds after which DynamoDB may delete the item (TTL; deletion is lazy, so readers check it too). */
export const TTL_ATTRIBUTE = 'expiration';

/** The table as tests and the simulation create it (serverless.yml declares the deployed one). */
export function tableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    AttributeDefinitions: [{ AttributeName: KEY_ATTRIBUTE, AttributeType: 'S' }],
    KeySchema: [{ AttributeName: KEY_ATTRIBUTE, KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
  };
}

/** Creates the table unless it exists (tests, the simulation, the emulator). */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new CreateTableCommand(tableDefinition(tableName)));
  } catch (error) {
    if ((error as Error).name !== 'ResourceInUseException') throw error;
  }
}

/** The table's client, configured like the AWS clients (shared/aws/clients.ts): once per container. */
export function createStoreClient(
  options: {
    endpoint?: string;
    region?: string;
    credentials?: { accessKeyId: string; secretAccessKey: string };
  } = {},
): DynamoDBClient {
  const endpoint = options.endpoint ?? process.env.AWS_ENDPOINT_URL;
  return new DynamoDBClient({
    region: options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(endpoint ? { endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    retryMode: 'standard',
    maxAttempts: 3,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 2_000, requestTimeout: 5_000 }),
  });
}
