import type { Policy } from '#core/policy';
import type { ReplayMode, Runner } from './runners.ts';

export async function createLiveRunner(mode: ReplayMode, _policy: Policy): Promise<Runner> {
  throw new Error(`replay mode ${mode} is not built yet`);
}
