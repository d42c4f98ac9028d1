// SageMaker (JSON 1.1): notebook instances with their lifecycle, Studio domains and user profiles, tags.
import { ApiError, missingMember } from './errors.ts';
import {
  invalidNextToken,
  optNumber,
  optRecord,
  optString,
  optStringList,
  optTags,
  paginate,
  reqString,
} from './params.ts';
import { type Domain, type Notebook, nowSeconds, randomId, type State, type UserProfile } from './state.ts';
import type { NotebookStatus, Params, RequestContext, ServiceHandlers, Tag } from './types.ts';

const PAGE_SIZE = 50;
const MAX_TAGS = 50;

const validation = (message: string): ApiError => new ApiError('ValidationException', message);
const recordNotFound = (): ApiError => validation('RecordNotFound');

export const notebookArn = (region: string, account: string, name: string): string =>
  `arn:aws:sagemaker:${region}:${account}:notebook-instance/${name.toLowerCase()}`;
export const domainArn = (region: string, account: string, domainId: string): string =>
  `arn:aws:sagemaker:${region}:${account}:domain/${domainId}`;
export const userProfileArn = (region: string, account: string, domainId: string, name: string): string =>
  `arn:aws:sagemaker:${region}:${account}:user-profile/${domainId}/${name}`;

// ---------------------------------------------------------------------------------------------- tags

function checkTags(existing: Tag[], added: Tag[]): void {
  for (const t of added) {
    if (t.Key.length < 1 || t.Key.length > 128) fail(`Tag key length must be 1-128: '${t.Key}'`);
    if (t.Value.length > 256) fail(`Tag value for key '${t.Key}' is longer than 256 characters`);
    if (t.Key.toLowerCase().startsWith('aws:')) fail(`Tag keys starting with 'aws:' are reserved`);
  }
  const keys = new Set([...existing, ...added].map((t) => t.Key));
  if (keys.size > MAX_TAGS) fail(`Tags would exceed the maximum of ${MAX_TAGS} tags per resource`);
}

function fail(message: string): never {
  throw validation(message);
}

/** Overwrites existing keys, as AddTags does. */
function mergeTags(target: Tag[], added: Tag[]): void {
  for (const t of added) {
    const i = target.findIndex((x) => x.Key === t.Key);
    if (i >= 0) target[i] = { ...t };
    else target.push({ ...t });
  }
}

function taggedResource(state: State, arn: string) {
  // AWS answers ValidationException for tag calls on a resource that does not (or no longer) exist
  // (aws/amazon-sagemaker-feedback#108); the message text is ours.
  const r = state.taggable.get(arn.toLowerCase());
  if (!r) throw validation(`Resource ${arn} not found.`);
  return r;
}

// ------------------------------------------------------------------------------------------ notebooks

export interface NotebookInput {
  name: string;
  region: string;
  status?: NotebookStatus;
  instanceType: string;
  roleArn: string;
  directInternetAccess?: 'Enabled' | 'Disabled';
  rootAccess?: 'Enabled' | 'Disabled';
  subnetId?: string;
  securityGroupIds?: string[];
  kmsKeyId?: string;
  volumeSizeInGB?: number;
  lifecycleConfigName?: string;
  tags?: Tag[];
}

export function createNotebook(state: State, input: NotebookInput): Notebook {
  const arn = notebookArn(input.region, state.accountId, input.name);
  const key = `${input.region}/${input.name.toLowerCase()}`;
  if (state.notebooks.has(key))
    throw new ApiError('ResourceInUse', `Cannot create a duplicate Notebook Instance (${arn})`);
  const tags = input.tags ?? [];
  checkTags([], tags);
  const now = nowSeconds();
  const nb: Notebook = {
    name: input.name,
    region: input.region,
    arn,
    status: input.status ?? 'Pending',
    instanceType: input.instanceType,
    roleArn: input.roleArn,
    directInternetAccess: input.directInternetAccess ?? 'Enabled',
    rootAccess: input.rootAccess ?? 'Enabled',
    subnetId: input.subnetId,
    securityGroupIds: input.securityGroupIds ?? [],
    kmsKeyId: input.kmsKeyId,
    volumeSizeInGB: input.volumeSizeInGB ?? 5,
    lifecycleConfigName: input.lifecycleConfigName,
    createdAt: now,
    modifiedAt: now,
    describesInStatus: 0,
    tags: tags.map((t) => ({ ...t })),
  };
  state.notebooks.set(key, nb);
  state.taggable.set(arn.toLowerCase(), nb);
  return nb;
}

