// One error type for every AWS call that failed after the SDK's retries, naming the call and AWS's error.
export class AwsCallError extends Error {
  constructor(
    readonly call: string,
    readonly errorName: string,
    message: string,
    readonly httpStatus?: number,
  ) {
    super(`${call} failed: ${errorName}: ${message}`);
    this.name = 'AwsCallError';
  }

  /** Worth retrying later (Lambda retry): throttling, server errors, timeouts. Not: access denied, validation. */
  get transient(): boolean {
    if (this.httpStatus !== undefined && this.httpStatus >= 500) return true;
    return /Throttl|TooManyRequests|RequestLimitExceeded|ProvisionedThroughputExceeded|Timeout|ECONNRESET|ECONNREFUSED|InternalFailure|ServiceUnavailable/i.test(
      this.errorName,
    );
  }
}

export function errorName(error: unknown): string {
  if (error instanceof AwsCallError) return error.errorName;
  if (error instanceof Error) return error.name;
  return 'UnknownError';
}

/** Runs one SDK call and turns its failure into an AwsCallError. */
export async function awsCall<T>(call: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    if (error instanceof AwsCallError) throw error;
    const e = error as Error & { $metadata?: { httpStatusCode?: number }; code?: string };
    const name = e.name && e.name !== 'Error' ? e.name : (e.code ?? 'Error');
    throw new AwsCallError(call, name, e.message, e.$metadata?.httpStatusCode);
  }
}
