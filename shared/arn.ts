// ARN helpers. Every ARN is built in the partition where the resource lives: the event's (its ARNs say
// `arn:<partition>:`), else the region's; never a hard-coded `arn:aws:`. SageMaker lower-cases the name part of
// notebook ARNs while the name keeps its case.

/** Where a resource lives. Extend here (e.g. an organization id) rather than adding positional arguments. */
export interface ArnScope {
  partition: string;
  region: string;
  account: string;
}

/** The partition a region belongs to (its ARNs say `arn:<partition>:`): never assume `aws`. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-isof-')) return 'aws-iso-f';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('eu-isoe-')) return 'aws-iso-e';
  if (region.startsWith('eusc-')) return 'aws-eusc';
  return 'aws';
}

/** The partition an ARN names, or undefined when it is not an ARN. */
export function partitionOfArn(arn: string | undefined): string | undefined {
  return arn?.match(/^arn:(aws[a-z-]*):/)?.[1];
}

/** The scope of a region and account; the partition from the ARNs at hand when one names it, else the region's. */
export function scopeOf(region: string, account: string, ...arns: Array<string | undefined>): ArnScope {
  const fromArn = arns.map(partitionOfArn).find((p) => p !== undefined);
  return { partition: fromArn ?? partitionOf(region), region, account };
}

const CONSOLE_DOMAINS: Record<string, string> = {
  aws: 'console.aws.amazon.com',
  'aws-cn': 'console.amazonaws.cn',
  'aws-us-gov': 'console.amazonaws-us-gov.com',
};

/** The AWS console domain of a partition; undefined for partitions without a public console. */
export function consoleDomain(partition: string): string | undefined {
  return Object.hasOwn(CONSOLE_DOMAINS, partition) ? CONSOLE_DOMAINS[partition] : undefined;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
/** A region name as AWS spells them (us-east-1, cn-north-1, us-gov-west-1): safe to put in a host name. */
export function isRegionName(value: string): boolean {
  return REGION.test(value);
}

export function notebookArn(
  region: string,
  account: string,
  name: string,
  partition = partitionOf(region),
): string {
  return `arn:${partition}:sagemaker:${region}:${account}:notebook-instance/${name.toLowerCase()}`;
}

export function userProfileArn(
  region: string,
  account: string,
  domainId: string,
  name: string,
  partition = partitionOf(region),
): string {
  return `arn:${partition}:sagemaker:${region}:${account}:user-profile/${domainId}/${name}`;
}

export function domainArn(
  region: string,
  account: string,
  domainId: string,
  partition = partitionOf(region),
): string {
  return `arn:${partition}:sagemaker:${region}:${account}:domain/${domainId}`;
}

export function spaceArn(
  region: string,
  account: string,
  domainId: string,
  name: string,
  partition = partitionOf(region),
): string {
  return `arn:${partition}:sagemaker:${region}:${account}:space/${domainId}/${name}`;
}

/** The app type is lower-cased in app ARNs, as the name part of notebook ARNs is. */
export function appArn(
  region: string,
  account: string,
  domainId: string,
  owner: string,
  appType: string,
  name: string,
  partition = partitionOf(region),
): string {
  return `arn:${partition}:sagemaker:${region}:${account}:app/${domainId}/${owner}/${appType.toLowerCase()}/${name}`;
}

/** ARNs of the resources named by their name alone: app image configs and lifecycle configurations. */
export function namedResourceArn(
  region: string,
  account: string,
  type: 'app-image-config' | 'notebook-instance-lifecycle-config' | 'studio-lifecycle-config',
  name: string,
  partition = partitionOf(region),
): string {
  return `arn:${partition}:sagemaker:${region}:${account}:${type}/${name}`;
}

export interface ParsedSageMakerArn {
  partition: string;
  region: string;
  account: string;
  type: string;
  name: string;
  domainId?: string;
  /** Apps: the user profile or space, and the app type as the ARN writes it (lower case). */
  owner?: string;
  appType?: string;
}

export function parseSageMakerArn(arn: string): ParsedSageMakerArn | undefined {
  const m = arn.match(/^arn:(aws[a-z-]*):sagemaker:([a-z0-9-]+):(\d{12}):([a-z-]+)\/(.+)$/);
  if (!m) return undefined;
  const [, partition = '', region = '', account = '', type = '', rest = ''] = m;
  if (type === 'user-profile') {
    const [domainId, name] = rest.split('/');
    if (!domainId || !name) return undefined;
    return { partition, region, account, type, name, domainId };
  }
  if (type === 'space') {
    const [domainId, name, ...more] = rest.split('/');
    if (!domainId || !name || more.length) return undefined;
    return { partition, region, account, type, name, domainId };
  }
  if (type === 'app') {
    const [domainId, owner, appType, name, ...more] = rest.split('/');
    if (!domainId || !owner || !appType || !name || more.length) return undefined;
    return { partition, region, account, type, name, domainId, owner, appType };
  }
  if (type === 'domain') return { partition, region, account, type, name: rest, domainId: rest };
  return { partition, region, account, type, name: rest };
}

/** Same resource? Notebook names compare case-insensitively (the ARN is lower-cased). */
export function sameArn(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
