// Spaces, apps, app image configs, lifecycle configurations, presigned URLs, notebook IMDS settings and domain
// settings, through the real SDK v3 client.
import {
  AddTagsCommand,
  CreateAppCommand,
  CreateAppImageConfigCommand,
  CreateNotebookInstanceCommand,
  CreateNotebookInstanceLifecycleConfigCommand,
  CreatePresignedDomainUrlCommand,
  CreateSpaceCommand,
  CreateStudioLifecycleConfigCommand,
  DeleteAppCommand,
  DescribeAppCommand,
  DescribeAppImageConfigCommand,
  DescribeDomainCommand,
  DescribeNotebookInstanceCommand,
  DescribeNotebookInstanceLifecycleConfigCommand,
  DescribeSpaceCommand,
  DescribeStudioLifecycleConfigCommand,
  ListTagsCommand,
  SageMakerClient,
  StopNotebookInstanceCommand,
  UpdateAppImageConfigCommand,
  UpdateDomainCommand,
  UpdateNotebookInstanceCommand,
  UpdateNotebookInstanceLifecycleConfigCommand,
  UpdateSpaceCommand,
} from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../local/aws-emulator/index.ts';
import { ACCOUNT, clientConfig, ROLE_ARN, sdkError } from './helpers.ts';

let emu: Emulator;
let sm: SageMakerClient;
let domainId: string;
const arn = (rest: string) => `arn:aws:sagemaker:us-east-1:${ACCOUNT}:${rest}`;

beforeAll(async () => {
  emu = await startEmulator();
  sm = new SageMakerClient(clientConfig(emu));
});
afterAll(async () => {
  sm.destroy();
  await emu.close();
});
beforeEach(() => {
  emu.reset();
  domainId = emu.seed.domain({ name: 'ml', authMode: 'IAM' }).domainId;
  emu.seed.userProfile({ domainId, name: 'alice', tags: [{ Key: 'studiouserid', Value: 'alice' }] });
});

describe('spaces', () => {
  it('creates, describes, updates and tags a space', async () => {
    const created = await sm.send(
      new CreateSpaceCommand({
        DomainId: domainId,
        SpaceName: 'team',
        SpaceSharingSettings: { SharingType: 'Shared' },
        Tags: [{ Key: 'team', Value: 'fraud' }],
      }),
    );
    expect(created.SpaceArn).toBe(arn(`space/${domainId}/team`));
    await sm.send(
      new UpdateSpaceCommand({
        DomainId: domainId,
        SpaceName: 'team',
        SpaceSettings: {
          JupyterLabAppSettings: {
            DefaultResourceSpec: { LifecycleConfigArn: arn('studio-lifecycle-config/x') },
          },
        },
      }),
    );
    const space = await sm.send(new DescribeSpaceCommand({ DomainId: domainId, SpaceName: 'team' }));
    expect(space).toMatchObject({
      SpaceArn: created.SpaceArn,
      Status: 'InService',
      SpaceSharingSettings: { SharingType: 'Shared' },
      SpaceSettings: {
        JupyterLabAppSettings: {
          DefaultResourceSpec: { LifecycleConfigArn: arn('studio-lifecycle-config/x') },
        },
      },
    });
    const tags = await sm.send(new ListTagsCommand({ ResourceArn: created.SpaceArn }));
    expect(tags.Tags).toEqual([{ Key: 'team', Value: 'fraud' }]);
  });

  it('needs its domain, and a space name once', async () => {
    const missing = await sdkError(sm.send(new CreateSpaceCommand({ DomainId: 'd-nope', SpaceName: 's' })));
    expect(missing.name).toBe('ResourceNotFound');
    await sm.send(new CreateSpaceCommand({ DomainId: domainId, SpaceName: 's' }));
    const again = await sdkError(sm.send(new CreateSpaceCommand({ DomainId: domainId, SpaceName: 's' })));
    expect(again.name).toBe('ResourceInUse');
    const gone = await sdkError(sm.send(new DescribeSpaceCommand({ DomainId: domainId, SpaceName: 'x' })));
    expect(gone.name).toBe('ResourceNotFound');
  });
});

