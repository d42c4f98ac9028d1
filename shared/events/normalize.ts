// Event -> NormalizedChange. Structural only: what the policy ignores is decided later (see pipeline.ts).
import type * as z from 'zod/mini';
import {
  type ArnScope,
  appArn,
  domainArn,
  namedResourceArn,
  notebookArn,
  parseSageMakerArn,
  scopeOf,
  spaceArn,
  userProfileArn,
} from '../arn.ts';
import { imageRunAs } from '../image-run-as.ts';
import { findLifecycleAttachments, hashScripts } from '../lifecycle.ts';
import {
  type Actor,
  type LifecycleAttachment,
  type NormalizedChange,
  RESOURCE_TYPES,
  type ResourceRef,
  type ResourceType,
  type Tags,
} from '../types.ts';
import {
  addTagsParams,
  appImageConfigParams,
  CLOUDTRAIL_DETAIL_TYPE,
  type CloudTrailRecord,
  cloudTrailEventSchema,
  createAppParams,
  createDomainParams,
  createDomainResponse,
  createNotebookParams,
  createUserProfileParams,
  deleteTagsParams,
  envelopeSchema,
  notebookLifecycleConfigParams,
  notebookNameParams,
  notebookStateChangeEventSchema,
  presignedDomainUrlParams,
  SAGEMAKER_EVENT_SOURCE,
  STATE_CHANGE_DETAIL_TYPE,
  spaceParams,
  studioLifecycleConfigParams,
  type TagList,
  updateDomainParams,
  updateNotebookParams,
  updateUserProfileParams,
  type userIdentitySchema,
} from './schema.ts';

export type NormalizeResult =
  | { kind: 'change'; change: NormalizedChange }
  | { kind: 'skipped'; reason: string; eventId?: string; eventName?: string; actor?: Actor }
  | { kind: 'invalid'; path: string; reason: string; eventId?: string; eventName?: string };

/** The CloudTrail event names the guardrails act on. Everything else from SageMaker is skipped. */
export const HANDLED_EVENT_NAMES = [
  'CreateNotebookInstance',
  'UpdateNotebookInstance',
  'StartNotebookInstance',
  'CreateUserProfile',
  'UpdateUserProfile',
  'CreateDomain',
  'UpdateDomain',
  'AddTags',
  'DeleteTags',
  'CreateSpace',
  'UpdateSpace',
  'CreateApp',
  'CreateAppImageConfig',
  'UpdateAppImageConfig',
  'CreatePresignedDomainUrl',
  'CreateNotebookInstanceLifecycleConfig',
  'UpdateNotebookInstanceLifecycleConfig',
  'CreateStudioLifecycleConfig',
] as const;
/**
 * Calls CloudTrail may record as read-only although the guardrails must see them: a presigned Studio URL is a
 * sign-in (IAM's access level for it is Write, but whether CloudTrail sets readOnly is not documented).
 */
const HANDLED_EVEN_IF_READ_ONLY: readonly string[] = ['CreatePresignedDomainUrl'];
type HandledEventName = (typeof HANDLED_EVENT_NAMES)[number];

class InvalidField extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(reason);
  }
}

function formatPath(prefix: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : `${acc}.${String(part)}`),
    prefix,
  );
}

function parseOrThrow<S extends z.ZodMiniType>(schema: S, value: unknown, prefix: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw new InvalidField(prefix, 'invalid value');
  // Name the missing field rather than its parent object.
  const missing = issue.code === 'invalid_type' && issue.message.includes('received undefined');
  throw new InvalidField(
    formatPath(prefix, issue.path),
    missing ? 'required field is missing' : issue.message,
  );
}

export function tagListToMap(tags: TagList | undefined): Tags {
  // fromEntries defines own properties, so even a `__proto__` tag key (valid in AWS) is kept as data.
  return Object.fromEntries(
    (tags ?? []).map((tag) => ('key' in tag ? [tag.key, tag.value ?? ''] : [tag.Key, tag.Value ?? ''])),
  );
}

/** Collects "path: reason" for reporting fields with an unexpected shape (kept as unknown, never fatal). */
export type Warn = (path: string, reason: string) => void;
const ignoreWarnings: Warn = () => {};

