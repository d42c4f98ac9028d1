// esbuild plugins for the Lambda bundles (serverless.yml: custom.esbuild.plugins).
//
// project-only-source-maps: the source map keeps the mappings of the project's own code (shared/, functions/)
// and drops those of node_modules. The full map of the minified AWS SDK clients, zod and Powertools is 14
// times larger (about 0.9 MB against 63 KB; 160 KB more per zip) and only maps frames inside libraries, while
// Node parses the whole map at cold start (NODE_OPTIONS=--enable-source-maps). Stack traces through our code
// still point at the TypeScript source; library frames show the bundle position instead.
'use strict';

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

module.exports = [projectOnlySourceMaps, sdkPackageVersionOnly];
module.exports.sdkPackageVersionOnly = sdkPackageVersionOnly;
module.exports.filterSourceMap = filterSourceMap;
module.exports.decodeSegment = decodeSegment;
