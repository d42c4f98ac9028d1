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

/** What AssumeRole needs beyond one account: the role's own account, and credentials that lead to it. */
export interface CredentialIssuer {
  /** The role by name in an account, undefined when that account has no such role. */
  role(account: string, name: string): IamPrincipal | undefined;
  /** New credentials whose calls act in `account`. */
  issue(account: string): { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
}

export function stsHandlers(state: State, issuer: CredentialIssuer): ServiceHandlers {
  return {
    GetCallerIdentity: () => ({
      UserId: 'AIDAEMULATOREXAMPLE',
      Account: state.accountId,
      Arn: `arn:aws:iam::${state.accountId}:user/emulator`,
    }),
    AssumeRole(p) {
      const roleArn = reqString(p, 'RoleArn', missing);
      const sessionName = reqString(p, 'RoleSessionName', missing);
      const duration = optNumber(p, 'DurationSeconds') ?? 3600;
      if (duration < 900 || duration > 43_200)
        throw new ApiError('ValidationError', `DurationSeconds must be between 900 and 43200: ${duration}`);
      const m = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
      const role = m ? issuer.role(m[1] ?? '', m[2] ?? '') : undefined;
      if (!m || !role) {
        // AWS says the same whether the role is missing or does not trust the caller.
        throw new ApiError(
          'AccessDenied',
          `User: arn:aws:iam::${state.accountId}:user/emulator is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
          403,
        );
      }
      const account = m[1] ?? '';
      return {
        Credentials: {
          ...issuer.issue(account),
          Expiration: new Date(Date.now() + duration * 1000),
        },
        AssumedRoleUser: {
          AssumedRoleId: `${role.id}:${sessionName}`,
          Arn: `arn:aws:sts::${account}:assumed-role/${role.name}/${sessionName}`,
        },
      };
    },
  };
}
