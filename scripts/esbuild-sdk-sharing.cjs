// esbuild plugins that bundle once what several AWS SDK clients have the same, used by
// scripts/esbuild-plugins.cjs. Each rewrites a client's module only when it understands it entirely and finds
// another installed client with the same text (names set aside where said); otherwise the module is bundled as it
// is. test/template/sdk-hashes.test.ts builds five clients through them and checks their calls.
'use strict';

const { existsSync, readdirSync, readFileSync } = require('node:fs');
const path = require('node:path');

// sdk-shared-modules: some modules are byte for byte the same in every client (the auth extension configuration,
// the runtime extensions), yet each client's copy is bundled. A copy whose content, and that of every module it
// imports relatively, equals the first installed client's (in name order) re-exports that one instead: the same
// code, bundled once. These modules define functions only (no state a client could share); a client with its own
// node_modules (other dependency versions) is never merged. test/template/sdk-trim.test.ts's probe (every client,
// every kind of failure) is built with it.
const CLIENT_FILE = /^(.*[\\/]node_modules[\\/]@aws-sdk[\\/])(client-[a-z0-9-]+)[\\/]dist-es[\\/](.+\.js)$/;
const SHARED_FILES = /^(auth[\\/]httpAuthExtensionConfiguration|runtimeExtensions)\.js$/;

/** Whether `rel` and everything it imports relatively are the same files in both client folders. */
function sameModule(dirA, dirB, rel, seen = new Set()) {
  if (seen.has(rel)) return true;
  seen.add(rel);
  let a;
  let b;
  try {
    a = readFileSync(path.join(dirA, rel), 'utf8');
    b = readFileSync(path.join(dirB, rel), 'utf8');
  } catch {
    return false;
  }
  if (a !== b) return false;
  for (const m of a.matchAll(/from "(\.{1,2}\/[^"]+)"/g)) {
    const target = path.join(path.dirname(rel), m[1]);
    if (!sameModule(dirA, dirB, target.endsWith('.js') ? target : `${target}.js`, seen)) return false;
  }
  return true;
}

/**
 * The installed clients, in name order, that have no node_modules of their own and for which `alike(name)`
 * holds: the first is the one whose copy is bundled for all.
 */
function clientsAlike(scope, alike) {
  return readdirSync(scope)
    .filter((name) => name.startsWith('client-'))
    .sort()
    .filter((name) => !existsSync(path.join(scope, name, 'node_modules')) && alike(name));
}

const sdkSharedModules = {
  name: 'sdk-shared-modules',
  setup(build) {
    build.onLoad({ filter: /[\\/]@aws-sdk[\\/]client-[a-z0-9-]+[\\/]dist-es[\\/]/ }, (args) => {
      const m = CLIENT_FILE.exec(args.path);
      if (!m || !SHARED_FILES.test(m[3])) return undefined;
      const [, scope, client, rel] = m;
      if (existsSync(path.join(scope, client, 'node_modules'))) return undefined;
      const [first] = clientsAlike(scope, (name) =>
        sameModule(path.join(scope, name, 'dist-es'), path.join(scope, client, 'dist-es'), rel),
      );
      if (!first || first === client) return undefined;
      return {
        contents: `export * from ${JSON.stringify(path.join(scope, first, 'dist-es', rel))};\n`,
        loader: 'js',
      };
    });
  },
};

// sdk-shared-runtime-config: a client's runtimeConfig.js (its Node defaults) is the same text in several clients
// but for what its two relative imports bring: its package.json and its runtimeConfig.shared.js. Where the text
// is byte for byte the first installed client's, the function is written once, taking those two as parameters,
// and each client calls it with its own: the same code over the same values. Proven with sdk-shared-modules.
const PACKAGE_INFO = 'import packageInfo from "../package.json";\n';
const SHARED_RUNTIME_CONFIG =
  'import { getRuntimeConfig as getSharedRuntimeConfig } from "./runtimeConfig.shared";\n';
