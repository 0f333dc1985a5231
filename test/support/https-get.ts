import { request } from 'node:https';

/** Client-side TLS material: the CA bundle to trust, and an optional client certificate. */
export interface ClientTls {
  ca: string;
  key?: string;
  cert?: string;
}

/** GET over a new HTTPS connection (SNI `localhost`); resolves with the status, or the connection error's code. */
export function httpsGet(url: string, tls: ClientTls): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request(url, { ...tls, servername: 'localhost', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    req.end();
  });
}
