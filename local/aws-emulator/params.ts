// Typed readers over the loosely typed request parameters, plus the shared pagination scheme.
import { ApiError, missingMember } from './errors.ts';
import type { Params, Tag } from './types.ts';

export function optString(p: Params, key: string): string | undefined {
  const v = p[key];
  return typeof v === 'string' ? v : undefined;
}

/** Missing or empty -> the error from `onMissing` (default: SageMaker/KMS style ValidationException). */
export function reqString(
  p: Params,
  key: string,
  onMissing: (key: string) => ApiError = missingMember,
): string {
  const v = optString(p, key);
  if (v === undefined || v === '') throw onMissing(key);
  return v;
}

/** Query-protocol numbers arrive as strings, JSON ones as numbers: accept both. */
export function optNumber(p: Params, key: string): number | undefined {
  const v = p[key];
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

export function optStringList(p: Params, key: string): string[] | undefined {
  const v = p[key];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
}

export function optRecord(p: Params, key: string): Params | undefined {
  const v = p[key];
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Params) : undefined;
}

export function optTags(p: Params, key = 'Tags'): Tag[] | undefined {
  const v = p[key];
  if (!Array.isArray(v)) return undefined;
  return v.map((t: unknown) => {
    const r = (t ?? {}) as Params;
    return { Key: String(r.Key ?? ''), Value: String(r.Value ?? '') };
  });
}

/**
 * Offset-based pagination with an opaque token. Each service chooses its default page size; an
 * unparseable token is the caller's error, as in AWS.
 */
export function paginate<T>(
  items: T[],
  token: string | undefined,
  maxResults: number | undefined,
  defaultSize: number,
  invalidToken: () => ApiError,
): { page: T[]; next?: string } {
  let start = 0;
  if (token) {
    start = Number(Buffer.from(token, 'base64url').toString('utf8'));
    if (!Number.isInteger(start) || start < 0) throw invalidToken();
  }
  const size = maxResults && maxResults > 0 ? maxResults : defaultSize;
  const end = start + size;
  return {
    page: items.slice(start, end),
    next: end < items.length ? Buffer.from(String(end), 'utf8').toString('base64url') : undefined,
  };
}

export const invalidNextToken = (): ApiError =>
  new ApiError('ValidationException', 'Invalid pagination token');
