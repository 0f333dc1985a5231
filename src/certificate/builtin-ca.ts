/**
 * The built-in CA (FSM's "tresor"): a self-signed root, created or loaded
 * through a SecretStorage (`fsm-ca-bundle` with `ca.crt` and `private.key`),
 * signing leaves in-process with node:crypto.
 */
import { randomBytes, X509Certificate } from 'node:crypto';
import { toPem } from './der.js';
import { generateKey, keyIdentifier, loadPrivateKey, privateKeyToPem, type KeyMaterial } from './keys.js';
import { derFromPem, inspectCertificate, serialHex } from './pem.js';
import type { SecretStorage } from './storage/secret-storage.js';
import {
  CertificateError,
  CertificateErrorCode,
  DEFAULT_KEY_TYPE,
  systemClock,
  type Clock,
  type IssuedCertificate,
  type Issuer,
  type IssueRequest,
  type KeyType,
} from './types.js';
import { buildCertificate, encodeName, Extensions, randomSerial } from './x509-builder.js';

export const DEFAULT_CA_SECRET_NAME = 'fsm-ca-bundle';
export const CA_CERT_KEY = 'ca.crt';
export const CA_PRIVATE_KEY_KEY = 'private.key';
export const DEFAULT_ROOT_COMMON_NAME = 'fsm-ca.flomesh.io';
export const DEFAULT_ORGANIZATION = 'Flomesh Service Mesh';
/** FSM's root lifetime: 87600h. */
export const DEFAULT_ROOT_VALIDITY_MS = 87_600 * 3_600_000;

export interface RootOptions {
  readonly commonName?: string;
  readonly organization?: string;
  readonly validityMs?: number;
  /** Root key type; ECDSA P-256 by default. */
  readonly keyType?: KeyType;
  readonly clock?: Clock;
  /** Random bytes (serials); node:crypto's by default. */
  readonly random?: (size: number) => Buffer;
}

/** A root certificate and its key, PEM-encoded. */
export interface RootMaterial {
  readonly certPem: string;
  readonly keyPem: string;
}

/** Generates a self-signed root (CA:true, keyCertSign+cRLSign, SKI). No I/O. */
export async function generateRoot(options: RootOptions = {}): Promise<RootMaterial> {
  const clock = options.clock ?? systemClock;
  const key = await generateKey(options.keyType ?? DEFAULT_KEY_TYPE);
  const name = encodeName({
    commonName: options.commonName ?? DEFAULT_ROOT_COMMON_NAME,
    organization: options.organization ?? DEFAULT_ORGANIZATION,
  });
  const now = clock.now();
  const keyId = keyIdentifier(key.spki);
  const der = buildCertificate({
    serial: randomSerial(options.random ?? randomBytes),
    issuer: name,
    subject: name,
    notBefore: new Date(now),
    notAfter: new Date(now + (options.validityMs ?? DEFAULT_ROOT_VALIDITY_MS)),
    spki: key.spki,
    extensions: [Extensions.basicConstraints(true), Extensions.caKeyUsage(), Extensions.subjectKeyId(keyId)],
    signingKey: key.privateKey,
  });
  return { certPem: toPem('CERTIFICATE', der), keyPem: privateKeyToPem(key.privateKey) };
}

/** An Issuer backed by an in-process root. */
export interface BuiltinCa extends Issuer {
  readonly rootPem: string;
  /** Whether this process created the root (false: loaded from storage or given). */
  readonly created: boolean;
}

export interface CaFromRootOptions {
  readonly clock?: Clock;
  readonly random?: (size: number) => Buffer;
  readonly organization?: string;
}

