// SageMaker notebook instances: create/describe/list and the status machine behind start/stop/update/delete.
import { ApiError } from './errors.ts';
import {
  invalidNextToken,
  optNumber,
  optString,
  optStringList,
  optTags,
  paginate,
  reqString,
} from './params.ts';
import { checkTags, notebookArn, PAGE_SIZE, validation } from './sagemaker.ts';
import { type Notebook, nowSeconds, type State } from './state.ts';
import type { NotebookStatus, Params, RequestContext, ServiceHandlers, Tag } from './types.ts';

const recordNotFound = (): ApiError => validation('RecordNotFound');

export interface NotebookInput {
  /** Seeded as AWS made it: reserved `aws:` tags are allowed. */
  seeded?: boolean;
  name: string;
  region: string;
  status?: NotebookStatus;
  instanceType: string;
  roleArn: string;
  directInternetAccess?: 'Enabled' | 'Disabled';
  rootAccess?: 'Enabled' | 'Disabled';
  subnetId?: string;
  securityGroupIds?: string[];
  kmsKeyId?: string;
  volumeSizeInGB?: number;
  lifecycleConfigName?: string;
  imdsMinimumVersion?: '1' | '2';
  tags?: Tag[];
}

export function createNotebook(state: State, input: NotebookInput): Notebook {
  const arn = notebookArn(input.region, state.accountId, input.name);
  const key = `${input.region}/${input.name.toLowerCase()}`;
  if (state.notebooks.has(key))
    throw new ApiError('ResourceInUse', `Cannot create a duplicate Notebook Instance (${arn})`);
  const tags = input.tags ?? [];
  checkTags([], tags, input.seeded);
  const now = nowSeconds();
  const nb: Notebook = {
    name: input.name,
    region: input.region,
    arn,
    status: input.status ?? 'Pending',
    instanceType: input.instanceType,
    roleArn: input.roleArn,
    directInternetAccess: input.directInternetAccess ?? 'Enabled',
    rootAccess: input.rootAccess ?? 'Enabled',
    subnetId: input.subnetId,
    securityGroupIds: input.securityGroupIds ?? [],
    kmsKeyId: input.kmsKeyId,
    volumeSizeInGB: input.volumeSizeInGB ?? 5,
    lifecycleConfigName: input.lifecycleConfigName,
    imdsMinimumVersion: input.imdsMinimumVersion ?? '1',
    createdAt: now,
    modifiedAt: now,
    describesInStatus: 0,
    tags: tags.map((t) => ({ ...t })),
  };
  state.notebooks.set(key, nb);
  state.taggable.set(arn.toLowerCase(), nb);
  return nb;
}

export function findNotebook(state: State, region: string, name: string): Notebook | undefined {
  return state.notebooks.get(`${region}/${name.toLowerCase()}`);
}

function getNotebook(state: State, p: Params, ctx: RequestContext): Notebook {
  const nb = findNotebook(state, ctx.region, reqString(p, 'NotebookInstanceName'));
  if (!nb) throw recordNotFound();
  return nb;
}

const NEXT_STATUS: Partial<Record<NotebookStatus, NotebookStatus | 'gone'>> = {
  Pending: 'InService',
  Stopping: 'Stopped',
  Updating: 'Stopped',
  Deleting: 'gone',
};

/** Moves a transitional notebook on; stable statuses (InService, Stopped, Failed) stay. */
export function advanceNotebook(state: State, nb: Notebook): void {
  const next = NEXT_STATUS[nb.status];
  if (!next) return;
  if (next === 'gone') {
    state.notebooks.delete(`${nb.region}/${nb.name.toLowerCase()}`);
    state.taggable.delete(nb.arn.toLowerCase());
    return;
  }
  setStatus(nb, next);
}

function setStatus(nb: Notebook, status: NotebookStatus): void {
  nb.status = status;
  nb.describesInStatus = 0;
  nb.modifiedAt = nowSeconds();
}

/** AWS's exact wording; callers should match on the error name, but tests pin the text. */
function requireStatus(nb: Notebook, allowed: NotebookStatus[], target: NotebookStatus): void {
  if (allowed.includes(nb.status)) return;
  throw validation(
    `Status (${nb.status}) not in ([${allowed.join(', ')}]). Unable to transition to (${target}) for Notebook Instance (${nb.arn}).`,
  );
}

export function describeNotebook(nb: Notebook): Params {
  return {
    NotebookInstanceArn: nb.arn,
    NotebookInstanceName: nb.name,
    NotebookInstanceStatus: nb.status,
    FailureReason: nb.status === 'Failed' ? 'Emulated failure' : undefined,
    Url:
      nb.status === 'InService' ? `${nb.name.toLowerCase()}.notebook.${nb.region}.sagemaker.aws` : undefined,
    InstanceType: nb.instanceType,
    SubnetId: nb.subnetId,
    SecurityGroups: nb.subnetId || nb.securityGroupIds.length ? nb.securityGroupIds : undefined,
    RoleArn: nb.roleArn,
    KmsKeyId: nb.kmsKeyId,
    NotebookInstanceLifecycleConfigName: nb.lifecycleConfigName,
    DirectInternetAccess: nb.directInternetAccess,
    VolumeSizeInGB: nb.volumeSizeInGB,
    RootAccess: nb.rootAccess,
    PlatformIdentifier: 'notebook-al2-v2',
    InstanceMetadataServiceConfiguration: { MinimumInstanceMetadataServiceVersion: nb.imdsMinimumVersion },
    CreationTime: nb.createdAt,
    LastModifiedTime: nb.modifiedAt,
  };
}

