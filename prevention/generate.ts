// `generate-policies`: the preventive documents for a policy, sized as AWS measures them, validated against AWS's
// service reference data before anything is written.
import type { Policy } from '#core/policy';
import { coverageMarkdown } from './coverage.ts';
import { denyStatements, type PolicyDocument, type Statement, studioAccessPolicy } from './statements.ts';
import { validatePolicyDocument } from './validate.ts';

/**
 * Organizations limits an SCP to 5,120 characters and counts the document as it is sent: the console strips the
 * whitespace outside strings, the API and CLI (`--content file://scp.json`) keep it. SCPs are therefore written
 * minified, without a trailing newline, and measured in UTF-8 bytes (never fewer than the characters).
 */
export const SCP_MAX_SIZE = 5120;
/** IAM managed policies: 6,144 characters, whitespace not counted (IAM and STS quotas). */
export const MANAGED_POLICY_MAX_SIZE = 6144;
/** SCPs per OU or account, FullAWSAccess (or the allow list replacing it) included. */
export const MAX_SCPS_PER_TARGET = 5;

export const scpSize = (document: PolicyDocument) => Buffer.byteLength(JSON.stringify(document), 'utf8');
export const managedPolicySize = (document: PolicyDocument) => JSON.stringify(document).length;

export class GenerationError extends Error {}

const documentOf = (statements: Statement[]): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: statements,
});

/** Packs statements, in order, into as few documents as the limit allows. */
export function splitStatements(
  statements: readonly Statement[],
  limit: number,
  size: (document: PolicyDocument) => number,
): PolicyDocument[] {
  const documents: Statement[][] = [];
  let current: Statement[] = [];
  for (const statement of statements) {
    if (size(documentOf([statement])) > limit) {
      throw new GenerationError(
        `statement ${statement.Sid} alone is ${size(documentOf([statement]))} characters, over the ${limit} limit: shorten its lists (allowed keys, principals, tag values)`,
      );
    }
    if (current.length > 0 && size(documentOf([...current, statement])) > limit) {
      documents.push(current);
      current = [];
    }
    current.push(statement);
  }
  if (current.length > 0) documents.push(current);
  return documents.map(documentOf);
}

export interface GeneratedFile {
  name: string;
  content: string;
}

export interface Generated {
  files: GeneratedFile[];
  warnings: string[];
}

const numbered = (base: string, documents: PolicyDocument[]) =>
  documents.map((document, index) => ({
    name: documents.length === 1 ? `${base}.json` : `${base}-${index + 1}.json`,
    document,
  }));

export async function generatePolicies(policy: Policy): Promise<Generated> {
  const parts = new Set(policy.prevention.generate);
  const statements = denyStatements(policy).map((p) => p.statement);
  const studio = studioAccessPolicy(policy);
  const problems = [
    ...(await validatePolicyDocument(documentOf(statements))),
    ...(await validatePolicyDocument(studio)),
  ];
  if (problems.length > 0) throw new GenerationError(problems.join('; '));

  const files: GeneratedFile[] = [];
  const warnings: string[] = [];
  if (statements.length === 0 && (parts.has('scp') || parts.has('identity-policy'))) {
    warnings.push(
      'the policy requires nothing a condition key can express: no SCP or identity policy written',
    );
  } else {
    if (parts.has('scp')) {
      const scps = numbered('scp', splitStatements(statements, SCP_MAX_SIZE, scpSize));
      if (scps.length > MAX_SCPS_PER_TARGET - 1) {
        warnings.push(
          `${scps.length} SCPs: an OU or account takes at most ${MAX_SCPS_PER_TARGET} including FullAWSAccess; attach them at different levels`,
        );
      }
      files.push(...scps.map(({ name, document }) => ({ name, content: JSON.stringify(document) })));
    }
    if (parts.has('identity-policy')) {
      const identity = numbered(
        'identity-policy',
        splitStatements(statements, MANAGED_POLICY_MAX_SIZE, managedPolicySize),
      );
      files.push(
        ...identity.map(({ name, document }) => ({
          name,
          content: `${JSON.stringify(document, null, 2)}\n`,
        })),
      );
    }
  }
  if (parts.has('studio-access-policy')) {
    if (managedPolicySize(studio) > MANAGED_POLICY_MAX_SIZE) {
      throw new GenerationError('studio-access-policy.json is over the 6,144-character managed policy limit');
    }
    files.push({ name: 'studio-access-policy.json', content: `${JSON.stringify(studio, null, 2)}\n` });
  }
  files.push({ name: 'coverage.md', content: coverageMarkdown(policy) });
  return { files, warnings };
}
