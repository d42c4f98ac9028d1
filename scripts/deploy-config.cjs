// Deploy-time inputs for serverless.yml, resolved by `serverless package` itself (no AWS calls):
//   ${file(./scripts/deploy-config.cjs):policyAsset}         the policy file, validated, written as compact JSON
//                                                            for the zips; its path (see writePolicyAsset)
//   ${file(./scripts/deploy-config.cjs):mode}                the `mode` stage param, validated
//   ${file(./scripts/deploy-config.cjs):alertSubscriptions}  SNS email subscriptions from `alertEmails`
//   ${file(./scripts/deploy-config.cjs):topicArn}            Ref AlertTopic         } emulator values under
//   ${file(./scripts/deploy-config.cjs):recheckQueueUrl}     Ref RecheckQueue       } `invoke local`, see
//   ${file(./scripts/deploy-config.cjs):tableName}           Ref GuardrailsTable    }
//   ${file(./scripts/deploy-config.cjs):accountId}           Ref AWS::AccountId     }
//   ${file(./scripts/deploy-config.cjs):memberRoleName}      organization mode: the member role's name (see
//   ${file(./scripts/deploy-config.cjs):memberAccess}        organization/central.ts and docs/deploy.md)
//   ${file(./scripts/deploy-config.cjs):organizationResources}
//   ${file(./scripts/deploy-config.cjs):ownRoleArns}         the functions' role ARNs (none under invoke local)
//   ${file(./scripts/deploy-config.cjs):bundleExtension}     .mjs                   } isInvokeLocal below
//   ${file(./scripts/deploy-config.cjs):monitoringResources} dashboard and saved queries (scripts/monitoring.cjs)
//   ${file(./scripts/deploy-config.cjs):chatResources}       chat topic and channels (`chatSlack`, `chatTeams`)
//   ${file(./scripts/deploy-config.cjs):chatTopicArn}        Ref ChatTopic, or empty without a chat channel
//   ${file(./scripts/deploy-config.cjs):eventDestinations}   the event functions' Lambda destinations (`securityHub`)
//   ${file(./scripts/deploy-config.cjs):findingsQueueUrl}    `securityHub`: Ref FindingsQueue for the sweep worker, else empty
//   ${file(./scripts/deploy-config.cjs):sweepFindingsAccess} `securityHub`: the sweep worker's SendMessage on it (else denied)
// CommonJS on purpose: osls loads `.js`/`.cjs` variable files with require() and reads `.mjs` as plain text.
// The policy is checked with the project's real parser and schema (shared/policy-file.ts, shared/policy.ts),
// loaded through tsx's ESM API.
'use strict';

const { createHash } = require('node:crypto');
const { mkdir, readFile, writeFile } = require('node:fs/promises');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const monitoring = require('./monitoring.cjs');

const ROOT = path.resolve(__dirname, '..');

/**
 * Where packaging writes the validated policy (git- and biome-ignored): one directory per content hash, so
 * concurrent packagings of one checkout with different policies (the template tests) never share a file.
 */
const POLICY_ASSET_DIR = '.sm-guardrails/policy';
const POLICY_ASSET_NAME = 'guardrails.policy.json';

/** An error serverless prints as its message alone (it prints `error.stack` when there is one). */
function deployError(message) {
  const error = new Error(message);
  error.stack = message;
  return error;
}

async function param(resolveVariable, name) {
  const value = await resolveVariable(`param:${name}, ''`);
  return value == null ? '' : String(value).trim();
}

async function loadPolicyModule() {
  const { tsImport } = await import('tsx/esm/api');
  return tsImport(
    pathToFileURL(path.join(ROOT, 'shared/policy-file.ts')).href,
    pathToFileURL(__filename).href,
  );
}

/**
 * Reads and validates a policy file; returns it as compact JSON (exported for the tests). The same checks as
 * `sm-guardrails check-config` (shared/policy-file.ts deployablePolicy): the file's own content, checked to read
 * back, through the functions' own parsePolicyJson, as exactly the policy validated here. No size limit: the
 * policy travels as a file in the function code, not in Lambda's 4 KB of environment variables.
 */