const GET_RUNTIME_CONFIG = 'export const getRuntimeConfig = (config) => {';
const RUNTIME_CONFIG_FILE = /[\\/]@aws-sdk[\\/]client-[a-z0-9-]+[\\/]dist-es[\\/]runtimeConfig\.js$/;

/** The text, if it is one this plugin shares: its only relative imports the two, its one export the function. */
function shareableRuntimeConfig(source) {
  const relative = source.match(/from "\.{1,2}\/[^"]+"/g) ?? [];
  const once = (text) => source.split(text).length === 2;
  return (
    relative.length === 2 && once(PACKAGE_INFO) && once(SHARED_RUNTIME_CONFIG) && once(GET_RUNTIME_CONFIG)
  );
}

const sdkSharedRuntimeConfig = {
  name: 'sdk-shared-runtime-config',
  setup(build) {
    build.onLoad({ filter: RUNTIME_CONFIG_FILE, namespace: 'file' }, (args) => {
      const m = CLIENT_FILE.exec(args.path);
      if (!m) return undefined;
      const [, scope, client, rel] = m;
      const source = readFileSync(args.path, 'utf8');
      if (!shareableRuntimeConfig(source) || existsSync(path.join(scope, client, 'node_modules')))
        return undefined;
      const same = clientsAlike(scope, (name) => {
        const file = path.join(scope, name, 'dist-es', rel);
        return existsSync(file) && readFileSync(file, 'utf8') === source;
      });
      // A text of its own: nothing to share.
      const first = same[0];
      if (same.length < 2 || !first) return undefined;
      return {
        contents:
          PACKAGE_INFO +
          SHARED_RUNTIME_CONFIG +
          `import { makeGetRuntimeConfig } from ${JSON.stringify(`sdk-shared-runtime-config:${first}`)};\n` +
          'export const getRuntimeConfig = makeGetRuntimeConfig(packageInfo, getSharedRuntimeConfig);\n',
        loader: 'js',
      };
    });
    build.onResolve({ filter: /^sdk-shared-runtime-config:/ }, (args) => {
      const client = args.path.slice('sdk-shared-runtime-config:'.length);
      const dir = path.resolve(path.dirname(args.importer), '..', '..', client, 'dist-es');
      return { path: path.join(dir, 'runtimeConfig.js'), namespace: 'sdk-shared-runtime-config' };
    });
    build.onLoad({ filter: /.*/, namespace: 'sdk-shared-runtime-config' }, (args) => ({
      contents: readFileSync(args.path, 'utf8')
        .replace(PACKAGE_INFO, '')
        .replace(SHARED_RUNTIME_CONFIG, '')
        .replace(
          GET_RUNTIME_CONFIG,
          'export const makeGetRuntimeConfig = (packageInfo, getSharedRuntimeConfig) => (config) => {',
        ),
      resolveDir: path.dirname(args.path),
      loader: 'js',
    }));
  },
};