/** Wraps an existing root (PEM certificate and key) as an Issuer. */
export function caFromRoot(root: RootMaterial, options: CaFromRootOptions = {}, created = false): BuiltinCa {
  let key: KeyMaterial;
  let info: ReturnType<typeof inspectCertificate>;
  try {
    key = loadPrivateKey(root.keyPem);
    info = inspectCertificate(root.certPem);
  } catch (err) {
    throw new CertificateError(CertificateErrorCode.badStoredCa, 'unreadable root certificate or key', { cause: err });
  }
  if (!info.isCa) throw new CertificateError(CertificateErrorCode.badStoredCa, 'root certificate is not a CA');
  const rootSpki = new X509Certificate(derFromPem(root.certPem)).publicKey.export({ type: 'spki', format: 'der' });
  if (!rootSpki.equals(key.spki)) {
    throw new CertificateError(CertificateErrorCode.badStoredCa, 'root private key does not match the certificate');
  }
  const clock = options.clock ?? systemClock;
  const random = options.random ?? randomBytes;
  const caKeyId = keyIdentifier(key.spki);
  const rootPem = root.certPem.trim() + '\n';
  const organization = options.organization ?? DEFAULT_ORGANIZATION;
  // Constant per CA: computed once, shared by every leaf.
  const fixedExtensions = [Extensions.basicConstraints(false), Extensions.leafKeyUsage(), Extensions.serverAndClientAuth(), Extensions.authorityKeyId(caKeyId)];

  return {
    id: `builtin:${caKeyId.toString('hex').slice(0, 16)}`,
    rootPem,
    created,
    trustBundlePem: () => rootPem,
    async issue(request: IssueRequest): Promise<IssuedCertificate> {
      const leafKey = await generateKey(request.keyType);
      const now = clock.now();
      // Whole seconds: DER times have no fractions, and the struct should say what the cert says.
      const notBefore = new Date(Math.floor(now / 1000) * 1000);
      const notAfter = new Date(Math.min(Math.floor((now + request.validityMs) / 1000) * 1000, info.notAfter.getTime()));
      const serial = randomSerial(random);
      const der = buildCertificate({
        serial,
        issuer: info.subjectDer,
        subject: encodeName({ commonName: request.commonName, organization }),
        notBefore,
        notAfter,
        spki: leafKey.spki,
        extensions: [
          ...fixedExtensions,
          Extensions.subjectKeyId(keyIdentifier(leafKey.spki)),
          Extensions.subjectAltName(request.dnsNames, request.uris),
        ],
        signingKey: key.privateKey,
      });
      return {
        commonName: request.commonName,
        serialNumber: serialHex(serial),
        notBefore,
        notAfter,
        certChainPem: toPem('CERTIFICATE', der),
        privateKeyPem: privateKeyToPem(leafKey.privateKey),
        issuingCaPem: rootPem,
        dnsNames: [...request.dnsNames],
        uris: [...request.uris],
      };
    },
  };
}


export interface BuiltinCaOptions extends RootOptions {
  readonly storage: SecretStorage;
  /** Storage entry name; `fsm-ca-bundle` by default (`--ca-bundle-secret-name`). */
  readonly secretName?: string;
  /**
   * Storage name prefix of the certificates issued from this root (the
   * certificate manager's). When no root is stored but such certificates
   * are, the root was lost while certificates it signed live on in the
   * mesh; a new root would silently break mesh-wide trust, so creating one
   * is refused (E4009) unless `allowNewRoot`.
   */
  readonly issuedPrefix?: string;
  readonly allowNewRoot?: boolean;
}

/**
 * Loads the root from storage, or creates one and stores it. Create-or-load:
 * a fresh root is generated and offered; when another process stored one
 * first, that one is used (so controller replicas share a root).
 */
export async function createBuiltinCa(options: BuiltinCaOptions): Promise<BuiltinCa> {
  const name = options.secretName ?? DEFAULT_CA_SECRET_NAME;
  const stored = await options.storage.get(name);
  let data = stored;
  let created = false;
  if (!data && options.issuedPrefix !== undefined && !options.allowNewRoot) {
    const orphans = await options.storage.list(options.issuedPrefix);
    if (orphans.length > 0) {
      throw new CertificateError(
        CertificateErrorCode.rootMissing,
        `no root CA "${name}" in ${options.storage.description}, but ${orphans.length} certificate${orphans.length === 1 ? '' : 's'} issued from a root ` +
          `${orphans.length === 1 ? 'is' : 'are'} there (${orphans[0]}${orphans.length > 1 ? ', …' : ''}): the root was removed. A new root would silently ` +
          `break trust with every proxy holding a certificate from the old one. Restore "${name}", or rotate deliberately: declare the new root ` +
          'with a MeshRootCertificate (FSM\'s rotation states) while the old root is still present',
      );
    }
  }
  if (!data) {
    const root = await generateRoot(options);
    const result = await options.storage.createOrLoad(name, { [CA_CERT_KEY]: root.certPem, [CA_PRIVATE_KEY_KEY]: root.keyPem });
    data = result.data;
    created = result.created;
  }
  const certPem = data[CA_CERT_KEY];
  const keyPem = data[CA_PRIVATE_KEY_KEY];
  if (!certPem || !keyPem) {
    throw new CertificateError(CertificateErrorCode.badStoredCa, `${name} lacks ${CA_CERT_KEY} or ${CA_PRIVATE_KEY_KEY}`);
  }
  const caOptions: CaFromRootOptions = {
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.random ? { random: options.random } : {}),
    ...(options.organization ? { organization: options.organization } : {}),
  };
  return caFromRoot({ certPem, keyPem }, caOptions, created);
}
