import type { ExemptionGrant } from './exemption.ts';

// The vocabulary of the data flow:
// event -> NormalizedChange -> ResourceState -> Violation[] -> PlannedAction[] -> ActionResult[] -> Outcome.

export type ResourceType =
  | 'notebook-instance'
  | 'user-profile'
  | 'domain'
  | 'space'
  | 'app'
  | 'app-image-config'
  | 'notebook-instance-lifecycle-config'
  | 'studio-lifecycle-config';
/** The names are the resource types of SageMaker's ARNs (`arn:...:sagemaker:...:<type>/...`). */
export const RESOURCE_TYPES: readonly ResourceType[] = [
  'notebook-instance',
  'user-profile',
  'domain',
  'space',
  'app',
  'app-image-config',
  'notebook-instance-lifecycle-config',
  'studio-lifecycle-config',
];
export type LifecycleConfigType = 'notebook-instance-lifecycle-config' | 'studio-lifecycle-config';

export type EnabledDisabled = 'Enabled' | 'Disabled';
export type AppNetworkAccessType = 'PublicInternetOnly' | 'VpcOnly';
export const NOTEBOOK_STATUSES = [
  'Pending',
  'InService',
  'Stopping',
  'Stopped',
  'Failed',
  'Deleting',
  'Updating',
] as const;
export type NotebookStatus = (typeof NOTEBOOK_STATUSES)[number];

/** Who made the call. Every field is optional because CloudTrail identities differ by type (no `arn` for Identity Center users). */
export interface Actor {
  type: string;
  arn?: string;
  principalId?: string;
  accountId?: string;
  userName?: string;
  /** For an assumed-role session: the IAM role behind it. */
  roleArn?: string;
  sessionName?: string;
  sourceIdentity?: string;
  mfaAuthenticated?: boolean;
  /** Identity Center user behind a propagated identity (`userIdentity.onBehalfOf`). */
  identityCenterUserId?: string;
  identityStoreArn?: string;
  invokedBy?: string;
  credentialId?: string;
}

export interface ResourceRef {
  type: ResourceType;
  arn: string;
  name: string;
  domainId?: string;
  /** An app's owner: the user profile or space it runs for (an ARN names the owner without saying which). */
  owner?: string;
  /** An app's type (JupyterLab, KernelGateway...). */
  appType?: string;
}

export type Tags = Record<string, string>;

export type ChangeOperation =
  | 'create'
  | 'update'
  | 'start'
  | 'add-tags'
  | 'delete-tags'
  | 'state-change'
  /** CreatePresignedDomainUrl: a sign-in to Studio as a user profile. */
  | 'presigned-url';

export type ImdsVersion = '1' | '2';
export type ExecutionRoleIdentityConfig = 'USER_PROFILE_NAME' | 'DISABLED';

/** The run-as user of one custom image config (KernelGateway, JupyterLab or CodeEditor) of an app image config. */
export interface ImageRunAs {
  app: 'KernelGateway' | 'JupyterLab' | 'CodeEditor';
  /** FileSystemConfig.DefaultUid / DefaultGid, API defaults (1000 / 100) applied. */
  uid: number;
  gid: number;
}

/** A lifecycle configuration script, as far as the guardrails keep it: never its text, only a hash. */
export interface LifecycleScript {
  /** OnCreate / OnStart for notebook lifecycle configs; the app type for Studio ones. */
  hook: string;
  /** sha256 (hex) of the decoded script. */
  sha256: string;
  bytes: number;
}

/** A lifecycle configuration attached by a change: to a notebook (by name) or to Studio settings (by ARN). */
export interface LifecycleAttachment {
  /** The configuration's name (the last part of an ARN). */
  name: string;
  /** Where it was attached, e.g. `LifecycleConfigName` or `DefaultUserSettings.JupyterLabAppSettings`. */
  where: string;
}

/** Settings a call requested. On create, API defaults are applied; on update, absent means unchanged. */
export interface RequestedSettings {
  directInternetAccess?: EnabledDisabled;
  rootAccess?: EnabledDisabled;
  /** null = known to be absent. */
  subnetId?: string | null;
  securityGroupIds?: string[];
  kmsKeyId?: string | null;
  roleArn?: string;
  instanceType?: string;
  executionRole?: string | null;
  appNetworkAccessType?: AppNetworkAccessType;
  subnetIds?: string[];
  vpcId?: string | null;
  status?: NotebookStatus;
  /** InstanceMetadataServiceConfiguration.MinimumInstanceMetadataServiceVersion (create: default '1'). */
  imdsMinimumVersion?: ImdsVersion;
  /** DomainSettings.ExecutionRoleIdentityConfig (create: default DISABLED). */
  executionRoleIdentityConfig?: ExecutionRoleIdentityConfig;
  /** An app image config's run-as users (the image configs the call gave). */
  imageRunAs?: ImageRunAs[];
  /** A lifecycle configuration's scripts, hashed; null when the event does not carry them. */
  lifecycleScripts?: LifecycleScript[] | null;
  /** Lifecycle configurations this call attaches (to a notebook, domain, user profile or space). */
  lifecycleAttachments?: LifecycleAttachment[];
}

