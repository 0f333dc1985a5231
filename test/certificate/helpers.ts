/** Test helpers for the certificate tests: a fake clock, TLS handshakes, openssl. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../../src/certificate/types.js';

export interface FakeClock extends Clock {
  /** Moves time forward, firing due timers in order (each may schedule more). */
  advance(ms: number): Promise<void>;
  pendingTimers(): number;
}

export function createFakeClock(start = Date.UTC(2030, 0, 1)): FakeClock {
  let now = start;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const settle = () => new Promise<void>((r) => setImmediate(r));
  return {
    now: () => now,
    setTimer(fn, ms) {
      const id = ++seq;
      timers.set(id, { at: now + Math.max(0, ms), fn });
      return () => timers.delete(id);
    },
    async advance(ms) {
      const end = now + ms;
      for (;;) {
        await settle();
        let next: [number, { at: number; fn: () => void }] | undefined;
        for (const t of timers) if (t[1].at <= end && (!next || t[1].at < next[1].at)) next = t;
        if (!next) break;
        timers.delete(next[0]);
        now = Math.max(now, next[1].at);
        next[1].fn();
        // Let async work started by the timer (issuance) run to completion.
        for (let i = 0; i < 20; i++) await settle();
      }
      now = end;
      await settle();
    },
    pendingTimers: () => timers.size,
  };
}

export interface TlsSide {
  certChainPem: string;
  privateKeyPem: string;
  /** PEM bundle this side trusts. */
  trustPem: string;
}

export interface HandshakeResult {
  ok: boolean;
  error?: string;
  /** Subject CN of the peer certificate as each side saw it. */
  serverSawClientCn?: string;
  clientSawServerCn?: string;
}

/** A mutual-TLS handshake over loopback: requestCert + rejectUnauthorized on both sides. */
export async function mtlsHandshake(server: TlsSide, client: TlsSide, servername = 'localhost'): Promise<HandshakeResult> {
  const srv = createServer({
    cert: server.certChainPem,
    key: server.privateKeyPem,
    ca: server.trustPem,
    requestCert: true,
    rejectUnauthorized: true,
  });
  const serverSide = new Promise<{ cn?: string; error?: string }>((resolve) => {
    srv.on('secureConnection', (s: TLSSocket) => {
      const cn = s.getPeerCertificate().subject?.CN;
      s.end();
      resolve({ cn: Array.isArray(cn) ? cn[0] : cn });
    });
    srv.on('tlsClientError', (err) => resolve({ error: err.message }));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  try {
    const clientSide = await new Promise<{ cn?: string; error?: string }>((resolve) => {
      const sock = connect({
        host: '127.0.0.1',
        port,
        servername,
        cert: client.certChainPem,
        key: client.privateKeyPem,
        ca: client.trustPem,
        rejectUnauthorized: true,
        // The leaves name workloads, not "localhost": identity is checked by the tests.
        checkServerIdentity: () => undefined,
      });
      sock.on('secureConnect', () => {
        const cn = sock.getPeerCertificate().subject?.CN;
        // TLS 1.3: the server verifies the client after the client finishes; wait for its verdict.
        sock.on('data', () => undefined);
        sock.on('end', () => resolve({ cn: Array.isArray(cn) ? cn[0] : cn }));
        sock.on('error', (err) => resolve({ error: err.message }));
      });
      sock.on('error', (err) => resolve({ error: err.message }));
    });
    const serverResult = await Promise.race([serverSide, new Promise<{ error: string }>((r) => setTimeout(() => r({ error: 'server saw nothing' }), 5000).unref())]);
    const error = clientSide.error ?? serverResult.error;
    return {
      ok: !error,
      ...(error ? { error } : {}),
      ...(serverResult.cn ? { serverSawClientCn: serverResult.cn } : {}),
      ...(clientSide.cn ? { clientSawServerCn: clientSide.cn } : {}),
    };
  } finally {
    await new Promise<void>((r) => srv.close(() => r()));
  }
}

export async function tempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Runs `openssl verify -CAfile root leaf`; resolves with its exit status and output. */
export async function opensslVerify(rootPem: string, leafPem: string, extraArgs: string[] = []): Promise<{ ok: boolean; output: string }> {
  const { dir, cleanup } = await tempDir('fsm-verify-');
  try {
    await writeFile(join(dir, 'root.pem'), rootPem);
    await writeFile(join(dir, 'leaf.pem'), leafPem);
    return await new Promise((resolve) => {
      execFile('openssl', ['verify', ...extraArgs, '-CAfile', join(dir, 'root.pem'), join(dir, 'leaf.pem')], (err, stdout, stderr) => {
        resolve({ ok: !err, output: `${stdout}${stderr}` });
      });
    });
  } finally {
    await cleanup();
  }
}
