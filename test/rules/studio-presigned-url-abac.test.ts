import { studioPresignedUrlAbac } from '#core/rules/studio-presigned-url-abac';
import { testRule } from '../support/rule-tester.ts';

const SIGN_IN = { operation: 'presigned-url' as const, eventName: 'CreatePresignedDomainUrl' };
const TIP_CALLER = {
  ...SIGN_IN,
  actor: {
    type: 'AssumedRole',
    arn: 'arn:aws:sts::111122223333:assumed-role/StudioPortal/SageMaker',
    roleArn: 'arn:aws:iam::111122223333:role/StudioPortal',
    identityCenterUserId: 'c4a8f4e8-2051-70d9-4b7e-61f2a9d3e0b5',
  },
};

testRule(studioPresignedUrlAbac, 'user-profile', {
  valid: [
    {
      name: "the caller's studiouserid matches the profile's",
      change: SIGN_IN,
      state: { tags: { studiouserid: 'alice' } },
      principalTags: { studiouserid: 'alice' },
    },
    {
      name: 'an Identity Center user mapped by the policy',
      change: TIP_CALLER,
      state: { tags: { studiouserid: 'alice' } },
      policy: { studio: { identityCenterUsers: { 'c4a8f4e8-2051-70d9-4b7e-61f2a9d3e0b5': 'alice' } } },
    },
  ],
  invalid: [
    {
      name: "another user's profile",
      change: SIGN_IN,
      state: { tags: { studiouserid: 'alice' } },
      principalTags: { studiouserid: 'mallory' },
      messages: ["sign-in to another user's profile"],
      seen: ['profile studiouserid=alice; caller studiouserid=mallory'],
      tagKeys: [['studiouserid']],
    },
    {
      name: 'a profile without the tag (the ABAC condition cannot have held)',
      change: SIGN_IN,
      state: { tags: {} },
      principalTags: { studiouserid: 'alice' },
      messages: ['sign-in to a user profile without a studiouserid tag'],
    },
    {
      name: 'a caller without the tag, read live (a doubt is an alert)',
      change: SIGN_IN,
      state: { tags: { studiouserid: 'alice' } },
      messages: ['sign-in by a caller without a studiouserid'],
    },
    {
      name: 'the mapping wins over a principal tag the caller could set on its session role',
      change: TIP_CALLER,
      state: { tags: { studiouserid: 'alice' } },
      principalTags: { studiouserid: 'alice' },
      policy: { studio: { identityCenterUsers: { 'c4a8f4e8-2051-70d9-4b7e-61f2a9d3e0b5': 'bob' } } },
      messages: ["sign-in to another user's profile"],
    },
    {
      name: 'a __proto__ key is data, not a match',
      change: SIGN_IN,
      state: { tags: { studiouserid: 'alice' } },
      principalTags: JSON.parse('{"__proto__": "alice"}'),
      messages: ['sign-in by a caller without a studiouserid'],
    },
  ],
  unknown: [
    {
      name: "offline: the profile's tags are not in the event",
      change: SIGN_IN,
      state: { source: 'event' },
      reason: /tags are not known/,
    },
    {
      name: "offline: the caller's tags are not known",
      change: SIGN_IN,
      state: { source: 'event', tags: { studiouserid: 'alice' } },
      reason: /principal tags are not known/,
    },
  ],
  notApplicable: [
    { name: 'any other user-profile event', change: { operation: 'create' }, state: { tags: {} } },
  ],
});
