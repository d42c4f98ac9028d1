// The guardrails' own DynamoDB table, which users cannot write: one table, one string key, a TTL attribute.
// Each kind of record has its own key prefix (idempotency records, per-action completion, exemption grants...),
// so one table, one IAM statement and one backup cover them all. serverless.yml defines the same table.
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/** The environment variable that names the table in the deployed functions. */
export const STORE_TABLE_ENV = 'SM_GUARDRAILS_TABLE';
/** The partition key (a string); the name Powertools idempotency uses by default. */
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