const shapeOf = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;

/** A reporting-only string: kept when it is one, else unknown with a warning. */
function reportedString(value: unknown, path: string, warn: Warn): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  warn(path, `expected a string, received ${shapeOf(value)}: ignored`);
  return undefined;
}

function reportedStrings(value: unknown, path: string, warn: Warn): string[] | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
  warn(path, `expected a list of strings, received ${shapeOf(value)}: ignored`);
  return undefined;
}

function reportedObject(value: unknown, path: string, warn: Warn): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'object' && value !== null && !Array.isArray(value))
    return value as Record<string, unknown>;
  warn(path, `expected an object, received ${shapeOf(value)}: ignored`);
  return undefined;
}

const ID = 'detail.userIdentity';

export function normalizeActor(
  identity: z.infer<typeof userIdentitySchema>,
  warn: Warn = ignoreWarnings,
): Actor {
  const actor: Actor = { type: identity.type };
  if (identity.arn) actor.arn = identity.arn;
  const principalId = reportedString(identity.principalId, `${ID}.principalId`, warn);
  if (principalId) actor.principalId = principalId;
  if (identity.accountId) actor.accountId = identity.accountId;
  if (identity.userName) actor.userName = identity.userName;
  const invokedBy = reportedString(identity.invokedBy, `${ID}.invokedBy`, warn);
  if (invokedBy) actor.invokedBy = invokedBy;
  const credentialId = reportedString(identity.credentialId, `${ID}.credentialId`, warn);
  if (credentialId) actor.credentialId = credentialId;
  const session = identity.sessionContext;
  if (identity.type === 'AssumedRole') {
    const issuer = session?.sessionIssuer?.arn;
    if (issuer) actor.roleArn = issuer;
    const sessionName = identity.arn?.match(/:assumed-role\/[^/]+\/(.+)$/)?.[1];
    if (sessionName) actor.sessionName = sessionName;
  }
  const sourceIdentity = reportedString(session?.sourceIdentity, `${ID}.sessionContext.sourceIdentity`, warn);
  if (sourceIdentity) actor.sourceIdentity = sourceIdentity;
  const attributes = reportedObject(session?.attributes, `${ID}.sessionContext.attributes`, warn);
  const mfa = reportedString(
    attributes?.mfaAuthenticated,
    `${ID}.sessionContext.attributes.mfaAuthenticated`,
    warn,
  );
  if (mfa !== undefined) actor.mfaAuthenticated = mfa === 'true'; // CloudTrail records it as a string
  const onBehalfOf = reportedObject(identity.onBehalfOf, `${ID}.onBehalfOf`, warn);
  const userId = reportedString(onBehalfOf?.userId, `${ID}.onBehalfOf.userId`, warn);
  if (userId) {
    actor.identityCenterUserId = userId;
    const store = reportedString(onBehalfOf?.identityStoreArn, `${ID}.onBehalfOf.identityStoreArn`, warn);
    if (store) actor.identityStoreArn = store;
  }
  return actor;
}

interface RecordContext {
  record: CloudTrailRecord;
  params: Record<string, unknown>;
  response: Record<string, unknown> | null;
  account: string;
  region: string;
  /** Partition, region and account of the resource: every ARN built here is in that scope. */
  scope: ArnScope;
  base: Omit<NormalizedChange, 'operation' | 'resource' | 'settings'>;
  warn: Warn;
}

const P = 'detail.requestParameters';

function notebookRef(name: string, ctx: RecordContext, arn?: unknown): ResourceRef {
  return {
    type: 'notebook-instance',
    name,
    arn:
      typeof arn === 'string' && arn ? arn : notebookArn(ctx.region, ctx.account, name, ctx.scope.partition),
  };
}

const isResourceType = (type: string): type is ResourceType =>
  (RESOURCE_TYPES as readonly string[]).includes(type);

