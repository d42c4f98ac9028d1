import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type NormalizeResult, normalizeEvent } from '#core/events/normalize';
import type { NormalizedChange } from '#core/types';

const EVENTS = join(import.meta.dirname, '..', 'events');
const expected = JSON.parse(
  readFileSync(join(import.meta.dirname, 'expected-verdicts.json'), 'utf8'),
) as Record<string, { verdict: string; rules?: string[] }>;

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return walk(path);
    return entry.name.endsWith('.json') ? [relative(EVENTS, path)] : [];
  });
}

// biome-ignore lint/suspicious/noExplicitAny: sample events are mutated freely in the tests below.
type Json = any;
const load = (file: string): Json => JSON.parse(readFileSync(join(EVENTS, file), 'utf8'));
/** A sample event with an edit applied to a copy. */
function edited(file: string, edit: (event: Json) => void): Json {
  const event = structuredClone(load(file));
  edit(event);
  return event;
}
function changeOf(input: unknown): NormalizedChange {
  const result = normalizeEvent(input);
  if (result.kind !== 'change') throw new Error(`expected a change, got ${JSON.stringify(result)}`);
  return result.change;
}

const WELL_FORMED = walk(EVENTS)
  .filter((file) => !file.startsWith('malformed/'))
  .sort();

/** Skipped by the pipeline, not by normalization: structurally these are changes to SageMaker resources. */
const SKIPPED_AFTER_NORMALIZATION: Record<string, string> = {
  'attacks/02-lookalike-role/writes-status-tag.json': 'the ignored principal is a policy decision',
  'not-for-guardrails/create-notebook-request-parameters-omitted.json':
    'only offline is there nothing to read',
  'notebook-instance/update-instance-type-only.json': 'offline nothing to evaluate',
  'notebook-instance/start-notebook-instance.json': 'offline nothing to evaluate',
  'studio/update-user-profile-execution-role.json': 'the default policy has no allowlist',
  'studio/create-presigned-url-own-profile.json': 'the ABAC check reads tags live',
  'studio/create-presigned-url-other-profile.json': 'the ABAC check reads tags live',
};

/** Structural skips, with their exact reasons. */
const STRUCTURAL_SKIPS: Record<string, string> = {
  'not-for-guardrails/elb-add-tags.json': 'eventSource elasticloadbalancing.amazonaws.com is not SageMaker',
  'not-for-guardrails/opensearch-create-domain.json': 'eventSource es.amazonaws.com is not SageMaker',
  'not-for-guardrails/create-notebook-access-denied.json': 'the call failed (AccessDenied): nothing changed',
  'not-for-guardrails/describe-notebook-read-only.json': 'read-only call',
  'not-for-guardrails/delete-notebook-unhandled-event.json': 'event DeleteNotebookInstance is not handled',
};

function expectedKind(file: string): NormalizeResult['kind'] {
  const verdict = expected[file]?.verdict;
  if (verdict === undefined) throw new Error(`${file} has no entry in expected-verdicts.json`);
  if (verdict === 'invalid') return 'invalid';
  if (verdict === 'skipped' && !(file in SKIPPED_AFTER_NORMALIZATION)) return 'skipped';
  return 'change';
}

describe('every sample event normalizes to the kind its expected verdict implies', () => {
  it('finds the sample events', () => {
    expect(WELL_FORMED.length).toBeGreaterThanOrEqual(30);
    for (const file of [...Object.keys(SKIPPED_AFTER_NORMALIZATION), ...Object.keys(STRUCTURAL_SKIPS)]) {
      expect(WELL_FORMED).toContain(file);
    }
  });

  it.each(WELL_FORMED)('%s', (file) => {
    const result = normalizeEvent(load(file));
    expect(result.kind).toBe(expectedKind(file));
    if (result.kind === 'skipped') expect(result.reason).toBe(STRUCTURAL_SKIPS[file]);
  });

  it('a skipped CloudTrail record still names the event and the actor', () => {
    const result = normalizeEvent(load('not-for-guardrails/create-notebook-access-denied.json'));
    expect(result).toMatchObject({
      kind: 'skipped',
      eventId: 'f5bf3ba2-7644-44a1-93b4-ea8f41261dbf',
      eventName: 'CreateNotebookInstance',
      actor: { type: 'AssumedRole', roleArn: 'arn:aws:iam::111122223333:role/DataScientist' },
    });
  });

  it('an unhandled detail-type is skipped', () => {
    const result = normalizeEvent(
      edited('notebook-instance/create-compliant.json', (e) => {
        e['detail-type'] = 'SageMaker Training Job State Change';
      }),
    );
    expect(result).toEqual({
      kind: 'skipped',
      eventId: '0581c1cc-1824-43dd-ad04-c9db96508316',
      reason: 'detail-type "SageMaker Training Job State Change" is not handled',
    });
  });
});

