// What IAM saw when a CloudTrail-recorded SageMaker call was authorized: the action, the resource, and the request
// context keys AWS sets from the call's parameters (Service Authorization Reference, SageMaker). Derived here from
// the raw record, independently of the core's normalization, so that the simulation tests compare two readings.
//
// Presumptions (AWS does not document the context values beyond the key names):
// - A key is set only from a parameter the caller sent; an omitted one is absent (negated operators then match).
// - sagemaker:VolumeKmsKeyArn holds the KmsKeyId as sent, as an ARN: a bare key id or alias name is read as a key
//   or alias in the caller's account and region.
// - A create call with tags is also authorized as sagemaker:AddTags with sagemaker:TaggingAction = the create
//   action; a direct AddTags call carries no sagemaker:TaggingAction.
import { partitionOf } from '#core/kms';

export type ContextValues = Record<string, string | string[]>;

export interface AuthorizationRequest {
  action: string;
  resource: string;
  /** The calling principal (the session ARN for a role session). */
  principal: string;
  account: string;
  context: ContextValues;
}

export type MappedRequest =
  | { kind: 'requests'; eventName: string; requests: AuthorizationRequest[] }
  /** Not an authorized SageMaker call this module maps: another service, a failed call, not an API call... */
  | { kind: 'not-mapped'; reason: string };

type Json = Record<string, unknown>;
const obj = (value: unknown): Json | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const strings = (value: unknown): string[] | undefined =>
  Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;

function tagsOf(value: unknown): [string, string][] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((tag) => {
    const key = str(obj(tag)?.key ?? obj(tag)?.Key);
    const tagValue = str(obj(tag)?.value ?? obj(tag)?.Value) ?? '';
    return key === undefined ? [] : [[key, tagValue] as [string, string]];
  });
}

function tagContext(tags: [string, string][]): ContextValues {
  if (tags.length === 0) return {};
  const context: ContextValues = { 'aws:TagKeys': tags.map(([key]) => key) };
  for (const [key, value] of tags) context[`aws:RequestTag/${key}`] = value;
  return context;
}

function kmsKeyArn(given: string, partition: string, region: string, account: string): string {
  if (given.startsWith('arn:')) return given;
  const resource = given.startsWith('alias/') ? given : `key/${given}`;
  return `arn:${partition}:kms:${region}:${account}:${resource}`;
}

/** Sets key = value when the parameter was sent. */
function put(context: ContextValues, key: string, value: string | string[] | undefined): void {
  if (value !== undefined) context[key] = value;
}

function principalOf(
  identity: Json,
  partition: string,
  account: string,
): { principal: string; context: ContextValues } {
  const context: ContextValues = {};
  const type = str(identity.type);
  const arn = str(identity.arn);
  const session = obj(identity.sessionContext);
  const issuer = str(obj(session?.sessionIssuer)?.arn);
  const principalArn = type === 'AssumedRole' ? issuer : arn;
  put(context, 'aws:PrincipalArn', principalArn);
  put(context, 'aws:PrincipalAccount', str(identity.accountId) ?? account);
  const mfa = str(obj(session?.attributes)?.mfaAuthenticated);
  if (mfa === 'true' || mfa === 'false') context['aws:MultiFactorAuthPresent'] = mfa;
  put(context, 'aws:SourceIdentity', str(session?.sourceIdentity));
  // An Identity Center user calling directly has no IAM ARN; the account stands in as the principal.
  return { principal: arn ?? `arn:${partition}:iam::${account}:root`, context };
}

