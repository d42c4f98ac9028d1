import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoExemptionGrants, EXEMPTION_PREFIX } from '../store/exemption-grants.ts';
import { KEY_ATTRIBUTE, TTL_ATTRIBUTE } from '../store/table.ts';
import { type LocalDynamo, startDynamo } from './support/dynamodb.ts';

const ARN = 'arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/nb-1';
const GRANT = {
  resourceArn: ARN,
  reason: 'CAB-1234 until=2026-06-01',
  grantedBy: 'arn:aws:sts::111122223333:assumed-role/Admin/jdoe',
  grantedAt: '2026-05-04T10:00:00.000Z',
  expiresAt: '2026-06-01T23:59:59.000Z',
};

describe('exemption grants on the guardrails table (dynalite)', () => {
  let dynamo: LocalDynamo;
  let grants: DynamoExemptionGrants;
  beforeAll(async () => {
    dynamo = await startDynamo();
    grants = new DynamoExemptionGrants(dynamo.client, dynamo.tableName);
  });
  afterAll(() => dynamo.close());

  it('records, reads back and ends a grant, keyed exemption#<ARN> with the TTL at the expiry', async () => {
    expect(await grants.get(ARN)).toBeUndefined();
    await grants.put(GRANT);
    expect(await grants.get(ARN)).toEqual(GRANT);
    // Notebook ARNs are lower-cased by SageMaker: any casing finds the grant.
    expect(await grants.get(ARN.toUpperCase().replace('ARN:AWS:SAGEMAKER', 'arn:aws:sagemaker'))).toEqual(
      GRANT,
    );
    const { Item } = await dynamo.client.send(
      new GetItemCommand({
        TableName: dynamo.tableName,
        Key: { [KEY_ATTRIBUTE]: { S: `${EXEMPTION_PREFIX}${ARN}` } },
      }),
    );
    expect(Item?.[TTL_ATTRIBUTE]?.N).toBe(String(Date.parse(GRANT.expiresAt) / 1000));
    await grants.delete(ARN);
    expect(await grants.get(ARN)).toBeUndefined();
  });

  it('a failed call is an AwsCallError naming the call', async () => {
    const broken = new DynamoExemptionGrants(dynamo.client, 'no-such-table');
    await expect(broken.get(ARN)).rejects.toMatchObject({ name: 'AwsCallError', call: 'dynamodb:GetItem' });
  });
});
