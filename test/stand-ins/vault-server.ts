/**
 * A STAND-IN for HashiCorp Vault's PKI secrets engine (no Vault server runs
 * on these machines; see /work/shared/reference/environment.md). Plain HTTP
 * on 127.0.0.1:<port 0>, speaking the parts of Vault's HTTP API the
 * certificate module uses:
 *
 * - `GET /v1/<mount>/ca/pem`: the CA certificate (PEM).
 * - `POST|PUT /v1/<mount>/issue/<role>` with `X-Vault-Token`: body
 *   `{common_name, alt_names, uri_sans, ttl, format}`; answers
 *   `{request_id, lease_id, renewable, lease_duration, data: {certificate,
 *   issuing_ca, ca_chain, private_key, private_key_type, serial_number,
 *   expiration}, warnings, auth}` like Vault, with `notBefore` backdated 30 s
 *   (Vault's `not_before_duration` default) and the TTL capped at the role's
 *   `max_ttl`. Errors as `{errors: [...]}` with 403 (bad token) or 400.
 *
 * It signs with a real CA of its own, built with @peculiar/x509 (not the
 * project's builder), and records every request for assertions.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { randomUUID, webcrypto } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import * as x509 from '@peculiar/x509';
import { parseGoDuration } from '../../src/shared/duration.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.X509CertificateGenerator.create>[1] & object);

export interface VaultStandInOptions {
  readonly token: string;
  readonly mount?: string;
  /** Role name -> max TTL in seconds (default: one role `flomesh`, 72h). */
  readonly roles?: Readonly<Record<string, number>>;
}

export interface VaultRecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly token: string | undefined;
  readonly body: Record<string, unknown> | undefined;
}

export interface VaultStandIn {
  readonly url: string;
  readonly caPem: string;
  readonly requests: readonly VaultRecordedRequest[];
  start(): Promise<void>;
  close(): Promise<void>;
}

const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
type Keys = Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'];

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseTtl(ttl: unknown): number | undefined {
  if (typeof ttl === 'number') return ttl;
  if (typeof ttl !== 'string' || ttl === '') return undefined;
  if (/^\d+$/.test(ttl)) return Number(ttl);
  return parseGoDuration(ttl) / 1000;
}

export function createVaultStandIn(options: VaultStandInOptions): VaultStandIn {
  const mount = options.mount ?? 'pki';
  const roles = options.roles ?? { flomesh: 72 * 3600 };
  const requests: VaultRecordedRequest[] = [];
  let server: Server | undefined;
  let url = '';
  let caPem = '';
  let caKeys: Keys | undefined;
  let caCert: x509.X509Certificate | undefined;

  const send = (res: import('node:http').ServerResponse, status: number, body: unknown, type = 'application/json') => {
    res.writeHead(status, { 'content-type': type });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };

  const issue = async (role: string, body: Record<string, unknown>) => {
    const maxTtl = roles[role] as number;
    const requested = parseTtl(body['ttl']) ?? maxTtl;
    const ttl = Math.min(requested, maxTtl);
    const now = Date.now();
    const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as unknown as Keys;
    const cn = String(body['common_name'] ?? '');
    const split = (v: unknown) => (typeof v === 'string' && v !== '' ? v.split(',').map((s) => s.trim()) : []);
    const dns = [cn, ...split(body['alt_names']).filter((n) => n !== cn)];
    const uris = split(body['uri_sans']);
    const cert = await x509.X509CertificateGenerator.create({
      subject: `CN=${cn}`,
      issuer: (caCert as x509.X509Certificate).subject,
      notBefore: new Date(Math.floor((now - 30_000) / 1000) * 1000),
      notAfter: new Date(Math.floor((now + ttl * 1000) / 1000) * 1000),
      publicKey: keys.publicKey,
      signingKey: (caKeys as Keys).privateKey,
      signingAlgorithm: alg,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
        new x509.SubjectAlternativeNameExtension([...dns.map((value) => ({ type: 'dns' as const, value })), ...uris.map((value) => ({ type: 'url' as const, value }))]),
      ],
    });
    const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as unknown as webcrypto.CryptoKey));
    const { createPrivateKey } = await import('node:crypto');
    const keyPem = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ type: 'sec1', format: 'pem' }) as string;
    return {
      request_id: randomUUID(),
      lease_id: '',
      renewable: false,
      lease_duration: 0,
      data: {
        certificate: cert.toString('pem'),
        issuing_ca: caPem.trim(),
        ca_chain: [caPem.trim()],
        private_key: keyPem.trim(),
        private_key_type: 'ec',
        serial_number: cert.serialNumber.match(/../g)?.join(':') ?? '',
        expiration: Math.floor(cert.notAfter.getTime() / 1000),
      },
      wrap_info: null,
      warnings: requested > maxTtl ? [`TTL of "${requested}s" is greater than the role's max TTL; capping`] : null,
      auth: null,
    };
  };

  return {
    get url() {
      return url;
    },
    get caPem() {
      return caPem;
    },
    requests,
    async start() {
      caKeys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as unknown as Keys;
      caCert = await x509.X509CertificateGenerator.createSelfSigned({
        name: 'CN=vault-stand-in-root',
        keys: caKeys,
        signingAlgorithm: alg,
        notAfter: new Date(Date.now() + 365 * 86_400_000),
        extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
      });
      caPem = caCert.toString('pem') + '\n';
      server = createServer((req, res) => {
        void (async () => {
          const raw = await readBody(req);
          const path = (req.url ?? '').split('?')[0] ?? '';
          const tokenHeader = req.headers['x-vault-token'];
          const token = Array.isArray(tokenHeader) ? tokenHeader[0] : tokenHeader;
          let body: Record<string, unknown> | undefined;
          try {
            body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
          } catch {
            return send(res, 400, { errors: ['failed to parse JSON input'] });
          }
          requests.push({ method: req.method ?? '', path, token, body });
          if (req.method === 'GET' && path === `/v1/${mount}/ca/pem`) return send(res, 200, caPem, 'application/pem-certificate-chain');
          const m = new RegExp(`^/v1/${mount}/issue/([^/]+)$`).exec(path);
          if (m && (req.method === 'POST' || req.method === 'PUT')) {
            if (token !== options.token) return send(res, 403, { errors: ['permission denied'] });
            const role = decodeURIComponent(m[1] as string);
            if (!(role in roles)) return send(res, 400, { errors: [`unknown role: ${role}`] });
            if (!body || typeof body['common_name'] !== 'string') return send(res, 400, { errors: ['the common_name field is required'] });
            return send(res, 200, await issue(role, body));
          }
          return send(res, 404, { errors: [] });
        })().catch((err: unknown) => send(res, 500, { errors: [String(err)] }));
      });
      await new Promise<void>((r) => (server as Server).listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    async close() {
      if (!server) return;
      server.closeAllConnections();
      await new Promise<void>((r) => (server as Server).close(() => r()));
      server = undefined;
    },
  };
}