describe('notebook instance calls', () => {
  it('create applies the API defaults for omitted settings', () => {
    const change = changeOf(load('notebook-instance/create-all-defaults.json'));
    expect(change).toEqual({
      eventId: 'a66a4ede-5b7e-4f8b-b3fb-5905e3d50332',
      eventTime: expect.any(String),
      eventName: 'CreateNotebookInstance',
      partition: 'aws',
      account: '111122223333',
      region: 'us-east-1',
      operation: 'create',
      actor: expect.any(Object),
      resource: {
        type: 'notebook-instance',
        name: 'scratch-notebook',
        arn: 'arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/scratch-notebook',
      },
      settings: {
        directInternetAccess: 'Enabled',
        rootAccess: 'Enabled',
        subnetId: null,
        securityGroupIds: [],
        kmsKeyId: null,
        roleArn: 'arn:aws:iam::111122223333:role/service-role/AmazonSageMaker-ExecutionRole-Notebooks',
        instanceType: 'ml.t3.medium',
        status: 'Pending',
        imdsMinimumVersion: '1',
      },
      tags: {},
    });
  });

  it('create keeps the settings it was given', () => {
    const change = changeOf(load('notebook-instance/create-compliant.json'));
    expect(change.settings).toMatchObject({
      directInternetAccess: 'Disabled',
      rootAccess: 'Disabled',
      subnetId: 'subnet-0a3f5c7e9b1d24680',
      securityGroupIds: ['sg-0c1d2e3f4a5b6c7d8'],
      kmsKeyId: 'arn:aws:kms:us-east-1:111122223333:key/7c1e4b2a-93d5-4f1e-8a6b-2d9f0c3e5a17',
    });
    expect(change.tags).toEqual({ project: 'churn', owner: 'jdoe', 'cost-center': 'ml-1234' });
  });

  it.each([
    ['notebook-instance/update-root-access-enabled.json', { rootAccess: 'Enabled' }],
    ['notebook-instance/update-instance-type-only.json', { instanceType: 'ml.t3.xlarge' }],
  ])('update %s leaves omitted settings absent', (file, settings) => {
    const change = changeOf(load(file));
    expect(change.operation).toBe('update');
    expect(change.settings).toStrictEqual(settings);
    expect(change).not.toHaveProperty('tags');
  });

  it('start carries no settings', () => {
    const change = changeOf(load('notebook-instance/start-notebook-instance.json'));
    expect(change.operation).toBe('start');
    expect(change.settings).toStrictEqual({});
    expect(change.resource.name).toBe('churn-analysis');
  });

  it('a mixed-case notebook name keeps its case; the ARN from the response is lower-case', () => {
    const change = changeOf(load('notebook-instance/create-by-identity-center-role-root-enabled.json'));
    expect(change.resource).toEqual({
      type: 'notebook-instance',
      name: 'FraudDetection-Dev',
      arn: 'arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/frauddetection-dev',
    });
  });

  it('the ARN is lower-cased when built from the name (no response, or an update)', () => {
    const created = changeOf(
      edited('notebook-instance/create-by-identity-center-role-root-enabled.json', (e) => {
        e.detail.responseElements = null;
      }),
    );
    expect(created.resource.arn).toBe(
      'arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/frauddetection-dev',
    );
    const updated = changeOf(
      edited('notebook-instance/update-root-access-enabled.json', (e) => {
        e.detail.requestParameters.notebookInstanceName = 'Churn-Analysis';
      }),
    );
    expect(updated.resource).toEqual({
      type: 'notebook-instance',
      name: 'Churn-Analysis',
      arn: 'arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/churn-analysis',
    });
  });

  it('the account is the recipient account, else the envelope account', () => {
    const change = changeOf(
      edited('notebook-instance/create-all-defaults.json', (e) => {
        e.detail.recipientAccountId = '444455556666';
        e.detail.responseElements = null;
      }),
    );
    expect(change.account).toBe('444455556666');
    expect(change.resource.arn).toBe(
      'arn:aws:sagemaker:us-east-1:444455556666:notebook-instance/scratch-notebook',
    );
    const fallback = changeOf(
      edited('notebook-instance/create-all-defaults.json', (e) => {
        delete e.detail.recipientAccountId;
        e.account = '777788889999';
      }),
    );
    expect(fallback.account).toBe('777788889999');
  });

  it('requestParameters omitted by CloudTrail: a create located from the response', () => {
    const change = changeOf(load('not-for-guardrails/create-notebook-request-parameters-omitted.json'));
    expect(change).toMatchObject({
      operation: 'create',
      parametersOmitted: true,
      settings: {},
      resource: {
        type: 'notebook-instance',
        name: 'nlp-pipeline-nb',
        arn: 'arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/nlp-pipeline-nb',
      },
    });
    expect(change).not.toHaveProperty('tags');
  });

  it('requestParameters omitted and nothing in the response: skipped', () => {
    const result = normalizeEvent(
      edited('not-for-guardrails/create-notebook-request-parameters-omitted.json', (e) => {
        e.detail.responseElements = null;
      }),
    );
    expect(result).toMatchObject({
      kind: 'skipped',
      reason: 'requestParameters omitted by CloudTrail and the resource cannot be located from the response',
    });
  });
});