function locateTaggedResource(resourceArn: string): ResourceRef | string {
  const parsed = parseSageMakerArn(resourceArn);
  if (!parsed) return `resource ${resourceArn} is not a SageMaker ARN`;
  if (!isResourceType(parsed.type)) return `resource type ${parsed.type} is not guarded`;
  const ref: ResourceRef = { type: parsed.type, arn: resourceArn, name: parsed.name };
  if (parsed.domainId) ref.domainId = parsed.domainId;
  if (parsed.owner) ref.owner = parsed.owner;
  if (parsed.appType) ref.appType = parsed.appType;
  return ref;
}

/** The lifecycle configurations the Studio settings of a call name (UserSettings, SpaceSettings, ResourceSpec...). */
const studioAttachments = (ctx: RecordContext): LifecycleAttachment[] => findLifecycleAttachments(ctx.params);

function withAttachments(
  settings: NormalizedChange['settings'],
  attachments: LifecycleAttachment[],
): NormalizedChange['settings'] {
  return attachments.length > 0 ? { ...settings, lifecycleAttachments: attachments } : settings;
}

function responseArn(ctx: RecordContext, member: string): string | undefined {
  const arn = ctx.response?.[member];
  return typeof arn === 'string' && arn ? arn : undefined;
}

function namedRef(
  ctx: RecordContext,
  type: 'app-image-config' | 'notebook-instance-lifecycle-config' | 'studio-lifecycle-config',
  name: string,
  arnMember: string,
): ResourceRef {
  return {
    type,
    name,
    arn: responseArn(ctx, arnMember) ?? namedResourceArn(ctx.region, ctx.account, type, name),
  };
}

/** A notebook's role and instance type: reported, never acted on. */
function reportedSettings(
  p: Record<string, unknown>,
  warn: Warn,
  prefix = P,
  keys = { roleArn: 'roleArn', instanceType: 'instanceType' },
): Pick<NormalizedChange['settings'], 'roleArn' | 'instanceType'> {
  const roleArn = reportedString(p[keys.roleArn], `${prefix}.${keys.roleArn}`, warn);
  const instanceType = reportedString(p[keys.instanceType], `${prefix}.${keys.instanceType}`, warn);
  return { ...(roleArn ? { roleArn } : {}), ...(instanceType ? { instanceType } : {}) };
}