async function policyJsonFromFile(file) {
  if (!file) throw deployError('stage param "policyFile" is empty: set it to a policy YAML/JSON file');
  let text;
  try {
    text = await readFile(path.resolve(ROOT, file), 'utf8');
  } catch (error) {
    throw deployError(`${file}: cannot read the policy file (${error.code ?? error.message})`);
  }
  const { deployablePolicy } = await loadPolicyModule();
  try {
    return deployablePolicy(text, file).json;
  } catch (error) {
    if (error?.name === 'PolicyError' && Array.isArray(error.problems)) {
      const count = error.problems.length;
      const problems = error.problems.map((p) => `\n      ${p}`).join('');
      throw deployError(
        `invalid guardrails policy ${error.file} (${count} problem${count === 1 ? '' : 's'}):${problems}`,
      );
    }
    throw error;
  }
}

/**
 * Writes the validated policy where `package.patterns` picks it up into every function's zip, and returns its
 * path relative to the service directory: the functions read it from there (SM_GUARDRAILS_POLICY_FILE,
 * relative to the code's root). Exported for the tests.
 */
async function writePolicyAsset(file) {
  const json = await policyJsonFromFile(file);
  const hash = createHash('sha256').update(json).digest('hex').slice(0, 16);
  const relative = `${POLICY_ASSET_DIR}/${hash}/${POLICY_ASSET_NAME}`;
  await mkdir(path.join(ROOT, POLICY_ASSET_DIR, hash), { recursive: true });
  await writeFile(path.join(ROOT, relative), json);
  return relative;
}

const EMAIL = /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/;

/** `a@x.org, b@y.org` -> AWS::SNS::Subscription resources, one per address (exported for the tests). */
function subscriptionResources(list, topicLogicalId = 'AlertTopic') {
  const emails = [
    ...new Set(
      list
        .split(',')
        .map((e) => e.trim())
        .filter(Boolean),
    ),
  ];
  const bad = emails.filter((e) => !EMAIL.test(e));
  if (bad.length > 0) {
    throw deployError(
      `stage param "alertEmails": not an email address: ${bad.map((e) => `"${e}"`).join(', ')}`,
    );
  }
  const resources = {};
  for (const email of emails) {
    // Named by a hash of the address, so adding or removing one address leaves the others alone.
    const id = createHash('sha256').update(email.toLowerCase()).digest('hex').slice(0, 12);
    resources[`AlertEmailSubscription${id}`] = {
      Type: 'AWS::SNS::Subscription',
      Properties: { TopicArn: { Ref: topicLogicalId }, Protocol: 'email', Endpoint: email },
    };
  }
  // serverless merges a list of resource fragments; an empty fragment adds nothing.
  return emails.length > 0 ? { Resources: resources } : {};
}

/** The sample events' account, and the local AWS emulator's default one. */
const LOCAL_ACCOUNT = '111122223333';

/** `serverless invoke local ...`: the command, read from the CLI arguments (resolvers are not told it). */
function isInvokeLocal(argv = process.argv) {
  const args = argv.slice(2);
  return args.some((arg, i) => arg === 'invoke' && args[i + 1] === 'local');
}

/**
 * `invoke local` resolves the environment's CloudFormation Refs by asking CloudFormation for the deployed
 * stack. Against the local emulator (AWS_ENDPOINT_URL set) there is no CloudFormation, so there the topic and
 * queue get the names serverless.yml gives them, in the emulator's account (`--env NAME=value` still
 * overrides them). Everywhere else (package, deploy, invoke local against AWS) the Ref stays.
 */
async function refOrLocal(resolveVariable, logicalId, local) {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  if (!isInvokeLocal() || !endpoint) return { Ref: logicalId };
  const region = await resolveVariable('self:provider.region');
  const stage = await resolveVariable('sls:stage');
  const service = await resolveVariable('self:service');
  return local({ region, prefix: `${service}-${stage}`, endpoint: endpoint.replace(/\/+$/, '') });
}