export function mapRequest(event: unknown): MappedRequest {
  const envelope = obj(event);
  const record = obj(envelope?.detail);
  if (!envelope || !record) return { kind: 'not-mapped', reason: 'not an EventBridge event' };
  if (envelope['detail-type'] !== 'AWS API Call via CloudTrail')
    return { kind: 'not-mapped', reason: 'not an API call' };
  if (record.eventSource !== 'sagemaker.amazonaws.com')
    return { kind: 'not-mapped', reason: 'not SageMaker' };
  if (record.errorCode !== undefined) return { kind: 'not-mapped', reason: 'failed call' };
  const eventName = str(record.eventName);
  const region = str(record.awsRegion) ?? str(envelope.region);
  const account = str(record.recipientAccountId) ?? str(envelope.account);
  const params = obj(record.requestParameters);
  const response = obj(record.responseElements) ?? {};
  const identity = obj(record.userIdentity);
  if (!eventName || !region || !account || !identity)
    return { kind: 'not-mapped', reason: 'incomplete record' };
  if (!params) return { kind: 'not-mapped', reason: 'requestParameters omitted' };
  const partition = partitionOf(region);
  const base = `arn:${partition}:sagemaker:${region}:${account}`;
  const who = principalOf(identity, partition, account);
  const action = `sagemaker:${eventName}`;
  const context: ContextValues = { ...who.context };
  const notebookName = str(params.notebookInstanceName);
  const notebook = notebookName && `${base}:notebook-instance/${notebookName.toLowerCase()}`;
  const kms = (given: unknown) => {
    const id = str(given);
    return id ? kmsKeyArn(id, partition, region, account) : undefined;
  };
  let resource: string | undefined;
  let tags: [string, string][] = [];

  switch (eventName) {
    case 'CreateNotebookInstance':
    case 'UpdateNotebookInstance': {
      resource = str(response.notebookInstanceArn) ?? notebook;
      const create = eventName === 'CreateNotebookInstance';
      put(context, 'sagemaker:RootAccess', str(params.rootAccess));
      put(
        context,
        'sagemaker:InstanceTypes',
        str(params.instanceType) && [str(params.instanceType) as string],
      );
      put(context, 'sagemaker:AcceleratorTypes', strings(params.acceleratorTypes));
      put(
        context,
        'sagemaker:MinimumInstanceMetadataServiceVersion',
        str(obj(params.instanceMetadataServiceConfiguration)?.minimumInstanceMetadataServiceVersion),
      );
      if (create) {
        put(context, 'sagemaker:DirectInternetAccess', str(params.directInternetAccess));
        put(context, 'sagemaker:VpcSubnets', str(params.subnetId) && [str(params.subnetId) as string]);
        put(context, 'sagemaker:VpcSecurityGroupIds', strings(params.securityGroupIds));
        put(context, 'sagemaker:VolumeKmsKeyArn', kms(params.kmsKeyId));
        tags = tagsOf(params.tags);
      }
      break;
    }
    case 'CreateDomain':
    case 'UpdateDomain': {
      const domainId = str(response.domainId) ?? str(params.domainId);
      resource = str(response.domainArn) ?? (domainId && `${base}:domain/${domainId}`);
      put(context, 'sagemaker:AppNetworkAccessType', str(params.appNetworkAccessType));
      put(context, 'sagemaker:VpcSubnets', strings(params.subnetIds));
      if (eventName === 'CreateDomain') {
        put(context, 'sagemaker:VolumeKmsKeyArn', kms(params.kmsKeyId));
        put(context, 'sagemaker:AuthMode', str(params.authMode));
        tags = tagsOf(params.tags);
      }
      break;
    }
    case 'CreateUserProfile':
    case 'UpdateUserProfile': {
      const domainId = str(params.domainId);
      const name = str(params.userProfileName);
      resource =
        str(response.userProfileArn) ?? (domainId && name && `${base}:user-profile/${domainId}/${name}`);
      if (eventName === 'CreateUserProfile') tags = tagsOf(params.tags);
      break;
    }
    case 'AddTags':
      resource = str(params.resourceArn);
      Object.assign(context, tagContext(tagsOf(params.tags)));
      break;
    case 'DeleteTags':
      resource = str(params.resourceArn);
      put(context, 'aws:TagKeys', strings(params.tagKeys));
      break;
    case 'StartNotebookInstance':
    case 'StopNotebookInstance':
    case 'DeleteNotebookInstance':
    case 'DescribeNotebookInstance':
      resource = notebook;
      break;
    default:
      return { kind: 'not-mapped', reason: `${eventName} is not mapped` };
  }
  if (!resource) return { kind: 'not-mapped', reason: `${eventName} names no resource` };
  const request = { resource, principal: who.principal, account };
  const requests: AuthorizationRequest[] = [
    { ...request, action, context: { ...context, ...tagContext(tags) } },
  ];
  if (tags.length > 0) {
    requests.push({
      ...request,
      action: 'sagemaker:AddTags',
      context: { ...who.context, ...tagContext(tags), 'sagemaker:TaggingAction': eventName },
    });
  }
  return { kind: 'requests', eventName, requests };
}
