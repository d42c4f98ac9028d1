// SageMaker Studio resources besides domains and user profiles: spaces, apps, app image configs, notebook and
// Studio lifecycle configurations, and CreatePresignedDomainUrl. Each is kept as the request that created it
// (PascalCase members, as the API takes them), keyed by its lower-cased ARN in State.studioResources.
import { ApiError } from './errors.ts';
import { invalidNextToken, optNumber, optString, optTags, paginate, reqString } from './params.ts';
import { checkTags, domainArn, PAGE_SIZE, userProfileArn, validation } from './sagemaker.ts';
import {
  nowSeconds,
  partitionOf,
  type State,
  type StudioResource,
  type StudioResourceKind,
} from './state.ts';
import type { Params, RequestContext, ServiceHandlers, Tag } from './types.ts';

const arnPrefix = (region: string, account: string) =>
  `arn:${partitionOf(region)}:sagemaker:${region}:${account}`;

export const APP_TYPES = [
  'JupyterServer',
  'KernelGateway',
  'DetailedProfiler',
  'TensorBoard',
  'CodeEditor',
  'JupyterLab',
  'RStudioServerPro',
  'RSessionGateway',
  'Canvas',
];

export function studioResourceArn(
  kind: StudioResourceKind,
  region: string,
  account: string,
  p: Params,
): string {
  const base = arnPrefix(region, account);
  switch (kind) {
    case 'space':
      return `${base}:space/${reqString(p, 'DomainId')}/${reqString(p, 'SpaceName')}`;
    case 'app': {
      const owner = optString(p, 'UserProfileName') ?? optString(p, 'SpaceName');
      if (!owner) throw validation('Either UserProfileName or SpaceName must be specified.');
      // The app type is lower-cased in app ARNs.
      return `${base}:app/${reqString(p, 'DomainId')}/${owner}/${reqString(p, 'AppType').toLowerCase()}/${reqString(p, 'AppName')}`;
    }
    case 'app-image-config':
      return `${base}:app-image-config/${reqString(p, 'AppImageConfigName')}`;
    case 'notebook-instance-lifecycle-config':
      return `${base}:notebook-instance-lifecycle-config/${reqString(p, 'NotebookInstanceLifecycleConfigName')}`;
    case 'studio-lifecycle-config':
      return `${base}:studio-lifecycle-config/${reqString(p, 'StudioLifecycleConfigName')}`;
  }
}

const NOUN: Record<StudioResourceKind, string> = {
  space: 'Space',
  app: 'App',
  'app-image-config': 'AppImageConfig',
  'notebook-instance-lifecycle-config': 'Notebook Instance Lifecycle Config',
  'studio-lifecycle-config': 'Studio Lifecycle Config',
};

/** Notebook lifecycle configs answer ValidationException for a missing one (like notebooks), Studio ones ResourceNotFound. */
function notFound(kind: StudioResourceKind, arn: string): ApiError {
  if (kind === 'notebook-instance-lifecycle-config')
    return validation(
      `Unable to describe Notebook Instance Lifecycle Config '${arn}'. (Details: Notebook Instance Lifecycle Config does not exist.)`,
    );
  return new ApiError('ResourceNotFound', `${NOUN[kind]} ${arn} does not exist.`);
}

export interface StudioResourceInput {
  kind: StudioResourceKind;
  region: string;
  /** The create request's members (PascalCase), Tags excluded. */
  params: Params;
  tags?: Tag[];
  /**
   * Seeded as AWS made it: reserved `aws:` tags are allowed, and a space or app may be seeded without its domain or
   * user profile (an export of the app alone: its parents are not made up).
   */
  seeded?: boolean;
  /** An app seeded as deleted (ListApps keeps listing it as Deleted for a while). */
  status?: StudioResource['status'];
}

