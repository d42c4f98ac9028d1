// ARN helpers. SageMaker lower-cases the name part of notebook ARNs while the name keeps its case.

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

export function notebookArn(region: string, account: string, name: string): string {
  return `arn:${partitionOf(region)}:sagemaker:${region}:${account}:notebook-instance/${name.toLowerCase()}`;
}

export function userProfileArn(region: string, account: string, domainId: string, name: string): string {
  return `arn:${partitionOf(region)}:sagemaker:${region}:${account}:user-profile/${domainId}/${name}`;
}

export function domainArn(region: string, account: string, domainId: string): string {
  return `arn:${partitionOf(region)}:sagemaker:${region}:${account}:domain/${domainId}`;
}

export function spaceArn(region: string, account: string, domainId: string, name: string): string {
  return `arn:${partitionOf(region)}:sagemaker:${region}:${account}:space/${domainId}/${name}`;
}

/** The app type is lower-cased in app ARNs, as the name part of notebook ARNs is. */
export function appArn(
  region: string,
  account: string,
  domainId: string,
  owner: string,
  appType: string,
  name: string,
): string {
  return `arn:${partitionOf(region)}:sagemaker:${region}:${account}:app/${domainId}/${owner}/${appType.toLowerCase()}/${name}`;
}

/** ARNs of the resources named by their name alone: app image configs and lifecycle configurations. */
export function namedResourceArn(
  region: string,
  account: string,
  type: 'app-image-config' | 'notebook-instance-lifecycle-config' | 'studio-lifecycle-config',
  name: string,
): string {
  return `arn:${partitionOf(region)}:sagemaker:${region}:${account}:${type}/${name}`;
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
