import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, matchesPrincipalPattern, PolicyError, RULE_IDS, validatePolicy } from '#core/policy';
import { parsePolicy } from '#core/policy-file';
import { tagValueProblem } from '#core/tag-values';

const FILE = 'config/policy.yaml';

/** The problems of a policy text that must not parse; fails the test when it parses. */
function problemsOf(text: string, file = FILE): string[] {
  try {
    parsePolicy(text, file);
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    const policyError = error as PolicyError;
    expect(policyError.file).toBe(file);
    expect(policyError.message).toBe(`${file}: ${policyError.problems.join('; ')}`);
    return policyError.problems;
  }
  throw new Error('expected a PolicyError');
}

describe('DEFAULT_POLICY', () => {
  it('enforces', () => {
    expect(DEFAULT_POLICY.mode).toBe('enforce');
  });

  it('turns every notebook and domain requirement on', () => {
    expect(DEFAULT_POLICY.notebook).toEqual({
      requireDirectInternetAccessDisabled: true,
      requireRootAccessDisabled: true,
      requireSubnet: true,
      requireKmsKey: true,
      requireImdsV2: true,
    });
    expect(DEFAULT_POLICY.domain).toEqual({
      requireVpcOnly: true,
      requireKmsKey: true,
      requireExecutionRoleIdentity: true,
    });
    expect(DEFAULT_POLICY.studio).toEqual({
      forbidRootImages: true,
      userIdTagKey: 'studiouserid',
      identityCenterUsers: {},
    });
    expect(DEFAULT_POLICY.lifecycleConfigs).toEqual({ allowedPrincipals: [], allowedNames: [] });
  });

  it('requires project on notebooks, studiouserid on user profiles and nothing on domains, spaces, apps', () => {
    expect(DEFAULT_POLICY.requiredTags).toEqual({
      'notebook-instance': { project: { derive: 'principal-tag' } },
      'user-profile': { studiouserid: { derive: 'user-profile-name' } },
      domain: {},
      space: {},
      app: {},
    });
  });

  it('protects studiouserid and the exemption tag guardrails:exempt, with no principal allowed', () => {
    expect(DEFAULT_POLICY.protectedTags).toEqual({ studiouserid: { allowedPrincipals: [] } });
    expect(DEFAULT_POLICY.exemption).toEqual({
      tagKey: 'guardrails:exempt',
      allowedPrincipals: [],
      defaultDays: 30,
      maxDays: 90,
    });
  });

  it('ignores nobody by name: the deployment gives the exact ARNs of its own roles', () => {
    expect(DEFAULT_POLICY.ignoredPrincipals).toEqual([]);
  });

  it('has no KMS allowlist, no execution role allowlist and the status tag guardrails:status', () => {
    expect(DEFAULT_POLICY.kms.allowedKeys).toEqual([]);
    expect(DEFAULT_POLICY.userProfile.allowedExecutionRoles).toEqual([]);
    expect(DEFAULT_POLICY.statusTagKey).toBe('guardrails:status');
  });

  it('has the default actions for every rule', () => {
    expect(DEFAULT_POLICY.actions).toEqual({
      'notebook-direct-internet-access': ['tag', 'stop', 'notify'],
      'notebook-root-access': ['tag', 'stop', 'notify'],
      'notebook-vpc': ['tag', 'stop', 'notify'],
      'notebook-kms-key': ['tag', 'stop', 'notify'],
      'domain-network-access': ['tag', 'notify'],
      'domain-kms-key': ['tag', 'notify'],
      'user-profile-execution-role': ['tag', 'notify'],
      'required-tags': ['tag', 'notify'],
      'protected-tag-change': ['revert', 'notify'],
      'notebook-imdsv2': ['tag', 'notify'],
      'domain-identity-attribution': ['tag', 'notify'],
      'studio-image-run-as-root': ['notify'],
      'studio-presigned-url-abac': ['notify'],
      'lifecycle-config-change': ['notify'],
    });
    expect(Object.keys(DEFAULT_POLICY.actions).sort()).toEqual([...RULE_IDS].sort());
  });

  it('is what an empty policy file gives', () => {
    expect(parsePolicy('', FILE)).toEqual(DEFAULT_POLICY);
    expect(parsePolicy('# only a comment\n', FILE)).toEqual(DEFAULT_POLICY);
    expect(parsePolicy('{}', FILE)).toEqual(DEFAULT_POLICY);
  });
});

