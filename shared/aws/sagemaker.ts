// SageMaker reads and writes. Every call goes through awsCall so its failure names the call and AWS's error.
import {
  AddTagsCommand,
  DeleteTagsCommand,
  DescribeAppImageConfigCommand,
  DescribeDomainCommand,
  DescribeNotebookInstanceCommand,
  DescribeUserProfileCommand,
  ListTagsCommand,
  type SageMakerClient,
  StopNotebookInstanceCommand,
} from '@aws-sdk/client-sagemaker';
import { sameArn } from '../arn.ts';
import { imageRunAs } from '../image-run-as.ts';
import type { NotebookStatus, ResourceRef, ResourceState, Tags } from '../types.ts';
import { AwsCallError, awsCall } from './errors.ts';

/** `pageSize` only for tests: AWS pages at 50, the most user tags a resource can have. */
export async function listAllTags(client: SageMakerClient, arn: string, pageSize?: number): Promise<Tags> {
  const entries: Array<[string, string]> = [];
  let nextToken: string | undefined;
  do {
    const page = await awsCall('sagemaker:ListTags', () =>
      client.send(
        new ListTagsCommand({
          ResourceArn: arn,
          ...(nextToken ? { NextToken: nextToken } : {}),
          ...(pageSize ? { MaxResults: pageSize } : {}),
        }),
      ),
    );
    for (const tag of page.Tags ?? []) if (tag.Key) entries.push([tag.Key, tag.Value ?? '']);
    nextToken = page.NextToken;
  } while (nextToken);
  // fromEntries keeps a `__proto__` key as data.
  return Object.fromEntries(entries);
}

/** A missing resource: notebooks answer ValidationException (RecordNotFound), Studio resources ResourceNotFound. */
function isGone(error: unknown): boolean {
  return (
    error instanceof AwsCallError &&
    (error.errorName === 'ResourceNotFound' || error.errorName === 'ValidationException')
  );
}

async function orGone<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (isGone(error)) return undefined;
    throw error;
  }
}

/**
 * The ARN to list tags on, known before Describe answers: the event's (built in the event's partition, region and
 * account when the event gives a name only). A notebook ARN's name part is lower case whatever the name's case.
 */
function tagsArnOf(ref: ResourceRef): string {
  if (ref.type !== 'notebook-instance') return ref.arn;
  const at = ref.arn.indexOf(':notebook-instance/');
  return at < 0 ? ref.arn : ref.arn.slice(0, at) + ref.arn.slice(at).toLowerCase();
}

/**
 * Describe plus ListTags, sent together: one round trip. Undefined when the resource no longer exists (also when
 * it disappears between the two calls). `toState` maps the Describe output to what the rules read. Every reader of
 * a taggable resource goes through here. The ARN Describe returns is the authority: should it differ from the one
 * the tags were listed on, the tags are listed again on it (a second round trip, never a wrong answer).
 */
async function describeWithTags<D>(
  client: SageMakerClient,
  ref: ResourceRef,
  call: string,
  describe: () => Promise<D>,
  toState: (described: D) => Omit<ResourceState, 'source' | 'tags'>,
): Promise<ResourceState | undefined> {
  const tagsArn = tagsArnOf(ref);
  const [described, listed] = await Promise.allSettled([
    orGone(() => awsCall(call, describe)),
    orGone(() => listAllTags(client, tagsArn)),
  ]);
  // Describe decides first: its failure or absence is the answer whatever ListTags said.
  if (described.status === 'rejected') throw described.reason;
  if (!described.value) return undefined;
  const state = toState(described.value);
  let tags: Tags | undefined;
  if (!sameArn(state.ref.arn, tagsArn)) tags = await orGone(() => listAllTags(client, state.ref.arn));
  else if (listed.status === 'rejected') throw listed.reason;
  else tags = listed.value;
  if (!tags) return undefined;
  return { source: 'live', ...state, tags };
}

export function readNotebookState(
  client: SageMakerClient,
  ref: ResourceRef,
): Promise<ResourceState | undefined> {
  return describeWithTags(
    client,
    ref,
    'sagemaker:DescribeNotebookInstance',
    () => client.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: ref.name })),
    (nb) => ({
      ref: { ...ref, arn: nb.NotebookInstanceArn ?? ref.arn, name: nb.NotebookInstanceName ?? ref.name },
      ...(nb.NotebookInstanceStatus ? { status: nb.NotebookInstanceStatus as NotebookStatus } : {}),
      // Describe always returns these; the API defaults are the fallback if a field is ever absent.
      directInternetAccess: (nb.DirectInternetAccess as 'Enabled' | 'Disabled' | undefined) ?? 'Enabled',
      rootAccess: (nb.RootAccess as 'Enabled' | 'Disabled' | undefined) ?? 'Enabled',
      subnetId: nb.SubnetId ?? null,
      kmsKeyId: nb.KmsKeyId ?? null,
      // Absent means the API default, IMDSv1 allowed.
      imdsMinimumVersion:
        nb.InstanceMetadataServiceConfiguration?.MinimumInstanceMetadataServiceVersion === '2' ? '2' : '1',
    }),
  );
}