/** The stage param securityHub, validated: findings go to Security Hub (default off). */
async function securityHubOn(resolveVariable) {
  const value = (await param(resolveVariable, 'securityHub')).toLowerCase();
  if (!['', 'true', 'false'].includes(value)) {
    throw deployError(`stage param "securityHub": true or false, not "${value}"`);
  }
  return value === 'true';
}

async function loadOrganizationModule() {
  const { tsImport } = await import('tsx/esm/api');
  return tsImport(
    pathToFileURL(path.join(ROOT, 'organization/central.ts')).href,
    pathToFileURL(__filename).href,
  );
}

/** Organization mode (stage param organizationId set): the member role's name, else empty. */
async function memberRoleName(resolveVariable) {
  if (!(await param(resolveVariable, 'organizationId'))) return '';
  const name = await param(resolveVariable, 'memberRoleName');
  if (!/^sm-guardrails-[A-Za-z0-9+=,.@_-]+$/.test(name)) {
    throw deployError(
      `stage param "memberRoleName": must start with sm-guardrails- (the generated SCPs exempt that prefix; the functions know the role by its exact ARN), not "${name}"`,
    );
  }
  return name;
}

/** The functions' roles (serverless.yml): the only principals whose calls the guardrails do not judge. */
const OWN_ROLES = [
  'NotebookInstancesRole',
  'StudioRole',
  'TagsRole',
  'StopRecheckRole',
  'SweepStartRole',
  'SweepWorkerRole',
  'SecurityHubRole',
];

/** The serverless `resources` fragment of scripts/monitoring.cjs for this stage. */
async function stageNames(resolveVariable) {
  return {
    service: await resolveVariable('self:service'),
    stage: await resolveVariable('sls:stage'),
    region: await resolveVariable('self:provider.region'),
  };
}

