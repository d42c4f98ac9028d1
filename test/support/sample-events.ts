// The sample events in events/, by path relative to it (the form test/expected-verdicts.json uses).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export const EVENTS_DIR = join(import.meta.dirname, '..', '..', 'events');

/** Every sample event file, sorted, relative to events/. */
export function sampleEventFiles(dir: string = EVENTS_DIR): string[] {
  // Paths relative to events/, at any depth (events/attacks/ has sub-folders).
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return sampleEventFiles(path);
      return entry.name.endsWith('.json') ? [relative(EVENTS_DIR, path)] : [];
    })
    .sort();
}

// biome-ignore lint/suspicious/noExplicitAny: sample events are edited freely by the tests.
export type Json = any;

export const loadSample = (file: string): Json => JSON.parse(readFileSync(join(EVENTS_DIR, file), 'utf8'));

/** Every sample event (a file may hold one event or an array of them), with its file; files not JSON skipped. */
export function sampleEvents(): Array<{ file: string; event: Json }> {
  return sampleEventFiles().flatMap((file) => {
    let sample: Json;
    try {
      sample = loadSample(file);
    } catch {
      return []; // events/malformed: not JSON
    }
    return (Array.isArray(sample) ? sample : [sample]).map((event: Json) => ({ file, event }));
  });
}
