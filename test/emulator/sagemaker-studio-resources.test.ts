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
  DeleteSpaceCommand,
  DescribeAppCommand,
  DescribeAppImageConfigCommand,
  DescribeDomainCommand,
  DescribeNotebookInstanceCommand,
  DescribeNotebookInstanceLifecycleConfigCommand,
  DescribeSpaceCommand,
  DescribeStudioLifecycleConfigCommand,
  ListAppImageConfigsCommand,
  ListAppsCommand,
  ListNotebookInstanceLifecycleConfigsCommand,
  ListSpacesCommand,
  ListStudioLifecycleConfigsCommand,
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

describe('List calls of the Studio resources (the sweep pages through them)', () => {
  it('pages each type at MaxResults (1-100), summaries as the API reference has them', async () => {
    for (let i = 0; i < 3; i++) {
      emu.seed.studioResource({ kind: 'space', params: { DomainId: domainId, SpaceName: `s${i}` } });
      emu.seed.studioResource({
        kind: 'app',
        params: { DomainId: domainId, UserProfileName: 'alice', AppType: 'JupyterLab', AppName: `a${i}` },
      });
    }
    emu.seed.studioResource({ kind: 'app-image-config', params: { AppImageConfigName: 'img' } });
    emu.seed.studioResource({
      kind: 'notebook-instance-lifecycle-config',
      params: { NotebookInstanceLifecycleConfigName: 'nlc' },
    });
    emu.seed.studioResource({
      kind: 'studio-lifecycle-config',
      params: {
        StudioLifecycleConfigName: 'slc',
        StudioLifecycleConfigContent: 'eA==',
        StudioLifecycleConfigAppType: 'JupyterLab',
      },
    });
    const first = await sm.send(new ListSpacesCommand({ MaxResults: 2 }));
    expect(first.Spaces?.map((s) => s.SpaceName)).toEqual(['s0', 's1']);
    expect(first.Spaces?.[0]).not.toHaveProperty('SpaceArn');
    const second = await sm.send(new ListSpacesCommand({ MaxResults: 2, NextToken: first.NextToken }));
    expect(second.Spaces?.map((s) => s.SpaceName)).toEqual(['s2']);
    expect(second.NextToken).toBeUndefined();

    await sm.send(
      new DeleteAppCommand({
        DomainId: domainId,
        UserProfileName: 'alice',
        AppType: 'JupyterLab',
        AppName: 'a1',
      }),
    );
    const apps = await sm.send(new ListAppsCommand({ MaxResults: 100 }));
    expect(apps.Apps?.map((a) => `${a.AppName}:${a.Status}:${a.UserProfileName}:${a.AppType}`)).toEqual([
      'a0:InService:alice:JupyterLab',
      'a1:Deleted:alice:JupyterLab',
      'a2:InService:alice:JupyterLab',
    ]);
    expect((await sm.send(new ListAppImageConfigsCommand({}))).AppImageConfigs?.[0]?.AppImageConfigArn).toBe(
      arn('app-image-config/img'),
    );
    expect(
      (await sm.send(new ListNotebookInstanceLifecycleConfigsCommand({})))
        .NotebookInstanceLifecycleConfigs?.[0],
    ).toMatchObject({
      NotebookInstanceLifecycleConfigName: 'nlc',
      NotebookInstanceLifecycleConfigArn: arn('notebook-instance-lifecycle-config/nlc'),
    });
    expect(
      (await sm.send(new ListStudioLifecycleConfigsCommand({}))).StudioLifecycleConfigs?.[0],
    ).toMatchObject({
      StudioLifecycleConfigName: 'slc',
      StudioLifecycleConfigArn: arn('studio-lifecycle-config/slc'),
      StudioLifecycleConfigAppType: 'JupyterLab',
    });
    expect(await sdkError(sm.send(new ListAppsCommand({ MaxResults: 101 })))).toMatchObject({
      name: 'ValidationException',
    });
  });

  it('deletes spaces, app image configs and lifecycle configurations: Describe and ListTags no longer find them', async () => {
    const space = emu.seed.studioResource({
      kind: 'space',
      params: { DomainId: domainId, SpaceName: 'gone' },
    });
    await sm.send(new DeleteSpaceCommand({ DomainId: domainId, SpaceName: 'gone' }));
    expect(
      await sdkError(sm.send(new DescribeSpaceCommand({ DomainId: domainId, SpaceName: 'gone' }))),
    ).toMatchObject({
      name: 'ResourceNotFound',
    });
    expect(await sdkError(sm.send(new ListTagsCommand({ ResourceArn: space })))).toMatchObject({
      name: 'ValidationException',
    });
    expect((await sm.send(new ListSpacesCommand({}))).Spaces).toEqual([]);
  });

  it('a fault `after` N lets the first N matching calls through (a listing throttled on its second page)', async () => {
    emu.injectFault({ operation: 'ListSpaces', kind: 'throttle', after: 1, times: 1 });
    const plain = new SageMakerClient({ ...clientConfig(emu), maxAttempts: 1 });
    try {
      await plain.send(new ListSpacesCommand({}));
      expect(await sdkError(plain.send(new ListSpacesCommand({})))).toMatchObject({
        name: 'ThrottlingException',
      });
      await plain.send(new ListSpacesCommand({}));
    } finally {
      plain.destroy();
    }
  });
});
