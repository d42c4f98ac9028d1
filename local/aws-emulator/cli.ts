// Standalone mode: `tsx local/aws-emulator/cli.ts --port 4566 [--account 111122223333] [--describes-per-transition N]`
import { parseArgs } from 'node:util';
import { startEmulator } from './index.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    account: { type: 'string' },
    'describes-per-transition': { type: 'string' },
    quiet: { type: 'boolean', default: false },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`Invalid --port: ${values.port}`);
  process.exit(2);
}
const perTransition = values['describes-per-transition'];

const emulator = await startEmulator({
  port,
  accountId: values.account,
  describesPerTransition: perTransition === undefined ? undefined : Number(perTransition),
  log: !values.quiet,
});
console.log(`AWS emulator listening on ${emulator.endpoint}`);

const stop = (): void => {
  void emulator.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
