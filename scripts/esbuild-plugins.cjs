// esbuild plugins for the Lambda bundles (serverless.yml: custom.esbuild.plugins).
//
// project-only-source-maps: the source map keeps the mappings of the project's own code (shared/, functions/)
// and drops those of node_modules. The full map of the minified AWS SDK clients, zod and Powertools is 14
// times larger (about 0.9 MB against 63 KB; 160 KB more per zip) and only maps frames inside libraries, while
// Node parses the whole map at cold start (NODE_OPTIONS=--enable-source-maps). Stack traces through our code
// still point at the TypeScript source; library frames show the bundle position instead.
'use strict';

const { createHash } = require('node:crypto');
const { readFileSync, writeFileSync } = require('node:fs');
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

const ERROR_NAME_PREFIX = '__errorName_';

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
    // The name is exported too: the client's schema module, which spells it again, imports it (sdk-shared-error-names).
    lines.push(`export const ${ERROR_NAME_PREFIX}${c.name} = ${JSON.stringify(c.name)};`);
    const args = [
      `${ERROR_NAME_PREFIX}${c.name}`,
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

// Modules several clients have the same, bundled once (see the file): sdk-shared-modules,
// sdk-shared-runtime-config, sdk-shared-runtime-config-shared, sdk-shared-client-functions, sdk-shared-client-class.
const {
  sdkSharedModules,
  sdkSharedRuntimeConfig,
  sdkSharedRuntimeConfigShared,
  sdkSharedClientFunctions,
  sdkSharedClientClass,
} = require('./esbuild-sdk-sharing.cjs');

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

// powertools-batch-store-compact: Powertools batch's BatchProcessingStore (2.35.0) writes the same getter and setter
// seven times over (its state in Lambda's InvokeStore when AWS_LAMBDA_MAX_CONCURRENCY is set, else in the instance).
// Where the file is exactly that text (its SHA-256), it becomes one class whose fourteen methods call two private
// helpers: the same keys, defaults, fallbacks and errors. test/template/batch-store.test.ts runs one script of
// calls through the store as deployed and as published, in both modes and without an InvokeStore: the same.
const BATCH_STORE_FILE =
  /[\\/]@aws-lambda-powertools[\\/]batch[\\/]lib[\\/]esm[\\/]BatchProcessingStore\.js$/;
const BATCH_STORE_SHA256 = '62fc118b51eb369a5c504a736afa6d7dbef83232722618096b54e9fcb080a5c6';
// [method suffix, symbol name, initial fallback, default when the InvokeStore has none (absent: none), throws
// when the InvokeStore is missing]
const BATCH_STORE_FIELDS = [
  ['Records', 'records', '[]', '[]', true],
  ['Handler', 'handler', '() => { }', '() => { }', false],
  ['Options', 'options', 'undefined', undefined, false],
  ['FailureMessages', 'failureMessages', '[]', '[]', false],
  ['SuccessMessages', 'successMessages', '[]', '[]', false],
  ['BatchResponse', 'batchResponse', '{ batchItemFailures: [] }', '{ batchItemFailures: [] }', false],
  ['Errors', 'errors', '[]', '[]', false],
];
const COMPACT_BATCH_STORE = `import '@aws/lambda-invoke-store';
import { shouldUseInvokeStore } from '@aws-lambda-powertools/commons/utils/env';
const invokeStore = (strict) => {
    if (strict && globalThis.awslambda?.InvokeStore === undefined) throw new Error('InvokeStore is not available');
    return globalThis.awslambda?.InvokeStore;
};
class BatchProcessingStore {
    #keys = [${BATCH_STORE_FIELDS.map(([, name]) => `'${name}'`).join(', ')}].map((name) => Symbol(\`powertools.batch.\${name}\`));
    #fallback = [${BATCH_STORE_FIELDS.map(([, , initial]) => initial).join(', ')}];
    #get(i, strict, absent) {
        if (!shouldUseInvokeStore()) return this.#fallback[i];
        const value = invokeStore(strict)?.get(this.#keys[i]);
        return absent ? value ?? absent() : value;
    }
    #set(i, strict, value) {
        if (!shouldUseInvokeStore()) this.#fallback[i] = value;
        else invokeStore(strict)?.set(this.#keys[i], value);
    }
${BATCH_STORE_FIELDS.map(
  ([suffix, , , absent, strict], i) =>
    `    get${suffix}() { return this.#get(${i}, ${strict}${absent ? `, () => (${absent})` : ''}); }\n` +
    `    set${suffix}(value) { this.#set(${i}, ${strict}, value); }\n`,
).join('')}}
export { BatchProcessingStore };
`;
const powertoolsBatchStoreCompact = {
  name: 'powertools-batch-store-compact',
  setup(build) {
    build.onLoad({ filter: BATCH_STORE_FILE, namespace: 'file' }, (args) => {
      const source = readFileSync(args.path);
      if (createHash('sha256').update(source).digest('hex') !== BATCH_STORE_SHA256) return undefined;
      return { contents: COMPACT_BATCH_STORE, resolveDir: path.dirname(args.path), loader: 'js' };
    });
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
  sdkSharedRuntimeConfigShared,
  sdkSharedClientFunctions,
  sdkSharedClientClass,
  standardRetryOnly,
  powertoolsBatchStoreCompact,
  securityHubResourceDetails,
  sdkTreeShakableSchemas,
];

module.exports = [projectOnlySourceMaps, ...codePlugins];
module.exports.codePlugins = codePlugins;
module.exports.sdkPackageVersionOnly = sdkPackageVersionOnly;
module.exports.parseSdkErrors = parseSdkErrors;
module.exports.compactSdkErrors = compactSdkErrors;
module.exports.ERROR_NAME_PREFIX = ERROR_NAME_PREFIX;
module.exports.ERROR_CLASS_FACTORY = ERROR_CLASS_FACTORY;
module.exports.filterSourceMap = filterSourceMap;
module.exports.decodeSegment = decodeSegment;
