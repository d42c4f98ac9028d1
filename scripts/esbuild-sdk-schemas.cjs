// esbuild plugins for the AWS SDK clients' schema modules (dist-es/schemas/schemas_0.js), used by
// scripts/esbuild-plugins.cjs. Each rewrites a module only when it understands it entirely; otherwise the module
// is bundled as it is (bytes come back, behaviour never changes; test/template/sdk-schemas.test.ts names it).
'use strict';

const { readFileSync } = require('node:fs');
const path = require('node:path');

const SDK_SCHEMAS =
  /[\\/]node_modules[\\/]@aws-sdk[\\/]client-[a-z0-9-]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/;
const SECURITY_HUB_SCHEMAS =
  /[\\/]node_modules[\\/]@aws-sdk[\\/]client-securityhub[\\/]dist-es[\\/]schemas[\\/]schemas_0\.js$/;

/** The module's top-level string constants (`const _xF = "xmlFlattened";`). */
function stringConstants(source) {
  const constants = new Map();
  for (const m of source.matchAll(/^const (_[A-Za-z0-9_$]+) = ("[A-Za-z0-9_.#:/ -]*");$/gm)) {
    // Declared twice would be a syntax error; a name seen twice here means the file is not what we think.
    if (constants.has(m[1])) return undefined;
    constants.set(m[1], m[2]);
  }
  return constants;
}

/** The module cut into its top-level declarations (each `var`/`const` with what follows it up to the next). */
const declarations = (source) => source.split(/\n(?=(?:export )?(?:var|const) )/);
const isErrorSchema = (block) => /^(?:export )?var [A-Za-z0-9_$]+ = (?:\[-3,|__registerError\()/.test(block);

/**
 * Tree-shakable schemas: a shape's traits are objects with computed keys naming the trait through a string
 * constant (`{ [_xF]: 1, [_xN]: _MAe }`). esbuild cannot prove such an object free of side effects, so it keeps
 * every shape that has traits, whatever operation it belongs to: the shapes of every operation of SQS, IAM,
 * SNS, DynamoDB and Security Hub that the functions never call. Writing the constant's value as a plain key
 * (`{ "xmlFlattened": 1, ... }`) builds the same object (the constants are strings, none is "__proto__"), and
 * esbuild then drops the shapes nothing reaches. Error shapes are left as they are: their registration keeps
 * them anyway, and the constant's name is shorter than the trait's once minified.
 */
function literalTraitKeys(source) {
  const constants = stringConstants(source);
  if (!constants) return undefined;
  let changed = false;
  const out = declarations(source)
    .map((block) => {
      if (isErrorSchema(block)) return block;
      return block.replace(/\[(_[A-Za-z0-9_$]+)\]: /g, (all, name) => {
        const value = constants.get(name);
        if (value === undefined || value === '"__proto__"') return all;
        changed = true;
        return `${value}: `;
      });
    })
    .join('\n');
  return changed ? out : undefined;
}

/**
 * Compact error registrations: each of a client's error shapes (KMS: 48) is declared and then registered,
 * `export var X$ = [-3, n0, _X, traits, members, types]; n0_registry.registerError(X$, X);`, 30 bytes of
 * boilerplate each once minified. One local function builds the same array and registers it, in the same order:
 * `export var X$ = __registerError(_X, traits, members, types, X)` (a required-member count last, when there
 * is one). Only a module whose every registration has
 * this exact form is rewritten.
 */
const ERROR_REGISTRATION =
  /^export var ([A-Za-z0-9_$]+) = \[-3, n0, ([^,\n]+),\n {4}(.+),\n {4}(\[.*\]),\n {4}(\[.*\])(?:, (\d+))?\n\];\nn0_registry\.registerError\(\1, ([A-Za-z0-9_$]+)\);$/gm;
const REGISTRY = 'const n0_registry = new TypeRegistry(n0);\n';
const REGISTER_ERROR =
  'const __registerError = (name, traits, members, types, ctor, required) => {\n' +
  '    const schema = [-3, n0, name, traits, members, types];\n' +
  '    if (required !== undefined) schema.push(required);\n' +
  '    n0_registry.registerError(schema, ctor);\n' +
  '    return schema;\n' +
  '};\n';

function compactErrorRegistrations(source) {
  const registrations = source.split('n0_registry.registerError(').length - 1;
  if (registrations === 0 || source.split(REGISTRY).length !== 2 || source.includes('__registerError')) {
    return undefined;
  }
  let rewritten = 0;
  const out = source.replace(ERROR_REGISTRATION, (_all, name, id, traits, members, types, required, ctor) => {
    rewritten++;
    const args = [id, traits, members, types, ctor, ...(required === undefined ? [] : [required])];
    return `export var ${name} = __registerError(${args.join(', ')});`;
  });
  if (rewritten !== registrations) return undefined;
  return out.replace(REGISTRY, REGISTRY + REGISTER_ERROR);
}

/** Both rewrites of a schema module (each only where it understands the module). */
function rewriteSchemas(source) {
  const compact = compactErrorRegistrations(source) ?? source;
  return literalTraitKeys(compact) ?? (compact === source ? undefined : compact);
}

/**
 * Security Hub's ASFF: AwsSecurityFinding.Resources[].Details is a ResourceDetails, a structure of about a
 * hundred resource types (705 shapes, 160 KB of the SDK's schema module). The guardrails send only the members
 * below (securityhub/asff.ts) and read none (sink.ts reads ids, times, severity, compliance, record state and
 * product fields). Every other member becomes a document: the JSON shape serializer writes a document as the
 * plain object it is given and the deserializer returns the JSON as it came, which for these members (strings,
 * numbers, booleans, lists and maps of them, structures of those: no timestamp, blob or renamed member, no
 * trait at all) is what their schemas produce, member for member. What the guardrails send keeps its own
 * schema, so its bytes do not change: test/template/sdk-schemas.test.ts sends and reads findings through the
 * deployed bundle and through the unmodified SDK and compares the requests byte for byte.
 */
const RESOURCE_DETAILS_SENT = ['AwsSageMakerNotebookInstance', 'Other'];
const DOCUMENT = '15';

function resourceDetailsAsDocuments(source, keep = RESOURCE_DETAILS_SENT) {
  const constants = stringConstants(source);
  if (!constants) return undefined;
  const shape =
    /^export var ResourceDetails\$ = \[3, n0, _[A-Za-z0-9]+,\n {4}0,\n {4}\[([^\]]*)\],\n {4}\[([^\]]*)\]\n\];$/m;
  const m = source.match(shape);
  if (!m) return undefined;
  const names = m[1].split(', ').map((n) => constants.get(n));
  const schemas = m[2].split(', ');
  if (names.length !== schemas.length || names.some((n) => n === undefined)) return undefined;
  const kept = names.map((n) => keep.includes(JSON.parse(n)));
  if (kept.filter(Boolean).length !== keep.length) return undefined;
  // Members without traits only: `() => Shape$`, `128 | 0` (a map of strings), `15` (a document).
  if (!schemas.every((s) => /^(\(\) => [A-Za-z0-9_$]+|\d+( \| \d+)?)$/.test(s))) return undefined;
  const rewritten = schemas.map((s, i) => (kept[i] ? s : DOCUMENT)).join(', ');
  return source.replace(m[0], m[0].replace(`[${m[2]}]`, `[${rewritten}]`));
}

