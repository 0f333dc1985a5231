/**
 * An HTTP proxy in front of a real etcd's JSON gateway that records what a
 * client asks of it: the revision of every range it answered, the start
 * revision and credentials of every watch, the authentications. A test can
 * also silence the watches open now (their bytes stop flowing, the
 * connections stay open: a watch gone quiet), while new requests pass.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EtcdGatewayRecorder {
  readonly url: string;
  /** The header revision of each range answered, in order. */
  readonly ranges: readonly number[];
  /** Each watch's start_revision and Authorization header, in order. */
  readonly watches: readonly { readonly start: number; readonly authorization: string | undefined }[];
  readonly authentications: number;
  silenceOpenWatches(): void;
  close(): Promise<void>;
}

export async function createEtcdGatewayRecorder(etcdUrl: string): Promise<EtcdGatewayRecorder> {
  const target = new URL(etcdUrl);
  const ranges: number[] = [];
  const watches: { start: number; authorization: string | undefined }[] = [];
  const open = new Set<http.ServerResponse>();
  const silenced = new WeakSet<http.ServerResponse>();
  let authentications = 0;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.url === '/v3/watch') {
        const create = (JSON.parse(body.toString('utf8')) as { create_request?: { start_revision?: string } }).create_request;
        watches.push({ start: Number(create?.start_revision ?? 0), authorization: req.headers.authorization });
      }
      if (req.url === '/v3/auth/authenticate') authentications++;
      const headers = { ...req.headers, host: target.host };
      const upstream = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        if (req.url === '/v3/kv/range') {
          const parts: Buffer[] = [];
          answer.on('data', (d: Buffer) => parts.push(d));
          answer.on('end', () => {
            const all = Buffer.concat(parts);
            const revision = (JSON.parse(all.toString('utf8')) as { header?: { revision?: string } }).header?.revision;
            if (revision !== undefined) ranges.push(Number(revision));
            res.end(all);
          });
          return;
        }
        open.add(res);
        answer.on('data', (d: Buffer) => silenced.has(res) || res.write(d));
        answer.on('end', () => silenced.has(res) || res.end());
      });
      upstream.on('error', () => res.destroy());
      res.on('close', () => {
        open.delete(res);
        upstream.destroy();
      });
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    ranges,
    watches,
    get authentications() {
      return authentications;
    },
    silenceOpenWatches() {
      for (const res of open) silenced.add(res);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of open) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
