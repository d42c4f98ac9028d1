// `scan --simulate PATH` input: what `aws sagemaker describe-notebook-instance`, `describe-domain`,
// `describe-user-profile`, `describe-space`, `describe-app`, `describe-app-image-config`,
// `describe-notebook-instance-lifecycle-config` and `describe-studio-lifecycle-config` print (PascalCase), each
// optionally with the `Tags` list `aws sagemaker list-tags` prints added at the top level. Account, region and partition come from the ARN inside. Unknown fields are
// ignored (the CLI prints many more); the fields the rules read are validated.
import * as z from 'zod/mini';
import '#core/zod';
import { appArn, namedResourceArn, parseSageMakerArn, sameArn, spaceArn } from '#core/arn';
import { NOTEBOOK_STATUSES } from '#core/types';

const tagList = z.optional(z.array(z.object({ Key: z.string(), Value: z.optional(z.string()) })));
const enabledDisabled = z.optional(z.enum(['Enabled', 'Disabled']));

const notebookSchema = z.object({
  NotebookInstanceArn: z.string(),
  NotebookInstanceName: z.string().check(z.minLength(1), z.maxLength(63)),
  NotebookInstanceStatus: z.optional(z.enum(NOTEBOOK_STATUSES)),
  InstanceType: z.optional(z.string()),
  RoleArn: z.optional(z.string()),
  DirectInternetAccess: enabledDisabled,
  RootAccess: enabledDisabled,
  SubnetId: z.optional(z.string()),
  SecurityGroups: z.optional(z.array(z.string())),
  KmsKeyId: z.optional(z.string()),
  InstanceMetadataServiceConfiguration: z.optional(
    z.object({ MinimumInstanceMetadataServiceVersion: z.optional(z.enum(['1', '2'])) }),
  ),
  Tags: tagList,
});

const domainSchema = z.object({
  DomainArn: z.string(),
  DomainId: z.string().check(z.minLength(1)),
  DomainName: z.optional(z.string()),
  AppNetworkAccessType: z.optional(z.enum(['PublicInternetOnly', 'VpcOnly'])),
  AuthMode: z.optional(z.enum(['IAM', 'SSO'])),
  KmsKeyId: z.optional(z.string()),
  SubnetIds: z.optional(z.array(z.string())),
  VpcId: z.optional(z.string()),
  DefaultUserSettings: z.optional(z.object({ ExecutionRole: z.optional(z.string()) })),
  DomainSettings: z.optional(
    z.object({ ExecutionRoleIdentityConfig: z.optional(z.enum(['USER_PROFILE_NAME', 'DISABLED'])) }),
  ),
  Tags: tagList,
});

const userProfileSchema = z.object({
  UserProfileArn: z.string(),
  DomainId: z.string().check(z.minLength(1)),
  UserProfileName: z.string().check(z.minLength(1)),
  UserSettings: z.optional(z.object({ ExecutionRole: z.optional(z.string()) })),
  Tags: tagList,
});

const name = z.string().check(z.minLength(1), z.maxLength(256));

const spaceSchema = z.object({
  SpaceArn: z.string(),
  DomainId: z.string().check(z.minLength(1)),
  SpaceName: name,
  SpaceDisplayName: z.optional(z.string()),
  Tags: tagList,
});

const APP_STATUSES = ['Deleted', 'Deleting', 'Failed', 'InService', 'Pending'] as const;
const appSchema = z.object({
  AppArn: z.string(),
  DomainId: z.string().check(z.minLength(1)),
  UserProfileName: z.optional(name),
  SpaceName: z.optional(name),
  AppType: z.string().check(z.minLength(1)),
  AppName: name,
  Status: z.optional(z.enum(APP_STATUSES)),
  ResourceSpec: z.optional(
    z.object({
      InstanceType: z.optional(z.string()),
      SageMakerImageArn: z.optional(z.string()),
      LifecycleConfigArn: z.optional(z.string()),
    }),
  ),
  Tags: tagList,
});

// The run-as user is what studio-image-run-as-root reads: validated as the API bounds it (0-65535).
const posixId = z.optional(z.number().check(z.int(), z.minimum(0), z.maximum(65535)));
const imageConfig = z.optional(
  z.object({
    FileSystemConfig: z.optional(
      z.object({ MountPath: z.optional(z.string()), DefaultUid: posixId, DefaultGid: posixId }),
    ),
  }),
);
const appImageConfigSchema = z.object({
  AppImageConfigArn: z.string(),
  AppImageConfigName: name,
  KernelGatewayImageConfig: imageConfig,
  JupyterLabAppImageConfig: imageConfig,
  CodeEditorAppImageConfig: imageConfig,
  Tags: tagList,
});

const hooks = z.optional(z.array(z.object({ Content: z.optional(z.string()) })));
const notebookLifecycleConfigSchema = z.object({
  NotebookInstanceLifecycleConfigArn: z.string(),
  NotebookInstanceLifecycleConfigName: name,
  OnCreate: hooks,
  OnStart: hooks,
  Tags: tagList,
});

