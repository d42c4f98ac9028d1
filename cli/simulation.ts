// The simulated accounts of `replay --simulate`: each event's own call is acted out against the local emulator, in
// the event's own account and region, so the guardrails then find the resource as it would exist after the call.
import {
  AddTagsCommand,
  CreatePresignedDomainUrlCommand,
  DeleteTagsCommand,
  type SageMakerClient,
  StartNotebookInstanceCommand,
  StopNotebookInstanceCommand,
  UpdateAppImageConfigCommand,
  UpdateDomainCommand,
  UpdateNotebookInstanceCommand,
  UpdateNotebookInstanceLifecycleConfigCommand,
  UpdateSpaceCommand,
  UpdateUserProfileCommand,
} from '@aws-sdk/client-sagemaker';
import { domainArn, parseSageMakerArn, partitionOf, spaceArn, userProfileArn } from '#core/arn';
import { normalizeEvent } from '#core/events/normalize';
import { isAwsManagedAlias } from '#core/kms';
import { type AwsLocation, locationOf } from '#core/location';
import type { NormalizedChange, ResourceRef, Tags } from '#core/types';
import type { Emulator, StudioResourceKind } from '#emulator/index';

const toTagList = (tags: Tags = {}) => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

/** CloudTrail's request members are the API's with the first letter lower-cased: this undoes it, nested too. */
function pascal(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(pascal);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k.charAt(0).toUpperCase() + k.slice(1), pascal(v)]),
  );
}

function requestParameters(event: unknown): Record<string, unknown> {
  const p = (event as { detail?: { requestParameters?: unknown } } | null)?.detail?.requestParameters;
  return (pascal(p ?? {}) as Record<string, unknown>) ?? {};
}

/** The default policy's studio.userIdTagKey. */
const SIMULATED_USER_ID_TAG = 'studiouserid';

const STUDIO_KINDS: ReadonlySet<string> = new Set<StudioResourceKind>([
  'space',
  'app',
  'app-image-config',
  'notebook-instance-lifecycle-config',
  'studio-lifecycle-config',
]);
const isStudioKind = (type: string): type is StudioResourceKind => STUDIO_KINDS.has(type);

/** The create request members that identify a resource, from its ref (for resources no event created). */
function identityParams(ref: ResourceRef): Record<string, unknown> {
  switch (ref.type) {
    case 'space':
      return { DomainId: ref.domainId, SpaceName: ref.name };
    case 'app':
      return { DomainId: ref.domainId, UserProfileName: ref.owner, AppType: ref.appType, AppName: ref.name };
    case 'app-image-config':
      return {
        AppImageConfigName: ref.name,
        KernelGatewayImageConfig: { KernelSpecs: [{ Name: 'python3' }] },
      };
    case 'notebook-instance-lifecycle-config':
      return { NotebookInstanceLifecycleConfigName: ref.name };
    case 'studio-lifecycle-config':
      // A baseline script: `#!/bin/bash` (base64).
      return {
        StudioLifecycleConfigName: ref.name,
        StudioLifecycleConfigAppType: 'JupyterLab',
        StudioLifecycleConfigContent: 'IyEvYmluL2Jhc2gK',
      };
    default:
      return {};
  }
}

/** When an event happened (CloudTrail eventTime, else the envelope time): simulate replays in that order. */
export function eventTime(event: unknown): string {
  const e = event as { time?: unknown; detail?: { eventTime?: unknown } } | null;
  const t = e?.detail?.eventTime ?? e?.time;
  return typeof t === 'string' ? t : '';
}

/** The account in a key ARN (a key may live in a central key account). */
const keyAccount = (keyId: string): string | undefined => /^arn:[^:]+:kms:[^:]+:(\d{12}):/.exec(keyId)?.[1];

