import { GetRoleCommand, IAMClient, ListRoleTagsCommand, ListUserTagsCommand } from '@aws-sdk/client-iam';
import { CreateTopicCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../local/aws-emulator/index.ts';
import { parseQueryBody } from '../../local/aws-emulator/protocol.ts';
import { ACCOUNT, clientConfig, httpStatus, sdkError } from './helpers.ts';

let emu: Emulator;
let iam: IAMClient;
let sns: SNSClient;

beforeAll(async () => {
  emu = await startEmulator();
  iam = new IAMClient(clientConfig(emu));
  sns = new SNSClient(clientConfig(emu));
});
afterAll(async () => {
  iam.destroy();
  sns.destroy();
  await emu.close();
});
beforeEach(() => emu.reset());

describe('IAM', () => {
  it('lists role and user tags, including empty values', async () => {
    emu.seed.role({
      name: 'ds-role',
      path: '/teams/',
      tags: [
        { Key: 'studiouserid', Value: 'alice' },
        { Key: 'empty', Value: '' },
      ],
    });
    emu.seed.user({ name: 'bob', tags: [{ Key: 'team', Value: 'ml' }] });
    const role = await iam.send(new ListRoleTagsCommand({ RoleName: 'ds-role' }));
    expect(role.Tags).toEqual([
      { Key: 'studiouserid', Value: 'alice' },
      { Key: 'empty', Value: '' },
    ]);
    expect(role.IsTruncated).toBe(false);
    const user = await iam.send(new ListUserTagsCommand({ UserName: 'bob' }));
    expect(user.Tags).toEqual([{ Key: 'team', Value: 'ml' }]);
    const got = await iam.send(new GetRoleCommand({ RoleName: 'ds-role' }));
    expect(got.Role?.Arn).toBe(`arn:aws:iam::${ACCOUNT}:role/teams/ds-role`);
    expect(got.Role?.CreateDate).toBeInstanceOf(Date);
    expect(emu.calls[0]).toMatchObject({
      service: 'iam',
      operation: 'ListRoleTags',
      params: { RoleName: 'ds-role' },
    });
  });

  it('answers NoSuchEntity (HTTP 404) for a missing role', async () => {
    const err = await sdkError(iam.send(new ListRoleTagsCommand({ RoleName: 'ghost' })));
    expect(err.name).toBe('NoSuchEntityException'); // the SDK's class for the NoSuchEntity query code
    expect((err.Error as { Code?: string }).Code).toBe('NoSuchEntity');
    expect(err.message).toBe('The role with name ghost cannot be found.');
    expect(httpStatus(err)).toBe(404);
  });
});

describe('SNS', () => {
  it('round-trips Publish with Subject and MessageAttributes', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'guardrail-alerts' }));
    expect(TopicArn).toBe(`arn:aws:sns:us-east-1:${ACCOUNT}:guardrail-alerts`);
    const out = await sns.send(
      new PublishCommand({
        TopicArn,
        Subject: 'Notebook stopped',
        Message: JSON.stringify({ rule: 'root-access' }),
        MessageAttributes: {
          severity: { DataType: 'String', StringValue: 'high' },
          rule: { DataType: 'String', StringValue: 'notebook-root-access' },
        },
      }),
    );
    expect(emu.published).toHaveLength(1);
    expect(emu.published[0]).toMatchObject({
      topicArn: TopicArn,
      subject: 'Notebook stopped',
      message: '{"rule":"root-access"}',
      messageId: out.MessageId,
      messageAttributes: {
        severity: { DataType: 'String', StringValue: 'high' },
        rule: { DataType: 'String', StringValue: 'notebook-root-access' },
      },
    });
  });

  it('answers NotFound for an unknown topic and InvalidParameter for a long Subject', async () => {
    const missing = await sdkError(
      sns.send(new PublishCommand({ TopicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:nope`, Message: 'm' })),
    );
    expect(missing.name).toBe('NotFoundException');
    expect(httpStatus(missing)).toBe(404);

    const topic = emu.seed.topic('t');
    const long = await sdkError(
      sns.send(new PublishCommand({ TopicArn: topic, Message: 'm', Subject: 'x'.repeat(101) })),
    );
    expect(long.name).toBe('InvalidParameterException');
    expect(emu.published).toHaveLength(0);
  });
});

describe('STS', () => {
  // No STS client is installed, so this speaks the query protocol directly, as the SDK would.
  it('answers GetCallerIdentity', async () => {
    const res = await fetch(emu.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization:
          'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    expect(res.status).toBe(200);
    const xml = new XMLParser().parse(await res.text());
    expect(xml.GetCallerIdentityResponse.GetCallerIdentityResult).toMatchObject({
      Account: Number(ACCOUNT), // fast-xml-parser reads numeric text as numbers
      Arn: `arn:aws:iam::${ACCOUNT}:user/emulator`,
    });
    expect(emu.calls).toEqual([
      expect.objectContaining({ service: 'sts', operation: 'GetCallerIdentity', status: 200 }),
    ]);
  });
});

describe('awsQuery parameter parsing', () => {
  it('turns flattened lists and maps back into structures', () => {
    const { action, version, params } = parseQueryBody(
      'Action=Publish&Version=2010-03-31&Message=m&Tags.member.2.Key=b&Tags.member.1.Key=a' +
        '&MessageAttributes.entry.1.Name=severity&MessageAttributes.entry.1.Value.DataType=String' +
        '&MessageAttributes.entry.1.Value.StringValue=high%20%26%20urgent&Empty=',
    );
    expect({ action, version }).toEqual({ action: 'Publish', version: '2010-03-31' });
    expect(params).toEqual({
      Message: 'm',
      Tags: [{ Key: 'a' }, { Key: 'b' }],
      MessageAttributes: { severity: { DataType: 'String', StringValue: 'high & urgent' } },
      Empty: '',
    });
  });
});