// sdk-shared-client-functions: two modules are the same text in every client but for the client's signing name
// and the prefix of two export names (auth/httpAuthSchemeProvider.js: `defaultKMSHttpAuthSchemeProvider`,
// `name: "kms"`; endpoint/EndpointParameters.js: `defaultSigningName: "kms"`). Where a client's text equals the
// first installed client's once those are set aside, the module's code is written once as a function of the
// signing name, and each client's module calls it and exports what it returns under its own names: the same
// functions over the same values. Proven by sdk-hashes.test.ts (five clients sign with their own names).
const PARAMETERIZED = [
  {
    rel: /^auth[\\/]httpAuthSchemeProvider\.js$/,
    signingName: /name: ("[a-z0-9-]+"),/,
    prefix: /export const default([A-Za-z0-9]+)HttpAuthSchemeParametersProvider = /,
    prefixed: (prefix) => `default${prefix}HttpAuthScheme`,
  },
  { rel: /^endpoint[\\/]EndpointParameters\.js$/, signingName: /defaultSigningName: ("[a-z0-9-]+"),/ },
];
const IMPORT_LINE = /^import [^\n]* from "[^".][^"]*";$/;

/** The module as a function of its signing name: { imports, body, exports }, or undefined if not understood. */
function parameterize(source, spec) {
  const names = source.match(new RegExp(spec.signingName.source, 'g')) ?? [];
  if (names.length !== 1) return undefined;
  const signingName = spec.signingName.exec(source)[1];
  let text = source.replace(spec.signingName, (all) => all.replace(signingName, '__signingName'));
  let prefix = '';
  if (spec.prefix) {
    const m = spec.prefix.exec(source);
    if (!m) return undefined;
    prefix = m[1];
    text = text.split(spec.prefixed(prefix)).join(spec.prefixed('__'));
  }
  const lines = text.split('\n');
  const firstBody = lines.findIndex((line) => !IMPORT_LINE.test(line));
  const imports = lines.slice(0, firstBody);
  const body = lines.slice(firstBody).join('\n');
  // Relative imports, other export forms or the parameter's name already in use: not understood.
  if (/from "\./.test(body) || /\bimport\b/.test(body) || /^export (?!const )/m.test(body)) return undefined;
  if (source.includes('__signingName') || source.includes('__shared')) return undefined;
  const exports = [...body.matchAll(/^export const ([A-Za-z0-9_$]+) = /gm)].map((m) => m[1]);
  if (exports.length === 0) return undefined;
  return { imports, body, exports, signingName, prefix, key: text };
}

const sdkSharedClientFunctions = {
  name: 'sdk-shared-client-functions',
  setup(build) {
    build.onLoad(
      { filter: /[\\/]@aws-sdk[\\/]client-[a-z0-9-]+[\\/]dist-es[\\/]/, namespace: 'file' },
      (args) => {
        const m = CLIENT_FILE.exec(args.path);
        const spec = m && PARAMETERIZED.find((p) => p.rel.test(m[3]));
        if (!m || !spec) return undefined;
        const [, scope, client, rel] = m;
        const own = parameterize(readFileSync(args.path, 'utf8'), spec);
        if (!own || existsSync(path.join(scope, client, 'node_modules'))) return undefined;
        const same = clientsAlike(scope, (name) => {
          const file = path.join(scope, name, 'dist-es', rel);
          return existsSync(file) && parameterize(readFileSync(file, 'utf8'), spec)?.key === own.key;
        });
        const first = same[0];
        if (same.length < 2 || !first) return undefined;
        const rename = (name) =>
          own.prefix ? name.split(spec.prefixed('__')).join(spec.prefixed(own.prefix)) : name;
        const shared = `sdk-shared-client-functions:${path.join(scope, first, 'dist-es', rel)}`;
        return {
          contents:
            `import { make } from ${JSON.stringify(shared)};\n` +
            `const __shared = make(${own.signingName});\n` +
            own.exports.map((name) => `export const ${rename(name)} = __shared.${name};\n`).join(''),
          loader: 'js',
        };
      },
    );
    build.onResolve({ filter: /^sdk-shared-client-functions:/ }, (args) => ({
      path: args.path.slice('sdk-shared-client-functions:'.length),
      namespace: 'sdk-shared-client-functions',
    }));
    build.onLoad({ filter: /.*/, namespace: 'sdk-shared-client-functions' }, (args) => {
      const m = CLIENT_FILE.exec(args.path);
      const spec = PARAMETERIZED.find((p) => p.rel.test(m[3]));
      const { imports, body, exports } = parameterize(readFileSync(args.path, 'utf8'), spec);
      return {
        contents:
          `${imports.join('\n')}\nexport const make = (__signingName) => {\n` +
          `${body.replace(/^export const /gm, 'const ')}\nreturn { ${exports.join(', ')} };\n};\n`,
        resolveDir: path.dirname(args.path),
        loader: 'js',
      };
    });
  },
};

// sdk-shared-client-class: the client class (KMSClient.js...) is the same text in several clients but for its
// name and what it imports from its own folder. Where a client's text equals the first installed client's with
// the names set aside, the class is written once, in a function taking those imports, and each client's module
// calls it with its own: the same class over the same values (the deployed bundle's class names are minified
// already; commands name their client themselves). Proven by sdk-hashes.test.ts (five clients' calls).
const CLIENT_CLASS_FILE = /^([A-Za-z0-9]+)Client\.js$/;
const RELATIVE_IMPORT = /^import \{ ([^}]*) \} from "(\.\/[^"]+)";$/;

