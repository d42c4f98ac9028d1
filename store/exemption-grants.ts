// Exemption grants on the guardrails' own table (store/table.ts), where users cannot write. One item per
// resource, key `exemption#<resource ARN>`; DynamoDB's TTL removes it some time after `expiration` (the grant's
// expiry), and readers check the expiry themselves because TTL deletion is lazy.
import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { awsCall } from '#core/aws/errors';
import type { ExemptionGrant, ExemptionGrants } from '#core/exemption';
import { KEY_ATTRIBUTE, TTL_ATTRIBUTE } from './table.ts';

/** The key prefix of exemption grants in the one table. Notebook ARNs compare case-insensitively. */
export const EXEMPTION_PREFIX = 'exemption#';
const keyOf = (resourceArn: string) => ({
  [KEY_ATTRIBUTE]: { S: `${EXEMPTION_PREFIX}${resourceArn.toLowerCase()}` },
});

export class DynamoExemptionGrants implements ExemptionGrants {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async get(resourceArn: string): Promise<ExemptionGrant | undefined> {
    const { Item } = await awsCall('dynamodb:GetItem', () =>
      this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: keyOf(resourceArn), ConsistentRead: true }),
      ),
    );
    const s = (name: string) => Item?.[name]?.S;
    const [reason, grantedBy, grantedAt, expiresAt, arn] = [
      s('reason'),
      s('grantedBy'),
      s('grantedAt'),
      s('expiresAt'),
      s('resourceArn'),
    ];
    if (reason === undefined || !grantedBy || !grantedAt || !expiresAt || !arn) return undefined;
    return { resourceArn: arn, reason, grantedBy, grantedAt, expiresAt };
  }

  async put(grant: ExemptionGrant): Promise<void> {
    await awsCall('dynamodb:PutItem', () =>
      this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...keyOf(grant.resourceArn),
            resourceArn: { S: grant.resourceArn },
            reason: { S: grant.reason },
            grantedBy: { S: grant.grantedBy },
            grantedAt: { S: grant.grantedAt },
            expiresAt: { S: grant.expiresAt },
            [TTL_ATTRIBUTE]: { N: String(Math.ceil(Date.parse(grant.expiresAt) / 1000)) },
          },
        }),
      ),
    );
  }

  async delete(resourceArn: string): Promise<void> {
    await awsCall('dynamodb:DeleteItem', () =>
      this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: keyOf(resourceArn) })),
    );
  }
}
