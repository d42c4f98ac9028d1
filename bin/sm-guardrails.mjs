#!/usr/bin/env node
// The CLI is bundled to dist/ by `npm run build` (run by `npm ci` through `prepare`).
// Node 20 is this tool's supported local runtime (Lambda runs Node 22): the SDK's Node 20 notice is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// A reader that stops early (`sm-guardrails replay events/ | head -1`) closes the pipe: end quietly, as Unix
// tools do, rather than crash on the next write with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
}

const { main } = await import('../dist/cli.mjs');

process.exitCode = await main(process.argv.slice(2));
