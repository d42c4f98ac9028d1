// Wire formats: awsQuery request parsing and XML responses. (The JSON protocols need no helpers.)
import type { ServiceName } from './types.ts';

export const XML_NAMESPACES: Partial<Record<ServiceName, string>> = {
  iam: 'https://iam.amazonaws.com/doc/2010-05-08/',
  sns: 'http://sns.amazonaws.com/doc/2010-03-31/',
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
};

/** For requests whose Authorization header is missing or unusual. */
export const SERVICE_BY_QUERY_VERSION: Record<string, ServiceName> = {
  '2010-05-08': 'iam',
  '2010-03-31': 'sns',
  '2011-06-15': 'sts',
};

type Tree = { [key: string]: Tree | string };

/**
 * Parses an awsQuery body into the shape the JSON protocols would carry: `Tags.member.1.Key=k` becomes
 * `Tags: [{Key: 'k'}]`, and maps (`MessageAttributes.entry.1.Name=n&...entry.1.Value.DataType=String`)
 * become `{n: {DataType: 'String'}}`.
 */
export function parseQueryBody(body: string): {
  action: string;
  version: string;
  params: Record<string, unknown>;
} {
  const form = new URLSearchParams(body);
  const root: Tree = {};
  for (const [key, value] of form) {
    if (key === 'Action' || key === 'Version') continue;
    const parts = key.split('.');
    const last = parts.pop() ?? key;
    let node = root;
    for (const part of parts) {
      const next = node[part];
      if (typeof next === 'object') {
        node = next;
      } else {
        const child: Tree = {};
        node[part] = child;
        node = child;
      }
    }
    node[last] = value;
  }
  return {
    action: form.get('Action') ?? '',
    version: form.get('Version') ?? '',
    params: normalize(root) as Record<string, unknown>,
  };
}

function normalize(node: Tree | string): unknown {
  if (typeof node === 'string') return node;
  const keys = Object.keys(node);
  const children = Object.fromEntries(keys.map((k) => [k, normalize(node[k] as Tree | string)]));
  if (keys.length === 1 && keys[0] === 'member') return asList(children.member);
  if (keys.length === 1 && keys[0] === 'entry') return asMap(asList(children.entry));
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) return asList(children);
  return children;
}

function asList(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (value === null || typeof value !== 'object') return value === '' || value === undefined ? [] : [value];
  const entries = Object.entries(value).filter(([k]) => /^\d+$/.test(k));
  return entries.sort(([a], [b]) => Number(a) - Number(b)).map(([, v]) => v);
}

function asMap(entries: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const e of entries) {
    const r = (e ?? {}) as Record<string, unknown>;
    // Most query maps use key/value; SNS message attributes use Name/Value.
    const key = r.Name ?? r.key ?? r.Key;
    if (typeof key === 'string') out[key] = r.Value ?? r.value;
  }
  return out;
}

const escapeXml = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  );

/** Lists use the default `<member>` wrapping; dates are ISO 8601 as awsQuery expects. */
export function toXml(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => `<member>${toXml(v)}</member>`).join('');
  if (typeof value === 'object') {
    return Object.entries(value)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => `<${k}>${toXml(v)}</${k}>`)
      .join('');
  }
  return escapeXml(String(value));
}

export function queryResponseXml(
  service: ServiceName,
  action: string,
  result: Record<string, unknown>,
  requestId: string,
): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${XML_NAMESPACES[service]}">` +
    `<${action}Result>${toXml(result)}</${action}Result>` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`
  );
}

export function queryErrorXml(
  service: ServiceName,
  code: string,
  message: string,
  status: number,
  requestId: string,
): string {
  const type = status >= 500 ? 'Receiver' : 'Sender';
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${XML_NAMESPACES[service]}">` +
    `<Error><Type>${type}</Type><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error>` +
    `<RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}
