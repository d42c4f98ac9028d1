// Standalone mode: `tsx local/aws-emulator/cli.ts --port 4566 [--account 111122223333] [--describes-per-transition N]
// [--latency-ms N] [--rate-limit N]` (N ms added to every request: an AWS round trip; at most N requests a second
// per region, then ThrottlingException)
import { parseArgs } from 'node:util';
import { startEmulator } from './index.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    account: { type: 'string' },
    'describes-per-transition': { type: 'string' },
    'latency-ms': { type: 'string' },
    'rate-limit': { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`Invalid --port: ${values.port}`);
  process.exit(2);
}
const perTransition = values['describes-per-transition'];
const latencyMs = values['latency-ms'] === undefined ? 0 : Number(values['latency-ms']);
if (!Number.isFinite(latencyMs) || latencyMs < 0) {
  console.error(`Invalid --latency-ms: ${values['latency-ms']}`);
  process.exit(2);
}

const rateLimit = values['rate-limit'] === undefined ? 0 : Number(values['rate-limit']);
if (!Number.isFinite(rateLimit) || rateLimit < 0) {
  console.error(`Invalid --rate-limit: ${values['rate-limit']}`);
  process.exit(2);
}

const emulator = await startEmulator({
  port,
  accountId: values.account,
  describesPerTransition: perTransition === undefined ? undefined : Number(perTransition),
  log: !values.quiet,
  latencyMs,
  ...(rateLimit > 0 ? { rateLimitPerSecond: rateLimit } : {}),
});
console.log(`AWS emulator listening on ${emulator.endpoint}`);

const stop = (): void => {
  void emulator.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
