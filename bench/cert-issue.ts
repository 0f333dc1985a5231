/**
 * Certificate issuance throughput on one core.
 *
 *   node --import @tapjs/typescript/import bench/cert-issue.ts   (or the built dist/bench/cert-issue.js)
 *
 * Rates are certificates per CPU-second of this process (user+system, which
 * includes libuv pool threads doing key generation), so they read as "per
 * core" even though async key generation may overlap on a second core; the
 * wall-clock rate is printed beside it. Each run issues complete leaves:
 * a fresh key pair, a random serial, SANs, signature, PEM encoding.
 * "sign-only" reuses one leaf public key and measures assembling + signing.
 * The node-forge baseline signs an equivalent leaf with pure-JS RSA.
 */
import { generateKeyPairSync, randomBytes, webcrypto } from 'node:crypto';
import forge from 'node-forge';
import * as x509 from '@peculiar/x509';
import { caFromRoot, generateRoot } from '../src/certificate/builtin-ca.js';
import { keyIdentifier, loadPrivateKey, spkiOf } from '../src/certificate/keys.js';
import { buildCertificate, encodeName, Extensions, randomSerial } from '../src/certificate/x509-builder.js';
import { toPem } from '../src/certificate/der.js';
import type { IssueRequest, KeyType } from '../src/certificate/types.js';

const seconds = Number(process.env['BENCH_SECONDS'] ?? 3);

interface Figure {
  name: string;
  count: number;
  wallPerSec: number;
  cpuPerSec: number;
}

