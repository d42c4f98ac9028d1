// An HTTP proxy in front of the emulator that keeps every exchange as it went over the wire: what a client sent
// (method, path, headers, body bytes) and what it got back. Tests compare clients byte for byte with it, or
// change an answer on its way back (`alter`) to see that a client checks it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Exchange {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  status: number;
  responseBody: Buffer;
}

export interface RecordingProxy {
  endpoint: string;
  exchanges: Exchange[];
  /** Rewrites answers before the client sees them (undefined: as they came). */
  alter?: (exchange: Omit<Exchange, 'status' | 'responseBody'>, body: Buffer) => Buffer;
  close(): Promise<void>;
}

const read = (stream: NodeJS.ReadableStream): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const proxy: RecordingProxy = {
    endpoint: '',
    exchanges: [],
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const server = http.createServer(async (req, res) => {
    const body = await read(req);
    const sent = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
    const answer = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const out = http.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: sent.method,
          path: sent.path,
          headers: req.headers,
        },
        resolve,
      );
      out.on('error', reject);
      out.end(body);
    });
    const original = await read(answer);
    const responseBody = proxy.alter ? proxy.alter(sent, original) : original;
    proxy.exchanges.push({ ...sent, status: answer.statusCode ?? 0, responseBody });
    const headers = { ...answer.headers, 'content-length': String(responseBody.length) };
    res.writeHead(answer.statusCode ?? 500, headers);
    res.end(responseBody);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}
