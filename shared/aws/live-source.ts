// The live StateSource: the resource as AWS has it now, in the event's own account and region.
import { locationOf } from '../location.ts';
import type { StateSource } from '../pipeline.ts';
import type { AwsClientProvider } from './client-provider.ts';
import { PrincipalTagReader } from './iam.ts';
import { KmsKeyResolver } from './kms.ts';
import { readResourceState } from './sagemaker.ts';

export interface LiveStateSource extends StateSource {
  readonly kms: KmsKeyResolver;
  readonly principals: PrincipalTagReader;
}

export function createLiveStateSource(clients: AwsClientProvider): LiveStateSource {
  const kms = new KmsKeyResolver((location) => clients.for(location).kms);
  const principals = new PrincipalTagReader((location) => clients.for(location).iam);
  return {
    kind: 'live',
    kms,
    principals,
    readState: (change) => readResourceState(clients.for(locationOf(change)).sagemaker, change.resource),
    resolveKmsKey: (keyId, change) => kms.resolve(keyId, locationOf(change)),
    resolveKmsAllowlist: (allowlist) => kms.resolveAliases(allowlist),
    principalTags: (actor, change, options) => principals.read(actor, locationOf(change), options?.fresh),
  };
}
