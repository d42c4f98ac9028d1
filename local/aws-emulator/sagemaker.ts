// SageMaker (JSON 1.1) shared pieces: ARNs, validation errors and the tags API. The resource operations
// live in notebooks.ts and studio.ts.
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
import { partitionOf, type State } from './state.ts';
import type { ServiceHandlers, Tag } from './types.ts';

export const PAGE_SIZE = 50;
const MAX_TAGS = 50;

export const validation = (message: string): ApiError => new ApiError('ValidationException', message);

export const notebookArn = (region: string, account: string, name: string): string =>
  `arn:${partitionOf(region)}:sagemaker:${region}:${account}:notebook-instance/${name.toLowerCase()}`;
export const domainArn = (region: string, account: string, domainId: string): string =>
  `arn:${partitionOf(region)}:sagemaker:${region}:${account}:domain/${domainId}`;
export const userProfileArn = (region: string, account: string, domainId: string, name: string): string =>
  `arn:${partitionOf(region)}:sagemaker:${region}:${account}:user-profile/${domainId}/${name}`;

// ---------------------------------------------------------------------------------------------- tags

/** `reservedAllowed`: state seeded as AWS itself made it (CloudFormation adds `aws:cloudformation:*` tags). */
export function checkTags(existing: Tag[], added: Tag[], reservedAllowed = false): void {
  for (const t of added) {
    if (t.Key.length < 1 || t.Key.length > 128) fail(`Tag key length must be 1-128: '${t.Key}'`);
    if (t.Value.length > 256) fail(`Tag value for key '${t.Key}' is longer than 256 characters`);
    if (!reservedAllowed && t.Key.toLowerCase().startsWith('aws:'))
      fail(`Tag keys starting with 'aws:' are reserved`);
  }
  const keys = new Set([...existing, ...added].map((t) => t.Key));
  if (keys.size > MAX_TAGS) fail(`Tags would exceed the maximum of ${MAX_TAGS} tags per resource`);
}

function fail(message: string): never {
  throw validation(message);
}

/** Overwrites existing keys, as AddTags does. */
function mergeTags(target: Tag[], added: Tag[]): void {
  for (const t of added) {
    const i = target.findIndex((x) => x.Key === t.Key);
    if (i >= 0) target[i] = { ...t };
    else target.push({ ...t });
  }
}

function taggedResource(state: State, arn: string) {
  // AWS answers ValidationException for tag calls on a resource that does not (or no longer) exist
  // (aws/amazon-sagemaker-feedback#108); the message text is ours.
  const r = state.taggable.get(arn.toLowerCase());
  if (!r) throw validation(`Resource ${arn} not found.`);
  return r;
}

export function tagHandlers(state: State): ServiceHandlers {
  return {
    AddTags(p) {
      const r = taggedResource(state, reqString(p, 'ResourceArn'));
      const tags = optTags(p) ?? [];
      checkTags(r.tags, tags);
      mergeTags(r.tags, tags);
      return { Tags: tags };
    },
    DeleteTags(p) {
      const r = taggedResource(state, reqString(p, 'ResourceArn'));
      const keys = new Set(optStringList(p, 'TagKeys') ?? []);
      r.tags = r.tags.filter((t) => !keys.has(t.Key));
      return {};
    },
    ListTags(p) {
      const r = taggedResource(state, reqString(p, 'ResourceArn'));
      const { page, next } = paginate(
        r.tags,
        optString(p, 'NextToken'),
        optNumber(p, 'MaxResults'),
        PAGE_SIZE,
        invalidNextToken,
      );
      return { Tags: page, NextToken: next };
    },
  };
}