/** The client class module with its names set aside, its imports split, or undefined if not understood. */
function parameterizeClientClass(source, rel) {
  const m = CLIENT_CLASS_FILE.exec(rel);
  if (!m) return undefined;
  const prefix = m[1];
  const text = source
    .split(`default${prefix}HttpAuthScheme`)
    .join('default__HttpAuthScheme')
    .split(`${prefix}Client`)
    .join('__SdkClient');
  if (source.includes('__SdkClient') || source.includes('default__HttpAuthScheme')) return undefined;
  const lines = text.split('\n');
  const imports = [];
  const relative = [];
  let i = 0;
  for (; i < lines.length && lines[i].startsWith('import '); i++) {
    const r = RELATIVE_IMPORT.exec(lines[i]);
    if (r)
      relative.push({
        line: i,
        names: r[1]
          .split(',')
          .map((n) => n.trim())
          .filter(Boolean),
      });
    else if (IMPORT_LINE.test(lines[i])) imports.push(lines[i]);
    else return undefined;
  }
  if (
    lines[i] !== 'export { __Client };' ||
    !lines[i + 1]?.startsWith('export class __SdkClient extends __Client {')
  ) {
    return undefined;
  }
  const body = lines.slice(i + 1).join('\n');
  if (/\bimport\b|^export (?!class __SdkClient )/m.test(body)) return undefined;
  const locals = relative.flatMap((r) => r.names.map((n) => n.split(/\s+as\s+/).pop()));
  if (!imports.some((line) => line.includes('Client as __Client'))) return undefined;
  return { prefix, imports, locals, body, key: text };
}

const sdkSharedClientClass = {
  name: 'sdk-shared-client-class',
  setup(build) {
    build.onLoad(
      {
        filter: /[\\/]@aws-sdk[\\/]client-[a-z0-9-]+[\\/]dist-es[\\/][A-Za-z0-9]+Client\.js$/,
        namespace: 'file',
      },
      (args) => {
        const m = CLIENT_FILE.exec(args.path);
        if (!m) return undefined;
        const [, scope, client, rel] = m;
        const source = readFileSync(args.path, 'utf8');
        const own = parameterizeClientClass(source, rel);
        if (!own || existsSync(path.join(scope, client, 'node_modules'))) return undefined;
        const same = clientsAlike(scope, (name) => {
          const dir = path.join(scope, name, 'dist-es');
          const file = existsSync(dir) ? readdirSync(dir).find((f) => CLIENT_CLASS_FILE.test(f)) : undefined;
          return (
            file !== undefined &&
            parameterizeClientClass(readFileSync(path.join(dir, file), 'utf8'), file)?.key === own.key
          );
        });
        const first = same[0];
        if (same.length < 2 || !first) return undefined;
        const firstDir = path.join(scope, first, 'dist-es');
        const firstFile = readdirSync(firstDir).find((f) => CLIENT_CLASS_FILE.test(f));
        const restore = (name) =>
          name.split('default__HttpAuthScheme').join(`default${own.prefix}HttpAuthScheme`);
        const ownImports = source.split('\n').filter((line) => RELATIVE_IMPORT.test(line));
        return {
          contents:
            `import { Client as __Client } from "@smithy/core/client";\n${ownImports.join('\n')}\n` +
            `import { make } from ${JSON.stringify(`sdk-shared-client-class:${path.join(firstDir, firstFile)}`)};\n` +
            'export { __Client };\n' +
            `export const ${own.prefix}Client = make(${own.locals.map(restore).join(', ')});\n`,
          loader: 'js',
        };
      },
    );
    build.onResolve({ filter: /^sdk-shared-client-class:/ }, (args) => ({
      path: args.path.slice('sdk-shared-client-class:'.length),
      namespace: 'sdk-shared-client-class',
    }));
    build.onLoad({ filter: /.*/, namespace: 'sdk-shared-client-class' }, (args) => {
      const { imports, locals, body } = parameterizeClientClass(
        readFileSync(args.path, 'utf8'),
        path.basename(args.path),
      );
      return {
        contents:
          `${imports.join('\n')}\nexport const make = (${locals.join(', ')}) => {\n` +
          `${body.replace('export class __SdkClient', 'return class __SdkClient')}\n};\n`,
        resolveDir: path.dirname(args.path),
        loader: 'js',
      };
    });
  },
};

