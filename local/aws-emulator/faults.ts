// Fault injection: each request consults the registry before its handler runs.
import { ApiError } from './errors.ts';
import type { FaultSpec, Params, RequestContext, ServiceName } from './types.ts';

interface ActiveFault {
  spec: FaultSpec;
  remaining: number;
  /** Matching calls still to let through before the fault starts (`after`). */
  skip: number;
}

export type ErrorFaultKind = Exclude<FaultSpec['kind'], 'latency'>;

export interface FaultOutcome {
  delayMs: number;
  error?: ErrorFaultKind;
  errorName?: string;
}

export class FaultRegistry {
  private faults: ActiveFault[] = [];

  add(spec: FaultSpec): void {
    const persistent = spec.kind === 'accessDenied' || spec.kind === 'latency';
    this.faults.push({
      spec,
      remaining: spec.times ?? (persistent ? Number.POSITIVE_INFINITY : 1),
      skip: spec.after ?? 0,
    });
  }

  clear(): void {
    this.faults = [];
  }

  /** Consumes every matching latency fault and the first matching error fault. */
  take(service: ServiceName, operation: string, accessKeyId?: string): FaultOutcome {
    const outcome: FaultOutcome = { delayMs: 0 };
    for (const f of this.faults) {
      if (f.spec.operation !== operation || (f.spec.service && f.spec.service !== service)) continue;
      if (f.spec.accessKeyId !== undefined && f.spec.accessKeyId !== accessKeyId) continue;
      if (f.skip > 0) {
        f.skip--;
        continue;
      }
      const kind = f.spec.kind;
      if (kind === 'latency') outcome.delayMs += f.spec.latencyMs ?? 0;
      else if (outcome.error) continue;
      else {
        outcome.error = kind;
        if (f.spec.errorName) outcome.errorName = f.spec.errorName;
      }
      f.remaining--;
    }
    this.faults = this.faults.filter((f) => f.remaining > 0);
    return outcome;
  }
}

const QUERY_SERVICES: ReadonlySet<ServiceName> = new Set(['iam', 'sns', 'sts']);

/** The error each service really answers for the injected kind, or the name the fault asks for. */
export function faultError(
  kind: ErrorFaultKind,
  ctx: RequestContext,
  params: Params,
  errorName?: string,
): ApiError {
  const error = serviceFaultError(kind, ctx, params);
  if (!errorName) return error;
  return new ApiError(errorName, error.message, error.status, ctx.service === 'sqs' ? errorName : undefined);
}

function serviceFaultError(kind: ErrorFaultKind, ctx: RequestContext, params: Params): ApiError {
  const query = QUERY_SERVICES.has(ctx.service);
  const sqs = ctx.service === 'sqs';
  switch (kind) {
    case 'throttle':
      if (query) return new ApiError('Throttling', 'Rate exceeded', 400);
      return sqs
        ? new ApiError('RequestThrottled', 'Rate exceeded', 400, 'RequestThrottled')
        : new ApiError('ThrottlingException', 'Rate exceeded', 400);
    case 'internal':
      return query
        ? new ApiError('InternalError', 'We encountered an internal error. Please try again.', 500)
        : new ApiError(
            'InternalFailure',
            'We encountered an internal error. Please try again.',
            500,
            sqs ? 'InternalError' : undefined,
          );
    case 'accessDenied': {
      const action = `${ctx.service}:${ctx.operation}`;
      const message =
        `User: arn:aws:sts::${ctx.accountId}:assumed-role/sm-guardrails-role/fn is not authorized to perform: ${action} ` +
        `on resource: ${resourceOf(ctx, params)} because no identity-based policy allows the ${action} action`;
      if (ctx.service === 'sns') return new ApiError('AuthorizationError', message, 403);
      if (query) return new ApiError('AccessDenied', message, 403);
      return new ApiError('AccessDeniedException', message, 400, sqs ? 'AccessDenied' : undefined);
    }
  }
}

/** Best-effort ARN of the resource a request targets, for realistic AccessDenied messages. */
function resourceOf(ctx: RequestContext, p: Params): string {
  const s = (k: string): string | undefined => (typeof p[k] === 'string' ? (p[k] as string) : undefined);
  const { region, accountId: acct } = ctx;
  const sm = `arn:aws:sagemaker:${region}:${acct}`;
  const notebook = s('NotebookInstanceName');
  if (notebook) return `${sm}:notebook-instance/${notebook.toLowerCase()}`;
  const domain = s('DomainId');
  const profile = s('UserProfileName');
  if (domain) return profile ? `${sm}:user-profile/${domain}/${profile}` : `${sm}:domain/${domain}`;
  const keyId = s('KeyId');
  if (keyId)
    return keyId.startsWith('arn:')
      ? keyId
      : `arn:aws:kms:${region}:${acct}:${keyId.startsWith('alias/') ? keyId : `key/${keyId}`}`;
  if (s('RoleName')) return `arn:aws:iam::${acct}:role/${s('RoleName')}`;
  if (s('UserName')) return `arn:aws:iam::${acct}:user/${s('UserName')}`;
  const queueUrl = s('QueueUrl');
  if (queueUrl) return `arn:aws:sqs:${region}:${acct}:${queueUrl.split('/').pop()}`;
  return s('ResourceArn') ?? s('TopicArn') ?? '*';
}
