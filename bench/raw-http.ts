/**
 * A minimal HTTP/1.1 client over one TCP connection for benchmark clients
 * that must cost little CPU (thousands of simulated sidecars share the
 * machine with the controller they measure; node:http's client costs several
 * times more per request). One request at a time; responses are framed by
 * `content-length` only, which is what the Pipy repo server sends. Bench
 * code, not a general client.
 */
import { connect, type Socket } from 'node:net';

export interface RawHttpResponse {
  status: number;
  /** Lower-case header names. */
  headers: Map<string, string>;
  body: Buffer;
}

export interface RawHttpConnection {
  /** A `body` is sent with `content-length` and `content-type: application/json`, as Pipy's status report is. */
  request(method: 'GET' | 'HEAD' | 'POST', path: string, body?: string): Promise<RawHttpResponse>;
  close(): void;
}

const HEAD_END = Buffer.from('\r\n\r\n');

export function connectRawHttp(port: number, host = '127.0.0.1'): Promise<RawHttpConnection> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ port, host, noDelay: true });
    let buffered: Buffer = Buffer.alloc(0);
    let pending: { method: string; resolve: (r: RawHttpResponse) => void; reject: (e: Error) => void } | undefined;

    const fail = (err: Error) => {
      const p = pending;
      pending = undefined;
      p?.reject(err);
    };
    const parse = () => {
      if (!pending) return;
      const end = buffered.indexOf(HEAD_END);
      if (end < 0) return;
      const lines = buffered.subarray(0, end).toString('latin1').split('\r\n');
      const status = Number(lines[0]?.split(' ')[1]);
      const headers = new Map<string, string>();
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        if (colon > 0) headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
      }
      const length = pending.method === 'HEAD' ? 0 : Number(headers.get('content-length') ?? 0);
      const bodyStart = end + HEAD_END.length;
      if (buffered.length < bodyStart + length) return;
      const body = buffered.subarray(bodyStart, bodyStart + length);
      buffered = buffered.subarray(bodyStart + length);
      const p = pending;
      pending = undefined;
      p.resolve({ status, headers, body });
    };

    socket.on('data', (chunk: Buffer) => {
      buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
      parse();
    });
    socket.on('error', (err) => {
      fail(err);
      reject(err);
    });
    socket.on('close', () => fail(new Error('connection closed')));
    socket.once('connect', () =>
      resolve({
        request(method, path, body) {
          if (pending) return Promise.reject(new Error('one request at a time'));
          return new Promise((res, rej) => {
            pending = { method, resolve: res, reject: rej };
            const payload = body === undefined ? '' : `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n`;
            socket.write(`${method} ${path} HTTP/1.1\r\n${payload}Host: ${host}:${port}\r\nconnection: keep-alive\r\n\r\n${body ?? ''}`);
          });
        },
        close: () => socket.destroy(),
      }),
    );
  });
}
