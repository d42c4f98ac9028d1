// `scan --simulate PATH` input: what `aws sagemaker describe-notebook-instance`, `describe-domain` and
// `describe-user-profile` print (PascalCase), each optionally with the `Tags` list `aws sagemaker list-tags`
// prints added at the top level. Account, region and partition come from the ARN inside. Unknown fields are
// ignored (the CLI prints many more); the fields the rules read are validated.
import * as z from 'zod/mini';
import '#core/zod';
import { parseSageMakerArn } from '#core/arn';
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

type Where = { account: string; region: string; partition: string };
export type ExportedResource =
  | ({ type: 'notebook-instance'; file: string } & Where & z.infer<typeof notebookSchema>)
  | ({ type: 'domain'; file: string } & Where & z.infer<typeof domainSchema>)
  | ({ type: 'user-profile'; file: string } & Where & z.infer<typeof userProfileSchema>);

export class ExportError extends Error {}

const KINDS = [
  { key: 'NotebookInstanceArn', type: 'notebook-instance', schema: notebookSchema },
  { key: 'DomainArn', type: 'domain', schema: domainSchema },
  { key: 'UserProfileArn', type: 'user-profile', schema: userProfileSchema },
] as const;

/** One exported describe output, validated. Throws ExportError naming the file, the field and the reason. */
export function parseExport(value: unknown, file: string): ExportedResource {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ExportError(`${file}: $: expected the JSON object a describe command prints`);
  }
  // The ARN member says which describe printed it (a domain's and a profile's output both have DomainId).
  const kind = KINDS.find((k) => k.key in value && !(k.key === 'DomainArn' && 'UserProfileArn' in value));
  if (!kind) {
    throw new ExportError(
      `${file}: $: not a describe-notebook-instance, describe-domain or describe-user-profile output (no NotebookInstanceArn, DomainArn or UserProfileArn)`,
    );
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
  return { type: kind.type, file, ...where, ...parsed.data } as ExportedResource;
}