const RECORD_NORMALIZERS: Record<HandledEventName, (ctx: RecordContext) => NormalizedChange | string> = {
  CreateNotebookInstance(ctx) {
    const p = parseOrThrow(createNotebookParams, ctx.params, P);
    return {
      ...ctx.base,
      operation: 'create',
      resource: notebookRef(p.notebookInstanceName, ctx, ctx.response?.notebookInstanceArn),
      // API defaults: omitted DirectInternetAccess and RootAccess mean Enabled.
      settings: {
        directInternetAccess: p.directInternetAccess ?? 'Enabled',
        rootAccess: p.rootAccess ?? 'Enabled',
        subnetId: p.subnetId ?? null,
        securityGroupIds: reportedStrings(p.securityGroupIds, `${P}.securityGroupIds`, ctx.warn) ?? [],
        kmsKeyId: p.kmsKeyId ?? null,
        ...reportedSettings(p, ctx.warn),
        status: 'Pending',
        // Omitted: IMDSv1 and v2 both allowed.
        imdsMinimumVersion:
          p.instanceMetadataServiceConfiguration?.minimumInstanceMetadataServiceVersion ?? '1',
        ...(p.lifecycleConfigName
          ? { lifecycleAttachments: [{ name: p.lifecycleConfigName, where: 'LifecycleConfigName' }] }
          : {}),
      },
      tags: tagListToMap(p.tags),
    };
  },
  UpdateNotebookInstance(ctx) {
    const p = parseOrThrow(updateNotebookParams, ctx.params, P);
    const settings: NormalizedChange['settings'] = {};
    if (p.rootAccess) settings.rootAccess = p.rootAccess;
    Object.assign(settings, reportedSettings(p, ctx.warn));
    // On update there is no default: absent means unchanged.
    const imds = p.instanceMetadataServiceConfiguration?.minimumInstanceMetadataServiceVersion;
    if (imds) settings.imdsMinimumVersion = imds;
    if (p.lifecycleConfigName)
      settings.lifecycleAttachments = [{ name: p.lifecycleConfigName, where: 'LifecycleConfigName' }];
    return { ...ctx.base, operation: 'update', resource: notebookRef(p.notebookInstanceName, ctx), settings };
  },
  StartNotebookInstance(ctx) {
    const p = parseOrThrow(notebookNameParams, ctx.params, P);
    return {
      ...ctx.base,
      operation: 'start',
      resource: notebookRef(p.notebookInstanceName, ctx),
      settings: {},
    };
  },
  CreateUserProfile(ctx) {
    const p = parseOrThrow(createUserProfileParams, ctx.params, P);
    const arn = ctx.response?.userProfileArn;
    return {
      ...ctx.base,
      operation: 'create',
      resource: {
        type: 'user-profile',
        name: p.userProfileName,
        domainId: p.domainId,
        arn:
          typeof arn === 'string' && arn
            ? arn
            : userProfileArn(ctx.region, ctx.account, p.domainId, p.userProfileName, ctx.scope.partition),
      },
      // No own execution role means the profile uses the domain's default.
      settings: withAttachments(
        { executionRole: p.userSettings?.executionRole ?? null },
        studioAttachments(ctx),
      ),
      tags: tagListToMap(p.tags),
    };
  },
  UpdateUserProfile(ctx) {
    const p = parseOrThrow(updateUserProfileParams, ctx.params, P);
    const role = p.userSettings?.executionRole;
    return {
      ...ctx.base,
      operation: 'update',
      resource: {
        type: 'user-profile',
        name: p.userProfileName,
        domainId: p.domainId,
        arn: userProfileArn(ctx.region, ctx.account, p.domainId, p.userProfileName, ctx.scope.partition),
      },
      settings: withAttachments(role ? { executionRole: role } : {}, studioAttachments(ctx)),
    };
  },
  CreateDomain(ctx) {
    const p = parseOrThrow(createDomainParams, ctx.params, P);
    const r = parseOrThrow(createDomainResponse, ctx.response ?? {}, 'detail.responseElements');
    const domainId = r.domainArn.split('/').pop() ?? '';
    return {
      ...ctx.base,
      operation: 'create',
      resource: { type: 'domain', name: p.domainName, domainId, arn: r.domainArn },
      settings: {
        appNetworkAccessType: p.appNetworkAccessType ?? 'PublicInternetOnly',
        kmsKeyId: p.kmsKeyId ?? null,
        subnetIds: p.subnetIds ?? [],
        vpcId: p.vpcId ?? null,
        executionRole: p.defaultUserSettings?.executionRole ?? null,
        // Omitted: DISABLED, CloudTrail does not name the Studio user behind execution-role calls.
        executionRoleIdentityConfig: p.domainSettings?.executionRoleIdentityConfig ?? 'DISABLED',
        ...withAttachments({}, studioAttachments(ctx)),
      },
      tags: tagListToMap(p.tags),
    };
  },
  UpdateDomain(ctx) {
    const p = parseOrThrow(updateDomainParams, ctx.params, P);
    const settings: NormalizedChange['settings'] = {};
    if (p.appNetworkAccessType) settings.appNetworkAccessType = p.appNetworkAccessType;
    if (p.defaultUserSettings?.executionRole) settings.executionRole = p.defaultUserSettings.executionRole;
    const identity = p.domainSettingsForUpdate?.executionRoleIdentityConfig;
    if (identity) settings.executionRoleIdentityConfig = identity;
    return {
      ...ctx.base,
      operation: 'update',
      resource: {
        type: 'domain',
        name: p.domainId,
        domainId: p.domainId,
        arn: domainArn(ctx.region, ctx.account, p.domainId, ctx.scope.partition),
      },
      settings: withAttachments(settings, studioAttachments(ctx)),
    };
  },
  AddTags(ctx) {
    const p = parseOrThrow(addTagsParams, ctx.params, P);
    const resource = locateTaggedResource(p.resourceArn);
    if (typeof resource === 'string') return resource;
    return { ...ctx.base, operation: 'add-tags', resource, settings: {}, tagsSet: tagListToMap(p.tags) };
  },
  DeleteTags(ctx) {
    const p = parseOrThrow(deleteTagsParams, ctx.params, P);
    const resource = locateTaggedResource(p.resourceArn);
    if (typeof resource === 'string') return resource;
    return { ...ctx.base, operation: 'delete-tags', resource, settings: {}, tagsRemoved: p.tagKeys };
  },
  CreateSpace: (ctx) => spaceChange('create')(ctx),
  UpdateSpace: (ctx) => spaceChange('update')(ctx),
  CreateApp(ctx) {
    const p = parseOrThrow(createAppParams, ctx.params, P);
    const owner = p.userProfileName ?? p.spaceName;
    if (!owner)
      throw new InvalidField(`${P}.userProfileName`, 'either userProfileName or spaceName is required');
    const { domainId, appType, appName: name } = p;
    return {
      ...ctx.base,
      operation: 'create',
      resource: {
        type: 'app',
        name,
        domainId,
        owner,
        appType,
        arn: responseArn(ctx, 'appArn') ?? appArn(ctx.region, ctx.account, domainId, owner, appType, name),
      },
      settings: withAttachments({}, studioAttachments(ctx)),
      tags: tagListToMap(p.tags),
    };
  },
  CreateAppImageConfig: (ctx) => appImageConfigChange('create')(ctx),
  UpdateAppImageConfig: (ctx) => appImageConfigChange('update')(ctx),
  CreatePresignedDomainUrl(ctx) {
    const p = parseOrThrow(presignedDomainUrlParams, ctx.params, P);
    return {
      ...ctx.base,
      operation: 'presigned-url',
      resource: {
        type: 'user-profile',
        name: p.userProfileName,
        domainId: p.domainId,
        arn: userProfileArn(ctx.region, ctx.account, p.domainId, p.userProfileName),
      },
      // Never the AuthorizedUrl of the response: it is a sign-in credential.
      settings: {},
    };
  },
  CreateNotebookInstanceLifecycleConfig: (ctx) => notebookLifecycleConfigChange('create')(ctx),
  UpdateNotebookInstanceLifecycleConfig: (ctx) => notebookLifecycleConfigChange('update')(ctx),
  CreateStudioLifecycleConfig(ctx) {
    const p = parseOrThrow(studioLifecycleConfigParams, ctx.params, P);
    const script = { hook: p.studioLifecycleConfigAppType, content: p.studioLifecycleConfigContent };
    return {
      ...ctx.base,
      operation: 'create',
      resource: namedRef(
        ctx,
        'studio-lifecycle-config',
        p.studioLifecycleConfigName,
        'studioLifecycleConfigArn',
      ),
      settings: { lifecycleScripts: hashScripts([script]) },
      tags: tagListToMap(p.tags),
    };
  },
};

