// Shared set-up for the emulator tests: every client is the real SDK v3 client pointed at the emulator.
import type { Emulator } from '../../local/aws-emulator/index.ts';

export const ACCOUNT = '111122223333';
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/service-role/AmazonSageMaker-ExecutionRole`;

export function clientConfig(emu: Emulator, extra: { maxAttempts?: number } = {}) {
  return {
    endpoint: emu.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: extra.maxAttempts ?? 1,
  };
}

/** Runs a promise that must fail and returns the SDK error for assertions. */
export async function sdkError(p: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await p;
  } catch (e) {
    return e as Error & Record<string, unknown>;
  }
  throw new Error('expected the call to fail');
}

export const httpStatus = (e: Record<string, unknown>): number | undefined =>
  (e.$metadata as { httpStatusCode?: number } | undefined)?.httpStatusCode;
