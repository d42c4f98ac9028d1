// A deployed stage's resources by the names serverless.yml gives them, and the exemption grants a live command
// must read: the deployed functions honour an exemption only from a grant recorded in the stage's table
// (store/exemption-grants.ts), so a live run without that table would judge every granted exemption tag forged
// and revert it.
import { AwsCallError } from '#core/aws/errors';
import type { ExemptionGrants } from '#core/exemption';
import { DynamoExemptionGrants } from '#store/exemption-grants';
import { createStoreClient } from '#store/table';
import { UsageError } from './context.ts';

export const SERVICE = 'sm-guardrails';
/** `sm-guardrails-<stage>`: the prefix of the stage's queues, topic and table (serverless.yml). */
export const stagePrefix = (stage: string): string => `${SERVICE}-${stage}`;
/** The guardrails' own table of the stage (serverless.yml's GuardrailsTable). */
export const stageTableName = (stage: string): string => `${stagePrefix(stage)}-records`;

const STAGE = /^[a-zA-Z0-9-]{1,64}$/;
const TABLE = /^[a-zA-Z0-9_.-]{3,255}$/;

export interface GrantSource {
  /** `--stage`: the deployed stage whose table holds the grants. */
  stage?: string;
  /** `--table`: the table itself (the stage's table when deployed under another name). */
  table?: string;
}

export interface ExemptionGrantsChoice {
  grants: ExemptionGrants;
  /** The table read, or undefined when the grants could not be read (a dry run without --stage or --table). */
  table?: string;
  /** What the output says about the grants. */
  note: string;
}

/** A dry run without the table: every exemption tag met is unverifiable (an AWS read that could not be made). */
export const UNREAD_GRANTS: ExemptionGrants = {
  get: async () => {
    throw new AwsCallError(
      'dynamodb:GetItem',
      'ExemptionGrantsNotRead',
      'no --stage or --table: the exemption grants were not read, so an exemption tag is unverifiable (not compliant)',
    );
  },
  put: async () => {
    throw new Error('a dry run records no exemption grant');
  },
  delete: async () => {
    throw new Error('a dry run ends no exemption grant');
  },
};

/**
 * The grant store of `--stage` or `--table` (DynamoDB, the default credential chain and region, AWS_ENDPOINT_URL
 * honoured), checked with one read before anything is evaluated. Without either: a UsageError for a run that would
 * write; the unread store (and a note saying so) for a dry run.
 */
export async function exemptionGrantsFor(
  source: GrantSource,
  options: { dryRun: boolean; command: string },
): Promise<ExemptionGrantsChoice> {
  const { stage, table } = source;
  if (stage !== undefined && table !== undefined)
    throw new UsageError('--stage and --table name the same table: give one');
  if (stage !== undefined && !STAGE.test(stage))
    throw new UsageError(`--stage: not a stage name: "${stage.slice(0, 80)}"`);
  if (table !== undefined && !TABLE.test(table))
    throw new UsageError(`--table: not a DynamoDB table name: "${table.slice(0, 80)}"`);
  const name = table ?? (stage !== undefined ? stageTableName(stage) : undefined);
  if (name === undefined) {
    if (!options.dryRun)
      throw new UsageError(
        `${options.command} changes resources: give --stage STAGE (the deployed stage's exemption grants) or --table NAME; without them every granted exemption tag would be judged forged and reverted`,
      );
    return {
      grants: UNREAD_GRANTS,
      note: 'exemption grants not read (no --stage or --table): a resource with an exemption tag is unverifiable, not compliant',
    };
  }
  const grants = new DynamoExemptionGrants(createStoreClient(), name);
  try {
    // Any key: the table must exist and be readable before a single resource is judged by it.
    await grants.get(`${SERVICE}:probe`);
  } catch (error) {
    if (!(error instanceof AwsCallError)) throw error;
    const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
    const what = stage !== undefined ? `stage "${stage}": table ${name}` : `table ${name}`;
    throw new UsageError(
      error.errorName === 'ResourceNotFoundException'
        ? `${what} not found in ${region} (the stage's region: AWS_REGION)`
        : `${what}: the exemption grants cannot be read: ${error.message}`,
    );
  }
  return { grants, table: name, note: `exemption grants read from ${name}` };
}