describe('actors', () => {
  it('IAMUser', () => {
    expect(changeOf(load('notebook-instance/create-all-defaults.json')).actor).toStrictEqual({
      type: 'IAMUser',
      arn: 'arn:aws:iam::111122223333:user/alice',
      principalId: 'AIDARB6GZ2KQXEXAMPLE1',
      accountId: '111122223333',
      userName: 'alice',
    });
  });

  it('AssumedRole with MFA and a source identity', () => {
    expect(changeOf(load('notebook-instance/create-compliant.json')).actor).toStrictEqual({
      type: 'AssumedRole',
      arn: 'arn:aws:sts::111122223333:assumed-role/MLPlatformAdmin/jdoe',
      principalId: 'AROARB6GZ2KQADMEXAMP:jdoe',
      accountId: '111122223333',
      roleArn: 'arn:aws:iam::111122223333:role/MLPlatformAdmin',
      sessionName: 'jdoe',
      sourceIdentity: 'jdoe',
      mfaAuthenticated: true,
    });
  });

  it('AssumedRole: mfaAuthenticated "false" is false', () => {
    const actor = changeOf(load('tags/add-tags-notebook-guardrails-exempt.json')).actor;
    expect(actor.mfaAuthenticated).toBe(false);
    expect(actor).not.toHaveProperty('sourceIdentity');
  });

  it('AssumedRole: the role keeps its path; the session name may contain dots and @', () => {
    const actor = changeOf(load('notebook-instance/create-by-identity-center-role-root-enabled.json')).actor;
    expect(actor.roleArn).toBe(
      'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_DataScientist_4f7c2a9e1b3d5f60',
    );
    expect(actor.sessionName).toBe('maria.garcia@example.com');
  });

  it('AssumedRole on behalf of an Identity Center user (trusted identity propagation)', () => {
    expect(changeOf(load('tags/add-tags-user-profile-change-studiouserid.json')).actor).toStrictEqual({
      type: 'AssumedRole',
      arn: 'arn:aws:sts::111122223333:assumed-role/AmazonSageMaker-ExecutionRole-DataScience/SageMaker',
      principalId: 'AROARB6GZ2KQSTUDIOEX:SageMaker',
      accountId: '111122223333',
      roleArn: 'arn:aws:iam::111122223333:role/service-role/AmazonSageMaker-ExecutionRole-DataScience',
      sessionName: 'SageMaker',
      sourceIdentity: 'maria-garcia',
      mfaAuthenticated: false,
      identityCenterUserId: 'c4a8f4e8-2051-70d9-4b7e-61f2a9d3e0b5',
      identityStoreArn: 'arn:aws:identitystore::111122223333:identitystore/d-9067c3a1f2',
    });
  });

  it('IdentityCenterUser has no ARN', () => {
    expect(changeOf(load('studio/create-user-profile-by-identity-center-user.json')).actor).toStrictEqual({
      type: 'IdentityCenterUser',
      accountId: '111122223333',
      credentialId: 'AQoJb3JpZ2luX2VjEXAMPLEpriyaK3dN9vQe0hT7Lw2sYx8mZc4RfB1uGj6aPnV5iEXAMPLE',
      identityCenterUserId: '24e8e4b8-7081-70a3-9c1d-5b6f0a2e7d43',
      identityStoreArn: 'arn:aws:identitystore::111122223333:identitystore/d-9067c3a1f2',
    });
  });

  it('invokedBy a service', () => {
    const actor = changeOf(load('studio/create-domain-compliant.json')).actor;
    expect(actor).toMatchObject({
      type: 'AssumedRole',
      invokedBy: 'cloudformation.amazonaws.com',
      roleArn: 'arn:aws:iam::111122223333:role/cfn-ml-platform-deploy',
      sessionName: 'AWSCloudFormation',
    });
  });

  it('onBehalfOf without an identity store ARN', () => {
    const actor = changeOf(
      edited('studio/create-user-profile-by-identity-center-user.json', (e) => {
        delete e.detail.userIdentity.onBehalfOf.identityStoreArn;
      }),
    ).actor;
    expect(actor.identityCenterUserId).toBe('24e8e4b8-7081-70a3-9c1d-5b6f0a2e7d43');
    expect(actor).not.toHaveProperty('identityStoreArn');
  });
});

