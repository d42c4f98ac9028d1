// Deploy-time inputs for serverless.yml, resolved by `serverless package` itself (no AWS calls):
//   ${file(./scripts/deploy-config.cjs):policy}              the policy file, validated, as compact JSON
//   ${file(./scripts/deploy-config.cjs):mode}                the `mode` stage param, validated
//   ${file(./scripts/deploy-config.cjs):alertSubscriptions}  SNS email subscriptions from `alertEmails`
//   ${file(./scripts/deploy-config.cjs):topicArn}            Ref AlertTopic         } emulator values under
//   ${file(./scripts/deploy-config.cjs):recheckQueueUrl}     Ref RecheckQueue       } `invoke local`, see
//   ${file(./scripts/deploy-config.cjs):tableName}           Ref GuardrailsTable    }
//   ${file(./scripts/deploy-config.cjs):bundleExtension}     .mjs                   } isInvokeLocal below
// CommonJS on purpose: osls loads `.js`/`.cjs` variable files with require() and reads `.mjs` as plain text.
// The policy is checked with the project's real parser and schema (shared/policy-file.ts, shared/policy.ts),
// loaded through tsx's ESM API.
'use strict';

const { createHash } = require('node:crypto');
const { readFile } = require('node:fs/promises');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { isDeepStrictEqual } = require('node:util');
const { parseDocument } = require('yaml');

const ROOT = path.resolve(__dirname, '..');

/** Lambda allows 4 KB for all environment variables together (keys and values, in bytes). */
const LAMBDA_ENV_LIMIT = 4096;
/**
 * What the other variables can take: SM_GUARDRAILS_TOPIC_ARN and SM_GUARDRAILS_RECHECK_QUEUE_URL are only
 * known at deploy time (about 100 bytes each with the names serverless.yml sets), plus the POWERTOOLS_*,
 * NODE_OPTIONS and SM_GUARDRAILS_MODE pairs (about 200 bytes). 1 KB leaves a wide margin.
 */
const RESERVED_FOR_OTHER_VARIABLES = 1024;
const POLICY_VARIABLE = 'SM_GUARDRAILS_POLICY';
const MAX_POLICY_BYTES = LAMBDA_ENV_LIMIT - RESERVED_FOR_OTHER_VARIABLES - POLICY_VARIABLE.length;

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

async function loadPolicyModules() {
  const { tsImport } = await import('tsx/esm/api');
  const load = (file) => tsImport(pathToFileURL(path.join(ROOT, file)).href, pathToFileURL(__filename).href);
  const [policyFile, policy] = await Promise.all([load('shared/policy-file.ts'), load('shared/policy.ts')]);
  return { parsePolicy: policyFile.parsePolicy, parsePolicyJson: policy.parsePolicyJson };
}

/**
 * Reads and validates a policy file; returns it as compact JSON for SM_GUARDRAILS_POLICY (exported for the
 * tests). The JSON is the file's own content, so settings left at their defaults cost no bytes of Lambda's
 * 4 KB; it is checked to read back, through the functions' own parsePolicyJson, as exactly the policy
 * validated here.
 */
async function policyJsonFromFile(file) {
  if (!file) throw deployError('stage param "policyFile" is empty: set it to a policy YAML/JSON file');
  let text;
  try {
    text = await readFile(path.resolve(ROOT, file), 'utf8');
  } catch (error) {
    throw deployError(`${file}: cannot read the policy file (${error.code ?? error.message})`);
  }
  const { parsePolicy, parsePolicyJson } = await loadPolicyModules();
  let policy;
  try {
    policy = parsePolicy(text, file);
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
  // Same YAML reading as shared/policy-file.ts (parseDocument with default options, then toJS).
  const json = JSON.stringify(parseDocument(text).toJS() ?? {});
  if (!isDeepStrictEqual(parsePolicyJson(json, file), policy)) {
    throw deployError(`${file}: the policy does not read back the same from JSON (a YAML-only value?)`);
  }
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > MAX_POLICY_BYTES) {
    throw deployError(
      `${file}: the policy is ${bytes} bytes as JSON, over the ${MAX_POLICY_BYTES} bytes ${POLICY_VARIABLE} can ` +
        `take (Lambda allows ${LAMBDA_ENV_LIMIT} bytes for all environment variables; ` +
        `${RESERVED_FOR_OTHER_VARIABLES} are kept for the others). Leave out settings equal to their defaults ` +
        'or shorten the lists.',
    );
  }
  return json;
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

module.exports = {
  policy: async ({ resolveVariable }) => policyJsonFromFile(await param(resolveVariable, 'policyFile')),

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

  tableName: async ({ resolveVariable }) =>
    refOrLocal(resolveVariable, 'GuardrailsTable', ({ prefix }) => `${prefix}-records`),

  /**
   * The Lambda bundles are ES modules named `.mjs`. osls's invoke local loads a handler with require() and
   * tries only `.js` and `.cjs`, so there the bundle is named `.js`: it is still an ES module, as the
   * repository's package.json says `"type": "module"` (Node 20.19+ require()s it, older Node imports it).
   */
  bundleExtension: async () => (isInvokeLocal() ? '.js' : '.mjs'),

  policyJsonFromFile,
  subscriptionResources,
  isInvokeLocal,
  MAX_POLICY_BYTES,
};
