// Bundles the CLI into dist/cli.mjs, its dependencies too: loading the AWS SDK's CommonJS files one by one
// (module resolution, then Node's CommonJS lexer for each) cost about 1 s of CPU at every start, 3 times the
// bundled start, and the tests start the CLI some hundred times. Kept external: dynalite (the simulated
// DynamoDB: loads its storage backend at run time) and the IAM data files read from the installed tree.
import { build } from 'esbuild';

await build({
  entryPoints: ['cli/main.ts'],
  outfile: 'dist/cli.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['dynalite', '@cloud-copilot/*', 'playwright-core'],
  // Bundled CommonJS code calls require() for Node's built-ins; an ES module has none of its own.
  banner: {
    js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  },
  sourcemap: true,
  logLevel: 'warning',
});
