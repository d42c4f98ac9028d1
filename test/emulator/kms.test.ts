import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  KMSClient,
  ListAliasesCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../local/aws-emulator/index.ts';
import { ACCOUNT, clientConfig, sdkError } from './helpers.ts';

let emu: Emulator;
let kms: KMSClient;

beforeAll(async () => {
  emu = await startEmulator();
  kms = new KMSClient(clientConfig(emu));
});
afterAll(async () => {
  kms.destroy();
  await emu.close();
});
beforeEach(() => emu.reset());

const describeKey = (KeyId: string) => kms.send(new DescribeKeyCommand({ KeyId }));

describe('KMS DescribeKey', () => {
  it('resolves key id, key ARN, alias name and alias ARN to the same key', async () => {
    const keyId = '1234abcd-12ab-34cd-56ef-1234567890ab';
    const arn = emu.seed.kmsKey({ keyId, aliases: ['alias/notebooks'] });
    expect(arn).toBe(`arn:aws:kms:us-east-1:${ACCOUNT}:key/${keyId}`);
    for (const ref of [keyId, arn, 'alias/notebooks', `arn:aws:kms:us-east-1:${ACCOUNT}:alias/notebooks`]) {
      const { KeyMetadata } = await describeKey(ref);
      expect(KeyMetadata).toMatchObject({
        KeyId: keyId,
        Arn: arn,
        KeyManager: 'CUSTOMER',
        KeyState: 'Enabled',
        Enabled: true,
        AWSAccountId: ACCOUNT,
        KeyUsage: 'ENCRYPT_DECRYPT',
        KeySpec: 'SYMMETRIC_DEFAULT',
      });
      expect(KeyMetadata?.CreationDate).toBeInstanceOf(Date);
    }
  });

  it('reports disabled keys and cross-account keys given by ARN', async () => {
    const arn = emu.seed.kmsKey({ accountId: '444455556666', state: 'Disabled' });
    const { KeyMetadata } = await describeKey(arn);
    expect(KeyMetadata).toMatchObject({ AWSAccountId: '444455556666', KeyState: 'Disabled', Enabled: false });
    const byId = await sdkError(describeKey(KeyMetadata?.KeyId ?? ''));
    expect(byId.name).toBe('NotFoundException'); // a bare id means the caller's own account
  });

  it('answers NotFoundException for unknown keys and aliases, InvalidArnException for bad ARNs', async () => {
    const alias = await sdkError(describeKey('alias/missing'));
    expect(alias.name).toBe('NotFoundException');
    expect(alias.message).toBe(`Alias arn:aws:kms:us-east-1:${ACCOUNT}:alias/missing is not found.`);

    const key = await sdkError(describeKey('00000000-0000-0000-0000-000000000000'));
    expect(key.name).toBe('NotFoundException');
    expect(key.message).toBe(
      `Key 'arn:aws:kms:us-east-1:${ACCOUNT}:key/00000000-0000-0000-0000-000000000000' does not exist`,
    );

    const bad = await sdkError(describeKey('arn:aws:kms:us-east-1:notanaccount:thing'));
    expect(bad.name).toBe('InvalidArnException');
  });

  it('creates the AWS managed key behind alias/aws/<service> on first use', async () => {
    const first = await describeKey('alias/aws/sagemaker');
    expect(first.KeyMetadata?.KeyManager).toBe('AWS');
    const again = await describeKey(`arn:aws:kms:us-east-1:${ACCOUNT}:alias/aws/sagemaker`);
    expect(again.KeyMetadata?.KeyId).toBe(first.KeyMetadata?.KeyId);
    const foreign = await sdkError(describeKey('arn:aws:kms:us-east-1:444455556666:alias/aws/sagemaker'));
    expect(foreign.name).toBe('NotFoundException');
  });

  it('supports CreateKey, CreateAlias and ListAliases', async () => {
    const created = await kms.send(new CreateKeyCommand({ Description: 'mine' }));
    const keyId = created.KeyMetadata?.KeyId ?? '';
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/mine', TargetKeyId: keyId }));
    const dup = await sdkError(
      kms.send(new CreateAliasCommand({ AliasName: 'alias/mine', TargetKeyId: keyId })),
    );
    expect(dup.name).toBe('AlreadyExistsException');
    const { Aliases } = await kms.send(new ListAliasesCommand({}));
    expect(Aliases).toEqual([
      {
        AliasName: 'alias/mine',
        AliasArn: `arn:aws:kms:us-east-1:${ACCOUNT}:alias/mine`,
        TargetKeyId: keyId,
      },
    ]);
    expect((await describeKey('alias/mine')).KeyMetadata?.Description).toBe('mine');
  });
});
