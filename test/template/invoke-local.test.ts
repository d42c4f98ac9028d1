// `serverless invoke local` runs a packaged handler against the local AWS emulator: the way an admin tries a
// function on a sample event without an AWS account.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '#emulator/index';
import { createStoreClient, ensureTable } from '#store/table';
import { PACKAGE_TIMEOUT_MS, runServerless } from './serverless.ts';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ describesPerTransition: 0 });
  // The names invoke local gives the function when AWS_ENDPOINT_URL is set (see serverless.yml).
  emulator.seed.topic('sm-guardrails-dev-alerts', 'us-east-1');
  emulator.seed.queue('sm-guardrails-dev-recheck', 'us-east-1');
  emulator.seed.notebookInstance({ name: 'scratch-notebook', status: 'InService', tags: [] });
  const client = createStoreClient({
    endpoint: emulator.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await ensureTable(client, 'sm-guardrails-dev-records');
});
afterAll(async () => emulator?.close());

/** invoke local prints the function's log lines, then the handler's result as indented JSON. */
function lastJsonObject(output: string): Record<string, unknown> {
  const start = output.lastIndexOf('\n{\n');
  return JSON.parse(output.slice(start + 1, output.lastIndexOf('\n}') + 2)) as Record<string, unknown>;
}

describe('serverless invoke local', () => {
  it(
    'runs notebookInstances on a sample event against the emulator: tagged, stopped, admins told',
    async () => {
      const { code, output } = await runServerless(
        [
          'invoke',
          'local',
          '-f',
          'notebookInstances',
          '-p',
          'events/notebook-instance/create-all-defaults.json',
        ],
        {
          AWS_ENDPOINT_URL: emulator.endpoint,
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        },
      );
      expect(code, output).toBe(0);
      const report = lastJsonObject(output);
      expect(report).toMatchObject({ verdict: 'noncompliant', eventName: 'CreateNotebookInstance' });
      expect(
        (report.actions as Array<{ type: string; status: string }>).map((a) => `${a.type}:${a.status}`),
      ).toEqual(['tag:done', 'stop:done', 'notify:done']);
      expect(emulator.inspect.notebookInstance('scratch-notebook')?.status).toBe('Stopping');
      expect(emulator.published).toHaveLength(1);
    },
    PACKAGE_TIMEOUT_MS,
  );
});
