// IAM and STS (both awsQuery, global/regional respectively): principal tags and caller identity.
import { ApiError, missingMember } from './errors.ts';
import { optNumber, optString, reqString } from './params.ts';
import { type IamPrincipal, randomId, type State } from './state.ts';
import type { ServiceHandlers, Tag } from './types.ts';

export interface PrincipalInput {
  name: string;
  path?: string;
  tags?: Tag[];
}

const missing = (key: string): ApiError => missingMember(key, 'ValidationError');

export function createPrincipal(
  state: State,
  kind: IamPrincipal['kind'],
  input: PrincipalInput,
): IamPrincipal {
  const path = input.path ?? '/';
  const principal: IamPrincipal = {
    kind,
    name: input.name,
    path,
    arn: `arn:aws:iam::${state.accountId}:${kind}${path}${input.name}`,
    // Real ids start AROA (roles) / AIDA (users) followed by 17 upper-case characters.
    id: (kind === 'role' ? 'AROA' : 'AIDA') + randomId(17, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'),
    createdAt: Date.now(),
    tags: (input.tags ?? []).map((t) => ({ ...t })),
  };
  (kind === 'role' ? state.roles : state.users).set(input.name, principal);
  return principal;
}

function find(state: State, kind: IamPrincipal['kind'], name: string): IamPrincipal {
  const p = (kind === 'role' ? state.roles : state.users).get(name);
  if (!p) throw new ApiError('NoSuchEntity', `The ${kind} with name ${name} cannot be found.`, 404);
  return p;
}

/** IAM paginates with Marker/MaxItems (default 100) and reports IsTruncated. */
function tagPage(tags: Tag[], marker: string | undefined, maxItems: number | undefined) {
  const start = Number(marker ?? 0) || 0;
  const end = start + (maxItems ?? 100);
  const truncated = end < tags.length;
  return {
    Tags: tags.slice(start, end),
    IsTruncated: truncated,
    Marker: truncated ? String(end) : undefined,
  };
}

export function iamHandlers(state: State): ServiceHandlers {
  return {
    ListRoleTags: (p) =>
      tagPage(
        find(state, 'role', reqString(p, 'RoleName', missing)).tags,
        optString(p, 'Marker'),
        optNumber(p, 'MaxItems'),
      ),
    ListUserTags: (p) =>
      tagPage(
        find(state, 'user', reqString(p, 'UserName', missing)).tags,
        optString(p, 'Marker'),
        optNumber(p, 'MaxItems'),
      ),
    GetRole(p) {
      const r = find(state, 'role', reqString(p, 'RoleName', missing));
      return {
        Role: {
          Path: r.path,
          RoleName: r.name,
          RoleId: r.id,
          Arn: r.arn,
          CreateDate: new Date(r.createdAt),
          Tags: r.tags.length ? r.tags : undefined,
        },
      };
    },
  };
}

export function stsHandlers(state: State): ServiceHandlers {
  return {
    GetCallerIdentity: () => ({
      UserId: 'AIDAEMULATOREXAMPLE',
      Account: state.accountId,
      Arn: `arn:aws:iam::${state.accountId}:user/emulator`,
    }),
  };
}
