/**
 * cert-manager issuer: creates a `cert-manager.io/v1` CertificateRequest
 * holding a CSR made here, waits for its Ready condition (configurable
 * timeout; FSM hard-codes 60 s), reads `status.certificate` and
 * `status.ca`, then deletes the request. Readiness is polled with a GET:
 * one small request per interval per pending issuance, simpler and more
 * robust than a watch for a handful of short waits.
 */
import { createHash, randomBytes } from 'node:crypto';
import { isNotFound } from '../../kubernetes/errors.js';
import type { KubeClient } from '../../kubernetes/kube-client.js';
import { Resources, resourcePath } from '../../kubernetes/paths.js';
import { derFromPem, joinPem, pemBlocks } from '../pem.js';
import { CertificateError, CertificateErrorCode, type IssuedCertificate, type Issuer, type IssueRequest } from '../types.js';
import { createCsr, issuedFromPem } from './csr.js';

const GROUP = 'cert-manager.io';

export interface IssuerRef {
  readonly name: string;
  readonly kind?: string;
  readonly group?: string;
}

export interface CertManagerIssuerOptions {
  /** The Kubernetes client (src/kubernetes). */
  readonly client: KubeClient;
  /** Namespace of the CertificateRequests (and of a namespaced Issuer). */
  readonly namespace: string;
  /** FSM's default: `{name: 'fsm-ca', kind: 'Issuer', group: 'cert-manager.io'}`. */
  readonly issuerRef?: IssuerRef;
  /** How long to wait for Ready; 60 s by default. */
  readonly readyTimeoutMs?: number;
  readonly pollIntervalMs?: number;
  /**
   * The CA that validates issued certificates. When absent, the factory
   * learns it from a first (probe) CertificateRequest's `status.ca`.
   */
  readonly caPem?: string;
}

type Condition = { type?: string; status?: string; reason?: string; message?: string };
type CertificateRequestObject = { status?: { conditions?: Condition[]; certificate?: string; ca?: string } };

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');

export async function createCertManagerIssuer(options: CertManagerIssuerOptions): Promise<Issuer> {
  const { client, namespace } = options;
  const requestPath = (name?: string) => resourcePath(Resources.certificateRequests, { namespace, name });
  const issuerRef = { name: options.issuerRef?.name ?? 'fsm-ca', kind: options.issuerRef?.kind ?? 'Issuer', group: options.issuerRef?.group ?? GROUP };
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  const pollMs = options.pollIntervalMs ?? 250;

  const request = async (req: IssueRequest): Promise<{ issued: IssuedCertificate; ca: string }> => {
    const { csrPem, privateKeyPem } = await createCsr(req);
    const name = `fsm-${req.commonName.toLowerCase().replace(/[^a-z0-9-]+/g, '-').slice(0, 40).replace(/-+$/, '')}-${randomBytes(4).toString('hex')}`;
    await client.create(requestPath(), {
      apiVersion: Resources.certificateRequests.apiVersion,
      kind: 'CertificateRequest',
      metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'fsm-control-plane' } },
      spec: {
        request: b64(csrPem),
        isCA: false,
        duration: `${Math.max(1, Math.ceil(req.validityMs / 1000))}s`,
        usages: ['digital signature', 'key encipherment', 'server auth', 'client auth'],
        issuerRef,
      },
    });
    try {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const cr = await client.get<CertificateRequestObject>(requestPath(name));
        const conditions = cr.status?.conditions ?? [];
        const denied = conditions.find((c) => c.type === 'Denied' && c.status === 'True');
        const ready = conditions.find((c) => c.type === 'Ready');
        if (denied) throw new CertificateError(CertificateErrorCode.issuerFailed, `CertificateRequest ${namespace}/${name} denied: ${denied.message ?? denied.reason ?? ''}`);
        if (ready?.status === 'False' && ready.reason === 'Failed') {
          throw new CertificateError(CertificateErrorCode.issuerFailed, `CertificateRequest ${namespace}/${name} failed: ${ready.message ?? ''}`);
        }
        if (ready?.status === 'True' && cr.status?.certificate) {
          const ca = cr.status.ca ? unb64(cr.status.ca) : '';
          return { issued: issuedFromPem(unb64(cr.status.certificate), privateKeyPem, ca || (options.caPem ?? '')), ca };
        }
        if (Date.now() >= deadline) {
          throw new CertificateError(CertificateErrorCode.issuerFailed, `CertificateRequest ${namespace}/${name} not Ready within ${timeoutMs} ms`);
        }
        await new Promise((r) => setTimeout(r, pollMs));
      }
    } finally {
      await client.delete(requestPath(name)).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
    }
  };

  let caPem = joinPem([options.caPem ?? '']);
  if (pemBlocks(caPem, 'CERTIFICATE').length === 0) {
    const probe = await request({ commonName: 'fsm-ca-probe', dnsNames: ['fsm-ca-probe'], uris: [], validityMs: 3_600_000, keyType: { kind: 'ecdsa-p256' } });
    caPem = joinPem([probe.ca]);
    if (pemBlocks(caPem, 'CERTIFICATE').length === 0) {
      throw new CertificateError(CertificateErrorCode.issuerFailed, `cert-manager issuer ${issuerRef.kind}/${issuerRef.name} returns no status.ca; pass caPem`);
    }
  }
  const bundle = caPem;
  return {
    id: `cert-manager:${createHash('sha256').update(derFromPem(bundle)).digest('hex').slice(0, 16)}`,
    trustBundlePem: () => bundle,
    async issue(req) {
      return (await request(req)).issued;
    },
  };
}