module.exports = {
  monitoringResources: async ({ resolveVariable }) =>
    monitoring.monitoringResources(await stageNames(resolveVariable)),

  chatResources: async ({ resolveVariable }) => {
    const { service, stage } = await stageNames(resolveVariable);
    const slack = await param(resolveVariable, 'chatSlack');
    const teams = await param(resolveVariable, 'chatTeams');
    // Only the channel checks become a deploy error (serverless retries unresolved variables by their error).
    try {
      return monitoring.chatResources({ service, stage, slack, teams });
    } catch (error) {
      throw deployError(error.message);
    }
  },

  /** Ref ChatTopic when a chat channel is configured, else empty (the functions then publish no chat message). */
  chatTopicArn: async ({ resolveVariable }) => {
    const chat = (await param(resolveVariable, 'chatSlack')) || (await param(resolveVariable, 'chatTeams'));
    return chat ? { Ref: 'ChatTopic' } : '';
  },

  /**
   * The event functions' Lambda destinations: failures to the failed-events queue; with the stage param
   * securityHub, successes (the event's report) to the findings queue the securityHub function imports.
   */
  eventDestinations: async ({ resolveVariable }) => {
    const queue = (id) => ({ type: 'sqs', arn: { 'Fn::GetAtt': [id, 'Arn'] } });
    return {
      onFailure: queue('FailedEventsQueue'),
      ...((await securityHubOn(resolveVariable)) ? { onSuccess: queue('FindingsQueue') } : {}),
    };
  },

  /** With securityHub, the sweep worker sends its results to the findings queue too (sweep/security-hub.ts). */
  findingsQueueUrl: async ({ resolveVariable }) =>
    (await securityHubOn(resolveVariable))
      ? refOrLocal(
          resolveVariable,
          'FindingsQueue',
          ({ endpoint, prefix }) => `${endpoint}/${LOCAL_ACCOUNT}/${prefix}-findings`,
        )
      : '',

  /** The sweep worker's statement on the findings queue: SendMessage with securityHub, denied without. */
  sweepFindingsAccess: async ({ resolveVariable }) => ({
    Effect: (await securityHubOn(resolveVariable)) ? 'Allow' : 'Deny',
    Action: 'sqs:SendMessage',
    Resource: { 'Fn::GetAtt': ['FindingsQueue', 'Arn'] },
  }),

  policyAsset: async ({ resolveVariable }) => writePolicyAsset(await param(resolveVariable, 'policyFile')),

  mode: async ({ resolveVariable }) => {
    const mode = await param(resolveVariable, 'mode');
    if (mode !== '' && mode !== 'enforce' && mode !== 'report') {
      throw deployError(
        `stage param "mode": must be enforce, report or empty (the policy's mode), not "${mode}"`,
      );
    }
    return mode;
  },

  alertSubscriptions: async ({ resolveVariable }) =>
    subscriptionResources(await param(resolveVariable, 'alertEmails')),

  topicArn: async ({ resolveVariable }) =>
    refOrLocal(
      resolveVariable,
      'AlertTopic',
      ({ region, prefix }) => `arn:aws:sns:${region}:${LOCAL_ACCOUNT}:${prefix}-alerts`,
    ),

  recheckQueueUrl: async ({ resolveVariable }) =>
    refOrLocal(
      resolveVariable,
      'RecheckQueue',
      ({ endpoint, prefix }) => `${endpoint}/${LOCAL_ACCOUNT}/${prefix}-recheck`,
    ),

  /** The stack's own account: the guardrails act there with the function's role (members through the member role). */
  accountId: async ({ resolveVariable }) =>
    refOrLocal(resolveVariable, 'AWS::AccountId', () => LOCAL_ACCOUNT),

  /** SM_GUARDRAILS_MEMBER_ROLE_NAME: empty in a single-account deployment. */
  memberRoleName: async ({ resolveVariable }) => memberRoleName(resolveVariable),

  /** The function roles' statement on member roles: allowed in the organization only, denied in single-account mode. */
  memberAccess: async ({ resolveVariable }) => {
    const { memberAccessStatement } = await loadOrganizationModule();
    const organizationId = await param(resolveVariable, 'organizationId');
    return memberAccessStatement(organizationId, await memberRoleName(resolveVariable));
  },

  /** The organization bus, its policy and the functions' rules on it (organization mode), else nothing. */
  organizationResources: async ({ resolveVariable }) => {
    const organizationId = await param(resolveVariable, 'organizationId');
    if (!organizationId) return {};
    const { centralResources } = await loadOrganizationModule();
    const service = await resolveVariable('self:service');
    const stage = await resolveVariable('sls:stage');
    try {
      return centralResources({
        organizationId,
        prefix: `${service}-${stage}`,
        functions: await resolveVariable('self:functions'),
      });
    } catch (error) {
      throw deployError(error.message);
    }
  },

  tableName: async ({ resolveVariable }) =>
    refOrLocal(resolveVariable, 'GuardrailsTable', ({ prefix }) => `${prefix}-records`),

  /**
   * The exact ARNs of the functions' roles (partition and account bound): the guardrails skip their own calls
   * by these, never by a name pattern anyone could match with a role of their own. `invoke local` runs with
   * none (its calls are an ordinary principal's).
   */
  ownRoleArns: async () =>
    isInvokeLocal() ? '' : { 'Fn::Join': [',', OWN_ROLES.map((role) => ({ 'Fn::GetAtt': [role, 'Arn'] }))] },
  OWN_ROLES,

  /**
   * The Lambda bundles are ES modules named `.mjs`. osls's invoke local loads a handler with require() and
   * tries only `.js` and `.cjs`, so there the bundle is named `.js`: it is still an ES module, as the
   * repository's package.json says `"type": "module"` (Node 20.19+ require()s it, older Node imports it).
   */
  bundleExtension: async () => (isInvokeLocal() ? '.js' : '.mjs'),

  policyJsonFromFile,
  writePolicyAsset,
  subscriptionResources,
  isInvokeLocal,
};
