import {
  CreateNotebookInstanceCommand,
  DeleteNotebookInstanceCommand,
  DescribeNotebookInstanceCommand,
  ListNotebookInstancesCommand,
  SageMakerClient,
  StartNotebookInstanceCommand,
  StopNotebookInstanceCommand,
  UpdateNotebookInstanceCommand,
} from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../../local/aws-emulator/index.ts';
import { ACCOUNT, clientConfig, httpStatus, ROLE_ARN, sdkError } from './helpers.ts';

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

const describeNb = (name: string) =>
  sm.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: name }));

describe('notebook instances', () => {
  it('creates a notebook with AWS defaults, a lower-cased ARN and Pending status', async () => {
    const out = await sm.send(
      new CreateNotebookInstanceCommand({
        NotebookInstanceName: 'Churn-NB',
        InstanceType: 'ml.t3.medium',
        RoleArn: ROLE_ARN,
        Tags: [{ Key: 'project', Value: 'churn' }],
      }),
    );
    expect(out.NotebookInstanceArn).toBe(`arn:aws:sagemaker:us-east-1:${ACCOUNT}:notebook-instance/churn-nb`);

    const d = await describeNb('churn-nb'); // lookups ignore case
    expect(d.NotebookInstanceName).toBe('Churn-NB');
    expect(d.NotebookInstanceStatus).toBe('Pending');
    expect(d.DirectInternetAccess).toBe('Enabled');
    expect(d.RootAccess).toBe('Enabled');
    expect(d.VolumeSizeInGB).toBe(5);
    expect(d.CreationTime).toBeInstanceOf(Date);
    expect(Math.abs((d.CreationTime?.getTime() ?? 0) - Date.now())).toBeLessThan(10_000);
    expect(d).not.toHaveProperty('Tags');
    expect(d.Url).toBeUndefined();
    expect(emu.inspect.notebookInstance('CHURN-NB')?.tags).toEqual([{ Key: 'project', Value: 'churn' }]);
  });

  it('rejects missing required members, DirectInternetAccess Disabled without a subnet, and duplicates', async () => {
    const noRole = await sdkError(
      sm.send(
        new CreateNotebookInstanceCommand({
          NotebookInstanceName: 'a',
          InstanceType: 'ml.t3.medium',
          RoleArn: undefined,
        }),
      ),
    );
    expect(noRole.name).toBe('ValidationException');
    expect(noRole.message).toContain("'roleArn'");

    const noSubnet = await sdkError(
      sm.send(
        new CreateNotebookInstanceCommand({
          NotebookInstanceName: 'a',
          InstanceType: 'ml.t3.medium',
          RoleArn: ROLE_ARN,
          DirectInternetAccess: 'Disabled',
        }),
      ),
    );
    expect(noSubnet.name).toBe('ValidationException');

    emu.seed.notebookInstance({ name: 'dup' });
    const dup = await sdkError(
      sm.send(
        new CreateNotebookInstanceCommand({
          NotebookInstanceName: 'DUP',
          InstanceType: 'ml.t3.medium',
          RoleArn: ROLE_ARN,
        }),
      ),
    );
    expect(dup.name).toBe('ResourceInUse');
    expect(emu.calls.map((c) => c.status)).toEqual([400, 400, 400]);
  });

  it('keeps DirectInternetAccess Disabled with a subnet and returns the network settings', async () => {
    await sm.send(
      new CreateNotebookInstanceCommand({
        NotebookInstanceName: 'private',
        InstanceType: 'ml.t3.medium',
        RoleArn: ROLE_ARN,
        DirectInternetAccess: 'Disabled',
        RootAccess: 'Disabled',
        SubnetId: 'subnet-1',
        SecurityGroupIds: ['sg-1'],
        KmsKeyId: 'alias/notebooks',
      }),
    );
    const d = await describeNb('private');
    expect(d).toMatchObject({
      DirectInternetAccess: 'Disabled',
      RootAccess: 'Disabled',
      SubnetId: 'subnet-1',
      SecurityGroups: ['sg-1'],
      KmsKeyId: 'alias/notebooks',
    });
  });

  it('refuses Stop from Pending with AWS error name, message and HTTP status', async () => {
    emu.seed.notebookInstance({ name: 'nb-1', status: 'Pending' });
    const err = await sdkError(sm.send(new StopNotebookInstanceCommand({ NotebookInstanceName: 'nb-1' })));
    expect(err.name).toBe('ValidationException');
    expect(err.message).toBe(
      `Status (Pending) not in ([InService]). Unable to transition to (Stopping) for Notebook Instance (arn:aws:sagemaker:us-east-1:${ACCOUNT}:notebook-instance/nb-1).`,
    );
    expect(httpStatus(err)).toBe(400);
    expect(emu.calls.at(-1)).toMatchObject({
      service: 'sagemaker',
      operation: 'StopNotebookInstance',
      status: 400,
      errorCode: 'ValidationException',
      params: { NotebookInstanceName: 'nb-1' },
    });
  });

  it('walks the whole lifecycle, one transition per Describe', async () => {
    await sm.send(
      new CreateNotebookInstanceCommand({
        NotebookInstanceName: 'nb',
        InstanceType: 'ml.t3.medium',
        RoleArn: ROLE_ARN,
      }),
    );
    expect((await describeNb('nb')).NotebookInstanceStatus).toBe('Pending');
    const ready = await describeNb('nb');
    expect(ready.NotebookInstanceStatus).toBe('InService');
    expect(ready.Url).toBe('nb.notebook.us-east-1.sagemaker.aws');

    const startErr = await sdkError(
      sm.send(new StartNotebookInstanceCommand({ NotebookInstanceName: 'nb' })),
    );
    expect(startErr.message).toBe(
      `Status (InService) not in ([Stopped, Failed]). Unable to transition to (Pending) for Notebook Instance (arn:aws:sagemaker:us-east-1:${ACCOUNT}:notebook-instance/nb).`,
    );
    const updateErr = await sdkError(
      sm.send(new UpdateNotebookInstanceCommand({ NotebookInstanceName: 'nb', RootAccess: 'Disabled' })),
    );
    expect(updateErr.name).toBe('ValidationException');

    await sm.send(new StopNotebookInstanceCommand({ NotebookInstanceName: 'nb' }));
    expect((await describeNb('nb')).NotebookInstanceStatus).toBe('Stopping');
    expect((await describeNb('nb')).NotebookInstanceStatus).toBe('Stopped');

    await sm.send(
      new UpdateNotebookInstanceCommand({
        NotebookInstanceName: 'nb',
        RootAccess: 'Disabled',
        InstanceType: 'ml.t3.large',
      }),
    );
    expect((await describeNb('nb')).NotebookInstanceStatus).toBe('Updating');
    const updated = await describeNb('nb');
    expect(updated).toMatchObject({
      NotebookInstanceStatus: 'Stopped',
      RootAccess: 'Disabled',
      InstanceType: 'ml.t3.large',
    });

    await sm.send(new StartNotebookInstanceCommand({ NotebookInstanceName: 'nb' }));
    expect(emu.inspect.notebookInstance('nb')?.status).toBe('Pending');
    emu.advanceNotebook('nb');
    emu.advanceNotebook('nb'); // InService is stable: no further move
    expect(emu.inspect.notebookInstance('nb')?.status).toBe('InService');
    await sm.send(new StopNotebookInstanceCommand({ NotebookInstanceName: 'nb' }));
    emu.advanceNotebook('nb');

    await sm.send(new DeleteNotebookInstanceCommand({ NotebookInstanceName: 'nb' }));
    expect((await describeNb('nb')).NotebookInstanceStatus).toBe('Deleting');
    const gone = await sdkError(describeNb('nb'));
    expect(gone.name).toBe('ValidationException');
    expect(gone.message).toBe('RecordNotFound');
    expect(emu.inspect.notebookInstance('nb')).toBeUndefined();
  });

  it('answers RecordNotFound for every operation on a missing notebook', async () => {
    const input = { NotebookInstanceName: 'ghost' };
    const calls = [
      () => sm.send(new DescribeNotebookInstanceCommand(input)),
      () => sm.send(new StopNotebookInstanceCommand(input)),
      () => sm.send(new StartNotebookInstanceCommand(input)),
      () => sm.send(new UpdateNotebookInstanceCommand(input)),
      () => sm.send(new DeleteNotebookInstanceCommand(input)),
    ];
    for (const call of calls) {
      const err = await sdkError(call());
      expect([err.name, err.message]).toEqual(['ValidationException', 'RecordNotFound']);
    }
    expect(emu.calls).toHaveLength(5);
  });

  it('stays Pending with describesPerTransition 0 until advanceNotebook()', async () => {
    const manual = await startEmulator({ describesPerTransition: 0 });
    const client = new SageMakerClient(clientConfig(manual));
    try {
      manual.seed.notebookInstance({ name: 'slow', status: 'Pending' });
      for (let i = 0; i < 3; i++) {
        const d = await client.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: 'slow' }));
        expect(d.NotebookInstanceStatus).toBe('Pending');
      }
      manual.advanceNotebook('slow');
      const d = await client.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: 'slow' }));
      expect(d.NotebookInstanceStatus).toBe('InService');
    } finally {
      client.destroy();
      await manual.close();
    }
  });

  it('needs two Describes per transition with describesPerTransition 2', async () => {
    const slow = await startEmulator({ describesPerTransition: 2 });
    const client = new SageMakerClient(clientConfig(slow));
    try {
      slow.seed.notebookInstance({ name: 'nb', status: 'Pending' });
      const statuses: (string | undefined)[] = [];
      for (let i = 0; i < 3; i++) {
        const d = await client.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: 'nb' }));
        statuses.push(d.NotebookInstanceStatus);
      }
      expect(statuses).toEqual(['Pending', 'Pending', 'InService']);
    } finally {
      client.destroy();
      await slow.close();
    }
  });

  it('lists notebooks with filters and NextToken pagination', async () => {
    for (const name of ['alpha', 'beta', 'gamma']) emu.seed.notebookInstance({ name });
    emu.seed.notebookInstance({ name: 'delta', status: 'Stopped' });
    emu.seed.notebookInstance({ name: 'elsewhere', region: 'eu-west-1' });

    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await sm.send(
        new ListNotebookInstancesCommand({ MaxResults: 3, NextToken: token, StatusEquals: 'InService' }),
      );
      expect(page.NotebookInstances?.length).toBeLessThanOrEqual(3);
      names.push(...(page.NotebookInstances ?? []).map((n) => n.NotebookInstanceName ?? ''));
      token = page.NextToken;
    } while (token);
    expect(names).toEqual(['alpha', 'beta', 'gamma']);

    const contains = await sm.send(new ListNotebookInstancesCommand({ NameContains: 'ELT' }));
    expect(contains.NotebookInstances?.map((n) => n.NotebookInstanceName)).toEqual(['delta']);
  });

  it('keeps regions apart: a notebook seeded in eu-west-1 is not visible from us-east-1', async () => {
    const arn = emu.seed.notebookInstance({ name: 'eu-nb', region: 'eu-west-1' });
    expect(arn).toBe(`arn:aws:sagemaker:eu-west-1:${ACCOUNT}:notebook-instance/eu-nb`);
    const err = await sdkError(describeNb('eu-nb'));
    expect(err.message).toBe('RecordNotFound');
    const eu = new SageMakerClient({ ...clientConfig(emu), region: 'eu-west-1' });
    try {
      expect(
        (await eu.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: 'eu-nb' })))
          .NotebookInstanceArn,
      ).toBe(arn);
    } finally {
      eu.destroy();
    }
  });
});
