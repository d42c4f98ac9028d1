// Where an event happened: its partition, account and region. The guardrails read and write the resource there
// and nowhere else (an organization deployment sees events of many accounts and regions).
import { parseSageMakerArn, partitionOf } from './arn.ts';
import type { NormalizedChange } from './types.ts';

export interface AwsLocation {
  partition: string;
  account: string;
  region: string;
}

/** The event's own location: account and region as recorded, the partition from the resource ARN (or the region). */
export function locationOf(change: Pick<NormalizedChange, 'account' | 'region' | 'resource'>): AwsLocation {
  const partition = parseSageMakerArn(change.resource.arn)?.partition ?? partitionOf(change.region);
  return { partition, account: change.account, region: change.region };
}

/**
 * Why the resource cannot be where the event says it is: its ARN names another partition, account or region
 * (SageMaker acts only on resources of the caller's own account and region). Undefined when it fits.
 */
export function misplacedResource(
  change: Pick<NormalizedChange, 'account' | 'region' | 'resource'>,
): string | undefined {
  const parsed = parseSageMakerArn(change.resource.arn);
  if (!parsed) return undefined;
  const expected = partitionOf(change.region);
  if (parsed.account !== change.account || parsed.region !== change.region || parsed.partition !== expected) {
    return `resource ${change.resource.arn} is not in the event's own ${expected} account ${change.account} and region ${change.region}: it is never looked up elsewhere`;
  }
  return undefined;
}

export const locationKey = (l: AwsLocation): string => `${l.partition}/${l.account}/${l.region}`;

export function sameLocation(a: AwsLocation, b: AwsLocation): boolean {
  return a.partition === b.partition && a.account === b.account && a.region === b.region;
}