export function findNotebook(state: State, region: string, name: string): Notebook | undefined {
  return state.notebooks.get(`${region}/${name.toLowerCase()}`);
}

function getNotebook(state: State, p: Params, ctx: RequestContext): Notebook {
  const nb = findNotebook(state, ctx.region, reqString(p, 'NotebookInstanceName'));
  if (!nb) throw recordNotFound();
  return nb;
}

const NEXT_STATUS: Partial<Record<NotebookStatus, NotebookStatus | 'gone'>> = {
  Pending: 'InService',
  Stopping: 'Stopped',
  Updating: 'Stopped',
  Deleting: 'gone',
};

/** Moves a transitional notebook on; stable statuses (InService, Stopped, Failed) stay. */
export function advanceNotebook(state: State, nb: Notebook): void {
  const next = NEXT_STATUS[nb.status];
  if (!next) return;
  if (next === 'gone') {
    state.notebooks.delete(`${nb.region}/${nb.name.toLowerCase()}`);
    state.taggable.delete(nb.arn.toLowerCase());
    return;
  }
  setStatus(nb, next);
}

function setStatus(nb: Notebook, status: NotebookStatus): void {
  nb.status = status;
  nb.describesInStatus = 0;
  nb.modifiedAt = nowSeconds();
}

/** AWS's exact wording; callers should match on the error name, but tests pin the text. */
function requireStatus(nb: Notebook, allowed: NotebookStatus[], target: NotebookStatus): void {
  if (allowed.includes(nb.status)) return;
  throw validation(
    `Status (${nb.status}) not in ([${allowed.join(', ')}]). Unable to transition to (${target}) for Notebook Instance (${nb.arn}).`,
  );
}

export function describeNotebook(nb: Notebook): Params {
  return {
    NotebookInstanceArn: nb.arn,
    NotebookInstanceName: nb.name,
    NotebookInstanceStatus: nb.status,
    FailureReason: nb.status === 'Failed' ? 'Emulated failure' : undefined,
    Url:
      nb.status === 'InService' ? `${nb.name.toLowerCase()}.notebook.${nb.region}.sagemaker.aws` : undefined,
    InstanceType: nb.instanceType,
    SubnetId: nb.subnetId,
    SecurityGroups: nb.subnetId || nb.securityGroupIds.length ? nb.securityGroupIds : undefined,
    RoleArn: nb.roleArn,
    KmsKeyId: nb.kmsKeyId,
    NotebookInstanceLifecycleConfigName: nb.lifecycleConfigName,
    DirectInternetAccess: nb.directInternetAccess,
    VolumeSizeInGB: nb.volumeSizeInGB,
    RootAccess: nb.rootAccess,
    PlatformIdentifier: 'notebook-al2-v2',
    CreationTime: nb.createdAt,
    LastModifiedTime: nb.modifiedAt,
  };
}

const enabledDisabled = (p: Params, key: string): 'Enabled' | 'Disabled' | undefined => {
  const v = optString(p, key);
  if (v === undefined || v === 'Enabled' || v === 'Disabled') return v;
  throw validation(
    `Value '${v}' at '${key}' failed to satisfy constraint: Member must satisfy enum value set: [Enabled, Disabled]`,
  );
};