describe('apps', () => {
  it('creates an app for a user profile, with the app type lower-cased in its ARN; a deleted app says so', async () => {
    const created = await sm.send(
      new CreateAppCommand({
        DomainId: domainId,
        UserProfileName: 'alice',
        AppType: 'JupyterLab',
        AppName: 'default',
        ResourceSpec: { InstanceType: 'ml.t3.medium' },
      }),
    );
    expect(created.AppArn).toBe(arn(`app/${domainId}/alice/jupyterlab/default`));
    const key = {
      DomainId: domainId,
      UserProfileName: 'alice',
      AppType: 'JupyterLab' as const,
      AppName: 'default',
    };
    expect(await sm.send(new DescribeAppCommand(key))).toMatchObject({
      Status: 'InService',
      AppName: 'default',
    });
    await sm.send(new DeleteAppCommand(key));
    expect(await sm.send(new DescribeAppCommand(key))).toMatchObject({ Status: 'Deleted' });
  });

  it('rejects an app for a profile that does not exist, or an unknown type', async () => {
    const noProfile = await sdkError(
      sm.send(
        new CreateAppCommand({
          DomainId: domainId,
          UserProfileName: 'bob',
          AppType: 'JupyterLab',
          AppName: 'a',
        }),
      ),
    );
    expect(noProfile.name).toBe('ResourceNotFound');
    const badType = await sdkError(
      sm.send(
        new CreateAppCommand({
          DomainId: domainId,
          UserProfileName: 'alice',
          AppType: 'Nope' as never,
          AppName: 'a',
        }),
      ),
    );
    expect(badType.name).toBe('ValidationException');
  });
});

describe('app image configs', () => {
  it('keeps the FileSystemConfig run-as user, and an update replaces the image config given', async () => {
    const { AppImageConfigArn } = await sm.send(
      new CreateAppImageConfigCommand({
        AppImageConfigName: 'r-kernel',
        KernelGatewayImageConfig: {
          KernelSpecs: [{ Name: 'ir' }],
          FileSystemConfig: { DefaultUid: 1000, DefaultGid: 100 },
        },
      }),
    );
    expect(AppImageConfigArn).toBe(arn('app-image-config/r-kernel'));
    await sm.send(
      new UpdateAppImageConfigCommand({
        AppImageConfigName: 'r-kernel',
        KernelGatewayImageConfig: {
          KernelSpecs: [{ Name: 'ir' }],
          FileSystemConfig: { DefaultUid: 0, DefaultGid: 0 },
        },
      }),
    );
    const config = await sm.send(new DescribeAppImageConfigCommand({ AppImageConfigName: 'r-kernel' }));
    expect(config.KernelGatewayImageConfig?.FileSystemConfig).toEqual({ DefaultUid: 0, DefaultGid: 0 });
    const gone = await sdkError(sm.send(new DescribeAppImageConfigCommand({ AppImageConfigName: 'nope' })));
    expect(gone.name).toBe('ResourceNotFound');
  });
});

describe('lifecycle configurations', () => {
  it('notebook lifecycle configs: create, describe (the base64 script), update, tags', async () => {
    const { NotebookInstanceLifecycleConfigArn } = await sm.send(
      new CreateNotebookInstanceLifecycleConfigCommand({
        NotebookInstanceLifecycleConfigName: 'pip-setup',
        OnStart: [{ Content: 'IyEvYmluL2Jhc2gK' }],
        Tags: [{ Key: 'team', Value: 'platform' }],
      }),
    );
    expect(NotebookInstanceLifecycleConfigArn).toBe(arn('notebook-instance-lifecycle-config/pip-setup'));
    await sm.send(
      new UpdateNotebookInstanceLifecycleConfigCommand({
        NotebookInstanceLifecycleConfigName: 'pip-setup',
        OnStart: [{ Content: 'ZWNobyBoaQo=' }],
      }),
    );
    const config = await sm.send(
      new DescribeNotebookInstanceLifecycleConfigCommand({
        NotebookInstanceLifecycleConfigName: 'pip-setup',
      }),
    );
    expect(config.OnStart).toEqual([{ Content: 'ZWNobyBoaQo=' }]);
    await sm.send(
      new AddTagsCommand({
        ResourceArn: NotebookInstanceLifecycleConfigArn,
        Tags: [{ Key: 'a', Value: 'b' }],
      }),
    );
    expect(
      (await sm.send(new ListTagsCommand({ ResourceArn: NotebookInstanceLifecycleConfigArn }))).Tags,
    ).toHaveLength(2);
    // A missing one answers ValidationException, like a missing notebook.
    const gone = await sdkError(
      sm.send(
        new DescribeNotebookInstanceLifecycleConfigCommand({ NotebookInstanceLifecycleConfigName: 'nope' }),
      ),
    );
    expect(gone.name).toBe('ValidationException');
  });

  it('Studio lifecycle configs: create and describe', async () => {
    const { StudioLifecycleConfigArn } = await sm.send(
      new CreateStudioLifecycleConfigCommand({
        StudioLifecycleConfigName: 'auto-stop',
        StudioLifecycleConfigContent: 'IyEvYmluL2Jhc2gK',
        StudioLifecycleConfigAppType: 'JupyterLab',
      }),
    );
    expect(StudioLifecycleConfigArn).toBe(arn('studio-lifecycle-config/auto-stop'));
    const config = await sm.send(
      new DescribeStudioLifecycleConfigCommand({ StudioLifecycleConfigName: 'auto-stop' }),
    );
    expect(config).toMatchObject({
      StudioLifecycleConfigAppType: 'JupyterLab',
      StudioLifecycleConfigContent: 'IyEvYmluL2Jhc2gK',
    });
  });
});

