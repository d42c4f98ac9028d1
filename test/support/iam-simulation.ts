// Evaluates generated policies as IAM would, with @cloud-copilot/iam-simulate (a test-only dependency): the
// caller's identity policies allow everything, so a denial can only come from the documents under test.
import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { AuthorizationRequest } from '../../prevention/request-context.ts';
import type { PolicyDocument } from '../../prevention/statements.ts';

const ALLOW_ALL: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'AllowAll', Effect: 'Allow', Action: '*', Resource: '*' }],
};

export type Layer = 'scp' | 'identity';

export interface Decision {
  result: string;
  /** Context keys the simulator dropped because the action does not carry them (should be none). */
  ignoredContextKeys: string[];
}

export async function decide(
  request: AuthorizationRequest,
  documents: readonly PolicyDocument[],
  layer: Layer,
): Promise<Decision> {
  const named = documents.map((policy, index) => ({ name: `generated-${index + 1}`, policy }));
  const response = await runSimulation(
    {
      request: {
        principal: request.principal,
        action: request.action,
        resource: { resource: request.resource, accountId: request.account },
        contextVariables: request.context,
      },
      identityPolicies:
        layer === 'identity'
          ? [{ name: 'allow-all', policy: ALLOW_ALL }, ...named]
          : [{ name: 'allow-all', policy: ALLOW_ALL }],
      serviceControlPolicies:
        layer === 'scp'
          ? [{ orgIdentifier: 'ou-ml', policies: [{ name: 'FullAWSAccess', policy: ALLOW_ALL }, ...named] }]
          : [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (response.resultType === 'error')
    throw new Error(`simulation error: ${JSON.stringify(response.errors)}`);
  const ignored =
    response.resultType === 'single'
      ? (response.result.ignoredContextKeys ?? [])
      : response.results.flatMap((r) => r.ignoredContextKeys ?? []);
  return { result: response.overallResult, ignoredContextKeys: ignored };
}

/** Denied if any authorization the call needs is denied (a create with tags also needs AddTags). */
export async function callDenied(
  requests: readonly AuthorizationRequest[],
  documents: readonly PolicyDocument[],
  layer: Layer,
): Promise<{ denied: boolean; ignoredContextKeys: string[] }> {
  let denied = false;
  const ignoredContextKeys: string[] = [];
  for (const request of requests) {
    const decision = await decide(request, documents, layer);
    ignoredContextKeys.push(...decision.ignoredContextKeys);
    if (decision.result !== 'Allowed') denied = true;
  }
  return { denied, ignoredContextKeys };
}