type Operation = 'create' | 'update';
/** Tags are given only at creation; an update leaves them as they are. */
const createdTags = (operation: Operation, tags: TagList | undefined) =>
  operation === 'create' ? { tags: tagListToMap(tags) } : {};

function spaceChange(operation: Operation) {
  return (ctx: RecordContext): NormalizedChange => {
    const p = parseOrThrow(spaceParams, ctx.params, P);
    const arn = responseArn(ctx, 'spaceArn') ?? spaceArn(ctx.region, ctx.account, p.domainId, p.spaceName);
    return {
      ...ctx.base,
      operation,
      resource: { type: 'space', name: p.spaceName, domainId: p.domainId, arn },
      settings: withAttachments({}, studioAttachments(ctx)),
      ...createdTags(operation, p.tags),
    };
  };
}

function appImageConfigChange(operation: Operation) {
  return (ctx: RecordContext): NormalizedChange => {
    const p = parseOrThrow(appImageConfigParams, ctx.params, P);
    const runAs = imageRunAs(p);
    return {
      ...ctx.base,
      operation,
      resource: namedRef(ctx, 'app-image-config', p.appImageConfigName, 'appImageConfigArn'),
      // The image configs given replace the old ones. An update giving none leaves them: only a live read tells;
      // a create giving none has no image, so no run-as user.
      settings: runAs.length > 0 || operation === 'create' ? { imageRunAs: runAs } : {},
      ...createdTags(operation, p.tags),
    };
  };
}

