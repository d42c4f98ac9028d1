// SageMaker Studio: domains and user profiles.
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
import { checkTags, domainArn, PAGE_SIZE, userProfileArn, validation } from './sagemaker.ts';
import { type Domain, nowSeconds, randomId, type State, type UserProfile } from './state.ts';
import type { Params, RequestContext, ServiceHandlers, Tag } from './types.ts';

export interface DomainInput {
  /** Seeded as AWS made it: reserved `aws:` tags are allowed. */
  seeded?: boolean;
  domainId?: string;
  name: string;
  region: string;
  authMode?: string;
  appNetworkAccessType?: string;
  defaultUserSettings?: Params;
  domainSettings?: Params;
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
  checkTags([], tags, input.seeded);
  const now = nowSeconds();
  const domain: Domain = {
    domainId,
    name: input.name,
    region: input.region,
    arn,
    authMode: input.authMode ?? 'IAM',
    appNetworkAccessType,
    defaultUserSettings: input.defaultUserSettings ?? {},
    domainSettings: input.domainSettings ?? {},
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
  /** Seeded as AWS made it: reserved `aws:` tags are allowed. */
  seeded?: boolean;
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
  checkTags([], tags, input.seeded);
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
    DomainSettings: Object.keys(d.domainSettings).length ? d.domainSettings : undefined,
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

export function studioHandlers(state: State): ServiceHandlers {
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
        domainSettings: optRecord(p, 'DomainSettings'),
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
      // DomainSettingsForUpdate: the members given replace those of DomainSettings.
      d.domainSettings = { ...d.domainSettings, ...optRecord(p, 'DomainSettingsForUpdate') };
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
