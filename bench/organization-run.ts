// `node --expose-gc --import tsx bench/organization-run.ts`: only the organization measurement (step 7 of
// `npm run bench`), merged into bench/results.json next to the last full run's results (its rows replaced).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startEmulator } from '#emulator/index';
import { BENCH_DIR, log } from './common.ts';
import { measureOrganization } from './organization.ts';
import { organizationRows, type Row } from './report.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const file = path.join(BENCH_DIR, 'results.json');
const previous = JSON.parse(readFileSync(file, 'utf8')) as { targets: Row[] } & Record<string, unknown>;
const emulator = await startEmulator({ describesPerTransition: 0 });
try {
  log('organization: 100 accounts x 4 regions through one container');
  const organization = await measureOrganization({ emulator });
  const targets = [
    ...previous.targets.filter((row) => !row.metric.startsWith('Organization')),
    ...organizationRows(organization),
  ];
  writeFileSync(file, `${JSON.stringify({ ...previous, targets, organization }, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(organization, null, 2)}\n`);
} finally {
  await emulator.close();
}
