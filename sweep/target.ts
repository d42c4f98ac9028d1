// Where a sweep looks: one account in one region (of one partition).
import { partitionOf } from '#core/kms';

export interface Target {
  account: string;
  region: string;
  partition: string;
}

export function target(account: string, region: string): Target {
  return { account, region, partition: partitionOf(region) };
}

export const targetKey = (t: Target): string => `${t.account}/${t.region}`;