/** A compliant resource (under the default policy), for events about a resource no earlier event created. */
function baseline(ref: ResourceRef, region: string, account: string) {
  return {
    subnetId: 'subnet-0a1b2c3d4e5f60718',
    kmsKeyId: `arn:${partitionOf(region)}:kms:${region}:${account}:key/0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9`,
    tags: (ref.type === 'notebook-instance'
      ? { project: 'baseline' }
      : ref.type === 'user-profile'
        ? { studiouserid: ref.name }
        : {}) as Tags,
  };
}

export class SimulatedAccount {
  private readonly accountsSeen = new Set<string>();

  /**
   * `sagemakerFor`: the SageMaker client a user of that account and region calls with. `onAccount`: called once
   * for every account an event comes from (the runner seeds the member role there).
   */
  constructor(
    readonly emulator: Emulator,
    private readonly sagemakerFor: (location: AwsLocation) => SageMakerClient,
    private readonly onAccount: (account: string) => void = () => {},
  ) {}

  /** Makes the KMS key a resource names exist, as a customer key (AWS aliases the emulator creates itself). */
  private seedKmsKey(keyId: string | null | undefined, region: string, account: string): void {
    if (!keyId) return;
    const alias = keyId.match(/(alias\/.+)$/)?.[1];
    if (alias) {
      if (isAwsManagedAlias(alias)) return;
      try {
        this.emulator.seed.kmsKey({ region, aliases: [alias], accountId: account });
      } catch {
        // already seeded by an earlier event
      }
      return;
    }
    const id = keyId.split('/').pop() ?? keyId;
    try {
      this.emulator.seed.kmsKey({ keyId: id, region, accountId: keyAccount(keyId) ?? account });
    } catch {
      // already seeded
    }
  }

  private exists(ref: ResourceRef, region: string, account: string): boolean {
    const { inspect } = this.emulator;
    if (isStudioKind(ref.type)) return inspect.studioResource(ref.arn) !== undefined;
    if (ref.type === 'notebook-instance')
      return inspect.notebookInstance(ref.name, region, account) !== undefined;
    if (ref.type === 'user-profile')
      return inspect.userProfile(ref.domainId ?? '', ref.name, region, account) !== undefined;
    return inspect.domain(ref.domainId ?? ref.name, region, account) !== undefined;
  }

  /** Seeds the resource an event refers to, unless an earlier event created it. */
  private ensure(
    ref: ResourceRef,
    change: NormalizedChange,
    status: 'InService' | 'Stopped' = 'InService',
  ): void {
    const { region, account } = change;
    if (this.exists(ref, region, account)) return;
    const base = baseline(ref, region, account);
    this.seedKmsKey(base.kmsKeyId, region, account);
    const { seed } = this.emulator;
    if (isStudioKind(ref.type)) {
      this.ensureParents(ref, change);
      seed.studioResource({ account, kind: ref.type, region, params: identityParams(ref) });
      return;
    }
    if (ref.type === 'notebook-instance') {
      seed.notebookInstance({
        account,
        name: ref.name,
        region,
        status,
        directInternetAccess: 'Disabled',
        imdsMinimumVersion: '2',
        rootAccess: 'Disabled',
        subnetId: base.subnetId,
        securityGroupIds: ['sg-0123456789abcdef0'],
        kmsKeyId: base.kmsKeyId,
        tags: toTagList(base.tags),
      });
    } else if (ref.type === 'user-profile') {
      seed.userProfile({
        account,
        domainId: ref.domainId ?? '',
        name: ref.name,
        region,
        tags: toTagList(base.tags),
      });
    } else {
      seed.domain({
        account,
        domainId: ref.domainId ?? ref.name,
        name: ref.name,
        region,
        appNetworkAccessType: 'VpcOnly',
        vpcId: 'vpc-0a1b2c3d4e5f60718',
        subnetIds: [base.subnetId],
        kmsKeyId: base.kmsKeyId,
        executionRoleIdentityConfig: 'USER_PROFILE_NAME',
        tags: toTagList(base.tags),
      });
    }
  }

