import { userProfileExecutionRole } from '#core/rules/user-profile-execution-role';
import { testRule } from '../support/rule-tester.ts';

const ROLE = 'arn:aws:iam::111122223333:role/service-role/AmazonSageMaker-ExecutionRole-DataScience';
const allow = (...patterns: string[]) => ({ userProfile: { allowedExecutionRoles: patterns } });
const WILDCARD = allow('arn:aws:iam::*:role/service-role/AmazonSageMaker-ExecutionRole-*');

testRule(userProfileExecutionRole, 'user-profile', {
  valid: [
    { name: 'role listed exactly', state: { executionRole: ROLE }, policy: allow(ROLE) },
    { name: 'role matches a wildcard pattern', state: { executionRole: ROLE }, policy: WILDCARD },
    {
      name: 'role matches the second pattern of the list',
      state: { executionRole: ROLE },
      policy: allow('arn:aws:iam::*:role/Other', 'arn:aws:iam::111122223333:role/*'),
    },
    {
      name: 'no own role: the profile uses the domain default',
      state: { executionRole: null },
      policy: allow('arn:aws:iam::*:role/Nothing'),
    },
  ],
  invalid: [
    {
      name: 'role not on the list',
      state: { executionRole: 'arn:aws:iam::111122223333:role/Admin' },
      policy: WILDCARD,
      messages: ['execution role not allowed'],
      seen: ['ExecutionRole=arn:aws:iam::111122223333:role/Admin'],
      required: ['a role matching arn:aws:iam::*:role/service-role/AmazonSageMaker-ExecutionRole-*'],
      recreateRequired: false,
    },
    {
      name: 'same role name without the service-role/ path',
      state: { executionRole: 'arn:aws:iam::111122223333:role/AmazonSageMaker-ExecutionRole-DataScience' },
      policy: WILDCARD,
      messages: ['execution role not allowed'],
    },
    {
      name: 'a dot in the pattern is literal, not "any character"',
      state: { executionRole: 'arn:aws:iam::111122223333:role/mlXteam' },
      policy: allow('arn:aws:iam::111122223333:role/ml.team'),
      messages: ['execution role not allowed'],
    },
    {
      name: 'the pattern matches the whole ARN, not a prefix',
      state: { executionRole: `${ROLE}-Copy` },
      policy: allow(ROLE),
      messages: ['execution role not allowed'],
    },
  ],
  unknown: [
    {
      name: 'an update that does not set the role',
      state: {},
      policy: WILDCARD,
      change: { operation: 'update', eventName: 'UpdateUserProfile' },
      reason: /execution role is not known/,
    },
  ],
  notApplicable: [
    {
      name: 'off by default (empty allowlist)',
      state: { executionRole: 'arn:aws:iam::111122223333:role/Admin' },
    },
    { name: 'off by default, even when the role is unknown', state: {} },
  ],
});
