// `scan --simulate PATH`: the exported describe outputs become an emulated organization (one emulator per
// account), and the scan runs against it through the real SDK clients and the real sweep. A space or app is
// seeded as exported, without its domain or user profile when those were not exported: they are not made up.
import { type AwsClientOptions, type AwsClients, createAwsClients } from '#core/aws/clients';
import { isAwsManagedAlias } from '#core/kms';
import { type Emulator, startEmulator } from '#emulator/index';
import { ExportError, type ExportedResource } from './exports.ts';
import { type Target, targetKey } from './target.ts';

const SIMULATED_CREDENTIALS = { accessKeyId: 'simulated', secretAccessKey: 'simulated' };
export const SIMULATED_TOPIC = 'sm-guardrails-alerts';

export interface SimulatedOrganization {
  targets: Target[];
  /** Unbound clients for a simulated account and region (sweepClients adds the bound). */
  baseClients: (target: Target, options: AwsClientOptions) => AwsClients;
  topicArnFor: (target: Target) => string | undefined;
  emulators: Map<string, Emulator>;
  close(): Promise<void>;
}

/** Makes the KMS key a resource names exist: a customer key (an `alias/aws/...` key AWS manages itself). */
function seedKey(emulator: Emulator, keyId: string | undefined, region: string, account: string): void {
  if (!keyId) return;
  const alias = keyId.match(/(alias\/.+)$/)?.[1];
  const arn = keyId.match(/^arn:[^:]+:kms:([^:]+):(\d{12}):/);
  const where = { region: arn?.[1] ?? region, accountId: arn?.[2] ?? account };
  try {
    if (alias) {
      if (!isAwsManagedAlias(alias)) emulator.seed.kmsKey({ ...where, aliases: [alias] });
    } else emulator.seed.kmsKey({ ...where, keyId: keyId.split('/').pop() ?? keyId });
  } catch {
    // Several resources share the key: seeded once.
  }
}

const tags = (list: ExportedResource['Tags']) =>
  (list ?? []).map((t) => ({ Key: t.Key, Value: t.Value ?? '' }));

/** The create request members a Studio resource's describe output carries (the rest is AWS's: ARN, status, times). */
function studioParams(r: ExportedResource): Record<string, unknown> {
  const {
    type: _type,
    file: _file,
    account: _account,
    region: _region,
    partition: _partition,
    Tags: _tags,
    ...members
  } = r;
  for (const key of ['SpaceArn', 'AppArn', 'Status', 'CreationTime', 'LastModifiedTime'])
    delete (members as Record<string, unknown>)[key];
  return members;
}

