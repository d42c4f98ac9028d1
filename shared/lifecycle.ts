// Lifecycle configurations: scripts are kept as hashes only (a script can hold secrets and is attacker text), and
// the configurations a change attaches are found wherever Studio settings name them.
import { createHash } from 'node:crypto';
import type { LifecycleAttachment, LifecycleScript } from './types.ts';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * sha256 of the decoded script; undefined when the content is not base64 (e.g. a placeholder CloudTrail wrote
 * instead of the script), so that nobody mistakes the hash of a placeholder for the script's.
 */
export function hashScript(hook: string, content: string): LifecycleScript | undefined {
  const compact = content.replace(/\s+/g, '');
  if (compact.length === 0 || compact.length % 4 !== 0 || !BASE64.test(compact)) return undefined;
  const script = Buffer.from(compact, 'base64');
  return { hook, sha256: createHash('sha256').update(script).digest('hex'), bytes: script.length };
}

/** Hashes every script; null when any script is missing or unreadable (then only a live read can tell). */
export function hashScripts(
  scripts: ReadonlyArray<{ hook: string; content: string | undefined }>,
): LifecycleScript[] | null {
  const hashed: LifecycleScript[] = [];
  for (const { hook, content } of scripts) {
    const h = content === undefined ? undefined : hashScript(hook, content);
    if (!h) return null;
    hashed.push(h);
  }
  return hashed;
}

const MAX_DEPTH = 6;

/**
 * The lifecycle configurations a request attaches: every `lifecycleConfigArns` list and `lifecycleConfigArn` (a
 * DefaultResourceSpec or ResourceSpec member) in it, whatever the settings holding them (UserSettings,
 * DefaultUserSettings, DefaultSpaceSettings, SpaceSettings, ResourceSpec); `where` is the path to them. Keys are
 * matched case-insensitively on their first letter: CloudTrail lower-cases it, the SDK does not. Each value is
 * visited once, so the walk is linear in the size of the settings.
 */
export function findLifecycleAttachments(settings: unknown): LifecycleAttachment[] {
  const found: LifecycleAttachment[] = [];
  const visit = (value: unknown, path: string, depth: number): void => {
    if (depth > MAX_DEPTH || typeof value !== 'object' || value === null) return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, path, depth + 1);
      return;
    }
    for (const [key, member] of Object.entries(value)) {
      const k = key.charAt(0).toLowerCase() + key.slice(1);
      if (k === 'lifecycleConfigArns' && Array.isArray(member)) {
        for (const arn of member)
          if (typeof arn === 'string') found.push({ name: configName(arn), where: path });
      } else if (k === 'lifecycleConfigArn' && typeof member === 'string') {
        found.push({ name: configName(member), where: path });
      } else {
        const name = key.charAt(0).toUpperCase() + key.slice(1);
        visit(member, path ? `${path}.${name}` : name, depth + 1);
      }
    }
  };
  visit(settings, '', 0);
  return found;
}

/** `arn:...:studio-lifecycle-config/name` -> name; a bare name stays as it is. */
export function configName(arnOrName: string): string {
  const slash = arnOrName.lastIndexOf('/');
  return slash >= 0 ? arnOrName.slice(slash + 1) : arnOrName;
}