export function createStudioResource(state: State, input: StudioResourceInput): StudioResource {
  const { kind, region, params } = input;
  const arn = studioResourceArn(kind, region, state.accountId, params);
  const domainId = optString(params, 'DomainId');
  if (
    !input.seeded &&
    (kind === 'space' || kind === 'app') &&
    domainId &&
    !state.domains.has(`${region}/${domainId}`)
  )
    throw new ApiError(
      'ResourceNotFound',
      `Domain ${domainArn(region, state.accountId, domainId)} does not exist.`,
    );
  if (kind === 'app') {
    const appType = reqString(params, 'AppType');
    if (!APP_TYPES.includes(appType))
      throw validation(
        `Value '${appType}' at 'appType' failed to satisfy constraint: Member must satisfy enum value set`,
      );
    const profile = optString(params, 'UserProfileName');
    if (!input.seeded && profile && !state.userProfiles.has(`${region}/${domainId}/${profile}`))
      throw new ApiError(
        'ResourceNotFound',
        `User profile ${userProfileArn(region, state.accountId, domainId ?? '', profile)} does not exist.`,
      );
  }
  const existing = state.studioResources.get(arn.toLowerCase());
  // A deleted app's name can be used again; anything else must be new.
  if (existing && !(kind === 'app' && existing.status === 'Deleted'))
    throw new ApiError('ResourceInUse', `${NOUN[kind]} ${arn} already exists.`);
  const tags = input.tags ?? [];
  checkTags([], tags, input.seeded);
  const now = nowSeconds();
  const resource: StudioResource = {
    kind,
    arn,
    region,
    params: structuredClone(params),
    status: input.status ?? 'InService',
    createdAt: now,
    modifiedAt: now,
    tags: tags.map((t) => ({ ...t })),
  };
  state.studioResources.set(arn.toLowerCase(), resource);
  state.taggable.set(arn.toLowerCase(), resource);
  return resource;
}

export function findStudioResource(state: State, arn: string): StudioResource | undefined {
  return state.studioResources.get(arn.toLowerCase());
}

export function describeStudioResource(r: StudioResource): Params {
  const p = r.params;
  const times = { CreationTime: r.createdAt, LastModifiedTime: r.modifiedAt };
  switch (r.kind) {
    case 'space':
      return {
        DomainId: p.DomainId,
        SpaceArn: r.arn,
        SpaceName: p.SpaceName,
        Status: r.status,
        SpaceSettings: p.SpaceSettings,
        OwnershipSettings: p.OwnershipSettings,
        SpaceSharingSettings: p.SpaceSharingSettings,
        SpaceDisplayName: p.SpaceDisplayName,
        ...times,
      };
    case 'app':
      return {
        AppArn: r.arn,
        AppType: p.AppType,
        AppName: p.AppName,
        DomainId: p.DomainId,
        UserProfileName: p.UserProfileName,
        SpaceName: p.SpaceName,
        Status: r.status,
        ResourceSpec: p.ResourceSpec,
        CreationTime: r.createdAt,
      };
    case 'app-image-config':
      return {
        AppImageConfigArn: r.arn,
        AppImageConfigName: p.AppImageConfigName,
        KernelGatewayImageConfig: p.KernelGatewayImageConfig,
        JupyterLabAppImageConfig: p.JupyterLabAppImageConfig,
        CodeEditorAppImageConfig: p.CodeEditorAppImageConfig,
        ...times,
      };
    case 'notebook-instance-lifecycle-config':
      return {
        NotebookInstanceLifecycleConfigArn: r.arn,
        NotebookInstanceLifecycleConfigName: p.NotebookInstanceLifecycleConfigName,
        OnCreate: p.OnCreate,
        OnStart: p.OnStart,
        ...times,
      };
    case 'studio-lifecycle-config':
      return {
        StudioLifecycleConfigArn: r.arn,
        StudioLifecycleConfigName: p.StudioLifecycleConfigName,
        StudioLifecycleConfigContent: p.StudioLifecycleConfigContent,
        StudioLifecycleConfigAppType: p.StudioLifecycleConfigAppType,
        ...times,
      };
  }
}

/** The List calls of these types take MaxResults 1-100 (SageMaker API reference); past it, ValidationException. */
const MAX_RESULTS = 100;