describe('tag lists', () => {
  it.each([
    ['CloudTrail [{key, value}]', [{ key: 'project', value: 'churn' }], { project: 'churn' }],
    ['SDK [{Key, Value}]', [{ Key: 'project', Value: 'churn' }], { project: 'churn' }],
    [
      'both shapes in one list',
      [
        { key: 'project', value: 'churn' },
        { Key: 'owner', Value: 'jdoe' },
      ],
      { project: 'churn', owner: 'jdoe' },
    ],
    ['missing value (lower case) is ""', [{ key: 'project' }], { project: '' }],
    ['missing Value (SDK shape) is ""', [{ Key: 'project' }], { project: '' }],
    ['empty value', [{ key: 'project', value: '' }], { project: '' }],
    ['empty list', [], {}],
  ])('%s', (_name, tags, map) => {
    const create = changeOf(
      edited('notebook-instance/create-compliant.json', (e) => {
        e.detail.requestParameters.tags = tags;
      }),
    );
    expect(create.tags).toStrictEqual(map);
    const addTags = changeOf(
      edited('tags/add-tags-notebook-project.json', (e) => {
        e.detail.requestParameters.tags = tags;
      }),
    );
    expect(addTags.tagsSet).toStrictEqual(map);
  });
});

describe('Studio calls', () => {
  it('CreateDomain applies the defaults and takes the domain id from the ARN', () => {
    const change = changeOf(load('studio/create-domain-defaults.json'));
    expect(change.resource).toEqual({
      type: 'domain',
      name: 'sandbox-studio',
      domainId: 'd-q7rk2xw9mz3p',
      arn: 'arn:aws:sagemaker:us-east-1:111122223333:domain/d-q7rk2xw9mz3p',
    });
    expect(change.settings).toStrictEqual({
      appNetworkAccessType: 'PublicInternetOnly',
      kmsKeyId: null,
      subnetIds: ['subnet-0d7c1a9e3f5b24680'],
      vpcId: 'vpc-0fedcba9876543210',
      executionRole: 'arn:aws:iam::111122223333:role/service-role/AmazonSageMaker-ExecutionRole-DataScience',
      executionRoleIdentityConfig: 'DISABLED',
    });
    expect(change.tags).toStrictEqual({});
  });

  it('CreateDomain keeps its tags, CloudFormation ones included', () => {
    const change = changeOf(load('studio/create-domain-compliant.json'));
    expect(change.settings.appNetworkAccessType).toBe('VpcOnly');
    expect(Object.keys(change.tags ?? {})).toEqual([
      'aws:cloudformation:stack-name',
      'aws:cloudformation:logical-id',
      'aws:cloudformation:stack-id',
    ]);
  });

  it('UpdateDomain sets only what it changes', () => {
    const change = changeOf(load('studio/update-domain-public-internet.json'));
    expect(change.operation).toBe('update');
    expect(change.settings).toStrictEqual({ appNetworkAccessType: 'PublicInternetOnly' });
    expect(change.resource).toEqual({
      type: 'domain',
      name: 'd-abc123def456',
      domainId: 'd-abc123def456',
      arn: 'arn:aws:sagemaker:us-east-1:111122223333:domain/d-abc123def456',
    });
  });

  it('CreateUserProfile without its own role: executionRole null (domain default)', () => {
    const change = changeOf(load('studio/create-user-profile-missing-studiouserid.json'));
    expect(change.settings).toStrictEqual({ executionRole: null });
    expect(change.tags).toStrictEqual({ team: 'risk' });
    expect(change.resource).toEqual({
      type: 'user-profile',
      name: 'ravi-patel',
      domainId: 'd-abc123def456',
      arn: 'arn:aws:sagemaker:us-east-1:111122223333:user-profile/d-abc123def456/ravi-patel',
    });
  });

  it('CreateUserProfile with its own role', () => {
    expect(changeOf(load('studio/create-user-profile-compliant.json')).settings).toStrictEqual({
      executionRole: 'arn:aws:iam::111122223333:role/service-role/AmazonSageMaker-ExecutionRole-DataScience',
    });
  });

  it('UpdateUserProfile with and without a role', () => {
    const file = 'studio/update-user-profile-execution-role.json';
    expect(changeOf(load(file)).settings).toStrictEqual({
      executionRole: 'arn:aws:iam::111122223333:role/service-role/AmazonSageMaker-ExecutionRole-FraudTeam',
    });
    const noRole = changeOf(
      edited(file, (e) => {
        delete e.detail.requestParameters.userSettings;
      }),
    );
    expect(noRole.settings).toStrictEqual({});
    expect(noRole.resource.arn).toBe(
      'arn:aws:sagemaker:us-east-1:111122223333:user-profile/d-abc123def456/maria-garcia',
    );
  });
});

