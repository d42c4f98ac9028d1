// Schemas for what EventBridge delivers. Plain z.object ignores unknown fields (AWS adds fields over time and we
// must not reject them) without copying them: the code reads only the fields named here.
import * as z from 'zod/mini';
import '../zod.ts';
import { NOTEBOOK_STATUSES } from '../types.ts';

export const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';
export const STATE_CHANGE_DETAIL_TYPE = 'SageMaker Notebook Instance State Change';
export const SAGEMAKER_EVENT_SOURCE = 'sagemaker.amazonaws.com';

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
/** An object whose members are validated later, by the schema of the event that carries it: no copy made here. */
const objectToValidateLater = z.custom<Record<string, unknown>>(
  isPlainObject,
  'Invalid input: expected object',
);

const envelopeFields = {
  version: z.optional(z.string()),
  id: z.string().check(z.minLength(1)),
  'detail-type': z.string().check(z.minLength(1)),
  source: z.string().check(z.minLength(1)),
  account: z.string().check(z.minLength(1)),
  time: z.string().check(z.minLength(1)),
  region: z.string().check(z.minLength(1)),
  resources: z.optional(z.array(z.string())),
};

/** Any EventBridge event: enough to say which detail-type it is. */
export const envelopeSchema = z.object({ ...envelopeFields, detail: objectToValidateLater });
export type Envelope = z.infer<typeof envelopeSchema>;

/**
 * A field only reported, never acted on (who, MFA, instance type...): any shape passes here, and normalize.ts
 * keeps it when it has the expected type or drops it with a warning. An odd reporting field never stops
 * enforcement; only what the checks and actions need is validated strictly.
 */
const reportingOnly = z.optional(z.unknown());

const sessionContextSchema = z.object({
  sessionIssuer: z.optional(z.object({ type: reportingOnly, arn: z.optional(z.string()) })),
  attributes: reportingOnly,
  sourceIdentity: reportingOnly,
});

export const userIdentitySchema = z.object({
  type: z.string().check(z.minLength(1)),
  arn: z.optional(z.string()),
  principalId: reportingOnly,
  accountId: z.optional(z.string()),
  userName: z.optional(z.string()),
  invokedBy: reportingOnly,
  credentialId: reportingOnly,
  sessionContext: z.optional(sessionContextSchema),
  onBehalfOf: reportingOnly,
});

export const cloudTrailRecordSchema = z.object({
  eventVersion: reportingOnly,
  userIdentity: userIdentitySchema,
  eventTime: z.string().check(z.minLength(1)),
  eventSource: z.string().check(z.minLength(1)),
  eventName: z.string().check(z.minLength(1)),
  awsRegion: z.string().check(z.minLength(1)),
  eventID: z.string().check(z.minLength(1)),
  recipientAccountId: z.optional(z.string()),
  // Only `true` skips the event: any other value is enforced (and warned about in normalize.ts).
  readOnly: reportingOnly,
  errorCode: z.optional(z.string()),
  errorMessage: reportingOnly,
  // null when CloudTrail omitted them (over 100 KB) or when the call failed.
  requestParameters: z.optional(z.nullable(objectToValidateLater)),
  responseElements: z.optional(z.nullable(objectToValidateLater)),
});
export type CloudTrailRecord = z.infer<typeof cloudTrailRecordSchema>;

/** A CloudTrail API call as EventBridge delivers it: envelope and record validated in one pass. */
export const cloudTrailEventSchema = z.object({ ...envelopeFields, detail: cloudTrailRecordSchema });

// CloudTrail records tags as [{key, value}]; the SDK shape {Key, Value} is accepted too (aws-facts: be tolerant).
// A missing value is an empty string, as AWS stores it.
const tagSchema = z.union([
  z.object({
    key: z.string().check(z.minLength(1), z.maxLength(128)),
    value: z.optional(z.string().check(z.maxLength(256))),
  }),
  z.object({
    Key: z.string().check(z.minLength(1), z.maxLength(128)),
    Value: z.optional(z.string().check(z.maxLength(256))),
  }),
]);
export const tagListSchema = z.array(tagSchema).check(z.maxLength(50));
const enabledDisabled = z.enum(['Enabled', 'Disabled']);

// InstanceMetadataServiceConfiguration (notebook instances): "1" or "2" (the API's pattern is `1|2`).
const imdsConfigSchema = z.object({
  minimumInstanceMetadataServiceVersion: z.optional(z.enum(['1', '2'])),
});

export const createNotebookParams = z.object({
  notebookInstanceName: z.string().check(z.minLength(1)),
  instanceType: reportingOnly,
  roleArn: reportingOnly,
  subnetId: z.optional(z.string()),
  securityGroupIds: reportingOnly,
  kmsKeyId: z.optional(z.string()),
  directInternetAccess: z.optional(enabledDisabled),
  rootAccess: z.optional(enabledDisabled),
  instanceMetadataServiceConfiguration: z.optional(imdsConfigSchema),
  lifecycleConfigName: z.optional(z.string()),
  tags: z.optional(tagListSchema),
});
export const updateNotebookParams = z.object({
  notebookInstanceName: z.string().check(z.minLength(1)),
  instanceType: reportingOnly,
  roleArn: reportingOnly,
  rootAccess: z.optional(enabledDisabled),
  instanceMetadataServiceConfiguration: z.optional(imdsConfigSchema),
  lifecycleConfigName: z.optional(z.string()),
});
export const notebookNameParams = z.object({ notebookInstanceName: z.string().check(z.minLength(1)) });

