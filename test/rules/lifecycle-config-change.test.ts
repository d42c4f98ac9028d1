import { lifecycleConfigChange } from '#core/rules/lifecycle-config-change';
import { testRule } from '../support/rule-tester.ts';

const SCRIPT = {
  hook: 'OnStart',
  sha256: '95a1cf2385d78fae0976b3536e034cc0f311dfdc9ded6ca6f172d320c9de1580',
  bytes: 97,
};
const ADMIN = {
  type: 'AssumedRole',
  arn: 'arn:aws:sts::111122223333:assumed-role/MLPlatformAdmin/jdoe',
  roleArn: 'arn:aws:iam::111122223333:role/MLPlatformAdmin',
};
const ALLOW_ADMIN = {
  lifecycleConfigs: { allowedPrincipals: ['arn:aws:iam::111122223333:role/MLPlatformAdmin'] },
};
const attach = (name: string, where = 'LifecycleConfigName') => ({
  operation: 'update' as const,
  settings: { lifecycleAttachments: [{ name, where }] },
});

testRule(lifecycleConfigChange, 'notebook-instance-lifecycle-config', {
  valid: [
    {
      name: 'created by an allowed principal',
      change: { operation: 'create', actor: ADMIN, settings: { lifecycleScripts: [SCRIPT] } },
      policy: ALLOW_ADMIN,
    },
    {
      name: 'a notebook attaching an allowed configuration name',
      type: 'notebook-instance',
      change: attach('pip-setup'),
      policy: { lifecycleConfigs: { allowedNames: ['pip-*'] } },
    },
    {
      name: 'a space attaching by an allowed principal',
      type: 'space',
      change: { ...attach('anything', 'SpaceSettings.JupyterLabAppSettings'), actor: ADMIN },
      policy: ALLOW_ADMIN,
    },
  ],
  invalid: [
    {
      name: 'created, by default (nobody is allowed): reported with the script hash, never the script',
      change: { operation: 'create', settings: { lifecycleScripts: [SCRIPT] } },
      messages: ['lifecycle configuration created'],
      seen: [`install-deps: OnStart sha256=${SCRIPT.sha256} (97 bytes)`],
      required: ['lifecycle configurations created and updated only by nobody (no principal is allowed)'],
    },
    {
      name: 'updated by someone not allowed, even with the name allowlisted (the name does not allow a rewrite)',
      change: { operation: 'update', settings: { lifecycleScripts: [SCRIPT] } },
      policy: { ...ALLOW_ADMIN, lifecycleConfigs: { ...ALLOW_ADMIN.lifecycleConfigs, allowedNames: ['*'] } },
      messages: ['lifecycle configuration updated'],
    },
    {
      name: 'a script CloudTrail did not record: reported without a hash',
      type: 'studio-lifecycle-config',
      change: { operation: 'create', settings: { lifecycleScripts: null } },
      messages: ['lifecycle configuration created'],
      seen: ['auto-shutdown: script not in the event (hash unknown)'],
    },
    {
      name: 'a notebook attaching one by default',
      type: 'notebook-instance',
      change: attach('pip-setup'),
      messages: ['lifecycle configuration attached'],
      seen: ['pip-setup at LifecycleConfigName'],
    },
    {
      name: 'a domain attaching one whose name is not allowed',
      type: 'domain',
      change: attach('evil', 'DefaultUserSettings.JupyterLabAppSettings'),
      policy: { lifecycleConfigs: { allowedNames: ['pip-*'] } },
      messages: ['lifecycle configuration attached'],
      seen: ['evil at DefaultUserSettings.JupyterLabAppSettings'],
      required: [
        'lifecycle configurations attached only by nobody (no principal is allowed), or named pip-*',
      ],
    },
  ],
  notApplicable: [
    {
      name: 'AddTags on a lifecycle configuration',
      change: { operation: 'add-tags', tagsSet: { team: 'x' } },
    },
    {
      name: 'a notebook update attaching nothing',
      type: 'notebook-instance',
      change: { operation: 'update' },
    },
  ],
});
