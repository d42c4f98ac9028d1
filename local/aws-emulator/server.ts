// HTTP front: works out service and operation from the request, applies faults, runs the handler and
// renders the answer (or error) in that service's protocol. Every routed request is logged in `calls`.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { type DynamoBackend, dynamoErrorCode } from './dynamodb.ts';
import { ApiError } from './errors.ts';
import { type FaultRegistry, faultError } from './faults.ts';
import type { ArrivalGate, InjectedLatency } from './latency.ts';
import { parseQueryBody, queryErrorXml, queryResponseXml, SERVICE_BY_QUERY_VERSION } from './protocol.ts';
import type { CallRecord, Params, RequestContext, ServiceHandlers, ServiceName } from './types.ts';

export interface ServerDeps {
  /** The account a request acts in: the one its access key leads to (the default account for unknown keys). */
  accountOf(accessKeyId: string | undefined): string;
  /** Known once the server listens; handlers need it to build SQS queue URLs. */
  endpoint: string;
  /** Every account's own state behind its own handlers. */
  handlers(accountId: string): Record<ServiceName, ServiceHandlers>;
  faults: FaultRegistry;
  calls: CallRecord[];
  log: boolean;
  /** DynamoDB requests go to dynalite, after the faults. */
  dynamodb: DynamoBackend;
  latency: InjectedLatency;
  gate: ArrivalGate;
  rateLimit?: RateLimiter;
}