describe('parsePolicy: valid text', () => {
  it('reads YAML and fills in the defaults around what it sets', () => {
    const policy = parsePolicy(
      [
        '# report-only rollout',
        'mode: report',
        'notebook:',
        '  requireRootAccessDisabled: false',
        'requiredTags:',
        '  domain:',
        '    owner: {}',
        '  notebook-instance:',
        '    project:',
        '      values: [churn, fraud]',
        "      pattern: '^[a-z]+$'",
        'kms:',
        '  allowedKeys:',
        '    - arn:aws:kms:us-east-1:111122223333:key/7c1e4b2a-93d5-4f1e-8a6b-2d9f0c3e5a17',
        '    - arn:aws:kms:us-east-1:111122223333:alias/ml-notebooks',
        'actions:',
        '  notebook-vpc: [notify]',
        'exemption:',
        '  allowedPrincipals: ["arn:aws:iam::*:role/Admin"]',
      ].join('\n'),
      FILE,
    );
    expect(policy.mode).toBe('report');
    expect(policy.notebook).toEqual({
      requireDirectInternetAccessDisabled: true,
      requireRootAccessDisabled: false,
      requireSubnet: true,
      requireKmsKey: true,
      requireImdsV2: true,
    });
    expect(policy.requiredTags).toEqual({
      'notebook-instance': { project: { values: ['churn', 'fraud'], pattern: '^[a-z]+$' } },
      'user-profile': { studiouserid: { derive: 'user-profile-name' } },
      domain: { owner: {} },
      space: {},
      app: {},
    });
    expect(policy.kms.allowedKeys).toHaveLength(2);
    expect(policy.actions['notebook-vpc']).toEqual(['notify']);
    expect(policy.actions['notebook-kms-key']).toEqual(['tag', 'stop', 'notify']);
    expect(policy.exemption).toEqual({
      tagKey: 'guardrails:exempt',
      allowedPrincipals: ['arn:aws:iam::*:role/Admin'],
      defaultDays: 30,
      maxDays: 90,
    });
    expect(policy.protectedTags).toEqual(DEFAULT_POLICY.protectedTags);
  });

  it('reads JSON', () => {
    const policy = parsePolicy(
      JSON.stringify({
        mode: 'enforce',
        userProfile: { allowedExecutionRoles: ['arn:aws:iam::*:role/service-role/AmazonSageMaker-*'] },
        protectedTags: { studiouserid: { allowedPrincipals: ['arn:aws:iam::*:role/Admin'] }, owner: {} },
        ignoredPrincipals: [],
        statusTagKey: 'sec:status',
      }),
      'policy.json',
    );
    expect(policy.userProfile.allowedExecutionRoles).toEqual([
      'arn:aws:iam::*:role/service-role/AmazonSageMaker-*',
    ]);
    expect(policy.protectedTags).toEqual({
      studiouserid: { allowedPrincipals: ['arn:aws:iam::*:role/Admin'] },
      owner: { allowedPrincipals: [] },
    });
    expect(policy.ignoredPrincipals).toEqual([]);
    expect(policy.statusTagKey).toBe('sec:status');
    expect(policy.actions).toEqual(DEFAULT_POLICY.actions);
  });

  it('accepts an action list that is empty (the rule reports nothing to do)', () => {
    expect(parsePolicy('actions:\n  required-tags: []\n', FILE).actions['required-tags']).toEqual([]);
  });
});