function listPage(p: Params, items: StudioResource[]) {
  const max = optNumber(p, 'MaxResults');
  if (max !== undefined && (max < 1 || max > MAX_RESULTS))
    throw validation(
      `1 validation error detected: Value '${max}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to ${MAX_RESULTS}`,
    );
  return paginate(items, optString(p, 'NextToken'), max, PAGE_SIZE, invalidNextToken);
}

/** What each List call returns per resource: the summary members of the API reference (no ARN for spaces and apps). */
function summaryOf(r: StudioResource): Params {
  const p = r.params;
  switch (r.kind) {
    case 'space':
      return {
        DomainId: p.DomainId,
        SpaceName: p.SpaceName,
        Status: r.status,
        CreationTime: r.createdAt,
        LastModifiedTime: r.modifiedAt,
        SpaceDisplayName: p.SpaceDisplayName,
      };
    case 'app':
      return {
        DomainId: p.DomainId,
        UserProfileName: p.UserProfileName,
        SpaceName: p.SpaceName,
        AppType: p.AppType,
        AppName: p.AppName,
        Status: r.status,
        CreationTime: r.createdAt,
        ResourceSpec: p.ResourceSpec,
      };
    case 'app-image-config':
      return describeStudioResource(r);
    case 'notebook-instance-lifecycle-config':
      return {
        NotebookInstanceLifecycleConfigName: p.NotebookInstanceLifecycleConfigName,
        NotebookInstanceLifecycleConfigArn: r.arn,
        CreationTime: r.createdAt,
        LastModifiedTime: r.modifiedAt,
      };
    case 'studio-lifecycle-config':
      return {
        StudioLifecycleConfigArn: r.arn,
        StudioLifecycleConfigName: p.StudioLifecycleConfigName,
        CreationTime: r.createdAt,
        LastModifiedTime: r.modifiedAt,
        StudioLifecycleConfigAppType: p.StudioLifecycleConfigAppType,
      };
  }
}

const withoutTags = (p: Params): Params => {
  const { Tags: _tags, ...rest } = p;
  return rest;
};

