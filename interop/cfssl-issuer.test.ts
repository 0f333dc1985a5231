import t, { type Test } from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { generateRoot } from '../src/certificate/builtin-ca.js';
import { createCfsslIssuer } from '../src/certificate/issuers/cfssl.js';
import { createCertificateManager } from '../src/certificate/manager.js';
import { mtlsHandshake, tempDir } from '../test/certificate/fixtures/helpers.js';
import { opensslVerify } from './openssl-verify.js';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Starts a REAL `cfssl serve` (Debian golang-cfssl) with a CA generated here. */
async function startCfssl(t: Test) {
  const { dir, cleanup } = await tempDir('fsm-cfssl-');
  const root = await generateRoot({ commonName: 'cfssl-test-root' });
  await writeFile(join(dir, 'ca.pem'), root.certPem);
  await writeFile(join(dir, 'ca-key.pem'), root.keyPem);
  await writeFile(
    join(dir, 'config.json'),
    JSON.stringify({
      signing: {
        default: { expiry: '2h', usages: ['signing', 'key encipherment', 'server auth', 'client auth'] },
        profiles: { short: { expiry: '10m', usages: ['signing', 'key encipherment', 'server auth', 'client auth'] } },
      },
    }),
  );
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const child: ChildProcess = spawn('cfssl', ['serve', '-address', '127.0.0.1', '-port', String(port), '-ca', join(dir, 'ca.pem'), '-ca-key', join(dir, 'ca-key.pem'), '-config', join(dir, 'config.json'), '-loglevel', '3'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const spawnError = new Promise<Error>((resolve) => child.on('error', resolve));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 15_000;
    for (;;) {
      const early = await Promise.race([spawnError, exited.then((c) => new Error(`cfssl exited with ${c}: ${stderr}`)), new Promise<undefined>((r) => setTimeout(() => r(undefined), 100))]);
      if (early instanceof Error) {
        if ((early as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('cfssl is not installed: apt-get install -y golang-cfssl (CI installs it)');
        break;
      }
      const ok = await fetch(`${url}/api/v1/cfssl/info`, { method: 'POST', body: '{}' }).then((r) => r.ok, () => false);
      if (ok) {
        t.teardown(async () => {
          child.kill('SIGTERM');
          await exited;
          await cleanup();
        });
        return { url, rootPem: root.certPem };
      }
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`cfssl did not answer within 15 s: ${stderr}`);
      }
    }
  }
  await cleanup();
  throw new Error('could not start cfssl serve');
}

t.test('a real cfssl serve signs our CSRs; leaves verify and complete mTLS', async (t) => {
  const cfssl = await startCfssl(t);
  const issuer = await createCfsslIssuer({ url: cfssl.url });
  t.equal(issuer.trustBundlePem(), cfssl.rootPem);
  t.match(issuer.id, /^cfssl:/);
  const m = createCertificateManager({ issuer });
  t.teardown(() => m.close());
  const a = await m.issueWorkload({ serviceAccount: 'bookstore', namespace: 'shop', hostnames: ['bookstore.shop'] });
  const b = await m.issueWorkload({ serviceAccount: 'bookbuyer', namespace: 'shop' });
  const x = new X509Certificate(a.certChainPem);
  t.match(x.subject, /CN=bookstore\.shop\.cluster\.local/);
  t.match(x.subjectAltName ?? '', /DNS:bookstore\.shop\.cluster\.local/);
  t.match(x.subjectAltName ?? '', /DNS:bookstore\.shop(,|$)/);
  t.notMatch(x.subjectAltName ?? '', /URI:/, 'cfssl 1.2 drops URI SANs (documented)');
  t.equal(a.notAfter.getTime() - a.notBefore.getTime() <= 2 * 3_600_000 + 300_000, true, 'profile expiry (2h)');
  for (const leaf of [a, b]) t.ok((await opensslVerify(cfssl.rootPem, leaf.certChainPem, 'clientAuth')).ok);
  const r = await mtlsHandshake(
    { certChainPem: a.certChainPem, privateKeyPem: a.privateKeyPem, trustPem: a.issuingCaPem },
    { certChainPem: b.certChainPem, privateKeyPem: b.privateKeyPem, trustPem: b.issuingCaPem },
  );
  t.equal(r.ok, true, r.error ?? '');
});

t.test('RSA keys, a named profile, and a non-CFSSL endpoint is E4013', async (t) => {
  const cfssl = await startCfssl(t);
  const issuer = await createCfsslIssuer({ url: cfssl.url, profile: 'short' });
  const issued = await issuer.issue({ commonName: 'r.n.cluster.local', dnsNames: ['r.n.cluster.local'], uris: [], validityMs: 3_600_000, keyType: { kind: 'rsa', bits: 2048 } });
  t.match(issued.privateKeyPem, /BEGIN RSA PRIVATE KEY/);
  t.ok(issued.notAfter.getTime() - issued.notBefore.getTime() <= 15 * 60_000, 'short profile');
  t.ok((await opensslVerify(cfssl.rootPem, issued.certChainPem)).ok);
  // (CFSSL 1.2 silently falls back to the default profile for an unknown name, so that is no error case.)
  await t.rejects(createCfsslIssuer({ url: `${cfssl.url}/not-cfssl` }), /E4013/);
});