function notebookHandlers(state: State): ServiceHandlers {
  return {
    CreateNotebookInstance(p, ctx) {
      const name = reqString(p, 'NotebookInstanceName');
      const instanceType = reqString(p, 'InstanceType');
      const roleArn = reqString(p, 'RoleArn');
      const directInternetAccess = enabledDisabled(p, 'DirectInternetAccess');
      const subnetId = optString(p, 'SubnetId');
      if (directInternetAccess === 'Disabled' && !subnetId)
        throw validation('Direct internet access cannot be disabled unless a SubnetId is specified.');
      const nb = createNotebook(state, {
        name,
        region: ctx.region,
        instanceType,
        roleArn,
        directInternetAccess,
        rootAccess: enabledDisabled(p, 'RootAccess'),
        subnetId,
        securityGroupIds: optStringList(p, 'SecurityGroupIds'),
        kmsKeyId: optString(p, 'KmsKeyId'),
        volumeSizeInGB: optNumber(p, 'VolumeSizeInGB'),
        lifecycleConfigName: optString(p, 'LifecycleConfigName'),
        tags: optTags(p),
      });
      return { NotebookInstanceArn: nb.arn };
    },

    DescribeNotebookInstance(p, ctx) {
      const nb = getNotebook(state, p, ctx);
      const out = describeNotebook(nb);
      // The answer shows the status before counting, so with the default of 1 a caller sees Pending once,
      // then InService: enough to exercise "wait until ready" code without real sleeps.
      const every = state.describesPerTransition;
      if (every > 0 && NEXT_STATUS[nb.status] && ++nb.describesInStatus >= every) advanceNotebook(state, nb);
      return out;
    },

    ListNotebookInstances(p, ctx) {
      const contains = optString(p, 'NameContains')?.toLowerCase();
      const status = optString(p, 'StatusEquals');
      const sortBy = optString(p, 'SortBy') ?? 'Name';
      const sortKey = (nb: Notebook): string | number =>
        sortBy === 'CreationTime' ? nb.createdAt : sortBy === 'Status' ? nb.status : nb.name.toLowerCase();
      const items = [...state.notebooks.values()]
        .filter((nb) => nb.region === ctx.region)
        .filter((nb) => !contains || nb.name.toLowerCase().includes(contains))
        .filter((nb) => !status || nb.status === status)
        .sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
      if (optString(p, 'SortOrder') === 'Descending') items.reverse();
      const { page, next } = paginate(
        items,
        optString(p, 'NextToken'),
        optNumber(p, 'MaxResults'),
        PAGE_SIZE,
        invalidNextToken,
      );
      return {
        NotebookInstances: page.map((nb) => {
          const d = describeNotebook(nb);
          return {
            NotebookInstanceName: d.NotebookInstanceName,
            NotebookInstanceArn: d.NotebookInstanceArn,
            NotebookInstanceStatus: d.NotebookInstanceStatus,
            Url: d.Url,
            InstanceType: d.InstanceType,
            CreationTime: d.CreationTime,
            LastModifiedTime: d.LastModifiedTime,
          };
        }),
        NextToken: next,
      };
    },

    StopNotebookInstance(p, ctx) {
      const nb = getNotebook(state, p, ctx);
      requireStatus(nb, ['InService'], 'Stopping');
      setStatus(nb, 'Stopping');
      return {};
    },

    StartNotebookInstance(p, ctx) {
      const nb = getNotebook(state, p, ctx);
      requireStatus(nb, ['Stopped', 'Failed'], 'Pending');
      setStatus(nb, 'Pending');
      return {};
    },

    UpdateNotebookInstance(p, ctx) {
      const nb = getNotebook(state, p, ctx);
      // Only the attributes UpdateNotebookInstance really accepts; network and KMS settings are fixed.
      requireStatus(nb, ['Stopped'], 'Updating');
      nb.instanceType = optString(p, 'InstanceType') ?? nb.instanceType;
      nb.roleArn = optString(p, 'RoleArn') ?? nb.roleArn;
      nb.rootAccess = enabledDisabled(p, 'RootAccess') ?? nb.rootAccess;
      nb.volumeSizeInGB = optNumber(p, 'VolumeSizeInGB') ?? nb.volumeSizeInGB;
      if (p.DisassociateLifecycleConfig === true) nb.lifecycleConfigName = undefined;
      nb.lifecycleConfigName = optString(p, 'LifecycleConfigName') ?? nb.lifecycleConfigName;
      setStatus(nb, 'Updating');
      return {};
    },

    DeleteNotebookInstance(p, ctx) {
      const nb = getNotebook(state, p, ctx);
      requireStatus(nb, ['Stopped', 'Failed'], 'Deleting');
      setStatus(nb, 'Deleting');
      return {};
    },
  };
}

// ------------------------------------------------------------------------------ domains and profiles

export interface DomainInput {
  domainId?: string;
  name: string;
  region: string;
  authMode?: string;
  appNetworkAccessType?: string;
  defaultUserSettings?: Params;
  subnetIds?: string[];
  vpcId?: string;
  kmsKeyId?: string;
  tags?: Tag[];
}