const userSettingsSchema = z.object({ executionRole: z.optional(z.string()) });
const domainSettingsSchema = z.object({
  executionRoleIdentityConfig: z.optional(z.enum(['USER_PROFILE_NAME', 'DISABLED'])),
});
export const createUserProfileParams = z.object({
  domainId: z.string().check(z.minLength(1)),
  userProfileName: z.string().check(z.minLength(1)),
  userSettings: z.optional(userSettingsSchema),
  tags: z.optional(tagListSchema),
});
export const updateUserProfileParams = z.object({
  domainId: z.string().check(z.minLength(1)),
  userProfileName: z.string().check(z.minLength(1)),
  userSettings: z.optional(userSettingsSchema),
});
export const createDomainParams = z.object({
  domainName: z.string().check(z.minLength(1)),
  appNetworkAccessType: z.optional(z.enum(['PublicInternetOnly', 'VpcOnly'])),
  kmsKeyId: z.optional(z.string()),
  subnetIds: z.optional(z.array(z.string())),
  vpcId: z.optional(z.string()),
  defaultUserSettings: z.optional(userSettingsSchema),
  domainSettings: z.optional(domainSettingsSchema),
  tags: z.optional(tagListSchema),
});
export const createDomainResponse = z.object({ domainArn: z.string().check(z.minLength(1)) });
export const updateDomainParams = z.object({
  domainId: z.string().check(z.minLength(1)),
  appNetworkAccessType: z.optional(z.enum(['PublicInternetOnly', 'VpcOnly'])),
  defaultUserSettings: z.optional(userSettingsSchema),
  // UpdateDomain names the member DomainSettingsForUpdate.
  domainSettingsForUpdate: z.optional(domainSettingsSchema),
});

const name63 = z.string().check(z.minLength(1), z.maxLength(63));
export const spaceParams = z.object({
  domainId: z.string().check(z.minLength(1)),
  spaceName: name63,
  tags: z.optional(tagListSchema),
});
export const createAppParams = z.object({
  domainId: z.string().check(z.minLength(1)),
  userProfileName: z.optional(name63),
  spaceName: z.optional(name63),
  appType: z.string().check(z.minLength(1)),
  appName: name63,
  tags: z.optional(tagListSchema),
});
// FileSystemConfig: DefaultUid / DefaultGid are integers 0-65535 (defaults 1000 / 100).
const posixId = z
  .number()
  .check(z.refine((n) => Number.isInteger(n) && n >= 0 && n <= 65535, 'must be an integer from 0 to 65535'));
const fileSystemConfigSchema = z.object({
  defaultUid: z.optional(posixId),
  defaultGid: z.optional(posixId),
});
const imageConfigSchema = z.optional(z.object({ fileSystemConfig: z.optional(fileSystemConfigSchema) }));
export const appImageConfigParams = z.object({
  appImageConfigName: name63,
  kernelGatewayImageConfig: imageConfigSchema,
  jupyterLabAppImageConfig: imageConfigSchema,
  codeEditorAppImageConfig: imageConfigSchema,
  tags: z.optional(tagListSchema),
});
// A script may be missing from the record (CloudTrail can leave out sensitive or large members): then unknown.
const hookListSchema = z.optional(
  z.array(z.object({ content: z.optional(z.string()) })).check(z.maxLength(1)),
);
export const notebookLifecycleConfigParams = z.object({
  notebookInstanceLifecycleConfigName: name63,
  onCreate: hookListSchema,
  onStart: hookListSchema,
  tags: z.optional(tagListSchema),
});
export const studioLifecycleConfigParams = z.object({
  studioLifecycleConfigName: name63,
  studioLifecycleConfigAppType: z.string().check(z.minLength(1)),
  studioLifecycleConfigContent: z.optional(z.string()),
  tags: z.optional(tagListSchema),
});
export const presignedDomainUrlParams = z.object({
  domainId: z.string().check(z.minLength(1)),
  userProfileName: z.string().check(z.minLength(1)),
  spaceName: z.optional(z.string()),
});
export const addTagsParams = z.object({ resourceArn: z.string().check(z.minLength(1)), tags: tagListSchema });
export const deleteTagsParams = z.object({
  resourceArn: z.string().check(z.minLength(1)),
  tagKeys: z.array(z.string().check(z.minLength(1))).check(z.maxLength(50)),
});

// "SageMaker Notebook Instance State Change": PascalCase keys, Tags as a map, no RootAccess.
export const notebookStateChangeSchema = z.object({
  NotebookInstanceArn: z.string().check(z.minLength(1)),
  NotebookInstanceName: z.string().check(z.minLength(1)),
  NotebookInstanceStatus: z.enum(NOTEBOOK_STATUSES),
  DirectInternetAccess: z.optional(enabledDisabled),
  KmsKeyId: z.optional(z.string()),
  SubnetId: z.optional(z.string()),
  RoleArn: reportingOnly,
  InstanceType: reportingOnly,
  Tags: z.optional(z.record(z.string(), z.string())),
});

export type TagList = z.infer<typeof tagListSchema>;

/** SageMaker's own notebook state-change event. */
export const notebookStateChangeEventSchema = z.object({
  ...envelopeFields,
  detail: notebookStateChangeSchema,
});
