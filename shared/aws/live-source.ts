// The live StateSource: the resource as AWS has it now, which is what the guardrails evaluate.
import type { StateSource } from '../pipeline.ts';
import type { AwsClients } from './clients.ts';
import { PrincipalTagReader } from './iam.ts';
import { KmsKeyResolver } from './kms.ts';
import { readResourceState } from './sagemaker.ts';

export interface LiveStateSource extends StateSource {
  readonly kms: KmsKeyResolver;
  readonly principals: PrincipalTagReader;
}

export function createLiveStateSource(clients: AwsClients): LiveStateSource {
  const kms = new KmsKeyResolver(clients.kms);
  const principals = new PrincipalTagReader(clients.iam);
  return {
    kind: 'live',
    kms,
    principals,
    readState: (change) => readResourceState(clients.sagemaker, change.resource),
    resolveKmsKey: (keyId, change) => kms.resolve(keyId, change.region, change.account),
    resolveKmsAllowlist: (allowlist) => kms.resolveAliases(allowlist),
    principalTags: (actor, change) => principals.read(actor, change.account),
  };
}