export function createDomain(state: State, input: DomainInput): Domain {
  const domainId = input.domainId ?? `d-${randomId(12)}`;
  const arn = domainArn(input.region, state.accountId, domainId);
  if (state.domains.has(`${input.region}/${domainId}`))
    throw new ApiError('ResourceInUse', `Domain ${arn} already exists.`);
  const appNetworkAccessType = input.appNetworkAccessType ?? 'PublicInternetOnly';
  if (appNetworkAccessType === 'VpcOnly' && (!input.vpcId || !input.subnetIds?.length))
    throw validation('SubnetIds and VpcId are required when AppNetworkAccessType is VpcOnly.');
  const tags = input.tags ?? [];
  checkTags([], tags);
  const now = nowSeconds();
  const domain: Domain = {
    domainId,
    name: input.name,
    region: input.region,
    arn,
    authMode: input.authMode ?? 'IAM',
    appNetworkAccessType,
    defaultUserSettings: input.defaultUserSettings ?? {},
    subnetIds: input.subnetIds ?? [],
    vpcId: input.vpcId,
    kmsKeyId: input.kmsKeyId,
    createdAt: now,
    modifiedAt: now,
    tags: tags.map((t) => ({ ...t })),
  };
  state.domains.set(`${input.region}/${domainId}`, domain);
  state.taggable.set(arn.toLowerCase(), domain);
  return domain;
}

export interface UserProfileInput {
  domainId: string;
  name: string;
  region: string;
  userSettings?: Params;
  tags?: Tag[];
}

export function createUserProfile(state: State, input: UserProfileInput): UserProfile {
  if (!state.domains.has(`${input.region}/${input.domainId}`))
    throw new ApiError(
      'ResourceNotFound',
      `Domain ${domainArn(input.region, state.accountId, input.domainId)} does not exist.`,
    );
  const arn = userProfileArn(input.region, state.accountId, input.domainId, input.name);
  const key = `${input.region}/${input.domainId}/${input.name}`;
  if (state.userProfiles.has(key)) throw new ApiError('ResourceInUse', `User profile ${arn} already exists.`);
  const tags = input.tags ?? [];
  checkTags([], tags);
  const now = nowSeconds();
  const profile: UserProfile = {
    domainId: input.domainId,
    name: input.name,
    region: input.region,
    arn,
    userSettings: input.userSettings ?? {},
    createdAt: now,
    modifiedAt: now,
    tags: tags.map((t) => ({ ...t })),
  };
  state.userProfiles.set(key, profile);
  state.taggable.set(arn.toLowerCase(), profile);
  return profile;
}

export function describeDomain(d: Domain): Params {
  return {
    DomainArn: d.arn,
    DomainId: d.domainId,
    DomainName: d.name,
    HomeEfsFileSystemId: `fs-${d.domainId.slice(2, 10)}`,
    Status: 'InService',
    CreationTime: d.createdAt,
    LastModifiedTime: d.modifiedAt,
    AuthMode: d.authMode,
    DefaultUserSettings: d.defaultUserSettings,
    AppNetworkAccessType: d.appNetworkAccessType,
    SubnetIds: d.subnetIds.length ? d.subnetIds : undefined,
    Url: `https://${d.domainId}.studio.${d.region}.sagemaker.aws`,
    VpcId: d.vpcId,
    KmsKeyId: d.kmsKeyId,
  };
}

export function describeUserProfile(u: UserProfile): Params {
  return {
    DomainId: u.domainId,
    UserProfileArn: u.arn,
    UserProfileName: u.name,
    HomeEfsFileSystemUid: '200001',
    Status: 'InService',
    CreationTime: u.createdAt,
    LastModifiedTime: u.modifiedAt,
    UserSettings: u.userSettings,
  };
}

