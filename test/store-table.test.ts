import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_ATTRIBUTE } from '../store/table.ts';
import { type LocalDynamo, startDynamo } from './support/dynamodb.ts';

describe('the guardrails table in a real DynamoDB (dynalite)', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startDynamo();
  });
  afterAll(() => dynamo.close());

  it('stores by the string key and enforces conditional writes', async () => {
    const put = () =>
      dynamo.client.send(
        new PutItemCommand({
          TableName: dynamo.tableName,
          Item: { [KEY_ATTRIBUTE]: { S: 'probe#1' } },
          ConditionExpression: 'attribute_not_exists(#k)',
          ExpressionAttributeNames: { '#k': KEY_ATTRIBUTE },
        }),
      );
    await put();
    await expect(put()).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    const { Item } = await dynamo.client.send(
      new GetItemCommand({ TableName: dynamo.tableName, Key: { [KEY_ATTRIBUTE]: { S: 'probe#1' } } }),
    );
    expect(Item?.[KEY_ATTRIBUTE]?.S).toBe('probe#1');
  });
});
