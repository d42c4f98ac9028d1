// Writes what generatePolicies produced into a directory. Stale scp-N.json files from a larger earlier run are
// removed, so the directory never holds an SCP part the current policy does not have.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Policy } from '#core/policy';
import { GenerationError, generatePolicies } from './generate.ts';

const GENERATED = /^(scp|identity-policy)(-\d+)?\.json$|^studio-access-policy\.json$|^coverage\.md$/;

export interface Written {
  path: string;
  size: string;
}

export async function writeGeneratedPolicies(
  policy: Policy,
  dir: string,
): Promise<{ written: Written[]; warnings: string[] }> {
  const { files, warnings } = await generatePolicies(policy);
  await mkdir(dir, { recursive: true });
  const names = new Set(files.map((file) => file.name));
  for (const entry of await readdir(dir)) {
    if (GENERATED.test(entry) && !names.has(entry)) await rm(join(dir, entry));
  }
  const written: Written[] = [];
  for (const file of files) {
    const path = join(dir, file.name);
    await writeFile(path, file.content);
    written.push({ path, size: `${file.content.length} characters` });
  }
  return { written, warnings };
}

export { GenerationError };
