// KMS (JSON 1.1): enough of keys and aliases for "which key is this, who manages it, is it usable".
import { randomUUID } from 'node:crypto';
import { ApiError } from './errors.ts';
import { optNumber, optString, reqString } from './params.ts';
import { type KmsKey, nowSeconds, partitionOf, type State } from './state.ts';
import type { Params, RequestContext, ServiceHandlers } from './types.ts';

export interface KeyInput {
  keyId?: string;
  region: string;
  accountId: string;
  manager?: KmsKey['manager'];
  state?: KmsKey['state'];
  description?: string;
  aliases?: string[];
}

const notFound = (message: string): ApiError => new ApiError('NotFoundException', message);
const aliasArn = (region: string, account: string, alias: string): string =>
  `arn:${partitionOf(region)}:kms:${region}:${account}:${alias}`;

export function createKey(state: State, input: KeyInput): KmsKey {
  const keyId = input.keyId ?? randomUUID();
  const key: KmsKey = {
    keyId,
    arn: `arn:${partitionOf(input.region)}:kms:${input.region}:${input.accountId}:key/${keyId}`,
    accountId: input.accountId,
    region: input.region,
    manager: input.manager ?? 'CUSTOMER',
    state: input.state ?? 'Enabled',
    description: input.description ?? '',
    createdAt: nowSeconds(),
  };
  state.kmsKeys.set(key.arn, key);
  for (const alias of input.aliases ?? []) addAlias(state, alias, key);
  return key;
}

function addAlias(state: State, alias: string, key: KmsKey): void {
  if (!alias.startsWith('alias/'))
    throw new ApiError('ValidationException', `Alias must start with the prefix "alias/".`);
  const arn = aliasArn(key.region, key.accountId, alias);
  if (state.kmsAliases.has(arn))
    throw new ApiError('AlreadyExistsException', `An alias with the name ${arn} already exists`);
  state.kmsAliases.set(arn, key.arn);
}

/** Accepts the four forms KMS accepts: key id, key ARN, alias name, alias ARN. */
export function resolveKey(
  state: State,
  keyRef: string,
  ctx: Pick<RequestContext, 'region' | 'accountId'>,
): KmsKey {
  if (keyRef.startsWith('arn:')) {
    const m = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(key\/.+|alias\/.+)$/.exec(keyRef);
    if (!m) throw new ApiError('InvalidArnException', `ARN ${keyRef} is not a valid KMS key or alias ARN`);
    const [, region = '', account = '', resource = ''] = m;
    return resource.startsWith('alias/')
      ? aliasTarget(state, resource, { region, accountId: account }, ctx)
      : keyByArn(state, keyRef);
  }
  if (keyRef.startsWith('alias/')) return aliasTarget(state, keyRef, ctx, ctx);
  return keyByArn(state, `arn:${partitionOf(ctx.region)}:kms:${ctx.region}:${ctx.accountId}:key/${keyRef}`);
}

function keyByArn(state: State, arn: string): KmsKey {
  const key = state.kmsKeys.get(arn);
  if (!key) throw notFound(`Key '${arn}' does not exist`);
  return key;
}

function aliasTarget(
  state: State,
  alias: string,
  where: { region: string; accountId: string },
  caller: { region: string; accountId: string },
): KmsKey {
  const arn = aliasArn(where.region, where.accountId, alias);
  const target = state.kmsAliases.get(arn);
  if (target) return keyByArn(state, target);
  // AWS creates an AWS managed key the first time a predefined alias/aws/<service> is used in the caller's
  // own account. We accept any service name rather than keep AWS's list.
  const service = /^alias\/aws\/([a-z0-9-]+)$/.exec(alias)?.[1];
  if (service && where.accountId === caller.accountId) {
    return createKey(state, {
      ...where,
      manager: 'AWS',
      description: `Default key that protects my ${service} data when no other key is defined`,
      aliases: [alias],
    });
  }
  throw notFound(`Alias ${arn} is not found.`);
}

export function keyMetadata(key: KmsKey): Params {
  return {
    AWSAccountId: key.accountId,
    KeyId: key.keyId,
    Arn: key.arn,
    CreationDate: key.createdAt,
    Enabled: key.state === 'Enabled',
    Description: key.description,
    KeyUsage: 'ENCRYPT_DECRYPT',
    KeyState: key.state,
    Origin: 'AWS_KMS',
    KeyManager: key.manager,
    CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
    KeySpec: 'SYMMETRIC_DEFAULT',
    EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    MultiRegion: false,
  };
}

export function kmsHandlers(state: State): ServiceHandlers {
  return {
    DescribeKey: (p, ctx) => ({ KeyMetadata: keyMetadata(resolveKey(state, reqString(p, 'KeyId'), ctx)) }),
    CreateKey(p, ctx) {
      const key = createKey(state, {
        region: ctx.region,
        accountId: ctx.accountId,
        description: optString(p, 'Description'),
      });
      return { KeyMetadata: keyMetadata(key) };
    },
    CreateAlias(p, ctx) {
      const alias = reqString(p, 'AliasName');
      if (alias.startsWith('alias/aws/'))
        throw new ApiError(
          'NotAuthorizedException',
          'Cannot create an alias with the reserved prefix alias/aws/',
        );
      addAlias(state, alias, resolveKey(state, reqString(p, 'TargetKeyId'), ctx));
      return {};
    },
    ListAliases(p, ctx) {
      const keyFilter = optString(p, 'KeyId');
      const filterArn = keyFilter ? resolveKey(state, keyFilter, ctx).arn : undefined;
      const prefix = `arn:${partitionOf(ctx.region)}:kms:${ctx.region}:${ctx.accountId}:`;
      const all = [...state.kmsAliases]
        .filter(([arn, target]) => arn.startsWith(prefix) && (!filterArn || target === filterArn))
        .map(([arn, target]) => ({
          AliasName: arn.slice(prefix.length),
          AliasArn: arn,
          TargetKeyId: state.kmsKeys.get(target)?.keyId,
        }));
      // KMS paginates with Limit/Marker/Truncated rather than NextToken.
      const start = Number(optString(p, 'Marker') ?? 0) || 0;
      const end = start + (optNumber(p, 'Limit') ?? 50);
      return {
        Aliases: all.slice(start, end),
        Truncated: end < all.length,
        NextMarker: end < all.length ? String(end) : undefined,
      };
    },
  };
}
