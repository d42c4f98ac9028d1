import {
  AddTagsCommand,
  CreateDomainCommand,
  CreateUserProfileCommand,
  DeleteTagsCommand,
  DescribeDomainCommand,
  DescribeUserProfileCommand,
  ListDomainsCommand,
  ListTagsCommand,
  ListUserProfilesCommand,
  SageMakerClient,
  UpdateDomainCommand,
  UpdateUserProfileCommand,
} from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../local/aws-emulator/index.ts';
import { ACCOUNT, clientConfig, ROLE_ARN, sdkError } from './helpers.ts';

let emu: Emulator;
let sm: SageMakerClient;

beforeAll(async () => {
  emu = await startEmulator();
  sm = new SageMakerClient(clientConfig(emu));
});
afterAll(async () => {
  sm.destroy();
  await emu.close();
});
beforeEach(() => emu.reset());

describe('Studio domains and user profiles', () => {
  it('creates a domain with defaults and describes it in the real output shape', async () => {
    const created = await sm.send(
      new CreateDomainCommand({
        DomainName: 'research',
        AuthMode: 'IAM',
        DefaultUserSettings: { ExecutionRole: ROLE_ARN },
        SubnetIds: ['subnet-1'],
        VpcId: 'vpc-1',
        Tags: [{ Key: 'team', Value: 'ml' }],
      }),
    );
    expect(created.DomainId).toMatch(/^d-[a-z0-9]{12}$/);
    expect(created.DomainArn).toBe(`arn:aws:sagemaker:us-east-1:${ACCOUNT}:domain/${created.DomainId}`);

    const d = await sm.send(new DescribeDomainCommand({ DomainId: created.DomainId }));
    expect(d).toMatchObject({
      DomainArn: created.DomainArn,
      DomainName: 'research',
      AppNetworkAccessType: 'PublicInternetOnly',
      AuthMode: 'IAM',
      Status: 'InService',
      SubnetIds: ['subnet-1'],
      VpcId: 'vpc-1',
      DefaultUserSettings: { ExecutionRole: ROLE_ARN },
    });
    expect(d.CreationTime).toBeInstanceOf(Date);
    expect(emu.inspect.domain(created.DomainId ?? '')?.tags).toEqual([{ Key: 'team', Value: 'ml' }]);
  });

  it('updates AppNetworkAccessType and DefaultUserSettings but never tags', async () => {
    const { domainId, arn } = emu.seed.domain({
      name: 'd',
      subnetIds: ['subnet-1'],
      vpcId: 'vpc-1',
      tags: [{ Key: 'a', Value: '1' }],
    });
    const out = await sm.send(
      new UpdateDomainCommand({
        DomainId: domainId,
        AppNetworkAccessType: 'VpcOnly',
        DefaultUserSettings: { ExecutionRole: 'arn:aws:iam::111122223333:role/other' },
      }),
    );
    expect(out.DomainArn).toBe(arn);
    const d = await sm.send(new DescribeDomainCommand({ DomainId: domainId }));
    expect(d.AppNetworkAccessType).toBe('VpcOnly');
    expect(d.DefaultUserSettings?.ExecutionRole).toBe('arn:aws:iam::111122223333:role/other');
    expect(emu.inspect.tags(arn)).toEqual([{ Key: 'a', Value: '1' }]);
  });

  it('answers ResourceNotFound for a missing domain', async () => {
    const err = await sdkError(sm.send(new DescribeDomainCommand({ DomainId: 'd-000000000000' })));
    expect(err.name).toBe('ResourceNotFound');
    expect(err.message).toContain('d-000000000000');
  });

  it('creates, describes, lists and updates user profiles', async () => {
    const { domainId } = emu.seed.domain({ name: 'studio' });
    const created = await sm.send(
      new CreateUserProfileCommand({
        DomainId: domainId,
        UserProfileName: 'alice',
        UserSettings: { ExecutionRole: ROLE_ARN },
        Tags: [{ Key: 'owner', Value: 'alice' }],
      }),
    );
    expect(created.UserProfileArn).toBe(
      `arn:aws:sagemaker:us-east-1:${ACCOUNT}:user-profile/${domainId}/alice`,
    );

    const d = await sm.send(new DescribeUserProfileCommand({ DomainId: domainId, UserProfileName: 'alice' }));
    expect(d).toMatchObject({
      DomainId: domainId,
      UserProfileName: 'alice',
      Status: 'InService',
      UserSettings: { ExecutionRole: ROLE_ARN },
    });

    await sm.send(
      new UpdateUserProfileCommand({
        DomainId: domainId,
        UserProfileName: 'alice',
        UserSettings: { ExecutionRole: 'arn:aws:iam::111122223333:role/new' },
      }),
    );
    expect(emu.inspect.userProfile(domainId, 'alice')).toMatchObject({
      UserSettings: { ExecutionRole: 'arn:aws:iam::111122223333:role/new' },
      tags: [{ Key: 'owner', Value: 'alice' }],
    });

    emu.seed.userProfile({ domainId, name: 'bob' });
    const list = await sm.send(new ListUserProfilesCommand({ DomainIdEquals: domainId }));
    expect(list.UserProfiles?.map((u) => u.UserProfileName).sort()).toEqual(['alice', 'bob']);
    const domains = await sm.send(new ListDomainsCommand({}));
    expect(domains.Domains?.map((x) => x.DomainId)).toEqual([domainId]);
  });

  it('refuses a user profile in a missing domain, and a missing profile', async () => {
    const noDomain = await sdkError(
      sm.send(new CreateUserProfileCommand({ DomainId: 'd-aaaaaaaaaaaa', UserProfileName: 'x' })),
    );
    expect(noDomain.name).toBe('ResourceNotFound');
    const { domainId } = emu.seed.domain({ name: 'studio' });
    const missing = await sdkError(
      sm.send(new DescribeUserProfileCommand({ DomainId: domainId, UserProfileName: 'nobody' })),
    );
    expect(missing.name).toBe('ResourceNotFound');
    // Seeding is lenient where the API is not: the missing domain is created for the profile.
    emu.seed.userProfile({ domainId: 'd-seededonly01', name: 'carol' });
    expect(emu.inspect.domain('d-seededonly01')?.DomainId).toBe('d-seededonly01');
    expect(missing.message).toBe(
      `User profile arn:aws:sagemaker:us-east-1:${ACCOUNT}:user-profile/${domainId}/nobody does not exist.`,
    );
  });
});