function seed(emulator: Emulator, r: ExportedResource): void {
  const { region } = r;
  if (
    r.type === 'space' ||
    r.type === 'app' ||
    r.type === 'app-image-config' ||
    r.type === 'notebook-instance-lifecycle-config' ||
    r.type === 'studio-lifecycle-config'
  ) {
    emulator.seed.studioResource({
      kind: r.type,
      region,
      params: studioParams(r),
      tags: tags(r.Tags),
      // A deleted app stays listed (Status Deleted): the scan must leave it alone, as it would in AWS.
      ...(r.type === 'app' && r.Status === 'Deleted' ? { status: 'Deleted' as const } : {}),
    });
    return;
  }
  seedKey(emulator, r.type === 'user-profile' ? undefined : r.KmsKeyId, r.region, r.account);
  if (r.type === 'notebook-instance') {
    emulator.seed.notebookInstance({
      name: r.NotebookInstanceName,
      region,
      status: r.NotebookInstanceStatus ?? 'InService',
      ...(r.InstanceType ? { instanceType: r.InstanceType } : {}),
      ...(r.RoleArn ? { roleArn: r.RoleArn } : {}),
      // Describe always prints both; an omitted one means the API default, Enabled.
      directInternetAccess: r.DirectInternetAccess ?? 'Enabled',
      rootAccess: r.RootAccess ?? 'Enabled',
      ...(r.SubnetId ? { subnetId: r.SubnetId } : {}),
      ...(r.SecurityGroups ? { securityGroupIds: r.SecurityGroups } : {}),
      ...(r.KmsKeyId ? { kmsKeyId: r.KmsKeyId } : {}),
      // Omitted: IMDSv1 allowed, the API default.
      imdsMinimumVersion:
        r.InstanceMetadataServiceConfiguration?.MinimumInstanceMetadataServiceVersion ?? '1',
      tags: tags(r.Tags),
    });
  } else if (r.type === 'domain') {
    emulator.seed.domain({
      domainId: r.DomainId,
      name: r.DomainName ?? r.DomainId,
      region,
      appNetworkAccessType: r.AppNetworkAccessType ?? 'PublicInternetOnly',
      ...(r.KmsKeyId ? { kmsKeyId: r.KmsKeyId } : {}),
      ...(r.SubnetIds ? { subnetIds: r.SubnetIds } : {}),
      ...(r.VpcId ? { vpcId: r.VpcId } : {}),
      ...(r.AuthMode ? { authMode: r.AuthMode } : {}),
      ...(r.DefaultUserSettings?.ExecutionRole ? { executionRole: r.DefaultUserSettings.ExecutionRole } : {}),
      ...(r.DomainSettings?.ExecutionRoleIdentityConfig
        ? { executionRoleIdentityConfig: r.DomainSettings.ExecutionRoleIdentityConfig }
        : {}),
      tags: tags(r.Tags),
    });
  } else {
    emulator.seed.userProfile({
      domainId: r.DomainId,
      name: r.UserProfileName,
      region,
      ...(r.UserSettings?.ExecutionRole ? { executionRole: r.UserSettings.ExecutionRole } : {}),
      tags: tags(r.Tags),
    });
  }
}

/** Domains before their profiles, so a profile lands in its exported domain rather than a made-up one. */
const SEED_ORDER: Record<ExportedResource['type'], number> = {
  domain: 0,
  'user-profile': 1,
  space: 2,
  app: 3,
  'notebook-instance': 4,
  'app-image-config': 5,
  'notebook-instance-lifecycle-config': 6,
  'studio-lifecycle-config': 7,
};

export async function simulateOrganization(
  resources: readonly ExportedResource[],
): Promise<SimulatedOrganization> {
  const emulators = new Map<string, Emulator>();
  const targets = new Map<string, Target>();
  const topics = new Map<string, string>();
  try {
    for (const r of [...resources].sort((a, b) => SEED_ORDER[a.type] - SEED_ORDER[b.type])) {
      let emulator = emulators.get(r.account);
      if (!emulator) {
        // Notebooks keep their exported status: nothing moves unless the guardrails move it.
        emulator = await startEmulator({ accountId: r.account, describesPerTransition: 0 });
        emulators.set(r.account, emulator);
      }
      const t: Target = { account: r.account, region: r.region, partition: r.partition };
      if (!targets.has(targetKey(t))) {
        targets.set(targetKey(t), t);
        topics.set(targetKey(t), emulator.seed.topic(SIMULATED_TOPIC, r.region));
      }
      try {
        seed(emulator, r);
      } catch (error) {
        throw new ExportError(`${r.file}: cannot be simulated: ${(error as Error).message}`);
      }
    }
  } catch (error) {
    await Promise.all([...emulators.values()].map((e) => e.close()));
    throw error;
  }
  return {
    targets: [...targets.values()],
    emulators,
    baseClients: (t, options) => {
      const emulator = emulators.get(t.account);
      if (!emulator) throw new Error(`no simulated account ${t.account}`);
      return createAwsClients({
        ...options,
        endpoint: emulator.endpoint,
        region: t.region,
        credentials: SIMULATED_CREDENTIALS,
      });
    },
    topicArnFor: (t) => topics.get(targetKey(t)),
    close: async () => {
      await Promise.all([...emulators.values()].map((e) => e.close()));
    },
  };
}
