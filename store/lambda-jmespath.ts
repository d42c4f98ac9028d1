// Lambda bundles only (esbuild alias for @aws-lambda-powertools/jmespath, see serverless.yml): the delivery
// ledger (store/delivery.ts) configures no JMESPath expression, it hashes its whole key object, so Powertools
// never evaluates one; the 23 KiB JMESPath interpreter is dead weight in the bundle. The CLI and tests keep
// the real package.
export function search(): never {
  throw new Error(
    'JMESPath is not in the Lambda bundle: the idempotency config must not use eventKeyJmesPath',
  );
}

/** Powertools' IdempotencyConfig constructs its default custom functions even when no expression is used. */
export class PowertoolsFunctions {}
