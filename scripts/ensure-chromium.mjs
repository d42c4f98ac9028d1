// The HTML report's tests run in a real headless Chromium (Debian's `chromium` package). `npm test` runs this
// first (pretest): nothing to do when the browser is there, else it is installed with apt-get (as root, or
// through password-less sudo). Without either it fails and says what to run: the browser test never skips.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM = process.env.SM_GUARDRAILS_CHROMIUM ?? '/usr/bin/chromium';

if (!existsSync(CHROMIUM)) {
  const root = process.getuid?.() === 0;
  const sudo = root ? [] : ['sudo', '-n'];
  const run = (args) => {
    const [command, ...rest] = [...sudo, ...args];
    execFileSync(command, rest, {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  };
  console.log(`${CHROMIUM} not found: installing Debian's chromium package for the HTML report tests`);
  try {
    run(['apt-get', 'update']);
    run(['apt-get', 'install', '-y', 'chromium']);
  } catch (error) {
    console.error(
      `Could not install chromium (${error.message}). Install it as root: apt-get update && apt-get install -y chromium`,
    );
    process.exit(1);
  }
  if (!existsSync(CHROMIUM)) {
    console.error(
      `chromium was installed but ${CHROMIUM} is missing: set SM_GUARDRAILS_CHROMIUM to its path`,
    );
    process.exit(1);
  }
}