function notebookLifecycleConfigChange(operation: Operation) {
  return (ctx: RecordContext): NormalizedChange => {
    const p = parseOrThrow(notebookLifecycleConfigParams, ctx.params, P);
    const hooks = [
      ...(p.onCreate ?? []).map((h) => ({ hook: 'OnCreate', content: h.content })),
      ...(p.onStart ?? []).map((h) => ({ hook: 'OnStart', content: h.content })),
    ];
    return {
      ...ctx.base,
      operation,
      resource: namedRef(
        ctx,
        'notebook-instance-lifecycle-config',
        p.notebookInstanceLifecycleConfigName,
        'notebookInstanceLifecycleConfigArn',
      ),
      settings: { lifecycleScripts: hashScripts(hooks) },
      ...createdTags(operation, p.tags),
    };
  };
}

/** Where a create call's resource can be found when CloudTrail dropped requestParameters. */
function locateFromResponse(eventName: string, ctx: RecordContext): ResourceRef | undefined {
  const r = ctx.response ?? {};
  const arn = [
    r.notebookInstanceArn,
    r.userProfileArn,
    r.domainArn,
    r.spaceArn,
    r.appArn,
    r.appImageConfigArn,
    r.notebookInstanceLifecycleConfigArn,
    r.studioLifecycleConfigArn,
  ].find((v) => typeof v === 'string');
  if (typeof arn !== 'string') return undefined;
  const ref = locateTaggedResource(arn);
  if (typeof ref === 'string') return undefined;
  return eventName.startsWith('Create') ? ref : undefined;
}

function normalizeRecord(input: unknown): NormalizeResult {
  const envelope = parseOrThrow(cloudTrailEventSchema, input, '$');
  const record = envelope.detail;
  const meta = { eventId: record.eventID, eventName: record.eventName };
  const warnings: string[] = [];
  const warn: Warn = (path, reason) => warnings.push(`$.${path}: ${reason}`);
  const actor = normalizeActor(record.userIdentity, warn);
  // Event names collide across services (ELB AddTags, OpenSearch CreateDomain): the source decides.
  if (record.eventSource !== SAGEMAKER_EVENT_SOURCE) {
    return { kind: 'skipped', ...meta, actor, reason: `eventSource ${record.eventSource} is not SageMaker` };
  }
  if (record.errorCode) {
    return {
      kind: 'skipped',
      ...meta,
      actor,
      reason: `the call failed (${record.errorCode}): nothing changed`,
    };
  }
  if (record.readOnly === true && !HANDLED_EVEN_IF_READ_ONLY.includes(record.eventName))
    return { kind: 'skipped', ...meta, actor, reason: 'read-only call' };
  if (record.readOnly !== undefined && typeof record.readOnly !== 'boolean')
    warn('detail.readOnly', `expected a boolean, received ${shapeOf(record.readOnly)}: treated as a write`);
  if (!(HANDLED_EVENT_NAMES as readonly string[]).includes(record.eventName)) {
    return { kind: 'skipped', ...meta, actor, reason: `event ${record.eventName} is not handled` };
  }
  const account = record.recipientAccountId ?? envelope.account;
  const params = record.requestParameters ?? {};
  const response = record.responseElements ?? null;
  // The partition from the resource's own ARN in the event, else from the region.
  const scope = scopeOf(
    record.awsRegion,
    account,
    ...[params.resourceArn, response?.notebookInstanceArn, response?.userProfileArn, response?.domainArn].map(
      (v) => (typeof v === 'string' ? v : undefined),
    ),
  );
  const ctx: RecordContext = {
    record,
    params,
    response,
    account,
    region: record.awsRegion,
    warn,
    scope,
    base: {
      eventId: record.eventID,
      eventTime: record.eventTime,
      eventName: record.eventName,
      partition: scope.partition,
      account,
      region: record.awsRegion,
      actor,
    },
  };
  if (record.requestParameters == null) {
    // Over 100 KB: CloudTrail omits the parameters. Not invalid; only a live read can evaluate it.
    const resource = locateFromResponse(record.eventName, ctx);
    if (!resource) {
      return {
        kind: 'skipped',
        ...meta,
        actor,
        reason:
          'requestParameters omitted by CloudTrail and the resource cannot be located from the response',
      };
    }
    return {
      kind: 'change',
      change: {
        ...ctx.base,
        operation: 'create',
        resource,
        settings: {},
        parametersOmitted: true,
      },
    };
  }
  const normalized = RECORD_NORMALIZERS[record.eventName as HandledEventName](ctx);
  if (typeof normalized === 'string') return { kind: 'skipped', ...meta, actor, reason: normalized };
  return { kind: 'change', change: withWarnings(normalized, warnings) };
}

