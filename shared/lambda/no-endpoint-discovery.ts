// Lambda bundles only (esbuild alias for @aws-sdk/endpoint-cache): the DynamoDB client always creates an
// endpoint-discovery cache, but only commands that add the discovery plugin ever read it, and none of the
// installed clients' commands does (test/template/sdk-trim.test.ts checks). The real cache brings mnemonist's
// LRU (8 KiB). Should a command ever use it, it fails loudly, naming the cause.
function unavailable(): never {
  throw new Error(
    'AWS endpoint discovery is not bundled in the guardrails functions (serverless.yml custom.esbuild.alias)',
  );
}

export class EndpointCache {
  getEndpoint(_key: string): never {
    return unavailable();
  }
  get(_key: string): never {
    return unavailable();
  }
  set(_key: string, _endpoints: unknown): never {
    return unavailable();
  }
  delete(_key: string): never {
    return unavailable();
  }
  has(_key: string): never {
    return unavailable();
  }
  clear(): never {
    return unavailable();
  }
}