describe('tags API', () => {
  it('paginates ListTags with MaxResults 1 over 3 tags', async () => {
    const arn = emu.seed.notebookInstance({
      name: 'nb',
      tags: [
        { Key: 'a', Value: '1' },
        { Key: 'b', Value: '2' },
        { Key: 'c', Value: '' },
      ],
    });
    const pages: Array<Array<{ Key?: string; Value?: string }>> = [];
    let token: string | undefined;
    do {
      const out = await sm.send(new ListTagsCommand({ ResourceArn: arn, MaxResults: 1, NextToken: token }));
      pages.push(out.Tags ?? []);
      token = out.NextToken;
    } while (token);
    expect(pages).toEqual([
      [{ Key: 'a', Value: '1' }],
      [{ Key: 'b', Value: '2' }],
      [{ Key: 'c', Value: '' }],
    ]);
    expect(emu.calls.filter((c) => c.operation === 'ListTags')).toHaveLength(3);
  });

  it('AddTags overwrites existing keys; DeleteTags ignores missing keys; ARNs compare case-insensitively', async () => {
    const arn = emu.seed.notebookInstance({ name: 'MixedCase', tags: [{ Key: 'env', Value: 'dev' }] });
    const added = await sm.send(
      new AddTagsCommand({
        ResourceArn: arn,
        Tags: [
          { Key: 'env', Value: 'prod' },
          { Key: 'owner', Value: 'me' },
        ],
      }),
    );
    expect(added.Tags).toEqual([
      { Key: 'env', Value: 'prod' },
      { Key: 'owner', Value: 'me' },
    ]);
    await sm.send(
      new DeleteTagsCommand({
        ResourceArn: arn.toUpperCase().replace('ARN:AWS', 'arn:aws'),
        TagKeys: ['owner', 'absent'],
      }),
    );
    const out = await sm.send(new ListTagsCommand({ ResourceArn: arn }));
    expect(out.Tags).toEqual([{ Key: 'env', Value: 'prod' }]);
  });

  it('tags domains and user profiles by ARN and refuses unknown ARNs and more than 50 tags', async () => {
    const { domainId, arn: domainArn } = emu.seed.domain({ name: 'd' });
    const profileArn = emu.seed.userProfile({ domainId, name: 'u' });
    await sm.send(new AddTagsCommand({ ResourceArn: profileArn, Tags: [{ Key: 'k', Value: 'v' }] }));
    expect(emu.inspect.userProfile(domainId, 'u')?.tags).toEqual([{ Key: 'k', Value: 'v' }]);
    expect(emu.inspect.domain(domainId)?.tags).toEqual([]);

    const unknown = await sdkError(sm.send(new ListTagsCommand({ ResourceArn: `${domainArn}x` })));
    expect(unknown.name).toBe('ValidationException');

    const many = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    const tooMany = await sdkError(sm.send(new AddTagsCommand({ ResourceArn: domainArn, Tags: many })));
    expect(tooMany.name).toBe('ValidationException');
    expect(emu.inspect.tags(domainArn)).toEqual([]);
  });
});