// sdk-shared-runtime-config-shared: a client's runtimeConfig.shared.js (its protocol defaults) is the same text in
// several clients (IAM, KMS, SageMaker, SNS) but for its API version, protocol class, auth scheme provider, protocol
// settings and service id. Where a client's text is exactly that template (SHARED_CONFIG_TEMPLATE, placeholders
// set aside), the function is written once with those as parameters and each client calls it with its own; the
// protocol settings stay the client's own object literal, built only when not configured. Any other text (SQS,
// STS, DynamoDB: other imports or keys) is bundled as it is. sdk-hashes.test.ts checks the clients' calls.
const SHARED_CONFIG_TEMPLATE = `import { AwsSdkSigV4Signer } from "@aws-sdk/core/httpAuthSchemes";
import { @protocol } from "@aws-sdk/core/protocols";
import { Sha256 } from "@smithy/core/checksum";
import { NoOpLogger } from "@smithy/core/client";
import { parseUrl } from "@smithy/core/protocols";
import { fromBase64, fromUtf8, toBase64, toUtf8 } from "@smithy/core/serde";
import { @authSchemeProvider } from "./auth/httpAuthSchemeProvider";
import { defaultEndpointResolver } from "./endpoint/endpointResolver";
import { errorTypeRegistries } from "./schemas/schemas_0";
export const getRuntimeConfig = (config) => {
    return {
        apiVersion: "@apiVersion",
        base64Decoder: config?.base64Decoder ?? fromBase64,
        base64Encoder: config?.base64Encoder ?? toBase64,
        disableHostPrefix: config?.disableHostPrefix ?? false,
        endpointProvider: config?.endpointProvider ?? defaultEndpointResolver,
        extensions: config?.extensions ?? [],
        httpAuthSchemeProvider: config?.httpAuthSchemeProvider ?? @authSchemeProvider,
        httpAuthSchemes: config?.httpAuthSchemes ?? [
            {
                schemeId: "aws.auth#sigv4",
                identityProvider: (ipc) => ipc.getIdentityProvider("aws.auth#sigv4"),
                signer: new AwsSdkSigV4Signer(),
            },
        ],
        logger: config?.logger ?? new NoOpLogger(),
        protocol: config?.protocol ?? @protocol,
        protocolSettings: config?.protocolSettings ?? @protocolSettings,
        serviceId: config?.serviceId ?? "@serviceId",
        sha256: config?.sha256 ?? Sha256,
        urlParser: config?.urlParser ?? parseUrl,
        utf8Decoder: config?.utf8Decoder ?? fromUtf8,
        utf8Encoder: config?.utf8Encoder ?? toUtf8,
    };
};
`;
const SHARED_CONFIG_PLACEHOLDER = /@(protocol|authSchemeProvider|apiVersion|protocolSettings|serviceId)\b/g;
const SHARED_CONFIG_VALUE = {
  protocol: '([A-Za-z0-9_]+)',
  authSchemeProvider: '(default[A-Za-z0-9]+HttpAuthSchemeProvider)',
  apiVersion: '([0-9-]+)',
  // The settings object: string-valued keys and the imported error registries, nothing else.
  protocolSettings: '(\\{\\n(?: {12}(?:[A-Za-z]+: "[^"\\n\\\\]*"|errorTypeRegistries),\\n)+ {8}\\})',
  serviceId: '([A-Za-z0-9 -]+)',
};
const SHARED_CONFIG_PATTERN = (() => {
  const order = [];
  const escaped = SHARED_CONFIG_TEMPLATE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(
    SHARED_CONFIG_PLACEHOLDER,
    (_, name) => {
      if (order.includes(name)) return `\\${order.indexOf(name) + 1}`;
      order.push(name);
      return SHARED_CONFIG_VALUE[name];
    },
  );
  return { regex: new RegExp(`^${escaped}$`), order };
})();

