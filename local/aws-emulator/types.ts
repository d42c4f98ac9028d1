// Public types of the emulator (re-exported by index.ts) and the small internal contract between the
// HTTP layer and the per-service modules.

export type ServiceName = 'sagemaker' | 'kms' | 'iam' | 'sns' | 'sqs' | 'sts' | 'dynamodb' | 'securityhub';
export type NotebookStatus =
  | 'Pending'
  | 'InService'
  | 'Stopping'
  | 'Stopped'
  | 'Failed'
  | 'Deleting'
  | 'Updating';
export interface Tag {
  Key: string;
  Value: string;
}

export interface EmulatorOptions {
  /** 0 (default) = random free port on 127.0.0.1 */
  port?: number;
  /** default '111122223333' */
  accountId?: string;
  /** Notebook lifecycle: a Pending (or Updating / Stopping) notebook moves to its next state after this many
   * DescribeNotebookInstance calls on it. Default 1. 0 = only via advanceNotebook(). */
  describesPerTransition?: number;
  /** print one line per request to stderr (standalone mode) */
  log?: boolean;
  /** Added to every request before it is handled: an AWS round trip, for benchmarks. Default 0. */
  latencyMs?: number;
  /** Requests per second each region accepts (token bucket, bursts up to the rate); past it, the service's
   * throttling error (ThrottlingException for SageMaker). Default: unlimited. */
  rateLimitPerSecond?: number;
}

export interface CallRecord {
  /** The account the call acted in (from its credentials) and the region it was signed for. */
  account: string;
  region: string;
  service: ServiceName;
  operation: string;
  params: Record<string, unknown>;
  status: number;
  errorCode?: string;
  at: number;
  durationMs: number;
  /** performance.now() when the request arrived and when its answer was ready: see latency.ts. */
  startedMs: number;
  endedMs: number;
}

export interface FaultSpec {
  service?: ServiceName;
  operation: string;
  kind: 'throttle' | 'internal' | 'accessDenied' | 'latency';
  /** default Infinity for accessDenied/latency, 1 for throttle/internal */
  times?: number;
  /** The first `after` matching calls succeed; the fault starts with the next (e.g. a List call's second page). */
  after?: number;
  latencyMs?: number;
  /** Answer with this error name instead of the service's own name for the kind (e.g. `ThrottlingException`). */
  errorName?: string;
  /** Only requests signed with this access key id fail (e.g. the guardrails' clients, not the simulated users). */
  accessKeyId?: string;
}

export interface PublishedMessage {
  topicArn: string;
  subject?: string;
  message: string;
  messageAttributes: Record<string, { DataType: string; StringValue?: string }>;
  messageId: string;
  at: number;
}

export interface SentSqsMessage {
  queueUrl: string;
  body: string;
  delaySeconds: number;
  messageId: string;
  at: number;
}

export type Params = Record<string, unknown>;

/** What a handler knows about the request besides its parameters. */
export interface RequestContext {
  service: ServiceName;
  operation: string;
  region: string;
  accountId: string;
  endpoint: string;
  /** The access key id the request is signed with. */
  accessKeyId?: string;
}

/** Returns the operation's output members; the server wraps them in the service's wire format. */
export type Handler = (params: Params, ctx: RequestContext) => Params | Promise<Params>;
export type ServiceHandlers = Record<string, Handler>;