describe('parsePolicy: every problem names the field and the reason', () => {
  it.each([
    ['unknown key at top level', 'mode: enforce\nmodes: report\n', ['unknown field "modes"']],
    ['unknown key nested', 'notebook:\n  requireVPC: true\n', ['notebook: unknown field "requireVPC"']],
    [
      'unknown resource type under requiredTags',
      'requiredTags:\n  notebook:\n    project: {}\n',
      ['requiredTags: unknown field "notebook"'],
    ],
    [
      'unknown rule id under actions',
      'actions:\n  notebook-foo: [tag]\n',
      ['actions: unknown field "notebook-foo"'],
    ],
    [
      'wrong type',
      'notebook:\n  requireSubnet: "yes"\n',
      ['notebook.requireSubnet: Invalid input: expected boolean, received string'],
    ],
    [
      'wrong type (string instead of list) in JSON',
      '{"kms": {"allowedKeys": "arn:aws:kms:us-east-1:111122223333:key/abc"}}',
      ['kms.allowedKeys: Invalid input: expected array, received string'],
    ],
    ['bad enum', 'mode: audit\n', ['mode: Invalid option: expected one of "enforce"|"report"']],
    [
      'bad action name',
      'actions:\n  notebook-vpc: [tag, explode]\n',
      ['actions.notebook-vpc.1: Invalid option: expected one of "tag"|"stop"|"revert"|"notify"'],
    ],
    [
      'bad derive',
      'requiredTags:\n  user-profile:\n    studiouserid:\n      derive: email\n',
      [
        'requiredTags.user-profile.studiouserid.derive: Invalid option: expected one of "principal-tag"|"user-profile-name"',
      ],
    ],
    [
      'bad regex',
      'requiredTags:\n  notebook-instance:\n    project:\n      pattern: "[a-z"\n',
      [
        'requiredTags.notebook-instance.project.pattern: must be a regular expression the linear-time engine accepts: Unterminated character class',
      ],
    ],
    [
      'empty values list',
      'requiredTags:\n  notebook-instance:\n    project:\n      values: []\n',
      ['requiredTags.notebook-instance.project.values: Too small: expected array to have >=1 items'],
    ],
    [
      'bad KMS ARN (short account)',
      'kms:\n  allowedKeys:\n    - arn:aws:kms:us-east-1:1111:key/abc\n',
      ['kms.allowedKeys.0: must be a KMS key ARN or alias ARN'],
    ],
    [
      'bare key id on the KMS allowlist',
      'kms:\n  allowedKeys: [7c1e4b2a-93d5-4f1e-8a6b-2d9f0c3e5a17]\n',
      ['kms.allowedKeys.0: must be a KMS key ARN or alias ARN'],
    ],
    [
      'bad principal pattern',
      'ignoredPrincipals:\n  - sm-guardrails-*\n',
      ['ignoredPrincipals.0: must be an ARN pattern such as arn:aws:iam::*:role/name-*'],
    ],
    [
      'bad principal and an unknown key in the same entry',
      'protectedTags:\n  studiouserid:\n    allowedPrincipals: [admin]\n    extra: 1\n',
      [
        'protectedTags.studiouserid.allowedPrincipals.0: must be an ARN pattern such as arn:aws:iam::*:role/name-*',
        'protectedTags.studiouserid: unknown field "extra"',
      ],
    ],
    [
      'several problems at once',
      'mode: x\nnotebook:\n  requireSubnet: 1\n',
      [
        'mode: Invalid option: expected one of "enforce"|"report"',
        'notebook.requireSubnet: Invalid input: expected boolean, received number',
      ],
    ],
    ['a YAML list at top level', '- mode: enforce\n', ['(top level): expected a mapping of policy settings']],
    ['a scalar at top level', 'enforce\n', ['(top level): expected a mapping of policy settings']],
  ])('%s', (_name, text, expected) => {
    expect(problemsOf(text)).toEqual(expected);
  });

  it('the error message starts with the file name', () => {
    expect(() => parsePolicy('mode: audit\n', 'ops/guardrails.yaml')).toThrow(
      'ops/guardrails.yaml: mode: Invalid option: expected one of "enforce"|"report"',
    );
  });

  it('a YAML syntax error names the line', () => {
    expect(problemsOf('mode: enforce\nmode: report\n')).toEqual(['line 2: Map keys must be unique']);
  });

  it.each([
    ['an unclosed flow sequence', 'mode: enforce\nnotebook: [a, b\n'],
    ['a JSON syntax error', '{"mode": "enforce",, }'],
  ])('a YAML syntax error (%s) names a line number', (_name, text) => {
    const problems = problemsOf(text);
    expect(problems.length).toBeGreaterThan(0);
    for (const problem of problems) expect(problem).toMatch(/^line \d+: \S/);
  });
});

