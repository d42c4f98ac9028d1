// SageMaker reads and writes. Every call goes through awsCall so its failure names the call and AWS's error.
import {
  AddTagsCommand,
  DeleteTagsCommand,
  DescribeDomainCommand,
  DescribeNotebookInstanceCommand,
  DescribeUserProfileCommand,
  ListTagsCommand,
  type SageMakerClient,
  StopNotebookInstanceCommand,
} from '@aws-sdk/client-sagemaker';
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

/** Describe plus ListTags: two calls. Undefined when the notebook no longer exists. */
export async function readNotebookState(
  client: SageMakerClient,
  ref: ResourceRef,
): Promise<ResourceState | undefined> {
  const nb = await orGone(() =>
    awsCall('sagemaker:DescribeNotebookInstance', () =>
      client.send(new DescribeNotebookInstanceCommand({ NotebookInstanceName: ref.name })),
    ),
  );
  if (!nb) return undefined;
  const arn = nb.NotebookInstanceArn ?? ref.arn;
  const tags = await orGone(() => listAllTags(client, arn));
  if (!tags) return undefined;
  return {
    source: 'live',
    ref: { ...ref, arn, name: nb.NotebookInstanceName ?? ref.name },
    ...(nb.NotebookInstanceStatus ? { status: nb.NotebookInstanceStatus as NotebookStatus } : {}),
    // Describe always returns these; the API defaults are the fallback if a field is ever absent.
    directInternetAccess: (nb.DirectInternetAccess as 'Enabled' | 'Disabled' | undefined) ?? 'Enabled',
    rootAccess: (nb.RootAccess as 'Enabled' | 'Disabled' | undefined) ?? 'Enabled',
    subnetId: nb.SubnetId ?? null,
    kmsKeyId: nb.KmsKeyId ?? null,
    tags,
  };
}

export async function readUserProfileState(
  client: SageMakerClient,
  ref: ResourceRef,
): Promise<ResourceState | undefined> {
  const profile = await orGone(() =>
    awsCall('sagemaker:DescribeUserProfile', () =>
      client.send(new DescribeUserProfileCommand({ DomainId: ref.domainId, UserProfileName: ref.name })),
    ),
  );
  if (!profile) return undefined;
  const arn = profile.UserProfileArn ?? ref.arn;
  const tags = await orGone(() => listAllTags(client, arn));
  if (!tags) return undefined;
  return {
    source: 'live',
    ref: { ...ref, arn },
    executionRole: profile.UserSettings?.ExecutionRole ?? null,
    tags,
  };
}

export async function readDomainState(
  client: SageMakerClient,
  ref: ResourceRef,
): Promise<ResourceState | undefined> {
  const domain = await orGone(() =>
    awsCall('sagemaker:DescribeDomain', () =>
      client.send(new DescribeDomainCommand({ DomainId: ref.domainId })),
    ),
  );
  if (!domain) return undefined;
  const arn = domain.DomainArn ?? ref.arn;
  const tags = await orGone(() => listAllTags(client, arn));
  if (!tags) return undefined;
  return {
    source: 'live',
    ref: { ...ref, arn, name: domain.DomainName ?? ref.name },
    appNetworkAccessType:
      (domain.AppNetworkAccessType as 'PublicInternetOnly' | 'VpcOnly' | undefined) ?? 'PublicInternetOnly',
    kmsKeyId: domain.KmsKeyId ?? null,
    tags,
  };
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
