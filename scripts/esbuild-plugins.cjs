// esbuild plugins for the Lambda bundles (serverless.yml: custom.esbuild.plugins).
//
// project-only-source-maps: the source map keeps the mappings of the project's own code (shared/, functions/)
// and drops those of node_modules. The full map of the minified AWS SDK clients, zod and Powertools is 14
// times larger (about 0.9 MB against 63 KB; 160 KB more per zip) and only maps frames inside libraries, while
// Node parses the whole map at cold start (NODE_OPTIONS=--enable-source-maps). Stack traces through our code
// still point at the TypeScript source; library frames show the bundle position instead.
'use strict';

const { existsSync, readdirSync, readFileSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_VALUE = new Map([...B64].map((c, i) => [c, i]));

/** Decodes one segment's base64 VLQ fields. */
function decodeSegment(text) {
  const fields = [];
  let value = 0;
  let shift = 0;
  for (const c of text) {
    const digit = B64_VALUE.get(c);
    if (digit === undefined) throw new Error(`invalid source map character "${c}"`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return fields;
}

function encodeValue(n) {
  let v = n < 0 ? (-n << 1) | 1 : n << 1;
  let out = '';
  do {
    let digit = v & 31;
    v >>>= 5;
    if (v > 0) digit |= 32;
    out += B64[digit];
  } while (v > 0);
  return out;
}

/**
 * Returns a copy of a v3 source map without the mappings whose source `drop` selects. A dropped run becomes
 * one unmapped segment, so a position inside library code is not attributed to the project code before it.
 */
function filterSourceMap(map, drop) {
  const keepSource = map.sources.map((s) => !drop(s));
  const sourceIndex = [];
  const sources = [];
  map.sources.forEach((s, i) => {
    if (keepSource[i]) {
      sourceIndex[i] = sources.length;
      sources.push(s);
    }
  });
  const nameIndex = new Map();
  const names = [];
  // Absolute state of the input (decoding) and of the output (encoding).
  const input = { source: 0, line: 0, column: 0, name: 0 };
  const output = { source: 0, line: 0, column: 0, name: 0 };
  const lines = map.mappings.split(';').map((line) => {
    let inColumn = 0;
    let outColumn = 0;
    let unmapped = false;
    const segments = [];
    for (const text of line.split(',')) {
      if (!text) continue;
      const f = decodeSegment(text);
      inColumn += f[0];
      let kept = false;
      let name;
      if (f.length >= 4) {
        input.source += f[1];
        input.line += f[2];
        input.column += f[3];
        if (f.length >= 5) {
          input.name += f[4];
          name = map.names[input.name];
        }
        kept = keepSource[input.source];
      }
      if (kept) {
        let segment =
          encodeValue(inColumn - outColumn) +
          encodeValue(sourceIndex[input.source] - output.source) +
          encodeValue(input.line - output.line) +
          encodeValue(input.column - output.column);
        output.source = sourceIndex[input.source];
        output.line = input.line;
        output.column = input.column;
        if (name !== undefined) {
          if (!nameIndex.has(name)) {
            nameIndex.set(name, names.length);
            names.push(name);
          }
          segment += encodeValue(nameIndex.get(name) - output.name);
          output.name = nameIndex.get(name);
        }
        segments.push(segment);
        outColumn = inColumn;
        unmapped = false;
      } else if (!unmapped && segments.length > 0) {
        segments.push(encodeValue(inColumn - outColumn));
        outColumn = inColumn;
        unmapped = true;
      }
    }
    return segments.join(',');
  });
  const { sourcesContent, ...rest } = map;
  return {
    ...rest,
    sources,
    ...(sourcesContent ? { sourcesContent: sourcesContent.filter((_, i) => keepSource[i]) } : {}),
    names,
    mappings: lines.join(';'),
  };
}

const isDependency = (source) => /(^|[\\/])node_modules[\\/]/.test(source);

const projectOnlySourceMaps = {
  name: 'project-only-source-maps',
  setup(build) {
    build.initialOptions.metafile = true;
    build.onEnd((result) => {
      if (result.errors.length > 0 || !result.metafile) return;
      const cwd = build.initialOptions.absWorkingDir ?? process.cwd();
      for (const file of Object.keys(result.metafile.outputs)) {
        if (!file.endsWith('.map')) continue;
        const full = path.resolve(cwd, file);
        const map = JSON.parse(readFileSync(full, 'utf8'));
        writeFileSync(full, JSON.stringify(filterSourceMap(map, isDependency)));
      }
    });
  },
};

// sdk-package-version-only: every AWS SDK client imports its whole package.json (about 2 KiB each, five clients per
// function) only to read `version` for its user agent. The bundle keeps the name and version alone.
const SDK_PACKAGE_JSON = /[\\/]node_modules[\\/]@aws-sdk[\\/]client-[a-z0-9-]+[\\/]package\.json$/;
const sdkPackageVersionOnly = {
  name: 'sdk-package-version-only',
  setup(build) {
    build.onLoad({ filter: SDK_PACKAGE_JSON }, (args) => {
      const { name, version } = JSON.parse(readFileSync(args.path, 'utf8'));
      return { contents: JSON.stringify({ name, version }), loader: 'json' };
    });
  },
};

// sdk-compact-errors: every AWS SDK client registers all of its service's error classes (KMS: 48) with its
// schema registry, so none can be tree-shaken: 46 KiB of near-identical class declarations per function. This
// plugin rewrites a client's models/errors.js into one factory call per class that builds the same class: same
// export names, static shapeId, base class, own properties in the same order (name, $fault,
// $retryable, the declared fields), and the same prototype chain, so `instanceof`, the registry's lookups and
// the SDK's deserializer see no difference. Only a file whose every line is understood is rewritten: the parse
// is rendered back and must reproduce the file byte for byte, otherwise the file is bundled as it is (a newer
// SDK with another shape costs bytes, never behaviour; test/template/sdk-trim.test.ts names such a file).
const SDK_ERRORS =
  /[\\/]node_modules[\\/]@aws-sdk[\\/]client-[a-z0-9-]+[\\/]dist-es[\\/]models[\\/]errors\.js$/;
const IDENT = '[A-Za-z_$][A-Za-z0-9_$]*';
const ERRORS_HEADER = new RegExp(`^import \\{ (${IDENT}) as __BaseException \\} from "\\./(${IDENT})";\\n`);
const ERROR_CLASS = new RegExp(
  [
    `^export class (${IDENT}) extends __BaseException \\{\\n`,
    `(?:    static shapeId = "([^"\\\\]+)";\\n)?`,
    `    name = "\\1";\\n`,
    `    \\$fault = "(client|server)";\\n`,
    `(?:    \\$retryable = (\\{[a-zA-Z:, ]*\\});\\n)?`,
    `((?:    ${IDENT};\\n)*)`,
    `    constructor\\(opts\\) \\{\\n`,
    `        super\\(\\{\\n            name: "\\1",\\n            \\$fault: "\\3",\\n            \\.\\.\\.opts,\\n        \\}\\);\\n`,
    `        Object\\.setPrototypeOf\\(this, \\1\\.prototype\\);\\n`,
    `((?:        this\\.${IDENT} = opts\\.${IDENT};\\n)*)`,
    `    \\}\\n\\}\\n$`,
  ].join(''),
);

/** The classes of an SDK errors module, or undefined when the file is not exactly the shape this plugin knows. */
function parseSdkErrors(source) {
  const header = source.match(ERRORS_HEADER);
  if (!header || header[1] !== header[2]) return undefined;
  const body = source.slice(header[0].length);
  const blocks = body.split(/(?=^export class )/m);
  const classes = [];
  for (const block of blocks) {
    const m = block.match(ERROR_CLASS);
    if (!m) return undefined;
    const [, name, shapeId, fault, retryable, declared, assigned] = m;
    const fields = declared
      .split('\n')
      .filter(Boolean)
      .map((line) => line.trim().slice(0, -1));
    classes.push({ name, shapeId, fault, retryable, fields, assigned });
  }
  const rendered =
    header[0] +
    classes
      .map(
        (c) =>
          `export class ${c.name} extends __BaseException {\n` +
          (c.shapeId === undefined ? '' : `    static shapeId = "${c.shapeId}";\n`) +
          `    name = "${c.name}";\n    $fault = "${c.fault}";\n` +
          (c.retryable === undefined ? '' : `    $retryable = ${c.retryable};\n`) +
          c.fields.map((f) => `    ${f};\n`).join('') +
          `    constructor(opts) {\n        super({\n            name: "${c.name}",\n            $fault: "${c.fault}",\n` +
          `            ...opts,\n        });\n        Object.setPrototypeOf(this, ${c.name}.prototype);\n` +
          c.fields.map((f) => `        this.${f} = opts.${f};\n`).join('') +
          '    }\n}\n',
      )
      .join('');
  if (rendered !== source || classes.length === 0) return undefined;
  return { base: header[1], classes };
}

// The factory, one module shared by every client's errors module (esbuild bundles it once).
const ERROR_CLASS_FACTORY = `
const field = (target, key, value) =>
  Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
export const errorClassFactory = (Base, namespace) => (name, fault, fields, retryable, shapeId) => {
  // Named C, not the error's name: minified, the SDK's own classes get short names too, and ServiceException's
  // instanceof falls back to comparing class names only for names of 6 characters or more.
  const C = class extends Base {
    constructor(opts) {
      super({ name, $fault: fault, ...opts });
      // Class fields are defined right after super() returns, before the constructor body: the same here.
      field(this, "name", name);
      field(this, "$fault", fault);
      if (retryable) field(this, "$retryable", retryable());
      for (const f of fields) field(this, f, undefined);
      Object.setPrototypeOf(this, C.prototype);
      for (const f of fields) this[f] = opts[f];
    }
  };
  // A static class field: own, enumerable, writable (older clients declare none and inherit the base's).
  const id = shapeId === null ? undefined : (shapeId ?? (namespace === undefined ? undefined : namespace + "#" + name));
  if (id !== undefined) field(C, "shapeId", id);
  return C;
};
`;
const ERROR_CLASS_FACTORY_PATH = 'sdk-compact-errors:factory';

/** The compact module: one factory call per class, building it as the SDK's declaration would. */
function compactSdkErrors({ base, classes }) {
  // Most shape ids are "<namespace>#<class name>": the namespace is written once.
  const namespace = classes[0].shapeId?.split('#')[0];
  const idOf = (c) => {
    if (c.shapeId === undefined) return namespace === undefined ? 'undefined' : 'null';
    return c.shapeId === `${namespace}#${c.name}` ? 'undefined' : JSON.stringify(c.shapeId);
  };
  const lines = [
    `import { ${base} as __BaseException } from "./${base}";`,
    `import { errorClassFactory } from "${ERROR_CLASS_FACTORY_PATH}";`,
    `const errorClass = errorClassFactory(__BaseException, ${JSON.stringify(namespace)});`,
  ];
  for (const c of classes) {
    const args = [
      JSON.stringify(c.name),
      JSON.stringify(c.fault),
      JSON.stringify(c.fields),
      c.retryable === undefined ? 'undefined' : `() => (${c.retryable})`,
      idOf(c),
    ];
    while (args.at(-1) === 'undefined') args.pop();
    lines.push(`export const ${c.name} = /* @__PURE__ */ errorClass(${args.join(', ')});`);
  }
  return `${lines.join('\n')}\n`;
}

const sdkCompactErrors = {
  name: 'sdk-compact-errors',
  setup(build) {
    build.onResolve({ filter: /^sdk-compact-errors:factory$/ }, (args) => ({
      path: args.path,
      namespace: 'sdk-compact-errors',
    }));
    build.onLoad({ filter: /.*/, namespace: 'sdk-compact-errors' }, () => ({
      contents: ERROR_CLASS_FACTORY,
      loader: 'js',
    }));
    build.onLoad({ filter: SDK_ERRORS }, (args) => {
      const parsed = parseSdkErrors(readFileSync(args.path, 'utf8'));
      return parsed ? { contents: compactSdkErrors(parsed), loader: 'js' } : undefined;
    });
  },
};

// node-crypto-hashes: the SDK's SHA-256 (SigV4 signatures) and MD5 (SQS message checks) are node:crypto's; each
// carries a pure-JS fallback (5 KB) for a runtime whose crypto lacks the algorithm, which Node 22 on Lambda never
// is (it has both; FIPS mode, which has no MD5, is off unless NODE_OPTIONS turns it on, and ours does not). The
// fallbacks become classes that throw, naming the cause, should it ever happen. test/template/sdk-hashes.test.ts
// checks the bundled clients' signatures and SQS's MD5 check against the emulator.
const HASH_FALLBACK = /^\.\/(Sha256Js|Md5Js)$/;
const HASH_NODE =
  /[\\/]@smithy[\\/]core[\\/]dist-es[\\/]submodules[\\/]checksum[\\/](sha256[\\/]Sha256Node|md5[\\/]Md5Node)\.js$/;
const nodeCryptoHashes = {
  name: 'node-crypto-hashes',
  setup(build) {
    build.onResolve({ filter: HASH_FALLBACK }, (args) =>
      HASH_NODE.test(args.importer)
        ? { path: args.path.slice(2), namespace: 'node-crypto-hashes' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'node-crypto-hashes' }, (args) => ({
      contents:
        `export class ${args.path} { constructor() { throw new Error(` +
        `"${args.path}: node:crypto lacks the hash and its pure-JS fallback is not bundled (scripts/esbuild-plugins.cjs)"); } }\n`,
      loader: 'js',
    }));
  },
};

// sdk-unused-parts: SDK modules no guardrails call reaches on Lambda, each imported by one or two modules only,
// become stand-ins (test/template/sdk-unused-parts.test.ts):
// - signature-v4's HeaderFormatter encodes event-stream message headers for signMessage; the event-stream codec
//   is not bundled (serverless.yml alias) and no operation streams: signMessage throws, naming the cause.
// - The region from EC2 instance metadata, the last resort when neither the client config nor AWS_REGION names
//   one: the functions always name it, and Lambda has no instance metadata (the SDK's lookup fails there and
//   answers no region, as the stand-in does at once).
// - S3's endpoint parameters, resolved for S3 clients only (none here): throws, naming the cause.
const unavailable = (what) =>
  `() => { throw new Error(${JSON.stringify(`${what} is not bundled in the guardrails functions (scripts/esbuild-plugins.cjs)`)}); }`;
// - The shared config files (~/.aws/config and credentials, AWS_CONFIG_FILE, 2.3 KB): Lambda has none (the deployment
//   ships none and sets no AWS_CONFIG_FILE), so every setting comes from the client config, the environment or
//   the SDK's default. The stand-in answers every setting as the SDK does when the files are absent: the
//   selector of an empty profile, else "not found" (the next source is asked).
const SHARED_CONFIG_FILES_ABSENT = `import { CredentialsProviderError } from "../property-provider/CredentialsProviderError";
export const fromSharedConfigFiles = (configSelector, { preferredFile = "config", ...init } = {}) => async () => {
  try {
    const value = configSelector({}, {});
    if (value === undefined) throw new Error();
    return value;
  } catch (e) {
    throw new CredentialsProviderError(e.message || "Not found: the shared config files are not read in the guardrails functions (scripts/esbuild-plugins.cjs)", { logger: init.logger });
  }
};
`;
const UNUSED_PARTS = [
  {
    importer: /[\\/]@smithy[\\/]signature-v4[\\/]dist-es[\\/]SignatureV4\.js$/,
    path: './HeaderFormatter',
    contents: `export class HeaderFormatter { format = ${unavailable('Event-stream message signing')}; }\n`,
  },
  {
    importer:
      /[\\/]@smithy[\\/]core[\\/]dist-es[\\/]submodules[\\/]config[\\/](config-resolver[\\/]regionConfig[\\/]config|defaults-mode[\\/]resolveDefaultsModeConfig)\.js$/,
    path: /^(\.\/|\.\.\/config-resolver\/regionConfig\/)getInstanceMetadataRegion$/,
    contents: 'export const getInstanceMetadataRegion = async () => undefined;\n',
  },
  {
    importer:
      /[\\/]@smithy[\\/]core[\\/]dist-es[\\/]submodules[\\/]config[\\/]node-config-provider[\\/]configLoader\.js$/,
    path: './fromSharedConfigFiles',
    contents: SHARED_CONFIG_FILES_ABSENT,
  },
  {
    importer:
      /[\\/]@smithy[\\/]core[\\/]dist-es[\\/]submodules[\\/]endpoints[\\/]middleware-endpoint[\\/]adaptors[\\/]getEndpointFromInstructions\.js$/,
    path: '../service-customizations',
    contents: `export const resolveParamsForS3 = ${unavailable("S3's endpoint parameters")};\n`,
  },
];
const sdkUnusedParts = {
  name: 'sdk-unused-parts',
  setup(build) {
    build.onResolve(
      {
        filter: /HeaderFormatter$|getInstanceMetadataRegion$|service-customizations$|fromSharedConfigFiles$/,
      },
      (args) => {
        const index = UNUSED_PARTS.findIndex(
          (part) =>
            part.importer.test(args.importer) &&
            (typeof part.path === 'string' ? part.path === args.path : part.path.test(args.path)),
        );
        if (index < 0) return undefined;
        // The stand-in's own imports resolve from where the module it replaces lives.
        return {
          path: String(index),
          namespace: 'sdk-unused-parts',
          pluginData: { resolveDir: path.dirname(args.importer) },
        };
      },
    );
    build.onLoad({ filter: /.*/, namespace: 'sdk-unused-parts' }, (args) => ({
      contents: UNUSED_PARTS[Number(args.path)].contents,
      resolveDir: args.pluginData.resolveDir,
      loader: 'js',
    }));
  },
};

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

const sdkSharedModules = {
  name: 'sdk-shared-modules',
  setup(build) {
    build.onLoad({ filter: /[\\/]@aws-sdk[\\/]client-[a-z0-9-]+[\\/]dist-es[\\/]/ }, (args) => {
      const m = CLIENT_FILE.exec(args.path);
      if (!m || !SHARED_FILES.test(m[3])) return undefined;
      const [, scope, client, rel] = m;
      const hasOwnDependencies = (name) => existsSync(path.join(scope, name, 'node_modules'));
      if (hasOwnDependencies(client)) return undefined;
      const first = readdirSync(scope)
        .filter((name) => name.startsWith('client-'))
        .sort()
        .find(
          (name) =>
            !hasOwnDependencies(name) &&
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
      const same = readdirSync(scope)
        .filter((name) => name.startsWith('client-'))
        .sort()
        .filter((name) => {
          const file = path.join(scope, name, 'dist-es', rel);
          return (
            !existsSync(path.join(scope, name, 'node_modules')) &&
            existsSync(file) &&
            readFileSync(file, 'utf8') === source
          );
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
        const same = readdirSync(scope)
          .filter((name) => name.startsWith('client-'))
          .sort()
          .filter((name) => {
            const file = path.join(scope, name, 'dist-es', rel);
            if (existsSync(path.join(scope, name, 'node_modules')) || !existsSync(file)) return false;
            return parameterize(readFileSync(file, 'utf8'), spec)?.key === own.key;
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
        const same = readdirSync(scope)
          .filter((name) => name.startsWith('client-'))
          .sort()
          .filter((name) => {
            const dir = path.join(scope, name, 'dist-es');
            if (existsSync(path.join(scope, name, 'node_modules')) || !existsSync(dir)) return false;
            const file = readdirSync(dir).find((f) => CLIENT_CLASS_FILE.test(f));
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

// standard-retry-only: the SDK's adaptive retry (a client-side rate limiter, 3.4 KB) is chosen only when a client
// is configured with retryMode "adaptive". The Security Hub importer and the sweep are; the event functions and
// the re-check are not (shared/aws/clients.ts sets "standard" unless told otherwise, and store/table.ts sets it
// too; AWS_RETRY_MODE is never read, the mode being always given). In those four functions' bundles only, the
// adaptive strategy is a class that throws, naming the cause. test/template/bundle-size.test.ts checks that no
// project file in those bundles asks for adaptive retry, and that the other bundles keep it.
const STANDARD_RETRY_FUNCTIONS =
  /[\\/]functions[\\/](notebook-instances|studio|tags|stop-recheck)[\\/]handler\.ts$/;
const RETRY_CONFIGURATIONS =
  /[\\/]@smithy[\\/]core[\\/]dist-es[\\/]submodules[\\/]retry[\\/]middleware-retry[\\/]configurations\.js$/;
const standardRetryOnly = {
  name: 'standard-retry-only',
  setup(build) {
    const entries = build.initialOptions.entryPoints ?? [];
    const list = (Array.isArray(entries) ? entries : Object.values(entries)).map((e) =>
      typeof e === 'string' ? e : e.in,
    );
    const cwd = build.initialOptions.absWorkingDir ?? process.cwd();
    if (list.length === 0 || !list.every((e) => STANDARD_RETRY_FUNCTIONS.test(path.resolve(cwd, e)))) return;
    build.onResolve({ filter: /^\.\.\/util-retry\/AdaptiveRetryStrategy$/ }, (args) =>
      RETRY_CONFIGURATIONS.test(args.importer)
        ? { path: 'AdaptiveRetryStrategy', namespace: 'standard-retry-only' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'standard-retry-only' }, () => ({
      contents: `export class AdaptiveRetryStrategy { constructor() { throw new Error(${JSON.stringify(
        'Adaptive retry is not bundled in this function: its clients retry in standard mode (scripts/esbuild-plugins.cjs)',
      )}); } }\n`,
      loader: 'js',
    }));
  },
};

// The schema modules: every shape with traits tree-shakable, error registrations compact, and Security Hub's
// resource details that the guardrails never send as documents (see the file).
const { sdkTreeShakableSchemas, securityHubResourceDetails } = require('./esbuild-sdk-schemas.cjs');

/** The plugins that change the bundled code (the source-map one rewrites only .map files). */
const codePlugins = [
  sdkPackageVersionOnly,
  sdkCompactErrors,
  nodeCryptoHashes,
  sdkUnusedParts,
  sdkSharedModules,
  sdkSharedRuntimeConfig,
  sdkSharedClientFunctions,
  sdkSharedClientClass,
  standardRetryOnly,
  securityHubResourceDetails,
  sdkTreeShakableSchemas,
];

module.exports = [projectOnlySourceMaps, ...codePlugins];
module.exports.codePlugins = codePlugins;
module.exports.sdkPackageVersionOnly = sdkPackageVersionOnly;
module.exports.parseSdkErrors = parseSdkErrors;
module.exports.compactSdkErrors = compactSdkErrors;
module.exports.ERROR_CLASS_FACTORY = ERROR_CLASS_FACTORY;
module.exports.filterSourceMap = filterSourceMap;
module.exports.decodeSegment = decodeSegment;