describe('presigned domain URLs', () => {
  it('signs in to an existing profile of an IAM-mode domain only', async () => {
    const url = await sm.send(
      new CreatePresignedDomainUrlCommand({ DomainId: domainId, UserProfileName: 'alice' }),
    );
    expect(url.AuthorizedUrl).toMatch(/^https:\/\//);
    const noProfile = await sdkError(
      sm.send(new CreatePresignedDomainUrlCommand({ DomainId: domainId, UserProfileName: 'bob' })),
    );
    expect(noProfile.name).toBe('ResourceNotFound');
    const sso = emu.seed.domain({ name: 'sso', authMode: 'SSO' }).domainId;
    emu.seed.userProfile({ domainId: sso, name: 'carol' });
    const ssoError = await sdkError(
      sm.send(new CreatePresignedDomainUrlCommand({ DomainId: sso, UserProfileName: 'carol' })),
    );
    expect(ssoError.name).toBe('ValidationException');
  });
});

describe('notebook IMDS and domain settings', () => {
  it('a notebook allows IMDSv1 unless told otherwise; UpdateNotebookInstance changes it while Stopped', async () => {
    await sm.send(
      new CreateNotebookInstanceCommand({
        NotebookInstanceName: 'nb',
        InstanceType: 'ml.t3.medium',
        RoleArn: ROLE_ARN,
      }),
    );
    const describe = () => sm.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: 'nb' }));
    expect((await describe()).InstanceMetadataServiceConfiguration).toEqual({
      MinimumInstanceMetadataServiceVersion: '1',
    });
    emu.advanceNotebook('nb');
    await sm.send(new StopNotebookInstanceCommand({ NotebookInstanceName: 'nb' }));
    emu.advanceNotebook('nb');
    await sm.send(
      new UpdateNotebookInstanceCommand({
        NotebookInstanceName: 'nb',
        InstanceMetadataServiceConfiguration: { MinimumInstanceMetadataServiceVersion: '2' },
      }),
    );
    expect((await describe()).InstanceMetadataServiceConfiguration).toEqual({
      MinimumInstanceMetadataServiceVersion: '2',
    });
    const bad = await sdkError(
      sm.send(
        new UpdateNotebookInstanceCommand({
          NotebookInstanceName: 'nb',
          InstanceMetadataServiceConfiguration: { MinimumInstanceMetadataServiceVersion: '3' },
        }),
      ),
    );
    expect(bad.name).toBe('ValidationException');
  });

  it('DomainSettings.ExecutionRoleIdentityConfig: absent by default, set by UpdateDomain', async () => {
    const before = await sm.send(new DescribeDomainCommand({ DomainId: domainId }));
    expect(before.DomainSettings?.ExecutionRoleIdentityConfig).toBeUndefined();
    await sm.send(
      new UpdateDomainCommand({
        DomainId: domainId,
        DomainSettingsForUpdate: { ExecutionRoleIdentityConfig: 'USER_PROFILE_NAME' },
      }),
    );
    const after = await sm.send(new DescribeDomainCommand({ DomainId: domainId }));
    expect(after.DomainSettings?.ExecutionRoleIdentityConfig).toBe('USER_PROFILE_NAME');
  });
});