export function studioResourceHandlers(state: State): ServiceHandlers {
  const create =
    (kind: StudioResourceKind, arnMember: string) =>
    (p: Params, ctx: RequestContext): Params => {
      const r = createStudioResource(state, {
        kind,
        region: ctx.region,
        params: withoutTags(p),
        tags: optTags(p),
      });
      return { [arnMember]: r.arn };
    };
  const get = (kind: StudioResourceKind, p: Params, ctx: RequestContext): StudioResource => {
    const arn = studioResourceArn(kind, ctx.region, ctx.accountId, p);
    const r = state.studioResources.get(arn.toLowerCase());
    if (!r) throw notFound(kind, arn);
    return r;
  };
  /** Members given replace the old ones; members not given stay. */
  const update = (kind: StudioResourceKind, arnMember: string) => (p: Params, ctx: RequestContext) => {
    const r = get(kind, p, ctx);
    for (const [key, value] of Object.entries(p))
      if (value !== undefined) r.params[key] = structuredClone(value);
    r.modifiedAt = nowSeconds();
    return arnMember ? { [arnMember]: r.arn } : {};
  };
  /** One page of a type in the caller's region (`match` for the call's filters), as `listMember`. */
  const list =
    (
      kind: StudioResourceKind,
      listMember: string,
      match: (r: StudioResource, p: Params) => boolean = () => true,
    ) =>
    (p: Params, ctx: RequestContext): Params => {
      const all = [...state.studioResources.values()].filter(
        (r) => r.kind === kind && r.region === ctx.region && match(r, p),
      );
      const { page, next } = listPage(p, all);
      return { [listMember]: page.map(summaryOf), NextToken: next };
    };
  /** Gone at once (AWS passes through Deleting first): Describe and ListTags no longer find it. */
  const remove = (kind: StudioResourceKind) => (p: Params, ctx: RequestContext) => {
    const r = get(kind, p, ctx);
    state.studioResources.delete(r.arn.toLowerCase());
    state.taggable.delete(r.arn.toLowerCase());
    return {};
  };
  const equals = (member: string, filter: string) => (r: StudioResource, p: Params) => {
    const wanted = optString(p, filter);
    return !wanted || r.params[member] === wanted;
  };
  return {
    ListSpaces: list('space', 'Spaces', equals('DomainId', 'DomainIdEquals')),
    ListApps: list(
      'app',
      'Apps',
      (r, p) =>
        equals('DomainId', 'DomainIdEquals')(r, p) &&
        equals('UserProfileName', 'UserProfileNameEquals')(r, p) &&
        equals('SpaceName', 'SpaceNameEquals')(r, p),
    ),
    ListAppImageConfigs: list('app-image-config', 'AppImageConfigs'),
    ListNotebookInstanceLifecycleConfigs: list(
      'notebook-instance-lifecycle-config',
      'NotebookInstanceLifecycleConfigs',
    ),
    ListStudioLifecycleConfigs: list('studio-lifecycle-config', 'StudioLifecycleConfigs'),
    DeleteSpace: remove('space'),
    DeleteAppImageConfig: remove('app-image-config'),
    DeleteNotebookInstanceLifecycleConfig: remove('notebook-instance-lifecycle-config'),
    DeleteStudioLifecycleConfig: remove('studio-lifecycle-config'),
    CreateSpace: create('space', 'SpaceArn'),
    DescribeSpace: (p, ctx) => describeStudioResource(get('space', p, ctx)),
    UpdateSpace: update('space', 'SpaceArn'),
    CreateApp(p, ctx) {
      const r = createStudioResource(state, {
        kind: 'app',
        region: ctx.region,
        params: withoutTags(p),
        tags: optTags(p),
      });
      return { AppArn: r.arn };
    },
    DescribeApp: (p, ctx) => describeStudioResource(get('app', p, ctx)),
    DeleteApp(p, ctx) {
      const r = get('app', p, ctx);
      // Apps stay listed as Deleted for a while, as in AWS.
      r.status = 'Deleted';
      return {};
    },
    CreateAppImageConfig: create('app-image-config', 'AppImageConfigArn'),
    DescribeAppImageConfig: (p, ctx) => describeStudioResource(get('app-image-config', p, ctx)),
    UpdateAppImageConfig: update('app-image-config', 'AppImageConfigArn'),
    CreateNotebookInstanceLifecycleConfig: create(
      'notebook-instance-lifecycle-config',
      'NotebookInstanceLifecycleConfigArn',
    ),
    DescribeNotebookInstanceLifecycleConfig: (p, ctx) =>
      describeStudioResource(get('notebook-instance-lifecycle-config', p, ctx)),
    UpdateNotebookInstanceLifecycleConfig: update('notebook-instance-lifecycle-config', ''),
    CreateStudioLifecycleConfig(p, ctx) {
      if (!optString(p, 'StudioLifecycleConfigContent'))
        throw validation('StudioLifecycleConfigContent is required.');
      return create('studio-lifecycle-config', 'StudioLifecycleConfigArn')(p, ctx);
    },
    DescribeStudioLifecycleConfig: (p, ctx) => describeStudioResource(get('studio-lifecycle-config', p, ctx)),
    CreatePresignedDomainUrl(p, ctx) {
      const domainId = reqString(p, 'DomainId');
      const name = reqString(p, 'UserProfileName');
      const domain = state.domains.get(`${ctx.region}/${domainId}`);
      if (!domain)
        throw new ApiError(
          'ResourceNotFound',
          `Domain ${domainArn(ctx.region, ctx.accountId, domainId)} does not exist.`,
        );
      if (!state.userProfiles.has(`${ctx.region}/${domainId}/${name}`))
        throw new ApiError(
          'ResourceNotFound',
          `User profile ${userProfileArn(ctx.region, ctx.accountId, domainId, name)} does not exist.`,
        );
      // Only IAM-mode domains hand out presigned URLs.
      if (domain.authMode !== 'IAM')
        throw validation('CreatePresignedDomainUrl is supported only for domains in IAM mode.');
      return { AuthorizedUrl: `https://${domainId}.studio.${ctx.region}.sagemaker.aws/auth?token=emulated` };
    },
  };
}