export function readUserProfileState(
  client: SageMakerClient,
  ref: ResourceRef,
): Promise<ResourceState | undefined> {
  return describeWithTags(
    client,
    ref,
    'sagemaker:DescribeUserProfile',
    () => client.send(new DescribeUserProfileCommand({ DomainId: ref.domainId, UserProfileName: ref.name })),
    (profile) => ({
      ref: { ...ref, arn: profile.UserProfileArn ?? ref.arn },
      executionRole: profile.UserSettings?.ExecutionRole ?? null,
    }),
  );
}

export function readDomainState(
  client: SageMakerClient,
  ref: ResourceRef,
): Promise<ResourceState | undefined> {
  return describeWithTags(
    client,
    ref,
    'sagemaker:DescribeDomain',
    () => client.send(new DescribeDomainCommand({ DomainId: ref.domainId })),
    (domain) => ({
      ref: { ...ref, arn: domain.DomainArn ?? ref.arn, name: domain.DomainName ?? ref.name },
      appNetworkAccessType:
        (domain.AppNetworkAccessType as 'PublicInternetOnly' | 'VpcOnly' | undefined) ?? 'PublicInternetOnly',
      kmsKeyId: domain.KmsKeyId ?? null,
      executionRoleIdentityConfig:
        domain.DomainSettings?.ExecutionRoleIdentityConfig === 'USER_PROFILE_NAME'
          ? 'USER_PROFILE_NAME'
          : 'DISABLED',
    }),
  );
}

/**
 * Spaces, apps and lifecycle configurations are judged on their tags (required-tags, protected-tag-change) and,
 * for a lifecycle configuration, on the change the event records (lifecycle-config-change hashes the script the
 * call sent): ListTags is the whole read, and its ValidationException for a resource that does not exist says
 * when it is gone. Their Describe calls would cost every Lambda bundle their output schemas for nothing the rules
 * read (the bundles are at their 400 KiB budget).
 */
export async function readTagsOnlyState(
  client: SageMakerClient,
  ref: ResourceRef,
): Promise<ResourceState | undefined> {
  const tags = await orGone(() => listAllTags(client, ref.arn));
  return tags ? { source: 'live', ref, tags } : undefined;
}

export function readAppImageConfigState(
  client: SageMakerClient,
  ref: ResourceRef,
): Promise<ResourceState | undefined> {
  return describeWithTags(
    client,
    ref,
    'sagemaker:DescribeAppImageConfig',
    () => client.send(new DescribeAppImageConfigCommand({ AppImageConfigName: ref.name })),
    (config) => ({
      ref: { ...ref, arn: config.AppImageConfigArn ?? ref.arn },
      imageRunAs: imageRunAs(config),
    }),
  );
}

export function readResourceState(
  client: SageMakerClient,
  ref: ResourceRef,
): Promise<ResourceState | undefined> {
  switch (ref.type) {
    case 'notebook-instance':
      return readNotebookState(client, ref);
    case 'user-profile':
      return readUserProfileState(client, ref);
    case 'domain':
      return readDomainState(client, ref);
    case 'space':
    case 'app':
    case 'notebook-instance-lifecycle-config':
    case 'studio-lifecycle-config':
      return readTagsOnlyState(client, ref);
    case 'app-image-config':
      return readAppImageConfigState(client, ref);
  }
}

export async function addTags(client: SageMakerClient, arn: string, tags: Tags): Promise<void> {
  await awsCall('sagemaker:AddTags', () =>
    client.send(
      new AddTagsCommand({
        ResourceArn: arn,
        Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
      }),
    ),
  );
}

export async function deleteTags(client: SageMakerClient, arn: string, keys: string[]): Promise<void> {
  await awsCall('sagemaker:DeleteTags', () =>
    client.send(new DeleteTagsCommand({ ResourceArn: arn, TagKeys: keys })),
  );
}

export async function stopNotebookInstance(client: SageMakerClient, name: string): Promise<void> {
  await awsCall('sagemaker:StopNotebookInstance', () =>
    client.send(new StopNotebookInstanceCommand({ NotebookInstanceName: name })),
  );
}

/** Just the status: the deferred-stop re-check needs no tags. */
export async function readNotebookStatus(
  client: SageMakerClient,
  name: string,
): Promise<NotebookStatus | undefined> {
  const nb = await orGone(() =>
    awsCall('sagemaker:DescribeNotebookInstance', () =>
      client.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: name })),
    ),
  );
  return nb?.NotebookInstanceStatus as NotebookStatus | undefined;
}
