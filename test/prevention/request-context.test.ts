import { describe, expect, it } from 'vitest';
import { mapRequest } from '../../prevention/request-context.ts';
import { loadSample } from '../support/sample-events.ts';

const load = loadSample;
const requestsOf = (event: unknown) => {
  const mapped = mapRequest(event);
  if (mapped.kind !== 'requests') throw new Error(`not mapped: ${mapped.reason}`);
  return mapped.requests;
};

describe('mapRequest: the request context AWS sets for a recorded call', () => {
  it('a compliant CreateNotebookInstance: every parameter with a condition key, and the AddTags its tags need', () => {
    const [create, addTags, ...rest] = requestsOf(load('notebook-instance/create-compliant.json'));
    expect(rest).toEqual([]);
    expect(create?.action).toBe('sagemaker:CreateNotebookInstance');
    expect(create?.resource).toBe(
      'arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/churn-analysis',
    );
    expect(create?.context).toMatchObject({
      'sagemaker:DirectInternetAccess': 'Disabled',
      'sagemaker:RootAccess': 'Disabled',
      'sagemaker:VpcSubnets': ['subnet-0a3f5c7e9b1d24680'],
      'sagemaker:VpcSecurityGroupIds': ['sg-0c1d2e3f4a5b6c7d8'],
      'sagemaker:VolumeKmsKeyArn':
        'arn:aws:kms:us-east-1:111122223333:key/7c1e4b2a-93d5-4f1e-8a6b-2d9f0c3e5a17',
      'sagemaker:InstanceTypes': ['ml.t3.medium'],
      'sagemaker:MinimumInstanceMetadataServiceVersion': '2',
      'aws:TagKeys': ['project', 'owner', 'cost-center'],
      'aws:RequestTag/project': 'churn',
    });
    expect(addTags).toMatchObject({
      action: 'sagemaker:AddTags',
      resource: create?.resource,
      context: { 'sagemaker:TaggingAction': 'CreateNotebookInstance', 'aws:RequestTag/project': 'churn' },
    });
    expect(addTags?.context).not.toHaveProperty('sagemaker:RootAccess');
  });

  it('omitted parameters set no key (IAM then applies its absent-key semantics), and no tags means no AddTags', () => {
    const requests = requestsOf(load('notebook-instance/create-all-defaults.json'));
    expect(requests).toHaveLength(1);
    const keys = Object.keys(requests[0]?.context ?? {});
    for (const key of ['DirectInternetAccess', 'RootAccess', 'VpcSubnets', 'VolumeKmsKeyArn']) {
      expect(keys).not.toContain(`sagemaker:${key}`);
    }
    expect(keys).not.toContain('aws:TagKeys');
    // An IAM user is its own principal ARN.
    expect(requests[0]?.context['aws:PrincipalArn']).toBe(requests[0]?.principal);
  });

  it('a role session: the principal is the session, aws:PrincipalArn the role, MFA and source identity carried', () => {
    const [request] = requestsOf(load('tags/add-tags-user-profile-change-studiouserid.json'));
    expect(request?.principal).toBe(
      'arn:aws:sts::111122223333:assumed-role/AmazonSageMaker-ExecutionRole-DataScience/SageMaker',
    );
    expect(request?.context).toMatchObject({
      'aws:PrincipalArn':
        'arn:aws:iam::111122223333:role/service-role/AmazonSageMaker-ExecutionRole-DataScience',
      'aws:MultiFactorAuthPresent': 'false',
      'aws:SourceIdentity': 'maria-garcia',
      'aws:TagKeys': ['studiouserid'],
      'aws:RequestTag/studiouserid': 'chen.wei',
    });
    // A direct AddTags call is not a create: no TaggingAction.
    expect(request?.context).not.toHaveProperty('sagemaker:TaggingAction');
  });

  it('KMS keys become ARNs in the caller account and region: alias names, bare key ids', () => {
    const alias = requestsOf(load('notebook-instance/create-kms-alias-name.json'))[0];
    expect(alias?.context['sagemaker:VolumeKmsKeyArn']).toMatch(
      /^arn:aws:kms:us-east-1:\d{12}:alias\/ml-notebooks$/,
    );
    const bare = requestsOf(load('notebook-instance/create-by-identity-center-role-root-enabled.json'))[0];
    expect(bare?.context['sagemaker:VolumeKmsKeyArn']).toMatch(
      /^arn:aws:kms:us-east-1:\d{12}:key\/[0-9a-f-]+$/,
    );
  });

  it('the partition follows the region', () => {
    const event = load('studio/update-domain-public-internet.json');
    event.detail.awsRegion = 'us-gov-west-1';
    delete event.detail.responseElements;
    const [request] = requestsOf(event);
    expect(request?.resource).toBe(
      'arn:aws-us-gov:sagemaker:us-gov-west-1:111122223333:domain/d-abc123def456',
    );
    expect(request?.context['sagemaker:AppNetworkAccessType']).toBe('PublicInternetOnly');
  });

  it('updates carry only the keys the update action has: UpdateNotebookInstance sets no DirectInternetAccess', () => {
    const event = load('notebook-instance/update-root-access-enabled.json');
    event.detail.requestParameters.directInternetAccess = 'Enabled';
    const [request] = requestsOf(event);
    expect(request?.resource).toBe(
      'arn:aws:sagemaker:us-east-1:111122223333:notebook-instance/churn-analysis',
    );
    expect(request?.context['sagemaker:RootAccess']).toBe('Enabled');
    expect(request?.context).not.toHaveProperty('sagemaker:DirectInternetAccess');
  });

  it('DeleteTags: the removed keys are aws:TagKeys', () => {
    const [request] = requestsOf(load('tags/delete-tags-notebook-project.json'));
    expect(request).toMatchObject({
      action: 'sagemaker:DeleteTags',
      context: { 'aws:TagKeys': ['project'] },
    });
  });

  it('an Identity Center user (no ARN) is mapped without a principal ARN', () => {
    const [request] = requestsOf(load('studio/create-user-profile-by-identity-center-user.json'));
    expect(request?.resource).toBe(
      'arn:aws:sagemaker:us-east-1:111122223333:user-profile/d-abc123def456/chen-wei',
    );
    expect(request?.context).not.toHaveProperty('aws:PrincipalArn');
  });

  it.each([
    ['not-for-guardrails/elb-add-tags.json', 'not SageMaker'],
    ['not-for-guardrails/opensearch-create-domain.json', 'not SageMaker'],
    ['not-for-guardrails/create-notebook-access-denied.json', 'failed call'],
    ['not-for-guardrails/create-notebook-request-parameters-omitted.json', 'requestParameters omitted'],
    ['notebook-instance/state-change-inservice-compliant.json', 'not an API call'],
  ])('%s is not mapped: %s', (file, reason) => {
    expect(mapRequest(load(file))).toEqual({ kind: 'not-mapped', reason });
  });

  it('input that is not an event is not mapped, never thrown on', () => {
    for (const input of [null, 42, 'text', [], { detail: 'x' }]) {
      expect(mapRequest(input).kind).toBe('not-mapped');
    }
  });
});