const enabledDisabled = (p: Params, key: string): 'Enabled' | 'Disabled' | undefined => {
  const v = optString(p, key);
  if (v === undefined || v === 'Enabled' || v === 'Disabled') return v;
  throw validation(
    `Value '${v}' at '${key}' failed to satisfy constraint: Member must satisfy enum value set: [Enabled, Disabled]`,
  );
};

/** InstanceMetadataServiceConfiguration.MinimumInstanceMetadataServiceVersion: the API's pattern is `1|2`. */
function imdsVersion(p: Params): '1' | '2' | undefined {
  const config = p.InstanceMetadataServiceConfiguration;
  if (config === undefined) return undefined;
  const v = (config as Params | null)?.MinimumInstanceMetadataServiceVersion;
  if (v === '1' || v === '2') return v;
  throw validation(
    `Value '${String(v)}' at 'instanceMetadataServiceConfiguration.minimumInstanceMetadataServiceVersion' failed to satisfy constraint: Member must satisfy regular expression pattern: 1|2`,
  );
}

export function notebookHandlers(state: State): ServiceHandlers {
  return {
    CreateNotebookInstance(p, ctx) {
      const name = reqString(p, 'NotebookInstanceName');
      const instanceType = reqString(p, 'InstanceType');
      const roleArn = reqString(p, 'RoleArn');
      const directInternetAccess = enabledDisabled(p, 'DirectInternetAccess');
      const subnetId = optString(p, 'SubnetId');
      if (directInternetAccess === 'Disabled' && !subnetId)
        throw validation('Direct internet access cannot be disabled unless a SubnetId is specified.');
      const nb = createNotebook(state, {
        name,
        region: ctx.region,
        instanceType,
        roleArn,
        directInternetAccess,
        rootAccess: enabledDisabled(p, 'RootAccess'),
        subnetId,
        securityGroupIds: optStringList(p, 'SecurityGroupIds'),
        kmsKeyId: optString(p, 'KmsKeyId'),
        volumeSizeInGB: optNumber(p, 'VolumeSizeInGB'),
        lifecycleConfigName: optString(p, 'LifecycleConfigName'),
        imdsMinimumVersion: imdsVersion(p),
        tags: optTags(p),
      });
      return { NotebookInstanceArn: nb.arn };
    },

    DescribeNotebookInstance(p, ctx) {
      const nb = getNotebook(state, p, ctx);
      const out = describeNotebook(nb);
      // The answer shows the status before counting, so with the default of 1 a caller sees Pending once,
      // then InService: enough to exercise "wait until ready" code without real sleeps.
      const every = state.describesPerTransition;
      if (every > 0 && NEXT_STATUS[nb.status] && ++nb.describesInStatus >= every) advanceNotebook(state, nb);
      return out;
    },

    ListNotebookInstances(p, ctx) {
      const contains = optString(p, 'NameContains')?.toLowerCase();
      const status = optString(p, 'StatusEquals');
      const sortBy = optString(p, 'SortBy') ?? 'Name';
      const sortKey = (nb: Notebook): string | number =>
        sortBy === 'CreationTime' ? nb.createdAt : sortBy === 'Status' ? nb.status : nb.name.toLowerCase();
      const items = [...state.notebooks.values()]
        .filter((nb) => nb.region === ctx.region)
        .filter((nb) => !contains || nb.name.toLowerCase().includes(contains))
        .filter((nb) => !status || nb.status === status)
        .sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
      if (optString(p, 'SortOrder') === 'Descending') items.reverse();
      const { page, next } = paginate(
        items,
        optString(p, 'NextToken'),
        optNumber(p, 'MaxResults'),
        PAGE_SIZE,
        invalidNextToken,
      );
      return {
        NotebookInstances: page.map((nb) => {
          const d = describeNotebook(nb);
          return {
            NotebookInstanceName: d.NotebookInstanceName,
            NotebookInstanceArn: d.NotebookInstanceArn,
            NotebookInstanceStatus: d.NotebookInstanceStatus,
            Url: d.Url,
            InstanceType: d.InstanceType,
            CreationTime: d.CreationTime,
            LastModifiedTime: d.LastModifiedTime,
          };
        }),
        NextToken: next,
      };
    },

    StopNotebookInstance(p, ctx) {
      const nb = getNotebook(state, p, ctx);
      requireStatus(nb, ['InService'], 'Stopping');
      setStatus(nb, 'Stopping');
      return {};
    },

    StartNotebookInstance(p, ctx) {
      const nb = getNotebook(state, p, ctx);
      requireStatus(nb, ['Stopped', 'Failed'], 'Pending');
      setStatus(nb, 'Pending');
      return {};
    },

    UpdateNotebookInstance(p, ctx) {
      const nb = getNotebook(state, p, ctx);
      // Only the attributes UpdateNotebookInstance really accepts; network and KMS settings are fixed.
      requireStatus(nb, ['Stopped'], 'Updating');
      nb.instanceType = optString(p, 'InstanceType') ?? nb.instanceType;
      nb.roleArn = optString(p, 'RoleArn') ?? nb.roleArn;
      nb.rootAccess = enabledDisabled(p, 'RootAccess') ?? nb.rootAccess;
      nb.volumeSizeInGB = optNumber(p, 'VolumeSizeInGB') ?? nb.volumeSizeInGB;
      if (p.DisassociateLifecycleConfig === true) nb.lifecycleConfigName = undefined;
      nb.lifecycleConfigName = optString(p, 'LifecycleConfigName') ?? nb.lifecycleConfigName;
      nb.imdsMinimumVersion = imdsVersion(p) ?? nb.imdsMinimumVersion;
      setStatus(nb, 'Updating');
      return {};
    },

    DeleteNotebookInstance(p, ctx) {
      const nb = getNotebook(state, p, ctx);
      requireStatus(nb, ['Stopped', 'Failed'], 'Deleting');
      setStatus(nb, 'Deleting');
      return {};
    },
  };
}