/** The template's values in a client's runtimeConfig.shared.js, or undefined if its text is another. */
function sharedConfigValues(source) {
  const m = SHARED_CONFIG_PATTERN.regex.exec(source);
  if (!m) return undefined;
  return Object.fromEntries(SHARED_CONFIG_PATTERN.order.map((name, i) => [name, m[i + 1]]));
}

const SHARED_CONFIG_FILE = /[\\/]@aws-sdk[\\/]client-[a-z0-9-]+[\\/]dist-es[\\/]runtimeConfig\.shared\.js$/;

const sdkSharedRuntimeConfigShared = {
  name: 'sdk-shared-runtime-config-shared',
  setup(build) {
    build.onLoad({ filter: SHARED_CONFIG_FILE, namespace: 'file' }, (args) => {
      const m = CLIENT_FILE.exec(args.path);
      if (!m) return undefined;
      const [, scope, client, rel] = m;
      const own = sharedConfigValues(readFileSync(args.path, 'utf8'));
      if (!own || existsSync(path.join(scope, client, 'node_modules'))) return undefined;
      const same = clientsAlike(scope, (name) => {
        const file = path.join(scope, name, 'dist-es', rel);
        return existsSync(file) && sharedConfigValues(readFileSync(file, 'utf8')) !== undefined;
      });
      const first = same[0];
      if (same.length < 2 || !first) return undefined;
      const shared = `sdk-shared-runtime-config-shared:${path.join(scope, first, 'dist-es', rel)}`;
      return {
        contents:
          `import { ${own.protocol} } from "@aws-sdk/core/protocols";\n` +
          `import { ${own.authSchemeProvider} } from "./auth/httpAuthSchemeProvider";\n` +
          'import { defaultEndpointResolver } from "./endpoint/endpointResolver";\n' +
          'import { errorTypeRegistries } from "./schemas/schemas_0";\n' +
          `import { makeGetRuntimeConfig } from ${JSON.stringify(shared)};\n` +
          `export const getRuntimeConfig = makeGetRuntimeConfig(${JSON.stringify(own.apiVersion)}, ` +
          `defaultEndpointResolver, ${own.authSchemeProvider}, ${own.protocol}, ` +
          `() => (${own.protocolSettings}), ${JSON.stringify(own.serviceId)});\n`,
        loader: 'js',
      };
    });
    build.onResolve({ filter: /^sdk-shared-runtime-config-shared:/ }, (args) => ({
      path: args.path.slice('sdk-shared-runtime-config-shared:'.length),
      namespace: 'sdk-shared-runtime-config-shared',
    }));
    build.onLoad({ filter: /.*/, namespace: 'sdk-shared-runtime-config-shared' }, (args) => {
      const lines = SHARED_CONFIG_TEMPLATE.split('\n');
      const body = lines
        .filter((line) => !line.startsWith('import ') || !/ from "(\.|@aws-sdk\/core\/protocols)/.test(line))
        .join('\n')
        .replace(
          'export const getRuntimeConfig = (config) => {',
          'export const makeGetRuntimeConfig = (apiVersion, defaultEndpointResolver, authSchemeProvider, ' +
            'protocol, protocolSettings, serviceId) => (config) => {',
        )
        .replace('"@apiVersion"', 'apiVersion')
        .replace('?? @authSchemeProvider', '?? authSchemeProvider')
        .replace('?? @protocol,', '?? protocol,')
        .replace('?? @protocolSettings', '?? protocolSettings()')
        .replace('"@serviceId"', 'serviceId');
      return { contents: body, resolveDir: path.dirname(args.path), loader: 'js' };
    });
  },
};

module.exports = {
  sdkSharedModules,
  sdkSharedRuntimeConfig,
  sdkSharedRuntimeConfigShared,
  sdkSharedClientFunctions,
  sdkSharedClientClass,
};
