import { fail, NOT_APPLICABLE, PASS, type Rule, unknown } from './rule.ts';

const own = (tags: Record<string, string> | undefined, key: string): string | undefined =>
  tags && Object.hasOwn(tags, key) ? tags[key] : undefined;

export const studioPresignedUrlAbac: Rule = {
  meta: {
    id: 'studio-presigned-url-abac',
    description:
      "CreatePresignedDomainUrl (Studio sign-in) only for a user profile whose studiouserid tag equals the caller's studiouserid principal tag, read live (Identity Center users: by user id, where the policy maps it).",
    resourceTypes: ['user-profile'],
    severity: 'critical',
    fix: 'Deny sagemaker:CreatePresignedDomainUrl unless the profile tag studiouserid equals the principal tag; tag every profile and caller; review what the session did.',
  },
  check({ change, state, policy, principalTags }) {
    if (change.operation !== 'presigned-url') return NOT_APPLICABLE;
    const key = policy.studio.userIdTagKey;
    if (state.tags === undefined) return unknown("the user profile's tags are not known (read live)");
    const actor = change.actor;
    const mapped =
      actor.identityCenterUserId !== undefined &&
      Object.hasOwn(policy.studio.identityCenterUsers, actor.identityCenterUserId)
        ? policy.studio.identityCenterUsers[actor.identityCenterUserId]
        : undefined;
    if (mapped === undefined && principalTags === undefined && state.source === 'event')
      return unknown("the caller's principal tags are not known (read live)");
    const profileValue = own(state.tags, key);
    const callerValue = mapped ?? own(principalTags, key);
    const callerName = actor.arn ?? actor.roleArn ?? actor.identityCenterUserId ?? actor.type;
    if (profileValue === undefined || profileValue === '') {
      return fail({
        message: `sign-in to a user profile without a ${key} tag`,
        seen: `profile ${state.ref.name} has no ${key} tag; caller ${key}=${callerValue ?? '(none)'}`,
        required: `the profile's ${key} tag equal to the caller's`,
        tagKeys: [key],
      });
    }
    if (callerValue === undefined || callerValue === '') {
      return fail({
        message: `sign-in by a caller without a ${key}`,
        seen: `profile ${key}=${profileValue}; caller ${callerName} has no ${key} principal tag${actor.identityCenterUserId ? ' and no mapped Identity Center user' : ''}`,
        required: `the caller's ${key} equal to the profile's`,
        tagKeys: [key],
      });
    }
    if (callerValue === profileValue) return PASS;
    return fail({
      message: "sign-in to another user's profile",
      seen: `profile ${key}=${profileValue}; caller ${key}=${callerValue}`,
      required: `the caller's ${key} equal to the profile's`,
      tagKeys: [key],
    });
  },
};