  /** A space or app needs its domain; an app its user profile (an app of a space: the space). */
  private ensureParents(ref: ResourceRef, change: NormalizedChange): void {
    if ((ref.type !== 'space' && ref.type !== 'app') || !ref.domainId) return;
    const domain: ResourceRef = {
      type: 'domain',
      name: ref.domainId,
      domainId: ref.domainId,
      arn: domainArn(change.region, change.account, ref.domainId),
    };
    this.ensure(domain, change);
    if (ref.type === 'app' && ref.owner) {
      const params = requestParameters(change.eventName === 'CreateApp' ? this.currentEvent : undefined);
      const ownerRef: ResourceRef = params.SpaceName
        ? {
            type: 'space',
            name: ref.owner,
            domainId: ref.domainId,
            arn: spaceArn(change.region, change.account, ref.domainId, ref.owner),
          }
        : {
            type: 'user-profile',
            name: ref.owner,
            domainId: ref.domainId,
            arn: userProfileArn(change.region, change.account, ref.domainId, ref.owner),
          };
      this.ensure(ownerRef, change);
    }
  }

  /**
   * The caller of a presigned URL must exist in IAM for its principal tag to be read. A caller the simulated
   * account does not know is seeded with studiouserid = its session name (an IAM user: its name), the convention
   * of Studio sign-in portals that name each session after its user; the note says so.
   */
  private ensureCaller(change: NormalizedChange): string | undefined {
    const { actor } = change;
    const roleName = actor.type === 'AssumedRole' ? actor.roleArn?.split('/').pop() : undefined;
    const userName = actor.type === 'IAMUser' ? actor.userName : undefined;
    const kind = roleName ? 'role' : userName ? 'user' : undefined;
    const name = roleName ?? userName;
    const userId = roleName ? actor.sessionName : userName;
    const { account } = change;
    if (!kind || !name || this.emulator.inspect.principal(kind, name, account)) return undefined;
    this.emulator.seed[kind]({
      account,
      name,
      ...(userId ? { tags: [{ Key: SIMULATED_USER_ID_TAG, Value: userId }] } : {}),
    });
    return `the caller's IAM ${kind} ${name} was not in the simulated account: seeded with ${SIMULATED_USER_ID_TAG}=${userId ?? '(none)'}`;
  }

  /** Acts out the call an event records. Returns a note when something was assumed. */
  private currentEvent: unknown;

