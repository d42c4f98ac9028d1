// DynamoDB: the real thing's validation and conditional writes come from dynalite (in-process, in memory),
// behind the emulator's front door, so faults and the call log cover DynamoDB like every other service.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';

export interface DynamoBackend {
  /** Forwards one DynamoDB JSON request as received; answers status, headers and body as dynalite gives them. */
  forward(
    headers: http.IncomingHttpHeaders,
    body: string,
  ): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>;
  close(): Promise<void>;
}

export async function startDynamoBackend(): Promise<DynamoBackend> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const agent = new http.Agent({ keepAlive: true });
  const send = (
    headers: http.IncomingHttpHeaders,
    body: string,
  ): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> =>
    new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/',
          agent,
          headers: { ...headers, host: `127.0.0.1:${port}`, 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 500,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  return {
    async forward(headers, body) {
      const answer = await send(headers, body);
      return answer.status === 400 ? withItemOnConditionFailure(answer, headers, body, send) : answer;
    },
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}

type Answer = { status: number; headers: http.IncomingHttpHeaders; body: string };

/**
 * DynamoDB answers a failed condition with the item as it was when the write asked for it
 * (`ReturnValuesOnConditionCheckFailure: ALL_OLD`); dynalite predates that parameter and ignores it. The item
 * is read back here (a consistent read, before the caller sees the answer), as DynamoDB would have returned it.
 */
async function withItemOnConditionFailure(
  answer: Answer,
  headers: http.IncomingHttpHeaders,
  body: string,
  send: (headers: http.IncomingHttpHeaders, body: string) => Promise<Answer>,
): Promise<Answer> {
  if (dynamoErrorCode(answer.body) !== 'ConditionalCheckFailedException') return answer;
  const request = JSON.parse(body) as {
    TableName?: string;
    Key?: unknown;
    ReturnValuesOnConditionCheckFailure?: string;
  };
  if (request.ReturnValuesOnConditionCheckFailure !== 'ALL_OLD' || !request.Key) return answer;
  const read = await send(
    { ...headers, 'x-amz-target': 'DynamoDB_20120810.GetItem' },
    JSON.stringify({ TableName: request.TableName, Key: request.Key, ConsistentRead: true }),
  );
  if (read.status !== 200) return answer;
  const { Item } = JSON.parse(read.body) as { Item?: unknown };
  if (!Item) return answer;
  return { ...answer, body: JSON.stringify({ ...(JSON.parse(answer.body) as object), Item }) };
}

/** dynalite's error type (`com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException`) as a short name. */
export function dynamoErrorCode(body: string): string | undefined {
  try {
    const type = (JSON.parse(body) as { __type?: unknown }).__type;
    return typeof type === 'string' ? type.split('#').pop() : undefined;
  } catch {
    return undefined;
  }
}
