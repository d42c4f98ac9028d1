// `replay --simulate --fault SPEC`: AWS failing on purpose, to rehearse what the guardrails do about it.
// SPEC is `service:Operation=ErrorName` (every call fails) or `service:Operation=ErrorName@N` (the first N).
import type { FaultSpec, ServiceName } from '#emulator/index';
import { UsageError } from './context.ts';

export const FAULT_SERVICES: readonly ServiceName[] = [
  'sagemaker',
  'kms',
  'sns',
  'sqs',
  'iam',
  'sts',
  'dynamodb',
];

/** The error names a SPEC may use, by the kind of failure the emulator acts out. */
const ERROR_KINDS: Record<string, Exclude<FaultSpec['kind'], 'latency'>> = {
  ThrottlingException: 'throttle',
  Throttling: 'throttle',
  RequestThrottled: 'throttle',
  TooManyRequestsException: 'throttle',
  RequestLimitExceeded: 'throttle',
  ProvisionedThroughputExceededException: 'throttle',
  InternalFailure: 'internal',
  InternalError: 'internal',
  InternalServerError: 'internal',
  ServiceUnavailable: 'internal',
  ServiceUnavailableException: 'internal',
  AccessDenied: 'accessDenied',
  AccessDeniedException: 'accessDenied',
  AuthorizationError: 'accessDenied',
};

const SPEC = /^([a-z0-9]+):([A-Za-z0-9]+)=([A-Za-z]+)(?:@([0-9]+))?$/;

export function parseFaultSpec(spec: string): FaultSpec {
  const bad = (why: string) =>
    new UsageError(
      `--fault ${JSON.stringify(spec)}: ${why} (expected service:Operation=ErrorName or service:Operation=ErrorName@N)`,
    );
  const m = SPEC.exec(spec);
  if (!m) throw bad('not a fault SPEC');
  const [, service = '', operation = '', errorName = '', times] = m;
  if (!FAULT_SERVICES.includes(service as ServiceName))
    throw bad(`unknown service "${service}" (one of ${FAULT_SERVICES.join(', ')})`);
  const kind = ERROR_KINDS[errorName];
  if (!kind) throw bad(`unknown error "${errorName}" (one of ${Object.keys(ERROR_KINDS).join(', ')})`);
  const n = times === undefined ? Number.POSITIVE_INFINITY : Number(times);
  if (n < 1) throw bad('@N must be at least 1');
  return { service: service as ServiceName, operation, kind, times: n, errorName };
}