describe('AddTags and DeleteTags', () => {
  it('AddTags on a user profile', () => {
    const change = changeOf(load('tags/add-tags-user-profile-change-studiouserid.json'));
    expect(change.operation).toBe('add-tags');
    expect(change.resource).toEqual({
      type: 'user-profile',
      name: 'maria-garcia',
      domainId: 'd-abc123def456',
      arn: 'arn:aws:sagemaker:us-east-1:111122223333:user-profile/d-abc123def456/maria-garcia',
    });
    expect(change.tagsSet).toStrictEqual({ studiouserid: 'chen.wei' });
    expect(change).not.toHaveProperty('tags');
    expect(change.settings).toStrictEqual({});
  });

  it('AddTags on a domain', () => {
    const change = changeOf(load('tags/add-tags-domain-ordinary.json'));
    expect(change.resource).toEqual({
      type: 'domain',
      name: 'd-abc123def456',
      domainId: 'd-abc123def456',
      arn: 'arn:aws:sagemaker:us-east-1:111122223333:domain/d-abc123def456',
    });
    expect(change.tagsSet).toStrictEqual({ 'cost-center': 'ml-1234', environment: 'prod' });
  });

  it('DeleteTags on a notebook', () => {
    const change = changeOf(load('tags/delete-tags-notebook-project.json'));
    expect(change.operation).toBe('delete-tags');
    expect(change.tagsRemoved).toEqual(['project']);
    expect(change.resource).toEqual({
      type: 'notebook-instance',
      name: 'churn-analysis',
      arn: 'arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/churn-analysis',
    });
  });

  it.each([
    [
      'arn:aws:sagemaker:us-east-1:111122223333:notebook-instance-lifecycle-config/setup',
      { type: 'notebook-instance-lifecycle-config', name: 'setup' },
    ],
    [
      'arn:aws:sagemaker:us-east-1:111122223333:studio-lifecycle-config/auto-stop',
      { type: 'studio-lifecycle-config', name: 'auto-stop' },
    ],
    [
      'arn:aws:sagemaker:us-east-1:111122223333:app-image-config/custom-r',
      { type: 'app-image-config', name: 'custom-r' },
    ],
    [
      'arn:aws:sagemaker:us-east-1:111122223333:space/d-abc123def456/team-space',
      { type: 'space', name: 'team-space', domainId: 'd-abc123def456' },
    ],
    [
      'arn:aws:sagemaker:us-east-1:111122223333:app/d-abc123def456/alice/jupyterlab/default',
      { type: 'app', name: 'default', domainId: 'd-abc123def456', owner: 'alice', appType: 'jupyterlab' },
    ],
  ])('AddTags on %s is guarded (an exemption tag there would switch rules off)', (resourceArn, ref) => {
    const addTags = edited('tags/add-tags-notebook-project.json', (e) => {
      e.detail.requestParameters.resourceArn = resourceArn;
    });
    expect(changeOf(addTags).resource).toEqual({ ...ref, arn: resourceArn });
  });

  it.each([
    [
      'a training job',
      'arn:aws:sagemaker:us-east-1:111122223333:training-job/xgb-1',
      'resource type training-job is not guarded',
    ],
    [
      'an app ARN with a missing part',
      'arn:aws:sagemaker:us-east-1:111122223333:app/d-abc123def456/alice/jupyterlab',
      'resource arn:aws:sagemaker:us-east-1:111122223333:app/d-abc123def456/alice/jupyterlab is not a SageMaker ARN',
    ],
    ['an S3 bucket', 'arn:aws:s3:::my-bucket', 'resource arn:aws:s3:::my-bucket is not a SageMaker ARN'],
  ])('AddTags on %s is skipped', (_name, resourceArn, reason) => {
    const addTags = edited('tags/add-tags-notebook-project.json', (e) => {
      e.detail.requestParameters.resourceArn = resourceArn;
    });
    expect(normalizeEvent(addTags)).toEqual({
      kind: 'skipped',
      eventId: 'ad580d28-265a-4c38-b88c-8ec9fb87dca2',
      eventName: 'AddTags',
      actor: expect.objectContaining({ arn: 'arn:aws:iam::111122223333:user/alice' }),
      reason,
    });
    const deleteTags = edited('tags/delete-tags-notebook-project.json', (e) => {
      e.detail.requestParameters.resourceArn = resourceArn;
    });
    expect(normalizeEvent(deleteTags)).toMatchObject({ kind: 'skipped', reason });
  });
});