function studioHandlers(state: State): ServiceHandlers {
  const getDomain = (p: Params, ctx: RequestContext): Domain => {
    const id = reqString(p, 'DomainId');
    const d = state.domains.get(`${ctx.region}/${id}`);
    if (!d)
      throw new ApiError(
        'ResourceNotFound',
        `Domain ${domainArn(ctx.region, ctx.accountId, id)} does not exist.`,
      );
    return d;
  };
  const getProfile = (p: Params, ctx: RequestContext): UserProfile => {
    const id = reqString(p, 'DomainId');
    const name = reqString(p, 'UserProfileName');
    const u = state.userProfiles.get(`${ctx.region}/${id}/${name}`);
    if (!u)
      throw new ApiError(
        'ResourceNotFound',
        `User profile ${userProfileArn(ctx.region, ctx.accountId, id, name)} does not exist.`,
      );
    return u;
  };
  const page = <T>(p: Params, items: T[]) =>
    paginate(items, optString(p, 'NextToken'), optNumber(p, 'MaxResults'), PAGE_SIZE, invalidNextToken);

  return {
    CreateDomain(p, ctx) {
      const defaultUserSettings = optRecord(p, 'DefaultUserSettings');
      if (!defaultUserSettings) throw missingMember('DefaultUserSettings');
      const d = createDomain(state, {
        name: reqString(p, 'DomainName'),
        region: ctx.region,
        authMode: reqString(p, 'AuthMode'),
        defaultUserSettings,
        appNetworkAccessType: optString(p, 'AppNetworkAccessType'),
        subnetIds: optStringList(p, 'SubnetIds'),
        vpcId: optString(p, 'VpcId'),
        kmsKeyId: optString(p, 'KmsKeyId'),
        tags: optTags(p),
      });
      return { DomainArn: d.arn, DomainId: d.domainId, Url: describeDomain(d).Url };
    },
    DescribeDomain: (p, ctx) => describeDomain(getDomain(p, ctx)),
    ListDomains(p, ctx) {
      const { page: items, next } = page(
        p,
        [...state.domains.values()].filter((d) => d.region === ctx.region),
      );
      return {
        Domains: items.map((d) => {
          const { DomainArn, DomainId, DomainName, Status, CreationTime, LastModifiedTime, Url } =
            describeDomain(d);
          return { DomainArn, DomainId, DomainName, Status, CreationTime, LastModifiedTime, Url };
        }),
        NextToken: next,
      };
    },
    UpdateDomain(p, ctx) {
      const d = getDomain(p, ctx);
      const access = optString(p, 'AppNetworkAccessType');
      const subnetIds = optStringList(p, 'SubnetIds') ?? d.subnetIds;
      if (access === 'VpcOnly' && (!d.vpcId || !subnetIds.length))
        throw validation('SubnetIds and VpcId are required when AppNetworkAccessType is VpcOnly.');
      d.appNetworkAccessType = access ?? d.appNetworkAccessType;
      d.subnetIds = subnetIds;
      // Top-level members given replace the old ones; omitted members keep their value.
      d.defaultUserSettings = { ...d.defaultUserSettings, ...optRecord(p, 'DefaultUserSettings') };
      d.modifiedAt = nowSeconds();
      return { DomainArn: d.arn };
    },

    CreateUserProfile(p, ctx) {
      const u = createUserProfile(state, {
        domainId: reqString(p, 'DomainId'),
        name: reqString(p, 'UserProfileName'),
        region: ctx.region,
        userSettings: optRecord(p, 'UserSettings'),
        tags: optTags(p),
      });
      return { UserProfileArn: u.arn };
    },
    DescribeUserProfile: (p, ctx) => describeUserProfile(getProfile(p, ctx)),
    ListUserProfiles(p, ctx) {
      const domainId = optString(p, 'DomainIdEquals');
      const contains = optString(p, 'UserProfileNameContains');
      const all = [...state.userProfiles.values()].filter(
        (u) =>
          u.region === ctx.region &&
          (!domainId || u.domainId === domainId) &&
          (!contains || u.name.includes(contains)),
      );
      const { page: items, next } = page(p, all);
      return {
        UserProfiles: items.map((u) => ({
          DomainId: u.domainId,
          UserProfileName: u.name,
          Status: 'InService',
          CreationTime: u.createdAt,
          LastModifiedTime: u.modifiedAt,
        })),
        NextToken: next,
      };
    },
    UpdateUserProfile(p, ctx) {
      const u = getProfile(p, ctx);
      u.userSettings = { ...u.userSettings, ...optRecord(p, 'UserSettings') };
      u.modifiedAt = nowSeconds();
      return { UserProfileArn: u.arn };
    },
  };
}

function tagHandlers(state: State): ServiceHandlers {
  return {
    AddTags(p) {
      const r = taggedResource(state, reqString(p, 'ResourceArn'));
      const tags = optTags(p) ?? [];
      checkTags(r.tags, tags);
      mergeTags(r.tags, tags);
      return { Tags: tags };
    },
    DeleteTags(p) {
      const r = taggedResource(state, reqString(p, 'ResourceArn'));
      const keys = new Set(optStringList(p, 'TagKeys') ?? []);
      r.tags = r.tags.filter((t) => !keys.has(t.Key));
      return {};
    },
    ListTags(p) {
      const r = taggedResource(state, reqString(p, 'ResourceArn'));
      const { page, next } = paginate(
        r.tags,
        optString(p, 'NextToken'),
        optNumber(p, 'MaxResults'),
        PAGE_SIZE,
        invalidNextToken,
      );
      return { Tags: page, NextToken: next };
    },
  };
}

export function sagemakerHandlers(state: State): ServiceHandlers {
  return { ...notebookHandlers(state), ...studioHandlers(state), ...tagHandlers(state) };
}
