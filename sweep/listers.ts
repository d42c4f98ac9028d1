// What a sweep walks: one lister per resource type, each paging its List call at 100 (the API maximum of every
// one of them), so listing N resources costs ceil(N/100) calls per type. Pluggable: a new type is one more entry
// here, provided the core reads and evaluates it (shared/aws/sagemaker.ts readResourceState).
import {
  ListAppImageConfigsCommand,
  ListAppsCommand,
  ListDomainsCommand,
  ListNotebookInstanceLifecycleConfigsCommand,
  ListNotebookInstancesCommand,
  ListSpacesCommand,
  ListStudioLifecycleConfigsCommand,
  ListUserProfilesCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { appArn, namedResourceArn, spaceArn, userProfileArn } from '#core/arn';
import { awsCall } from '#core/aws/errors';
import type { ResourceRef, ResourceType } from '#core/types';
import type { Target } from './target.ts';

export const LIST_PAGE_SIZE = 100;

export interface ResourceLister {
  type: ResourceType;
  /** The IAM action of its List call (serverless.yml's sweep role and the member role grant each one). */
  action: string;
  /** Every resource of the type in the target, page by page. Throws AwsCallError when a page cannot be read. */
  list(client: SageMakerClient, target: Target, pageSize?: number): Promise<ResourceRef[]>;
}

interface PageInput {
  MaxResults: number;
  NextToken?: string;
}

/**
 * A lister from its List call and what each page yields: every page asks for `pageSize` (the API maximum unless a
 * test wants small pages) and follows NextToken to the end.
 */
function lister<P extends { NextToken?: string | undefined }>(
  type: ResourceType,
  operation: string,
  send: (client: SageMakerClient, input: PageInput) => Promise<P>,
  take: (page: P, target: Target) => ResourceRef[],
): ResourceLister {
  const action = `sagemaker:${operation}`;
  return {
    type,
    action,
    async list(client, target, pageSize = LIST_PAGE_SIZE) {
      const refs: ResourceRef[] = [];
      let token: string | undefined;
      do {
        const input: PageInput = { MaxResults: pageSize, ...(token ? { NextToken: token } : {}) };
        const page = await awsCall(action, () => send(client, input));
        refs.push(...take(page, target));
        token = page.NextToken || undefined;
      } while (token);
      return refs;
    },
  };
}

export const notebookLister = lister(
  'notebook-instance',
  'ListNotebookInstances',
  (client, input) => client.send(new ListNotebookInstancesCommand(input)),
  (page) =>
    (page.NotebookInstances ?? []).flatMap((nb) =>
      nb.NotebookInstanceArn && nb.NotebookInstanceName
        ? [{ type: 'notebook-instance' as const, arn: nb.NotebookInstanceArn, name: nb.NotebookInstanceName }]
        : [],
    ),
);

export const domainLister = lister(
  'domain',
  'ListDomains',
  (client, input) => client.send(new ListDomainsCommand(input)),
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
);

/** ListUserProfiles without DomainIdEquals lists the profiles of every domain; it returns no ARN. */
export const userProfileLister = lister(
  'user-profile',
  'ListUserProfiles',
  (client, input) => client.send(new ListUserProfilesCommand(input)),
  (page, t) =>
    (page.UserProfiles ?? []).flatMap((u) =>
      u.DomainId && u.UserProfileName
        ? [
            {
              type: 'user-profile' as const,
              arn: userProfileArn(t.region, t.account, u.DomainId, u.UserProfileName, t.partition),
              name: u.UserProfileName,
              domainId: u.DomainId,
            },
          ]
        : [],
    ),
);

/** ListSpaces without DomainIdEquals lists the spaces of every domain; it returns no ARN. */
export const spaceLister = lister(
  'space',
  'ListSpaces',
  (client, input) => client.send(new ListSpacesCommand(input)),
  (page, t) =>
    (page.Spaces ?? []).flatMap((s) =>
      s.DomainId && s.SpaceName
        ? [
            {
              type: 'space' as const,
              arn: spaceArn(t.region, t.account, s.DomainId, s.SpaceName, t.partition),
              name: s.SpaceName,
              domainId: s.DomainId,
            },
          ]
        : [],
    ),
);

/**
 * ListApps returns no ARN, and keeps listing deleted apps (Status Deleted) for a while: those are gone, and a sweep
 * neither acts on them nor reports them. The event path judges an app on its tags alone (ListTags), which a deleted
 * app may still answer: the listed status is the only word on it.
 */
export const appLister = lister(
  'app',
  'ListApps',
  (client, input) => client.send(new ListAppsCommand(input)),
  (page, t) =>
    (page.Apps ?? []).flatMap((a) => {
      const owner = a.UserProfileName || a.SpaceName;
      if (!a.DomainId || !owner || !a.AppType || !a.AppName || a.Status === 'Deleted') return [];
      return [
        {
          type: 'app' as const,
          arn: appArn(t.region, t.account, a.DomainId, owner, a.AppType, a.AppName, t.partition),
          name: a.AppName,
          domainId: a.DomainId,
          owner,
          appType: a.AppType,
        },
      ];
    }),
);

export const appImageConfigLister = lister(
  'app-image-config',
  'ListAppImageConfigs',
  (client, input) => client.send(new ListAppImageConfigsCommand(input)),
  (page, t) =>
    (page.AppImageConfigs ?? []).flatMap((c) =>
      c.AppImageConfigName
        ? [
            {
              type: 'app-image-config' as const,
              arn:
                c.AppImageConfigArn ??
                namedResourceArn(t.region, t.account, 'app-image-config', c.AppImageConfigName, t.partition),
              name: c.AppImageConfigName,
            },
          ]
        : [],
    ),
);

export const notebookLifecycleConfigLister = lister(
  'notebook-instance-lifecycle-config',
  'ListNotebookInstanceLifecycleConfigs',
  (client, input) => client.send(new ListNotebookInstanceLifecycleConfigsCommand(input)),
  (page) =>
    (page.NotebookInstanceLifecycleConfigs ?? []).flatMap((c) =>
      c.NotebookInstanceLifecycleConfigArn && c.NotebookInstanceLifecycleConfigName
        ? [
            {
              type: 'notebook-instance-lifecycle-config' as const,
              arn: c.NotebookInstanceLifecycleConfigArn,
              name: c.NotebookInstanceLifecycleConfigName,
            },
          ]
        : [],
    ),
);

export const studioLifecycleConfigLister = lister(
  'studio-lifecycle-config',
  'ListStudioLifecycleConfigs',
  (client, input) => client.send(new ListStudioLifecycleConfigsCommand(input)),
  (page) =>
    (page.StudioLifecycleConfigs ?? []).flatMap((c) =>
      c.StudioLifecycleConfigArn && c.StudioLifecycleConfigName
        ? [
            {
              type: 'studio-lifecycle-config' as const,
              arn: c.StudioLifecycleConfigArn,
              name: c.StudioLifecycleConfigName,
            },
          ]
        : [],
    ),
);

/**
 * Every type the core evaluates (RESOURCE_TYPES), domains first: a sweep report reads top-down from the domain to
 * its profiles, spaces and apps, then notebooks and the configurations they use.
 */
export const DEFAULT_LISTERS: readonly ResourceLister[] = [
  domainLister,
  userProfileLister,
  spaceLister,
  appLister,
  notebookLister,
  appImageConfigLister,
  notebookLifecycleConfigLister,
  studioLifecycleConfigLister,
];