describe('matchesPrincipalPattern', () => {
  const ROLE = 'arn:aws:iam::111122223333:role/Admin';
  it.each([
    ['exact ARN', ROLE, ROLE, true],
    ['exact ARN, another role', ROLE, 'arn:aws:iam::111122223333:role/Admins', false],
    ['account wildcard', 'arn:aws:iam::*:role/Admin', ROLE, true],
    [
      'account wildcard, another role',
      'arn:aws:iam::*:role/Admin',
      'arn:aws:iam::111122223333:role/Reader',
      false,
    ],
    [
      'name prefix wildcard',
      'arn:aws:iam::*:role/sm-guardrails-*',
      'arn:aws:iam::111122223333:role/sm-guardrails-tagging',
      true,
    ],
    [
      'name prefix wildcard, no match',
      'arn:aws:iam::*:role/sm-guardrails-*',
      'arn:aws:iam::111122223333:role/sm-guardrail',
      false,
    ],
    [
      'several wildcards',
      'arn:aws:*::*:role/*Admin*',
      'arn:aws:iam::111122223333:role/PlatformAdminRole',
      true,
    ],
    ['a lone wildcard matches no ARN (it stays in one field)', '*', 'arn:aws:sts::1:assumed-role/A/j', false],
    [
      'a wildcard never spans ":" (a role path holding ":role/sm-guardrails-")',
      'arn:aws:iam::*:role/sm-guardrails-*',
      'arn:aws:iam::111122223333:role/x:role/sm-guardrails-evil',
      false,
    ],
    [
      'a wildcard never spans ":" (the account field)',
      'arn:aws:iam::*:role/Admin',
      'arn:aws:iam::1:2:role/Admin',
      false,
    ],
    ['the partition is matched too', 'arn:aws:iam::*:role/Admin', 'arn:aws-cn:iam::1:role/Admin', false],
    [
      'a pattern in another partition',
      'arn:aws-us-gov:iam::*:role/Admin',
      'arn:aws-us-gov:iam::1:role/Admin',
      true,
    ],
    ['anchored at the start', 'iam::*:role/Admin', ROLE, false],
    ['anchored at the end', 'arn:aws:iam::*:role/Adm', ROLE, false],
    [
      'an IAM role pattern does not match the STS session ARN',
      'arn:aws:iam::*:role/Admin',
      'arn:aws:sts::111122223333:assumed-role/Admin/jdoe',
      false,
    ],
    [
      'a role path is part of the ARN',
      'arn:aws:iam::*:role/Admin',
      'arn:aws:iam::111122223333:role/ops/Admin',
      false,
    ],
    [
      'a wildcard spans a role path',
      'arn:aws:iam::*:role/*Admin',
      'arn:aws:iam::111122223333:role/ops/Admin',
      true,
    ],
    [
      'a path with a wildcard',
      'arn:aws:iam::*:role/service-role/*',
      'arn:aws:iam::111122223333:role/service-role/AmazonSageMaker-ExecutionRole-X',
      true,
    ],
    [
      'a path with a wildcard, no path',
      'arn:aws:iam::*:role/service-role/*',
      'arn:aws:iam::111122223333:role/AmazonSageMaker-ExecutionRole-X',
      false,
    ],
    [
      '"." is literal',
      'arn:aws:iam::111122223333:user/first.last',
      'arn:aws:iam::111122223333:user/first.last',
      true,
    ],
    [
      '"." is not "any character"',
      'arn:aws:iam::111122223333:user/first.last',
      'arn:aws:iam::111122223333:user/firstXlast',
      false,
    ],
    ['"+" is literal', 'arn:aws:iam::111122223333:user/a+b', 'arn:aws:iam::111122223333:user/a+b', true],
    [
      '"+" is not "one or more"',
      'arn:aws:iam::111122223333:user/a+b',
      'arn:aws:iam::111122223333:user/aab',
      false,
    ],
    [
      '"@" and "=" and "," are literal',
      'arn:aws:iam::*:user/x=y,z@example.com',
      'arn:aws:iam::1:user/x=y,z@example.com',
      true,
    ],
    ['"?" is literal', 'arn:aws:iam::1:user/ab?', 'arn:aws:iam::1:user/a', false],
    ['parentheses and "|" are literal', 'arn:aws:iam::1:user/(a|b)', 'arn:aws:iam::1:user/(a|b)', true],
    ['"|" is not alternation', 'arn:aws:iam::1:user/(a|b)', 'arn:aws:iam::1:user/a', false],
    ['"$" and "^" are literal', 'arn:aws:iam::1:user/$^', 'arn:aws:iam::1:user/$^', true],
    ['brackets and braces are literal', 'arn:aws:iam::1:user/[a]{2}', 'arn:aws:iam::1:user/[a]{2}', true],
    ['a backslash is literal', 'arn:aws:iam::1:user/a\\d', 'arn:aws:iam::1:user/a\\d', true],
    ['a backslash is not an escape', 'arn:aws:iam::1:user/a\\d', 'arn:aws:iam::1:user/a5', false],
  ])('%s', (_name, pattern, arn, expected) => {
    expect(matchesPrincipalPattern(pattern, arn)).toBe(expected);
  });

  it('answers many-wildcard patterns against long ARNs without backtracking (no timing: a step count)', () => {
    // A backtracking regex from this pattern takes minutes on this ARN; the matcher answers at once.
    const pattern = `arn:aws:iam::*:role/${'*a'.repeat(30)}*b`;
    const arn = `arn:aws:iam::111122223333:role/${'a'.repeat(420)}`;
    expect(matchesPrincipalPattern(pattern, arn)).toBe(false);
    expect(matchesPrincipalPattern(pattern, `${arn}b`)).toBe(true);
  });
});