describe('notebook instance state-change events', () => {
  it('reads the PascalCase detail and the Tags map', () => {
    expect(changeOf(load('notebook-instance/state-change-inservice-compliant.json'))).toStrictEqual({
      eventId: 'b9c5ad5c-fc24-40c6-8a47-81a6a5d15b02',
      eventTime: '2026-05-04T09:25:58Z',
      eventName: 'NotebookInstanceStateChange:InService',
      partition: 'aws',
      account: '111122223333',
      region: 'us-east-1',
      operation: 'state-change',
      actor: { type: 'AWSService', invokedBy: 'sagemaker.amazonaws.com' },
      resource: {
        type: 'notebook-instance',
        name: 'churn-analysis',
        arn: 'arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/churn-analysis',
      },
      settings: {
        status: 'InService',
        directInternetAccess: 'Disabled',
        subnetId: 'subnet-0a3f5c7e9b1d24680',
        kmsKeyId: 'arn:aws:kms:us-east-1:111122223333:key/7c1e4b2a-93d5-4f1e-8a6b-2d9f0c3e5a17',
        roleArn: 'arn:aws:iam::111122223333:role/service-role/AmazonSageMaker-ExecutionRole-Notebooks',
        instanceType: 'ml.t3.medium',
      },
      tags: { project: 'churn', owner: 'jdoe', 'cost-center': 'ml-1234' },
    });
  });

  it('absent keys are known absences; RootAccess is never set', () => {
    const change = changeOf(load('notebook-instance/state-change-inservice-noncompliant.json'));
    expect(change.settings).toMatchObject({
      status: 'InService',
      directInternetAccess: 'Enabled',
      subnetId: null,
      kmsKeyId: null,
    });
    expect(change.settings).not.toHaveProperty('rootAccess');
    expect(change.tags).toStrictEqual({});
  });

  it('no Tags key means an empty tag set', () => {
    const change = changeOf(
      edited('notebook-instance/state-change-inservice-compliant.json', (e) => {
        delete e.detail.Tags;
        e.detail.NotebookInstanceStatus = 'Stopped';
      }),
    );
    expect(change.tags).toStrictEqual({});
    expect(change.settings.status).toBe('Stopped');
    expect(change.eventName).toBe('NotebookInstanceStateChange:Stopped');
  });
});

