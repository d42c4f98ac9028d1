// Policy files as admins write them (YAML, or JSON, which is YAML too). Used by the CLI and at package time.
import { isDeepStrictEqual } from 'node:util';
import { parseDocument } from 'yaml';
import { type Policy, PolicyError, parsePolicyJson, validatePolicy } from './policy.ts';

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

/**
 * The policy as the deployment ships it: the file's own content as compact JSON (settings left at their defaults
 * stay out), checked to read back through the functions' parsePolicyJson as exactly the policy the file means.
 * `check-config` and packaging (scripts/deploy-config.cjs) both run this, so what one accepts the other ships.
 */
export function deployablePolicy(text: string, file: string): { policy: Policy; json: string } {
  const policy = parsePolicy(text, file);
  const json = JSON.stringify(parseDocument(text).toJS() ?? {});
  if (!isDeepStrictEqual(parsePolicyJson(json, file), policy)) {
    throw new PolicyError(file, ['the policy does not read back the same from JSON (a YAML-only value?)']);
  }
  return { policy, json };
}
