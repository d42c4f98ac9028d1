// The run-as user of a custom Studio image, from an app image config as the API (PascalCase) or CloudTrail
// (first letter lower-cased) writes it.
import type { ImageRunAs } from './types.ts';

const APPS = [
  ['KernelGatewayImageConfig', 'KernelGateway'],
  ['JupyterLabAppImageConfig', 'JupyterLab'],
  ['CodeEditorAppImageConfig', 'CodeEditor'],
] as const;

/** A member by its API name or CloudTrail's. */
function member(obj: unknown, name: string): unknown {
  if (typeof obj !== 'object' || obj === null) return undefined;
  const o = obj as Record<string, unknown>;
  return o[name] ?? o[name.charAt(0).toLowerCase() + name.slice(1)];
}

/** One entry per image config given; FileSystemConfig's documented defaults are uid 1000 and gid 100. */
export function imageRunAs(appImageConfig: unknown): ImageRunAs[] {
  return APPS.flatMap(([name, app]) => {
    const config = member(appImageConfig, name);
    if (config === undefined || config === null) return [];
    const fs = member(config, 'FileSystemConfig');
    const id = (key: string, fallback: number) => {
      const v = member(fs, key);
      return typeof v === 'number' ? v : fallback;
    };
    return [{ app, uid: id('DefaultUid', 1000), gid: id('DefaultGid', 100) }];
  });
}