export interface NormalizedChange {
  eventId: string;
  eventTime: string;
  eventName: string;
  /** Where the resource lives: every ARN the guardrails build or match uses this partition. */
  partition: string;
  account: string;
  region: string;
  operation: ChangeOperation;
  actor: Actor;
  resource: ResourceRef;
  settings: RequestedSettings;
  /** The complete tag set the event states: the tags a resource is created with, or a state-change event's map. */
  tags?: Tags;
  /** Tags set (add-tags) or removed (delete-tags). */
  tagsSet?: Tags;
  tagsRemoved?: string[];
  /** CloudTrail dropped requestParameters (over 100 KB): only the live resource can tell. */
  parametersOmitted?: boolean;
  /** Reporting-only fields with an unexpected shape, ignored ("$.path: reason"): the change is still enforced. */
  warnings?: string[];
}

/**
 * What is known of a resource. `undefined` means unknown (offline, the event did not say);
 * `null` means known to be absent. `source` says whether this came from the event alone or a live read.
 */
export interface ResourceState {
  source: 'event' | 'live';
  ref: ResourceRef;
  status?: NotebookStatus;
  directInternetAccess?: EnabledDisabled;
  rootAccess?: EnabledDisabled;
  subnetId?: string | null;
  kmsKeyId?: string | null;
  executionRole?: string | null;
  appNetworkAccessType?: AppNetworkAccessType;
  imdsMinimumVersion?: ImdsVersion;
  executionRoleIdentityConfig?: ExecutionRoleIdentityConfig;
  imageRunAs?: ImageRunAs[];
  lifecycleScripts?: LifecycleScript[] | null;
  /** The complete tag set, when known. */
  tags?: Tags;
}

/** A KMS key as far as it could be resolved (offline from its form, live from kms:DescribeKey). */
export interface KmsKeyInfo {
  /** The identifier as the resource names it. */
  given: string;
  keyArn?: string;
  aliasArn?: string;
  manager?: 'AWS' | 'CUSTOMER';
  keyState?: string;
  /** False when the key could not be resolved (e.g. not found, access denied). */
  resolved: boolean;
  note?: string;
  /** The AWS error of a live read that failed (kms:DescribeKey AccessDenied, throttled, not found). */
  error?: string;
}

export type Severity = 'critical' | 'high' | 'medium' | 'low';

export interface Violation {
  rule: string;
  severity: Severity;
  message: string;
  /** The value seen, as a short string. */
  seen: string;
  required: string;
  fix: string;
  /** AWS cannot change this setting in place: the resource must be stopped, deleted and recreated. */
  recreateRequired?: boolean;
  /** For tag rules: the keys concerned. */
  tagKeys?: string[];
  /** For a protected tag: the value to restore (null: remove the tag). Absent when the previous value is unknown. */
  revertTo?: string | null;
}

export interface Unevaluated {
  rule: string;
  reason: string;
}

/** A rule whose AWS read failed on a live evaluation: not compliant, not known noncompliant; the admins are told. */
export interface Unverifiable {
  rule: string;
  reason: string;
  /** The AWS call and error, e.g. `kms:DescribeKey: AccessDeniedException`. */
  error: string;
}

export type ActionType = 'tag' | 'stop' | 'revert' | 'exempt' | 'notify';

export type PlannedAction =
  | { type: 'tag'; tags: Tags; untag: string[] }
  | { type: 'stop' }
  | { type: 'revert'; key: string; restoreValue: string | null }
  /** Record an exemption grant in the guardrails' store, or end one (grant null). */
  | { type: 'exempt'; resourceArn: string; grant: ExemptionGrant | null }
  | { type: 'notify' };

export type ActionStatus = 'planned' | 'done' | 'deferred' | 'failed' | 'skipped';

export interface ActionResult {
  type: ActionType;
  status: ActionStatus;
  detail?: string;
  /** AWS error name when status is failed. */
  error?: string;
}

export type Verdict = 'compliant' | 'noncompliant' | 'unverifiable' | 'skipped' | 'invalid';