function normalizeStateChange(input: unknown): NormalizeResult {
  const envelope = parseOrThrow(notebookStateChangeEventSchema, input, '$');
  const d = envelope.detail;
  const settings: NormalizedChange['settings'] = {
    status: d.NotebookInstanceStatus,
    directInternetAccess: d.DirectInternetAccess ?? 'Enabled',
    subnetId: d.SubnetId ?? null,
    kmsKeyId: d.KmsKeyId ?? null,
  };
  const warnings: string[] = [];
  Object.assign(
    settings,
    reportedSettings(d, (path, reason) => warnings.push(`$.${path}: ${reason}`), 'detail', {
      roleArn: 'RoleArn',
      instanceType: 'InstanceType',
    }),
  );
  return {
    kind: 'change',
    change: withWarnings(
      {
        eventId: envelope.id,
        eventTime: envelope.time,
        eventName: `NotebookInstanceStateChange:${d.NotebookInstanceStatus}`,
        partition: scopeOf(envelope.region, envelope.account, d.NotebookInstanceArn).partition,
        account: envelope.account,
        region: envelope.region,
        operation: 'state-change',
        // Not an API call: SageMaker itself reports the new state.
        actor: { type: 'AWSService', invokedBy: 'sagemaker.amazonaws.com' },
        resource: { type: 'notebook-instance', arn: d.NotebookInstanceArn, name: d.NotebookInstanceName },
        settings,
        // The event carries the full tag set as a map.
        tags: d.Tags ?? {},
      },
      warnings,
    ),
  };
}

function withWarnings(change: NormalizedChange, warnings: string[]): NormalizedChange {
  return warnings.length > 0 ? { ...change, warnings } : change;
}

/** Normalizes one parsed JSON value. Never throws on bad input: it is reported as invalid with a JSON path. */
export function normalizeEvent(input: unknown): NormalizeResult {
  try {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new InvalidField('$', 'expected an EventBridge event (a JSON object)');
    }
    if (!('detail-type' in input) && 'eventSource' in input) {
      throw new InvalidField(
        '$',
        'a bare CloudTrail record: wrap it in its EventBridge envelope (detail-type, detail, ...)',
      );
    }
    // The detail-type picks the schema; the chosen schema then validates envelope and detail in one pass.
    const detailType = (input as Record<string, unknown>)['detail-type'];
    if (detailType === CLOUDTRAIL_DETAIL_TYPE) return normalizeRecord(input);
    if (detailType === STATE_CHANGE_DETAIL_TYPE) return normalizeStateChange(input);
    const envelope = parseOrThrow(envelopeSchema, input, '$');
    return {
      kind: 'skipped',
      eventId: envelope.id,
      reason: `detail-type "${envelope['detail-type']}" is not handled`,
    };
  } catch (error) {
    if (error instanceof InvalidField) {
      const path = error.path.startsWith('$') ? error.path : `$.${error.path}`;
      const ids = extractIds(input);
      return { kind: 'invalid', path, reason: error.message, ...ids };
    }
    throw error;
  }
}

function extractIds(input: unknown): { eventId?: string; eventName?: string } {
  const ids: { eventId?: string; eventName?: string } = {};
  if (typeof input !== 'object' || input === null) return ids;
  const env = input as Record<string, unknown>;
  const detail = (typeof env.detail === 'object' && env.detail !== null ? env.detail : {}) as Record<
    string,
    unknown
  >;
  const id = detail.eventID ?? env.id;
  if (typeof id === 'string') ids.eventId = id;
  if (typeof detail.eventName === 'string') ids.eventName = detail.eventName;
  return ids;
}