async function measure(name: string, once: () => Promise<unknown> | unknown, opts: { concurrency?: number; minSeconds?: number } = {}): Promise<Figure> {
  const concurrency = opts.concurrency ?? 1;
  for (let i = 0; i < Math.min(20, concurrency * 5); i++) await once(); // warm-up
  const duration = (opts.minSeconds ?? seconds) * 1000;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let count = 0;
  const worker = async () => {
    while (performance.now() - t0 < duration) {
      await once();
      count++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const f = { name, count, wallPerSec: count / wall, cpuPerSec: count / cpuSeconds };
  console.log(`${name.padEnd(58)} ${f.cpuPerSec.toFixed(0).padStart(7)}/CPU-s ${f.wallPerSec.toFixed(0).padStart(7)}/s wall  (n=${count})`);
  return f;
}

const request = (keyType: KeyType): IssueRequest => ({
  commonName: 'bookstore.bookstore.cluster.local',
  dnsNames: ['bookstore.bookstore.cluster.local', 'bookstore', 'bookstore.bookstore', 'bookstore.bookstore.svc.cluster.local'],
  uris: ['spiffe://cluster.local/ns/bookstore/sa/bookstore'],
  validityMs: 86_400_000,
  keyType,
});

async function main() {
  console.log(`node ${process.version}, ${seconds} s per figure`);
  const ecRoot = await generateRoot();
  const rsaRoot = await generateRoot({ keyType: { kind: 'rsa', bits: 2048 } });
  const ecCa = caFromRoot(ecRoot);
  const rsaCa = caFromRoot(rsaRoot);

  const ecdsa = await measure('ECDSA P-256 issue (keygen + sign), sequential', () => ecCa.issue(request({ kind: 'ecdsa-p256' })));
  const ecdsaConc = await measure('ECDSA P-256 issue (keygen + sign), 16 in flight', () => ecCa.issue(request({ kind: 'ecdsa-p256' })), { concurrency: 16 });

  // Sign-only: one pre-made leaf key, fresh serial and SANs each time.
  const leaf = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const leafSpki = spkiOf(leaf.publicKey);
  const signOnly = (caKeyPem: string) => {
    const caKey = loadPrivateKey(caKeyPem);
    const issuer = encodeName({ commonName: 'fsm-ca.flomesh.io', organization: 'Flomesh Service Mesh' });
    const fixed = [Extensions.basicConstraints(false), Extensions.leafKeyUsage(), Extensions.serverAndClientAuth(), Extensions.authorityKeyId(keyIdentifier(spkiOf(caKey.publicKey)))];
    const r = request({ kind: 'ecdsa-p256' });
    return () => {
      const der = buildCertificate({
        serial: randomSerial(randomBytes),
        issuer,
        subject: encodeName({ commonName: r.commonName, organization: 'Flomesh Service Mesh' }),
        notBefore: new Date(),
        notAfter: new Date(Date.now() + r.validityMs),
        spki: leafSpki,
        extensions: [...fixed, Extensions.subjectKeyId(keyIdentifier(leafSpki)), Extensions.subjectAltName(r.dnsNames, r.uris)],
        signingKey: caKey.privateKey,
      });
      return toPem('CERTIFICATE', der);
    };
  };
  const ecSign = await measure('ECDSA P-256 CA, sign-only (leaf key reused)', signOnly(ecRoot.keyPem));
  const rsaSign = await measure('RSA-2048 CA, sign-only (leaf key reused)', signOnly(rsaRoot.keyPem));
  const rsaIssue = await measure('RSA-2048 issue (RSA-2048 keygen + sign), 4 in flight', () => rsaCa.issue(request({ kind: 'rsa', bits: 2048 })), { concurrency: 4, minSeconds: Math.max(seconds, 5) });

  // Reference: the same ECDSA leaf through @peculiar/x509's generic ASN.1 path (WebCrypto keys).
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.X509CertificateGenerator.create>[1] & object);
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  type Keys = Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'];
  const peculiarCa = (await webcrypto.subtle.generateKey(alg, false, ['sign', 'verify'])) as unknown as Keys;
  const peculiar = await measure('ECDSA P-256 issue via @peculiar/x509 (reference)', async () => {
    const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as unknown as Keys;
    const r = request({ kind: 'ecdsa-p256' });
    const c = await x509.X509CertificateGenerator.create({
      subject: `CN=${r.commonName}`,
      issuer: 'CN=fsm-ca.flomesh.io',
      notAfter: new Date(Date.now() + r.validityMs),
      publicKey: keys.publicKey,
      signingKey: peculiarCa.privateKey,
      signingAlgorithm: alg,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
        new x509.SubjectAlternativeNameExtension([...r.dnsNames.map((value) => ({ type: 'dns' as const, value })), ...r.uris.map((value) => ({ type: 'url' as const, value }))]),
      ],
    });
    return c.toString('pem');
  });

  // Slow baseline: node-forge, RSA-2048 CA, pure-JS signature (leaf key pre-generated).
  const forgeCaKey = forge.pki.privateKeyFromPem(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }) as string);
  const forgeLeafPub = forge.pki.publicKeyFromPem(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }) as string);
  const forgeSign = await measure('node-forge RSA-2048 CA, sign-only (pure JS, baseline)', () => {
    const r = request({ kind: 'rsa', bits: 2048 });
    const cert = forge.pki.createCertificate();
    cert.publicKey = forgeLeafPub;
    cert.serialNumber = '01' + randomBytes(15).toString('hex');
    cert.validity.notBefore = new Date();
    cert.validity.notAfter = new Date(Date.now() + r.validityMs);
    cert.setSubject([{ name: 'commonName', value: r.commonName }]);
    cert.setIssuer([{ name: 'commonName', value: 'fsm-ca.flomesh.io' }]);
    cert.setExtensions([
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
      { name: 'subjectAltName', altNames: [...r.dnsNames.map((value) => ({ type: 2, value })), ...r.uris.map((value) => ({ type: 6, value }))] },
    ]);
    cert.sign(forgeCaKey, forge.md.sha256.create());
    return forge.pki.certificateToPem(cert);
  });

  const ratio = (a: Figure, b: Figure) => (a.cpuPerSec / b.cpuPerSec).toFixed(1);
  console.log('\nratios (per CPU-second):');
  console.log(`  ECDSA issue vs node-forge RSA sign-only:        ${ratio(ecdsa, forgeSign)}x`);
  console.log(`  RSA-2048 sign-only vs node-forge RSA sign-only: ${ratio(rsaSign, forgeSign)}x`);
  console.log(`  ECDSA issue vs @peculiar/x509 generic path:     ${ratio(ecdsa, peculiar)}x`);
  console.log(`  ECDSA sign-only vs ECDSA issue (keygen share):  ${ratio(ecSign, ecdsa)}x`);
  console.log(`  16-in-flight vs sequential ECDSA (wall):        ${(ecdsaConc.wallPerSec / ecdsa.wallPerSec).toFixed(2)}x`);
  console.log(`  RSA-2048 issue incl. keygen: ${rsaIssue.cpuPerSec.toFixed(1)}/CPU-s (keygen dominates)`);
  console.log(`\ntarget >= 1000/s ECDSA on one core: ${ecdsa.cpuPerSec >= 1000 ? 'met' : 'NOT met'} (${ecdsa.cpuPerSec.toFixed(0)}/CPU-s)`);
}

await main();