  async apply(event: unknown): Promise<string | undefined> {
    this.currentEvent = event;
    const normalized = normalizeEvent(event);
    if (normalized.kind !== 'change') return undefined;
    const change = normalized.change;
    const { resource: ref, settings: s, region, account } = change;
    const { seed } = this.emulator;
    const location = locationOf(change);
    const sagemaker = this.sagemakerFor(location);
    if (!this.accountsSeen.has(account)) {
      this.accountsSeen.add(account);
      this.onAccount(account);
    }
    if (change.parametersOmitted) {
      this.ensure(ref, change);
      return 'parameters omitted by CloudTrail: the resource was seeded as a compliant one';
    }
    switch (change.operation) {
      case 'create':
        if (this.exists(ref, region, account)) return undefined; // a redelivery of the same create
        this.seedKmsKey(s.kmsKeyId, region, account);
        if (isStudioKind(ref.type)) {
          this.ensureParents(ref, change);
          const { Tags: _tags, ...params } = requestParameters(event);
          seed.studioResource({ account, kind: ref.type, region, params, tags: toTagList(change.tags) });
        } else if (ref.type === 'notebook-instance') {
          seed.notebookInstance({
            account,
            name: ref.name,
            region,
            status: 'Pending', // what CreateNotebookInstance leaves behind
            ...(s.instanceType ? { instanceType: s.instanceType } : {}),
            ...(s.roleArn ? { roleArn: s.roleArn } : {}),
            ...(s.directInternetAccess ? { directInternetAccess: s.directInternetAccess } : {}),
            ...(s.rootAccess ? { rootAccess: s.rootAccess } : {}),
            ...(s.subnetId ? { subnetId: s.subnetId } : {}),
            ...(s.securityGroupIds ? { securityGroupIds: s.securityGroupIds } : {}),
            ...(s.kmsKeyId ? { kmsKeyId: s.kmsKeyId } : {}),
            ...(s.imdsMinimumVersion ? { imdsMinimumVersion: s.imdsMinimumVersion } : {}),
            tags: toTagList(change.tags),
          });
        } else if (ref.type === 'user-profile') {
          seed.userProfile({
            account,
            domainId: ref.domainId ?? '',
            name: ref.name,
            region,
            ...(s.executionRole ? { executionRole: s.executionRole } : {}),
            tags: toTagList(change.tags),
          });
        } else {
          seed.domain({
            account,
            domainId: ref.domainId ?? '',
            name: ref.name,
            region,
            ...(s.appNetworkAccessType ? { appNetworkAccessType: s.appNetworkAccessType } : {}),
            ...(s.kmsKeyId ? { kmsKeyId: s.kmsKeyId } : {}),
            ...(s.subnetIds ? { subnetIds: s.subnetIds } : {}),
            ...(s.vpcId ? { vpcId: s.vpcId } : {}),
            ...(s.executionRoleIdentityConfig
              ? { executionRoleIdentityConfig: s.executionRoleIdentityConfig }
              : {}),
            tags: toTagList(change.tags),
          });
        }
        return undefined;
      case 'state-change':
        if (!this.exists(ref, region, account)) {
          this.seedKmsKey(s.kmsKeyId, region, account);
          seed.notebookInstance({
            account,
            name: ref.name,
            region,
            ...(s.status ? { status: s.status } : {}),
            ...(s.directInternetAccess ? { directInternetAccess: s.directInternetAccess } : {}),
            rootAccess: 'Disabled',
            ...(s.subnetId ? { subnetId: s.subnetId } : {}),
            ...(s.kmsKeyId ? { kmsKeyId: s.kmsKeyId } : {}),
            tags: toTagList(change.tags),
          });
          return 'RootAccess is not in state-change events: seeded as Disabled';
        }
        return undefined;
      case 'update':
        // Settings can change only while a notebook is Stopped.
        this.ensure(ref, change, 'Stopped');
        if (ref.type === 'notebook-instance') await this.stopFirst(sagemaker, ref.name, location);
        await sendUpdate(sagemaker, change, requestParameters(event));
        return undefined;
      case 'presigned-url': {
        this.ensure(ref, change);
        const note = this.ensureCaller(change);
        await sagemaker.send(
          new CreatePresignedDomainUrlCommand({ DomainId: ref.domainId, UserProfileName: ref.name }),
        );
        return note;
      }
      case 'start':
        this.ensure(ref, change, 'Stopped');
        await this.stopFirst(sagemaker, ref.name, location);
        await sagemaker.send(new StartNotebookInstanceCommand({ NotebookInstanceName: ref.name }));
        return undefined;
      case 'add-tags':
        this.ensure(ref, change);
        await sagemaker.send(new AddTagsCommand({ ResourceArn: ref.arn, Tags: toTagList(change.tagsSet) }));
        return undefined;
      case 'delete-tags':
        this.ensure(ref, change);
        await sagemaker.send(
          new DeleteTagsCommand({ ResourceArn: ref.arn, TagKeys: change.tagsRemoved ?? [] }),
        );
        return undefined;
    }
  }

  /** The user stopped the notebook some time before this call (Start and Update need it Stopped). */
  private async stopFirst(sagemaker: SageMakerClient, name: string, where: AwsLocation): Promise<void> {
    const { region, account } = where;
    const nb = () => this.emulator.inspect.notebookInstance(name, region, account);
    for (let step = 0; step < 4 && nb() && !['Stopped', 'Failed'].includes(nb()?.status ?? ''); step++) {
      if (nb()?.status === 'InService') {
        await sagemaker.send(new StopNotebookInstanceCommand({ NotebookInstanceName: name }));
      } else this.emulator.advanceNotebook(name, region, account);
    }
  }

