// In-memory resource state of one account. Regional resources are keyed by `region/...`; IAM is global.
import type { NotebookStatus, Params, PublishedMessage, SentSqsMessage, Tag } from './types.ts';

export interface Taggable {
  tags: Tag[];
}

export interface Notebook extends Taggable {
  name: string;
  region: string;
  arn: string;
  status: NotebookStatus;
  instanceType: string;
  roleArn: string;
  directInternetAccess: 'Enabled' | 'Disabled';
  rootAccess: 'Enabled' | 'Disabled';
  subnetId?: string;
  securityGroupIds: string[];
  kmsKeyId?: string;
  volumeSizeInGB: number;
  lifecycleConfigName?: string;
  /** InstanceMetadataServiceConfiguration.MinimumInstanceMetadataServiceVersion. */
  imdsMinimumVersion: '1' | '2';
  createdAt: number;
  modifiedAt: number;
  /** DescribeNotebookInstance calls seen in the current transitional status. */
  describesInStatus: number;
}

export interface Domain extends Taggable {
  domainId: string;
  name: string;
  region: string;
  arn: string;
  authMode: string;
  appNetworkAccessType: string;
  defaultUserSettings: Params;
  domainSettings: Params;
  subnetIds: string[];
  vpcId?: string;
  kmsKeyId?: string;
  createdAt: number;
  modifiedAt: number;
}

export interface UserProfile extends Taggable {
  domainId: string;
  name: string;
  region: string;
  arn: string;
  userSettings: Params;
  createdAt: number;
  modifiedAt: number;
}

export type StudioResourceKind =
  | 'space'
  | 'app'
  | 'app-image-config'
  | 'notebook-instance-lifecycle-config'
  | 'studio-lifecycle-config';

/** A Studio resource other than a domain or user profile, kept as its create request (studio-resources.ts). */
export interface StudioResource extends Taggable {
  kind: StudioResourceKind;
  arn: string;
  region: string;
  params: Params;
  status: 'InService' | 'Deleted';
  createdAt: number;
  modifiedAt: number;
}

export interface KmsKey {
  keyId: string;
  arn: string;
  accountId: string;
  region: string;
  manager: 'CUSTOMER' | 'AWS';
  state: 'Enabled' | 'Disabled' | 'PendingDeletion' | 'PendingImport' | 'Unavailable';
  description: string;
  createdAt: number;
}

export interface IamPrincipal extends Taggable {
  kind: 'role' | 'user';
  name: string;
  path: string;
  arn: string;
  id: string;
  createdAt: number;
}

export interface QueuedMessage {
  messageId: string;
  body: string;
  attributes: Params;
  visibleAt: number;
  receiptHandle?: string;
}

export interface Queue {
  name: string;
  region: string;
  url: string;
  messages: QueuedMessage[];
}

export class State {
  readonly notebooks = new Map<string, Notebook>(); // region/lower-cased name
  readonly domains = new Map<string, Domain>(); // region/domainId
  readonly userProfiles = new Map<string, UserProfile>(); // region/domainId/name
  readonly studioResources = new Map<string, StudioResource>(); // lower-cased ARN
  /** Every SageMaker resource that carries tags, by lower-cased ARN (ARNs compare case-insensitively). */
  readonly taggable = new Map<string, Taggable>();
  readonly roles = new Map<string, IamPrincipal>(); // name
  readonly users = new Map<string, IamPrincipal>(); // name
  readonly topics = new Set<string>(); // topic ARN
  readonly queues = new Map<string, Queue>(); // region/name
  readonly kmsKeys: Map<string, KmsKey>; // key ARN
  readonly kmsAliases: Map<string, string>; // alias ARN -> key ARN
  readonly published: PublishedMessage[];
  readonly sqsMessages: SentSqsMessage[];
  /** Security Hub: findings by product ARN and id; regions where it is not enabled (securityhub.ts). */
  readonly securityHub = { findings: new Map<string, Params>(), disabledRegions: new Set<string>() };

  constructor(
    readonly accountId: string,
    readonly describesPerTransition: number,
    /**
     * Shared by every account: what left the emulator (SNS publishes, SQS sends), in order; and KMS keys and
     * aliases by ARN, which name their account (a key ARN is usable from another account; ids and alias names
     * are looked up under the caller's own account).
     */
    shared: Partial<Pick<State, 'published' | 'sqsMessages' | 'kmsKeys' | 'kmsAliases'>> = {},
  ) {
    this.published = shared.published ?? [];
    this.sqsMessages = shared.sqsMessages ?? [];
    this.kmsKeys = shared.kmsKeys ?? new Map();
    this.kmsAliases = shared.kmsAliases ?? new Map();
  }

  reset(): void {
    for (const m of [this.notebooks, this.domains, this.userProfiles, this.taggable, this.kmsKeys]) m.clear();
    this.studioResources.clear();
    for (const m of [this.kmsAliases, this.roles, this.users, this.topics, this.queues]) m.clear();
    this.securityHub.findings.clear();
    this.securityHub.disabledRegions.clear();
    // Cleared in place: callers may hold references to these arrays.
    this.published.length = 0;
    this.sqsMessages.length = 0;
  }
}

/** The partition of a region, for the ARNs the emulator builds. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

export const nowSeconds = (): number => Date.now() / 1000;

export function randomId(length: number, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(Math.random() * alphabet.length)];
  return out;
}