/**
 * sdk-shared-error-names: an error's name is spelled twice per client, in its class (models/errors.js) and as a
 * string constant of the schema module (`const _KMSISEn = "KMSInvalidStateException";`). Where the errors module
 * is one sdk-compact-errors rewrites (it then exports each name), and the schema module imports that class from
 * it, the constant becomes an import of the exported name: the same string, written once. No import cycle: the
 * errors module imports nothing of the schemas. test/template/sdk-trim.test.ts compares every client's failures
 * (error name, fields) through the deployed bundle with the unmodified SDK's; sdk-hashes.test.ts the errors' names.
 */
function sharedErrorNames(source, errorsFile) {
  // Loaded here, not at the top: scripts/esbuild-plugins.cjs requires this file.
  const { parseSdkErrors, ERROR_NAME_PREFIX } = require('./esbuild-plugins.cjs');
  let errors;
  try {
    errors = parseSdkErrors(readFileSync(errorsFile, 'utf8'));
  } catch {
    return undefined;
  }
  if (!errors) return undefined;
  const imported = source.match(/^import \{ ([A-Za-z0-9_$, ]+), \} from "\.\.\/models\/errors";$/m);
  if (!imported) return undefined;
  const names = new Set(imported[1].split(', '));
  const compacted = new Set(errors.classes.map((c) => c.name));
  const lines = [];
  const out = source.replace(/^const (_[A-Za-z0-9_$]+) = "([A-Za-z0-9_]+)";\n/gm, (line, constant, value) => {
    if (!names.has(value) || !compacted.has(value)) return line;
    lines.push(`import { ${ERROR_NAME_PREFIX}${value} as ${constant} } from "../models/errors";\n`);
    return '';
  });
  return lines.length === 0 ? undefined : lines.join('') + out;
}

const sdkTreeShakableSchemas = {
  name: 'sdk-tree-shakable-schemas',
  setup(build) {
    // The error names are exported only where sdk-compact-errors rewrites the errors modules.
    const compactErrors = (build.initialOptions.plugins ?? []).some((p) => p.name === 'sdk-compact-errors');
    build.onLoad({ filter: SDK_SCHEMAS }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const rewritten = rewriteSchemas(source) ?? source;
      const errorsFile = path.join(path.dirname(args.path), '..', 'models', 'errors.js');
      const shared = (compactErrors && sharedErrorNames(rewritten, errorsFile)) || rewritten;
      return shared === source ? undefined : { contents: shared, loader: 'js' };
    });
  },
};

/** Listed before sdk-tree-shakable-schemas: it rewrites Security Hub's module with both changes. */
const securityHubResourceDetails = {
  name: 'sdk-security-hub-resource-details',
  setup(build) {
    build.onLoad({ filter: SECURITY_HUB_SCHEMAS }, (args) => {
      const documents = resourceDetailsAsDocuments(readFileSync(args.path, 'utf8'));
      if (!documents) return undefined;
      return { contents: rewriteSchemas(documents) ?? documents, loader: 'js' };
    });
  },
};

module.exports = {
  sdkTreeShakableSchemas,
  securityHubResourceDetails,
  literalTraitKeys,
  compactErrorRegistrations,
  rewriteSchemas,
  resourceDetailsAsDocuments,
  RESOURCE_DETAILS_SENT,
};