const studioLifecycleConfigSchema = z.object({
  StudioLifecycleConfigArn: z.string(),
  StudioLifecycleConfigName: name,
  StudioLifecycleConfigContent: z.optional(z.string()),
  StudioLifecycleConfigAppType: z.optional(z.string()),
  Tags: tagList,
});

type Where = { account: string; region: string; partition: string };
type Exported<T extends string, S extends z.ZodMiniType> = { type: T; file: string } & Where & z.infer<S>;
export type ExportedResource =
  | Exported<'notebook-instance', typeof notebookSchema>
  | Exported<'domain', typeof domainSchema>
  | Exported<'user-profile', typeof userProfileSchema>
  | Exported<'space', typeof spaceSchema>
  | Exported<'app', typeof appSchema>
  | Exported<'app-image-config', typeof appImageConfigSchema>
  | Exported<'notebook-instance-lifecycle-config', typeof notebookLifecycleConfigSchema>
  | Exported<'studio-lifecycle-config', typeof studioLifecycleConfigSchema>;

export class ExportError extends Error {}

const KINDS = [
  { key: 'NotebookInstanceArn', type: 'notebook-instance', schema: notebookSchema },
  { key: 'DomainArn', type: 'domain', schema: domainSchema },
  { key: 'UserProfileArn', type: 'user-profile', schema: userProfileSchema },
  { key: 'SpaceArn', type: 'space', schema: spaceSchema },
  { key: 'AppArn', type: 'app', schema: appSchema },
  { key: 'AppImageConfigArn', type: 'app-image-config', schema: appImageConfigSchema },
  {
    key: 'NotebookInstanceLifecycleConfigArn',
    type: 'notebook-instance-lifecycle-config',
    schema: notebookLifecycleConfigSchema,
  },
  { key: 'StudioLifecycleConfigArn', type: 'studio-lifecycle-config', schema: studioLifecycleConfigSchema },
] as const;

const DESCRIBES =
  'describe-notebook-instance, describe-domain, describe-user-profile, describe-space, describe-app, describe-app-image-config, describe-notebook-instance-lifecycle-config or describe-studio-lifecycle-config';

/** One exported describe output, validated. Throws ExportError naming the file, the field and the reason. */
export function parseExport(value: unknown, file: string): ExportedResource {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ExportError(`${file}: $: expected the JSON object a describe command prints`);
  }
  // The ARN member says which describe printed it (a domain's and a profile's output both have DomainId).
  const kind = KINDS.find((k) => k.key in value && !(k.key === 'DomainArn' && 'UserProfileArn' in value));
  if (!kind) {
    throw new ExportError(`${file}: $: not a ${DESCRIBES} output (no ${KINDS.map((k) => k.key).join(', ')})`);
  }
  const parsed = kind.schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = ['$', ...(issue?.path ?? []).map(String)].join('.');
    throw new ExportError(`${file}: ${path}: ${issue?.message ?? 'invalid value'}`);
  }
  const arnValue = (parsed.data as Record<string, unknown>)[kind.key] as string;
  const arn = parseSageMakerArn(arnValue);
  if (!arn || arn.type !== kind.type) {
    throw new ExportError(
      `${file}: $.${kind.key}: not a SageMaker ${kind.type} ARN: ${arnValue.slice(0, 200)}`,
    );
  }
  const where = { account: arn.account, region: arn.region, partition: arn.partition };
  const resource = { type: kind.type, file, ...where, ...parsed.data } as ExportedResource;
  // The simulation names the resource by its members (as AWS builds the ARN): they must say what the ARN says.
  const named = namedBy(resource);
  if (named && !sameArn(named.arn, arnValue))
    throw new ExportError(
      `${file}: $.${kind.key}: names another resource than ${named.members}: ${arnValue.slice(0, 200)}`,
    );
  return resource;
}

/** The ARN a Studio resource's own members give (spaces, apps, configurations), in the exported ARN's partition. */
function namedBy(r: ExportedResource): { arn: string; members: string } | undefined {
  switch (r.type) {
    case 'space':
      return {
        arn: spaceArn(r.region, r.account, r.DomainId, r.SpaceName, r.partition),
        members: 'DomainId and SpaceName',
      };
    case 'app': {
      const owner = r.UserProfileName ?? r.SpaceName ?? '';
      return {
        arn: appArn(r.region, r.account, r.DomainId, owner, r.AppType, r.AppName, r.partition),
        members: 'DomainId, UserProfileName or SpaceName, AppType and AppName',
      };
    }
    case 'app-image-config':
      return {
        arn: namedResourceArn(r.region, r.account, r.type, r.AppImageConfigName, r.partition),
        members: 'AppImageConfigName',
      };
    case 'notebook-instance-lifecycle-config':
      return {
        arn: namedResourceArn(
          r.region,
          r.account,
          r.type,
          r.NotebookInstanceLifecycleConfigName,
          r.partition,
        ),
        members: 'NotebookInstanceLifecycleConfigName',
      };
    case 'studio-lifecycle-config':
      return {
        arn: namedResourceArn(r.region, r.account, r.type, r.StudioLifecycleConfigName, r.partition),
        members: 'StudioLifecycleConfigName',
      };
    default:
      return undefined;
  }
}
