// What a sweep walks: one lister per resource type, each paging its List call at 100 (the API maximum), so
// listing N resources costs ceil(N/100) calls per type. Pluggable: a new type (Studio spaces, apps...) is one
// more entry here, provided the core reads and evaluates it.
import {
  ListDomainsCommand,
  ListNotebookInstancesCommand,
  ListUserProfilesCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { awsCall } from '#core/aws/errors';
import type { ResourceRef, ResourceType } from '#core/types';
import type { Target } from './target.ts';

export const LIST_PAGE_SIZE = 100;

export interface ResourceLister {
  type: ResourceType;
  /** Every resource of the type in the target, page by page. Throws AwsCallError when a page cannot be read. */
  list(client: SageMakerClient, target: Target, pageSize?: number): Promise<ResourceRef[]>;
}

async function allPages<P extends { NextToken?: string | undefined }>(
  fetch: (nextToken: string | undefined) => Promise<P>,
  take: (page: P) => ResourceRef[],
): Promise<ResourceRef[]> {
  const refs: ResourceRef[] = [];
  let token: string | undefined;
  do {
    const page = await fetch(token);
    refs.push(...take(page));
    token = page.NextToken || undefined;
  } while (token);
  return refs;
}

const withToken = (token: string | undefined) => (token ? { NextToken: token } : {});

export const notebookLister: ResourceLister = {
  type: 'notebook-instance',
  list: (client, _target, pageSize = LIST_PAGE_SIZE) =>
    allPages(
      (token) =>
        awsCall('sagemaker:ListNotebookInstances', () =>
          client.send(new ListNotebookInstancesCommand({ MaxResults: pageSize, ...withToken(token) })),
        ),
      (page) =>
        (page.NotebookInstances ?? []).flatMap((nb) =>
          nb.NotebookInstanceArn && nb.NotebookInstanceName
            ? [
                {
                  type: 'notebook-instance' as const,
                  arn: nb.NotebookInstanceArn,
                  name: nb.NotebookInstanceName,
                },
              ]
            : [],
        ),
    ),
};

export const domainLister: ResourceLister = {
  type: 'domain',
  list: (client, _target, pageSize = LIST_PAGE_SIZE) =>
    allPages(
      (token) =>
        awsCall('sagemaker:ListDomains', () =>
          client.send(new ListDomainsCommand({ MaxResults: pageSize, ...withToken(token) })),
        ),
      (page) =>
        (page.Domains ?? []).flatMap((d) =>
          d.DomainArn && d.DomainId
            ? [
                {
                  type: 'domain' as const,
                  arn: d.DomainArn,
                  name: d.DomainName ?? d.DomainId,
                  domainId: d.DomainId,
                },
              ]
            : [],
        ),
    ),
};

export const userProfileLister: ResourceLister = {
  type: 'user-profile',
  // ListUserProfiles without DomainIdEquals lists the profiles of every domain; it returns no ARN.
  list: (client, target, pageSize = LIST_PAGE_SIZE) =>
    allPages(
      (token) =>
        awsCall('sagemaker:ListUserProfiles', () =>
          client.send(new ListUserProfilesCommand({ MaxResults: pageSize, ...withToken(token) })),
        ),
      (page) =>
        (page.UserProfiles ?? []).flatMap((u) =>
          u.DomainId && u.UserProfileName
            ? [
                {
                  type: 'user-profile' as const,
                  arn: `arn:${target.partition}:sagemaker:${target.region}:${target.account}:user-profile/${u.DomainId}/${u.UserProfileName}`,
                  name: u.UserProfileName,
                  domainId: u.DomainId,
                },
              ]
            : [],
        ),
    ),
};

/** Domains first: a sweep report reads top-down from the domain to its profiles, then notebooks. */
export const DEFAULT_LISTERS: readonly ResourceLister[] = [domainLister, userProfileLister, notebookLister];