describe('malformed input is invalid with the exact JSON path', () => {
  it.each([
    [
      'malformed/bare-cloudtrail-record-no-envelope.json',
      '$',
      'a bare CloudTrail record: wrap it in its EventBridge envelope (detail-type, detail, ...)',
    ],
    ['malformed/envelope-missing-event-name.json', '$.detail.eventName', 'required field is missing'],
    [
      'malformed/request-tags-is-string.json',
      '$.detail.requestParameters.tags',
      'Invalid input: expected array, received string',
    ],
  ])('%s', (file, path, reason) => {
    expect(normalizeEvent(load(file))).toMatchObject({ kind: 'invalid', path, reason });
  });

  it('the invalid result keeps the ids it could find', () => {
    expect(normalizeEvent(load('malformed/request-tags-is-string.json'))).toEqual({
      kind: 'invalid',
      path: '$.detail.requestParameters.tags',
      reason: 'Invalid input: expected array, received string',
      eventId: '517e54c7-46df-423f-a022-0bfeaf14eee1',
      eventName: 'CreateNotebookInstance',
    });
    expect(normalizeEvent(load('malformed/envelope-missing-event-name.json'))).toEqual({
      kind: 'invalid',
      path: '$.detail.eventName',
      reason: 'required field is missing',
      eventId: '22f25ded-7345-460c-b79f-705f4da5276a',
    });
  });

  it('the truncated file is not JSON at all (the CLI reports it)', () => {
    expect(() => JSON.parse(readFileSync(join(EVENTS, 'malformed/truncated-json.json'), 'utf8'))).toThrow(
      SyntaxError,
    );
  });

  it.each([null, [], 'an event', 42, true])('not an object: %j', (input) => {
    expect(normalizeEvent(input)).toEqual({
      kind: 'invalid',
      path: '$',
      reason: 'expected an EventBridge event (a JSON object)',
    });
  });

  const CREATE = 'notebook-instance/create-compliant.json';
  const STATE = 'notebook-instance/state-change-inservice-compliant.json';
  it.each<[string, string, (e: Json) => void, string, string]>([
    ['no detail', CREATE, (e) => delete e.detail, '$.detail', 'required field is missing'],
    [
      'detail is a list',
      CREATE,
      (e) => (e.detail = []),
      '$.detail',
      'Invalid input: expected object, received array',
    ],
    ['no envelope id', CREATE, (e) => delete e.id, '$.id', 'required field is missing'],
    [
      'no userIdentity',
      CREATE,
      (e) => delete e.detail.userIdentity,
      '$.detail.userIdentity',
      'required field is missing',
    ],
    [
      'empty identity type',
      CREATE,
      (e) => (e.detail.userIdentity.type = ''),
      '$.detail.userIdentity.type',
      'Too small: expected string to have >=1 characters',
    ],
    [
      'requestParameters a string',
      CREATE,
      (e) => (e.detail.requestParameters = 'x'),
      '$.detail.requestParameters',
      'Invalid input: expected object',
    ],
    [
      'no notebook name',
      CREATE,
      (e) => delete e.detail.requestParameters.notebookInstanceName,
      '$.detail.requestParameters.notebookInstanceName',
      'required field is missing',
    ],
    [
      'bad directInternetAccess',
      CREATE,
      (e) => (e.detail.requestParameters.directInternetAccess = 'Maybe'),
      '$.detail.requestParameters.directInternetAccess',
      'Invalid option: expected one of "Enabled"|"Disabled"',
    ],
    [
      'a tag without a key',
      CREATE,
      (e) => (e.detail.requestParameters.tags = [{ key: 'a', value: 'b' }, { value: 'x' }]),
      '$.detail.requestParameters.tags[1]',
      'Invalid input',
    ],
    [
      'an empty tag key',
      CREATE,
      (e) => (e.detail.requestParameters.tags = [{ key: '', value: 'x' }]),
      '$.detail.requestParameters.tags[0].key',
      'Too small: expected string to have >=1 characters',
    ],
    [
      'a tag value over 256 characters',
      CREATE,
      (e) => (e.detail.requestParameters.tags = [{ key: 'a', value: 'x'.repeat(257) }]),
      '$.detail.requestParameters.tags[0].value',
      'Too big: expected string to have <=256 characters',
    ],
    [
      '51 tags',
      CREATE,
      (e) =>
        (e.detail.requestParameters.tags = Array.from({ length: 51 }, (_, i) => ({
          key: `k${i}`,
          value: '',
        }))),
      '$.detail.requestParameters.tags',
      'Too big: expected array to have <=50 items',
    ],
    [
      'CreateDomain without a response',
      'studio/create-domain-defaults.json',
      (e) => (e.detail.responseElements = null),
      '$.detail.responseElements.domainArn',
      'required field is missing',
    ],
    [
      'DeleteTags without tagKeys',
      'tags/delete-tags-notebook-project.json',
      (e) => delete e.detail.requestParameters.tagKeys,
      '$.detail.requestParameters.tagKeys',
      'required field is missing',
    ],
    [
      'state change with an unknown status',
      STATE,
      (e) => (e.detail.NotebookInstanceStatus = 'Running'),
      '$.detail.NotebookInstanceStatus',
      'Invalid option: expected one of "Pending"|"InService"|"Stopping"|"Stopped"|"Failed"|"Deleting"|"Updating"',
    ],
    [
      'state change with Tags as a list',
      STATE,
      (e) => (e.detail.Tags = [{ Key: 'a', Value: 'b' }]),
      '$.detail.Tags',
      'Invalid input: expected record, received array',
    ],
    [
      'state change without the ARN',
      STATE,
      (e) => delete e.detail.NotebookInstanceArn,
      '$.detail.NotebookInstanceArn',
      'required field is missing',
    ],
  ])('%s', (_name, file, edit, path, reason) => {
    expect(normalizeEvent(edited(file, edit))).toMatchObject({ kind: 'invalid', path, reason });
  });
});

