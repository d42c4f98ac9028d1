// The fan-out message: one per account and region of a scheduled sweep, from sweepStart to sweepWorker via SQS.
import { partitionOf } from '#core/kms';
import type { Target } from './target.ts';

export interface SweepRequest extends Target {
  kind: 'sm-guardrails/sweep';
  sweepId: string;
}

const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

export function sweepRequests(
  sweepId: string,
  accounts: readonly string[],
  regions: readonly string[],
): SweepRequest[] {
  return accounts.flatMap((account) =>
    regions.map((region) => ({
      kind: 'sm-guardrails/sweep' as const,
      sweepId,
      account,
      region,
      partition: partitionOf(region),
    })),
  );
}

/** A message body, checked: anything else is dropped with an error log (it is not ours or not whole). */
export function parseSweepRequest(body: string): SweepRequest | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  const v = value as Partial<SweepRequest> | null;
  if (
    typeof v !== 'object' ||
    v === null ||
    v.kind !== 'sm-guardrails/sweep' ||
    typeof v.sweepId !== 'string' ||
    v.sweepId.length > 200 ||
    typeof v.account !== 'string' ||
    !ACCOUNT.test(v.account) ||
    typeof v.region !== 'string' ||
    !REGION.test(v.region)
  )
    return undefined;
  return {
    kind: v.kind,
    sweepId: v.sweepId,
    account: v.account,
    region: v.region,
    partition: partitionOf(v.region),
  };
}

/** A comma-separated list from the environment, blanks dropped; each entry must match `pattern`. */
export function listFromEnvironment(value: string | undefined, name: string, pattern: RegExp): string[] {
  const items = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = items.find((item) => !pattern.test(item));
  if (bad !== undefined) throw new Error(`${name}: not valid: "${bad.slice(0, 100)}"`);
  return [...new Set(items)];
}

export const ACCOUNT_PATTERN = ACCOUNT;
export const REGION_PATTERN = REGION;
