import { matchesPrincipalPattern } from '../policy.ts';
import { actorMatches } from '../tag-values.ts';
import type { LifecycleScript } from '../types.ts';
import { fail, NOT_APPLICABLE, PASS, type Rule } from './rule.ts';

const CONFIG_TYPES = new Set(['notebook-instance-lifecycle-config', 'studio-lifecycle-config']);

function describeScripts(scripts: readonly LifecycleScript[] | null | undefined): string {
  if (!scripts) return 'script not in the event (hash unknown)';
  if (scripts.length === 0) return 'no script';
  return scripts.map((s) => `${s.hook} sha256=${s.sha256} (${s.bytes} bytes)`).join(', ');
}

export const lifecycleConfigChange: Rule = {
  meta: {
    id: 'lifecycle-config-change',
    description:
      'Creating or updating a lifecycle configuration, or attaching one (notebook, domain, profile, space, app), is reported with its caller and script sha256; the policy allowlist lets principals and, for attaching, configuration names pass.',
    resourceTypes: [
      'notebook-instance-lifecycle-config',
      'studio-lifecycle-config',
      'notebook-instance',
      'domain',
      'user-profile',
      'space',
      'app',
    ],
    severity: 'high',
    fix: 'Review the script by its hash; if unexpected, detach and delete the configuration and find how the caller could change it. Allow vetted principals or names in lifecycleConfigs.',
  },
  check({ change, state, policy }) {
    if (change.operation !== 'create' && change.operation !== 'update') return NOT_APPLICABLE;
    const { allowedPrincipals, allowedNames } = policy.lifecycleConfigs;
    const byAllowedPrincipal = actorMatches(change.actor, allowedPrincipals);
    const listed = allowedPrincipals.length
      ? allowedPrincipals.join(', ')
      : 'nobody (no principal is allowed)';
    if (CONFIG_TYPES.has(state.ref.type)) {
      // A listed name does not allow rewriting the configuration: only an allowed principal may.
      if (byAllowedPrincipal) return PASS;
      const verb = change.operation === 'create' ? 'created' : 'updated';
      return fail({
        message: `lifecycle configuration ${verb}`,
        // The script the call sent (a live read has only the tags): what the caller put there.
        seen: `${state.ref.name}: ${describeScripts(change.settings.lifecycleScripts)}`,
        required: `lifecycle configurations created and updated only by ${listed}`,
      });
    }
    const attachments = change.settings.lifecycleAttachments ?? [];
    if (attachments.length === 0) return NOT_APPLICABLE;
    if (byAllowedPrincipal) return PASS;
    const outside = attachments.filter(
      (a) => !allowedNames.some((pattern) => matchesPrincipalPattern(pattern, a.name)),
    );
    if (outside.length === 0) return PASS;
    return fail(
      ...outside.map((a) => ({
        message: 'lifecycle configuration attached',
        seen: `${a.name} at ${a.where}`,
        required: `lifecycle configurations attached only by ${listed}${allowedNames.length ? `, or named ${allowedNames.join(', ')}` : ''}`,
      })),
    );
  },
};
