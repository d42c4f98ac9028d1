// Schemas for what EventBridge delivers. Loose objects: AWS adds fields over time and we must not reject them.
import { z } from 'zod';

export const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';
export const STATE_CHANGE_DETAIL_TYPE = 'SageMaker Notebook Instance State Change';
export const SAGEMAKER_EVENT_SOURCE = 'sagemaker.amazonaws.com';

export const envelopeSchema = z.looseObject({
  version: z.string().optional(),
  id: z.string().min(1),
  'detail-type': z.string().min(1),
  source: z.string().min(1),
  account: z.string().min(1),
  time: z.string().min(1),
  region: z.string().min(1),
  resources: z.array(z.string()).optional(),
  detail: z.record(z.string(), z.unknown()),
});
export type Envelope = z.infer<typeof envelopeSchema>;

const sessionContextSchema = z.looseObject({
  sessionIssuer: z.looseObject({ type: z.string().optional(), arn: z.string().optional() }).optional(),
  attributes: z.looseObject({ mfaAuthenticated: z.string().optional() }).optional(),
  sourceIdentity: z.string().optional(),
});

export const userIdentitySchema = z.looseObject({
  type: z.string().min(1),
  arn: z.string().optional(),
  principalId: z.string().optional(),
  accountId: z.string().optional(),
  userName: z.string().optional(),
  invokedBy: z.string().optional(),
  credentialId: z.string().optional(),
  sessionContext: sessionContextSchema.optional(),
  onBehalfOf: z.looseObject({ userId: z.string(), identityStoreArn: z.string().optional() }).optional(),
});

export const cloudTrailRecordSchema = z.looseObject({
  eventVersion: z.string().optional(),
  userIdentity: userIdentitySchema,
  eventTime: z.string().min(1),
  eventSource: z.string().min(1),
  eventName: z.string().min(1),
  awsRegion: z.string().min(1),
  eventID: z.string().min(1),
  recipientAccountId: z.string().optional(),
  readOnly: z.boolean().optional(),
  errorCode: z.string().optional(),
  errorMessage: z.string().optional(),
  // null when CloudTrail omitted them (over 100 KB) or when the call failed.
  requestParameters: z.record(z.string(), z.unknown()).nullable().optional(),
  responseElements: z.record(z.string(), z.unknown()).nullable().optional(),
});
export type CloudTrailRecord = z.infer<typeof cloudTrailRecordSchema>;

// CloudTrail records tags as [{key, value}]; the SDK shape {Key, Value} is accepted too (aws-facts: be tolerant).
// A missing value is an empty string, as AWS stores it.
const tagSchema = z.union([
  z.object({ key: z.string().min(1).max(128), value: z.string().max(256).optional() }),
  z.object({ Key: z.string().min(1).max(128), Value: z.string().max(256).optional() }),
]);
export const tagListSchema = z.array(tagSchema).max(50);
const enabledDisabled = z.enum(['Enabled', 'Disabled']);

export const createNotebookParams = z.looseObject({
  notebookInstanceName: z.string().min(1),
  instanceType: z.string().optional(),
  roleArn: z.string().optional(),
  subnetId: z.string().optional(),
  securityGroupIds: z.array(z.string()).optional(),
  kmsKeyId: z.string().optional(),
  directInternetAccess: enabledDisabled.optional(),
  rootAccess: enabledDisabled.optional(),
  tags: tagListSchema.optional(),
});
export const updateNotebookParams = z.looseObject({
  notebookInstanceName: z.string().min(1),
  instanceType: z.string().optional(),
  roleArn: z.string().optional(),
  rootAccess: enabledDisabled.optional(),
});
export const notebookNameParams = z.looseObject({ notebookInstanceName: z.string().min(1) });

const userSettingsSchema = z.looseObject({ executionRole: z.string().optional() });
export const createUserProfileParams = z.looseObject({
  domainId: z.string().min(1),
  userProfileName: z.string().min(1),
  userSettings: userSettingsSchema.optional(),
  tags: tagListSchema.optional(),
});
export const updateUserProfileParams = z.looseObject({
  domainId: z.string().min(1),
  userProfileName: z.string().min(1),
  userSettings: userSettingsSchema.optional(),
});
export const createDomainParams = z.looseObject({
  domainName: z.string().min(1),
  appNetworkAccessType: z.enum(['PublicInternetOnly', 'VpcOnly']).optional(),
  kmsKeyId: z.string().optional(),
  subnetIds: z.array(z.string()).optional(),
  vpcId: z.string().optional(),
  defaultUserSettings: userSettingsSchema.optional(),
  tags: tagListSchema.optional(),
});
export const createDomainResponse = z.looseObject({ domainArn: z.string().min(1) });
export const updateDomainParams = z.looseObject({
  domainId: z.string().min(1),
  appNetworkAccessType: z.enum(['PublicInternetOnly', 'VpcOnly']).optional(),
  defaultUserSettings: userSettingsSchema.optional(),
});
export const addTagsParams = z.looseObject({ resourceArn: z.string().min(1), tags: tagListSchema });
export const deleteTagsParams = z.looseObject({
  resourceArn: z.string().min(1),
  tagKeys: z.array(z.string().min(1)).max(50),
});

// "SageMaker Notebook Instance State Change": PascalCase keys, Tags as a map, no RootAccess.
export const notebookStateChangeSchema = z.looseObject({
  NotebookInstanceArn: z.string().min(1),
  NotebookInstanceName: z.string().min(1),
  NotebookInstanceStatus: z.enum([
    'Pending',
    'InService',
    'Stopping',
    'Stopped',
    'Failed',
    'Deleting',
    'Updating',
  ]),
  DirectInternetAccess: enabledDisabled.optional(),
  KmsKeyId: z.string().optional(),
  SubnetId: z.string().optional(),
  RoleArn: z.string().optional(),
  InstanceType: z.string().optional(),
  Tags: z.record(z.string(), z.string()).optional(),
});

export type TagList = z.infer<typeof tagListSchema>;
