// Policy files as admins write them (YAML, or JSON, which is YAML too). Used by the CLI and at package time.
import { parseDocument } from 'yaml';
import { type Policy, PolicyError, validatePolicy } from './policy.ts';

/** Parses policy text. Errors name the file, the field (or line) and the reason. */
export function parsePolicy(text: string, file: string): Policy {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new PolicyError(
      file,
      // prettyErrors adds the position; keep the first line of the message, which names it.
      doc.errors.map(
        (e) =>
          `line ${e.linePos?.[0]?.line ?? '?'}: ${(e.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`,
      ),
    );
  }
  return validatePolicy(doc.toJS() ?? {}, file);
}