/** A token bucket per region: `perSecond` requests a second, bursts up to as many. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Takes a token; false when the region is over its rate. */
  take(region: string): boolean {
    const now = this.now();
    const bucket = this.buckets.get(region) ?? { tokens: this.perSecond, at: now };
    bucket.tokens = Math.min(this.perSecond, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    this.buckets.set(region, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}

type Protocol = { kind: 'json'; version: '1.0' | '1.1' } | { kind: 'query' } | { kind: 'rest-json' };

interface Routed {
  accessKeyId?: string;
  service: ServiceName;
  operation: string;
  region: string;
  protocol: Protocol;
  params: Params;
}

const JSON_TARGETS: Record<string, { service: ServiceName; version: '1.0' | '1.1' }> = {
  SageMaker: { service: 'sagemaker', version: '1.1' },
  TrentService: { service: 'kms', version: '1.1' },
  AmazonSQS: { service: 'sqs', version: '1.0' },
  DynamoDB_20120810: { service: 'dynamodb', version: '1.0' },
};

const DEFAULT_REGION = 'us-east-1';

/** restJson1 services: the operation is the request's method and path. */
const REST_JSON_ROUTES: Record<string, { service: ServiceName; operation: string }> = {
  'POST /findings/import': { service: 'securityhub', operation: 'BatchImportFindings' },
  'POST /findings': { service: 'securityhub', operation: 'GetFindings' },
};

/** The SigV4 credential scope names region and service: `Credential=AK/20260101/us-east-1/sns/aws4_request`. */
function credentialScope(authorization: string | undefined): {
  accessKeyId?: string;
  region?: string;
  service?: string;
} {
  const m = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(authorization ?? '');
  return m ? { accessKeyId: m[1], region: m[2], service: m[3] } : {};
}

function route(req: http.IncomingMessage, body: string): Routed | ApiError {
  const scope = credentialScope(req.headers.authorization);
  const region = scope.region ?? DEFAULT_REGION;
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') {
    const [prefix = '', operation = ''] = target.split('.');
    const json = JSON_TARGETS[prefix];
    if (!json) return new ApiError('UnknownOperationException', `Unknown target ${target}`);
    let params: unknown;
    try {
      params = body.trim() === '' ? {} : JSON.parse(body);
    } catch {
      return new ApiError('SerializationException', 'Request body is not valid JSON');
    }
    const p =
      params !== null && typeof params === 'object' && !Array.isArray(params) ? (params as Params) : {};
    return {
      ...(scope.accessKeyId ? { accessKeyId: scope.accessKeyId } : {}),
      service: json.service,
      operation,
      region,
      protocol: { kind: 'json', version: json.version },
      params: p,
    };
  }
  const path = (req.url ?? '/').split('?')[0]?.replace(/\/+$/, '') || '/';
  const rest = REST_JSON_ROUTES[`${req.method} ${path}`];
  if (rest) {
    let params: unknown;
    try {
      params = body.trim() === '' ? {} : JSON.parse(body);
    } catch {
      return new ApiError('SerializationException', 'Request body is not valid JSON');
    }
    return {
      ...(scope.accessKeyId ? { accessKeyId: scope.accessKeyId } : {}),
      ...rest,
      region,
      protocol: { kind: 'rest-json' },
      params:
        params !== null && typeof params === 'object' && !Array.isArray(params) ? (params as Params) : {},
    };
  }
  const { action, version, params } = parseQueryBody(body);
  const service = (scope.service as ServiceName | undefined) ?? SERVICE_BY_QUERY_VERSION[version];
  if (!action || (service !== 'iam' && service !== 'sns' && service !== 'sts'))
    return new ApiError('InvalidAction', 'Unable to determine service/operation name to be authorized');
  // IAM is global: its requests are signed for us-east-1 whatever the caller's region.
  return {
    ...(scope.accessKeyId ? { accessKeyId: scope.accessKeyId } : {}),
    service,
    operation: action,
    region,
    protocol: { kind: 'query' },
    params,
  };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(
  res: http.ServerResponse,
  status: number,
  contentType: string,
  body: string,
  headers: Record<string, string>,
) {
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

function sendResult(res: http.ServerResponse, r: Routed, result: Params, requestId: string): void {
  if (r.protocol.kind === 'rest-json') {
    send(res, 200, 'application/json', JSON.stringify(result), { 'x-amzn-RequestId': requestId });
  } else if (r.protocol.kind === 'json') {
    send(res, 200, `application/x-amz-json-${r.protocol.version}`, JSON.stringify(result), {
      'x-amzn-RequestId': requestId,
    });
  } else {
    send(res, 200, 'text/xml', queryResponseXml(r.service, r.operation, result, requestId), {
      'x-amzn-RequestId': requestId,
    });
  }
}

function sendError(res: http.ServerResponse, r: Routed | undefined, err: ApiError, requestId: string): void {
  if (r?.protocol.kind === 'query') {
    send(
      res,
      err.status,
      'text/xml',
      queryErrorXml(r.service, err.code, err.message, err.status, requestId),
      {
        'x-amzn-RequestId': requestId,
      },
    );
    return;
  }
  const headers: Record<string, string> = { 'x-amzn-RequestId': requestId, 'x-amzn-ErrorType': err.code };
  let type = err.code;
  if (r?.service === 'sqs') {
    type = `com.amazonaws.sqs#${err.code}`;
    headers['x-amzn-query-error'] =
      `${err.queryCode ?? err.code};${err.status >= 500 ? 'Receiver' : 'Sender'}`;
  }
  const version = r?.protocol.kind === 'json' ? r.protocol.version : '1.1';
  send(
    res,
    err.status,
    r?.protocol.kind === 'rest-json' ? 'application/json' : `application/x-amz-json-${version}`,
    JSON.stringify({ __type: type, message: err.message }),
    headers,
  );
}

async function execute(deps: ServerDeps, r: Routed, accountId: string): Promise<Params> {
  const ctx: RequestContext = {
    service: r.service,
    operation: r.operation,
    region: r.region,
    accountId,
    endpoint: deps.endpoint,
  };
  const fault = deps.faults.take(r.service, r.operation, r.accessKeyId);
  if (fault.delayMs > 0) await sleep(fault.delayMs);
  await deps.latency.apply();
  await deps.gate.wait(r.service, r.operation);
  if (fault.error) throw faultError(fault.error, ctx, r.params, fault.errorName);
  if (deps.rateLimit && !deps.rateLimit.take(r.region)) throw faultError('throttle', ctx, r.params);
  const handler = deps.handlers(accountId)[r.service][r.operation];
  if (!handler) {
    throw r.protocol.kind === 'query'
      ? new ApiError('InvalidAction', `Could not find operation ${r.operation}`)
      : new ApiError(
          'UnknownOperationException',
          `Operation ${r.operation} is not supported by the emulator`,
        );
  }
  return handler(r.params, ctx);
}

export function createServer(deps: ServerDeps): http.Server {
  return http.createServer(async (req, res) => {
    const started = Date.now();
    const startedMs = performance.now();
    const requestId = randomUUID();
    if (req.method !== 'POST') {
      send(res, 200, 'text/plain', 'AWS emulator\n', {}); // liveness probe for the standalone mode
      return;
    }
    const body = await readBody(req);
    const routed = route(req, body);
    if (routed instanceof ApiError) {
      // Not attributable to a service, so it is answered but not logged in `calls`.
      sendError(res, undefined, routed, requestId);
      return;
    }
    deps.gate.arrived(routed.service, routed.operation);
    if (routed.service === 'dynamodb') {
      await forwardToDynamo(deps, routed, req, res, body, { at: started, startedMs }, requestId);
      return;
    }
    let result: Params | undefined;
    let error: ApiError | undefined;
    const account = deps.accountOf(routed.accessKeyId);
    try {
      result = await execute(deps, routed, account);
    } catch (e) {
      if (!(e instanceof ApiError)) console.error('[aws-emulator]', e);
      error = e instanceof ApiError ? e : new ApiError('InternalFailure', `Emulator bug: ${String(e)}`, 500);
    }
    // Logged before answering, so a caller that has its response always finds its call in the log.
    const durationMs = Date.now() - started;
    const record: CallRecord = {
      account,
      region: routed.region,
      service: routed.service,
      operation: routed.operation,
      params: routed.params,
      status: error?.status ?? 200,
      at: started,
      durationMs,
      startedMs,
      endedMs: performance.now(),
    };
    if (error) record.errorCode = error.code;
    deps.calls.push(record);
    if (deps.log) {
      const outcome = error ? `${error.status} ${error.code}` : '200';
      process.stderr.write(
        `[aws-emulator] ${routed.service}.${routed.operation} ${outcome} ${durationMs}ms\n`,
      );
    }
    if (error) sendError(res, routed, error, requestId);
    else sendResult(res, routed, result ?? {}, requestId);
  });
}

/** DynamoDB: faults and the call log here, the database itself in dynalite. */
async function forwardToDynamo(
  deps: ServerDeps,
  routed: Routed,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  body: string,
  { at: started, startedMs }: { at: number; startedMs: number },
  requestId: string,
): Promise<void> {
  const account = deps.accountOf(routed.accessKeyId);
  const record: CallRecord = {
    account,
    region: routed.region,
    service: 'dynamodb',
    operation: routed.operation,
    params: routed.params,
    status: 200,
    at: started,
    durationMs: 0,
    startedMs,
    endedMs: startedMs,
  };
  const fault = deps.faults.take('dynamodb', routed.operation, routed.accessKeyId);
  if (fault.delayMs > 0) await sleep(fault.delayMs);
  await deps.latency.apply();
  await deps.gate.wait('dynamodb', routed.operation);
  if (fault.error) {
    const ctx: RequestContext = {
      service: 'dynamodb',
      operation: routed.operation,
      region: routed.region,
      accountId: account,
      endpoint: deps.endpoint,
    };
    const error = faultError(fault.error, ctx, routed.params, fault.errorName);
    Object.assign(record, {
      status: error.status,
      errorCode: error.code,
      durationMs: Date.now() - started,
      endedMs: performance.now(),
    });
    deps.calls.push(record);
    sendError(res, routed, error, requestId);
    return;
  }
  const answer = await deps.dynamodb.forward(req.headers, body);
  record.status = answer.status;
  record.durationMs = Date.now() - started;
  record.endedMs = performance.now();
  const code = answer.status >= 400 ? dynamoErrorCode(answer.body) : undefined;
  if (code) record.errorCode = code;
  deps.calls.push(record);
  const headers = Object.fromEntries(
    Object.entries(answer.headers).filter(
      (e): e is [string, string] => typeof e[1] === 'string' && e[0] !== 'content-length',
    ),
  );
  send(res, answer.status, headers['content-type'] ?? 'application/x-amz-json-1.0', answer.body, headers);
}