describe('policy names that are JavaScript object properties', () => {
  it.each([
    [
      'exemption.tagKey: constructor',
      { exemption: { tagKey: 'constructor' } },
      'exemption.tagKey: is a reserved name',
    ],
    ['statusTagKey: __proto__', { statusTagKey: '__proto__' }, 'statusTagKey: is a reserved name'],
    [
      'a required tag named __proto__',
      JSON.parse('{"requiredTags":{"domain":{"__proto__":{}}}}'),
      'requiredTags.domain.__proto__: "__proto__" is a reserved name',
    ],
    [
      'a protected tag named toString',
      { protectedTags: { toString: { allowedPrincipals: [] } } },
      'protectedTags.toString: "toString" is a reserved name',
    ],
  ])('%s is rejected, naming the field', (_name, raw, message) => {
    expect(() => validatePolicy(raw, 'p.yml')).toThrow(`p.yml: ${message}`);
  });
});

describe('tag-value patterns run on the linear-time engine', () => {
  const patternProblem = (pattern: string) => {
    try {
      validatePolicy({ requiredTags: { domain: { x: { pattern } } } }, 'p.yml');
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error(`expected ${pattern} to be rejected`);
  };
  const specFor = (pattern: string) => {
    const spec = validatePolicy({ requiredTags: { domain: { x: { pattern } } } }, 'p.yml').requiredTags.domain
      .x;
    if (!spec) throw new Error('no spec');
    return spec;
  };
  const PREFIX =
    'p.yml: requiredTags.domain.x.pattern: must be a regular expression the linear-time engine accepts: ';

  it.each([
    ['a lookahead', '^(?=a)a$', 'a lookaround cannot be matched in linear time'],
    ['a negative lookahead', '^(?!a)b$', 'a lookaround cannot be matched in linear time'],
    // Node 22's engine runs lookbehinds, Node 20's does not: refused on both, so packaging and Lambda agree.
    ['a lookbehind', '(?<=a)b', 'a lookaround cannot be matched in linear time'],
    ['a backreference', '^(a)\\1$', 'a backreference cannot be matched in linear time'],
    ['a named backreference', '^(?<n>a)\\k<n>$', 'a backreference cannot be matched in linear time'],
    [
      'a counted repetition over 16',
      '^[a-z0-9-]{1,63}$',
      'a counted repetition may be at most 16 (nested ones multiplied)',
    ],
    [
      'nested counted repetitions multiplying over 16',
      '^(a{4}){5}$',
      'a counted repetition may be at most 16 (nested ones multiplied)',
    ],
    [
      'a property escape',
      '^\\p{L}+$',
      'needs the unicode flag, which the linear-time engine does not take: a property escape (\\p{...})',
    ],
    [
      'a code point escape',
      '^\\u{1F600}$',
      'needs the unicode flag, which the linear-time engine does not take: a code point escape (\\u{...})',
    ],
    [
      'a character outside the BMP',
      '^\u{1F600}$',
      'needs the unicode flag, which the linear-time engine does not take: a character outside the Basic Multilingual Plane',
    ],
    // RE2 syntax that a lenient JavaScript RegExp would read as literal letters, matching something else.
    ['RE2 end of text', '^a\\z', 'Invalid escape'],
    ['an RE2 inline flag', '(?i)abc', 'Invalid group'],
    ['an RE2 Unicode class', '^\\pL+$', 'Invalid property name'],
  ])('rejects %s, naming the field and why', (_name, pattern, why) => {
    expect(patternProblem(pattern)).toBe(`${PREFIX}${why}`);
  });

  it.each([
    ['^[a-z]{2,10}-\\d{4}$', 'ab-2024', 'ab-20245'],
    [
      '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
      '0123abcd-0000-4000-8000-00000000abcd',
      'x',
    ],
    ['^(dev|staging|prod)$', 'prod', 'production'],
    ['^[(?=a)]+$', '(?=a)', 'b'],
    ['cost-center', 'team-cost-center-1', 'cost'],
  ])('accepts %s: %s matches, %s does not', (pattern, good, bad) => {
    const spec = specFor(pattern);
    expect(tagValueProblem(good, spec)).toBeUndefined();
    expect(tagValueProblem(bad, spec)).toBe(`value "${bad}" does not match`);
  });

  it('a catastrophic-backtracking pattern against a long value answers, and right', () => {
    const spec = specFor('^([a-z0-9]+-?)+$');
    expect(tagValueProblem(`${'a'.repeat(250)}!`, spec)).toBe(`value "${'a'.repeat(250)}!" does not match`);
    // Far beyond any tag value (256 characters): a backtracking engine would not answer in this lifetime.
    expect(tagValueProblem(`${'a'.repeat(100_000)}!`, spec)).toBe(
      `value "${'a'.repeat(100_000)}!" does not match`,
    );
    expect(tagValueProblem('abc-def', spec)).toBeUndefined();
  });

  it('without the engine (a Node whose V8 dropped the flag), a pattern fails to load and never matches', () => {
    setFlagsFromString('--no-enable-experimental-regexp-engine');
    try {
      // Patterns no test compiled before (compiled patterns are cached).
      expect(patternProblem('^engine-gone-[a-z]+$')).toBe(
        `${PREFIX}this Node.js (${process.version}) has no linear-time RegExp engine (V8 flag --enable-experimental-regexp-engine), so no pattern can be matched safely`,
      );
      expect(tagValueProblem('anything', { pattern: '^any.*$' })).toBe('value "anything" does not match');
    } finally {
      setFlagsFromString('--enable-experimental-regexp-engine');
    }
    // biome-ignore lint/complexity/useRegexLiterals: the l flag is unknown to the parser until the flag is set
    expect(new RegExp('^a+$', 'l').test('aaa')).toBe(true);
  });
});