  /**
   * Time passes: a Pending notebook reaches InService (an Updating one, Stopped), and SageMaker sends its
   * state-change event. Undefined when the notebook is in no transition.
   */
  nextNotebookState(arn: string, region: string, account: string): unknown {
    const parsed = parseSageMakerArn(arn);
    const nb = parsed && this.emulator.inspect.notebookInstance(parsed.name, region, account);
    if (!parsed || !nb || !['Pending', 'Updating'].includes(nb.status)) return undefined;
    this.emulator.advanceNotebook(parsed.name, region, account);
    const now = this.emulator.inspect.notebookInstance(parsed.name, region, account);
    if (!now) return undefined;
    const pick = (key: string) => (typeof now[key] === 'string' ? { [key]: now[key] } : {});
    return {
      version: '0',
      id: crypto.randomUUID(),
      'detail-type': 'SageMaker Notebook Instance State Change',
      source: 'aws.sagemaker',
      account,
      time: new Date().toISOString(),
      region,
      resources: [arn],
      detail: {
        NotebookInstanceArn: arn,
        NotebookInstanceName: now.NotebookInstanceName ?? parsed.name,
        NotebookInstanceStatus: now.status,
        ...pick('DirectInternetAccess'),
        ...pick('SubnetId'),
        ...pick('KmsKeyId'),
        ...pick('InstanceType'),
        ...pick('RoleArn'),
        Tags: Object.fromEntries(now.tags.map((t) => [t.Key, t.Value])),
      },
    };
  }
}

async function sendUpdate(
  client: SageMakerClient,
  change: NormalizedChange,
  params: Record<string, unknown>,
): Promise<void> {
  const { resource: ref, settings: s } = change;
  // The newer resource types replay the request as it was made.
  if (ref.type === 'space') {
    await client.send(new UpdateSpaceCommand(params as never));
    return;
  }
  if (ref.type === 'app-image-config') {
    await client.send(new UpdateAppImageConfigCommand(params as never));
    return;
  }
  if (ref.type === 'notebook-instance-lifecycle-config') {
    await client.send(new UpdateNotebookInstanceLifecycleConfigCommand(params as never));
    return;
  }
  if (ref.type === 'notebook-instance') {
    await client.send(
      new UpdateNotebookInstanceCommand({
        NotebookInstanceName: ref.name,
        ...(s.imdsMinimumVersion
          ? {
              InstanceMetadataServiceConfiguration: {
                MinimumInstanceMetadataServiceVersion: s.imdsMinimumVersion,
              },
            }
          : {}),
        ...(params.LifecycleConfigName ? { LifecycleConfigName: params.LifecycleConfigName as string } : {}),
        ...(s.rootAccess ? { RootAccess: s.rootAccess } : {}),
        ...(s.instanceType ? { InstanceType: s.instanceType as never } : {}),
        ...(s.roleArn ? { RoleArn: s.roleArn } : {}),
      }),
    );
    return;
  }
  if (ref.type === 'user-profile') {
    await client.send(
      new UpdateUserProfileCommand({
        DomainId: ref.domainId,
        UserProfileName: ref.name,
        ...(s.executionRole ? { UserSettings: { ExecutionRole: s.executionRole } } : {}),
      }),
    );
    return;
  }
  await client.send(
    new UpdateDomainCommand({
      DomainId: ref.domainId,
      ...(s.appNetworkAccessType ? { AppNetworkAccessType: s.appNetworkAccessType } : {}),
      ...(s.executionRoleIdentityConfig
        ? { DomainSettingsForUpdate: { ExecutionRoleIdentityConfig: s.executionRoleIdentityConfig } }
        : {}),
    }),
  );
}
