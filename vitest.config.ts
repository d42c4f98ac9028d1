import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    reporters: ['default', './test/plain-summary-reporter.ts'],
    testTimeout: 20_000,
    // Hooks that bundle as the deployment does (test/template/) take seconds, more on a loaded machine.
    hookTimeout: 60_000,
    // Vitest runs one file at a time when there are 2 cores (cores - 1): most files wait on the CLI, emulator or
    // packaging processes they start, so one per core keeps both busy (CI: 2 cores, the suite on 2 Node versions).
    maxWorkers: availableParallelism(),
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
