// Lambda bundles only (esbuild alias for @aws-sdk/credential-provider-node): Lambda always puts the function's
// credentials in the environment, so the rest of the default chain (SSO, ini files, web identity, with their
// nested STS/SSO clients: ~90 KiB) is dead weight there. The CLI keeps the full chain.
import { fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider = () => fromEnv();