describe('reporting-only fields with an unexpected shape: warned, still enforced', () => {
  const CREATE = 'notebook-instance/create-compliant.json';
  it.each<[string, (e: Json) => void, string]>([
    [
      'mfaAuthenticated as a boolean',
      (e) => (e.detail.userIdentity.sessionContext.attributes.mfaAuthenticated = true),
      '$.detail.userIdentity.sessionContext.attributes.mfaAuthenticated: expected a string, received boolean: ignored',
    ],
    [
      'securityGroupIds null',
      (e) => (e.detail.requestParameters.securityGroupIds = null),
      '$.detail.requestParameters.securityGroupIds: expected a list of strings, received null: ignored',
    ],
    [
      'a security group that is a number',
      (e) => (e.detail.requestParameters.securityGroupIds = ['sg-1', 3]),
      '$.detail.requestParameters.securityGroupIds: expected a list of strings, received array: ignored',
    ],
    [
      'instanceType a number',
      (e) => (e.detail.requestParameters.instanceType = 5),
      '$.detail.requestParameters.instanceType: expected a string, received number: ignored',
    ],
    [
      'attributes a string',
      (e) => (e.detail.userIdentity.sessionContext.attributes = 'x'),
      '$.detail.userIdentity.sessionContext.attributes: expected an object, received string: ignored',
    ],
    [
      'readOnly a string',
      (e) => (e.detail.readOnly = 'false'),
      '$.detail.readOnly: expected a boolean, received string: treated as a write',
    ],
  ])('%s', (_name, edit, warning) => {
    const result = normalizeEvent(edited(CREATE, edit));
    expect(result.kind).toBe('change');
    if (result.kind !== 'change') return;
    expect(result.change.warnings).toEqual([warning]);
    // What enforcement needs is intact.
    expect(result.change.resource.type).toBe('notebook-instance');
    expect(result.change.settings.directInternetAccess).toBeDefined();
  });

  it('a well-formed event has no warnings', () => {
    const result = normalizeEvent(edited(CREATE, () => {}));
    expect(result.kind === 'change' && result.change.warnings).toBe(undefined);
  });
});

describe('partitions: every ARN built in the partition of the event', () => {
  const inRegion = (file: string, region: string, partition: string) =>
    edited(file, (e) => {
      e.region = region;
      e.detail.awsRegion = region;
      const swap = (v: unknown): unknown =>
        typeof v === 'string'
          ? v.replace(/^arn:aws:/, `arn:${partition}:`).replaceAll('us-east-1', region)
          : Array.isArray(v)
            ? v.map(swap)
            : v && typeof v === 'object'
              ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, swap(x)]))
              : v;
      e.detail = swap(e.detail);
    });

  it.each([
    ['cn-north-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
  ])('in %s: %s ARNs for UpdateDomain, UpdateUserProfile, UpdateNotebookInstance', (region, partition) => {
    const domain = changeOf(inRegion('studio/update-domain-public-internet.json', region, partition));
    expect(domain.partition).toBe(partition);
    expect(domain.resource.arn).toMatch(new RegExp(`^arn:${partition}:sagemaker:${region}:`));
    const profile = changeOf(inRegion('studio/update-user-profile-execution-role.json', region, partition));
    expect(profile.resource.arn).toMatch(new RegExp(`^arn:${partition}:sagemaker:${region}:`));
    const notebook = changeOf(
      inRegion('notebook-instance/update-root-access-enabled.json', region, partition),
    );
    expect(notebook.resource.arn).toMatch(new RegExp(`^arn:${partition}:sagemaker:${region}:`));
  });

  it('takes the partition from the event ARNs before the region name', () => {
    const change = changeOf(inRegion('tags/add-tags-notebook-project.json', 'cn-northwest-1', 'aws-cn'));
    expect(change.partition).toBe('aws-cn');
    expect(change.resource.arn).toMatch(/^arn:aws-cn:sagemaker:cn-northwest-1:/);
  });
});
