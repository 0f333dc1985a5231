import t from 'tap';
import { X509Certificate } from 'node:crypto';
import { caFromRoot, createBuiltinCa, generateRoot } from '../../src/certificate/builtin-ca.js';
import { createCertificateManager, type RotationEvent } from '../../src/certificate/manager.js';
import { createFileSecretStorage } from '../../src/certificate/storage/file-storage.js';
import { redact, type Logger } from '../../src/shared/logger.js';
import type { IssueRequest, Issuer } from '../../src/certificate/types.js';
import { verifyChain } from './fixtures/chain-verifier.js';
import { createFakeClock, tempDir } from './fixtures/helpers.js';
import { waitFor } from '../support/wait-for.js';

const ref = { serviceAccount: 'bookstore', namespace: 'shop' };

function recordingLogger() {
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  const mk = (level: string) => (msg: string, fields?: Record<string, unknown>) => void lines.push({ level, msg, ...(fields ? { fields } : {}) });
  const logger: Logger = { debug: mk('debug'), info: mk('info'), warn: mk('warn'), error: mk('error') };
  return { logger, lines };
}

/** Wraps an issuer to count calls and optionally delay them. */
function countingIssuer(inner: Issuer, delayMs = 0) {
  const calls: IssueRequest[] = [];
  const issuer: Issuer = {
    id: inner.id,
    trustBundlePem: () => inner.trustBundlePem(),
    async issue(req) {
      calls.push(req);
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      return inner.issue(req);
    },
  };
  return { issuer, calls };
}

t.test('workload certificate: CN, SANs, SPIFFE ID, cached per identity', async (t) => {
  const ca = caFromRoot(await generateRoot());
  const { issuer, calls } = countingIssuer(ca);
  const m = createCertificateManager({ issuer, trustDomain: 'mesh.example' });
  t.teardown(() => m.close());
  const cert = await m.issueWorkload({ ...ref, hostnames: ['bookstore', 'bookstore.shop', 'bookstore.shop:8080', 'bookstore.shop.svc.mesh.example'] });
  t.equal(cert.identity, 'bookstore.shop');
  t.equal(cert.commonName, 'bookstore.shop.mesh.example');
  t.equal(cert.spiffeId, 'spiffe://mesh.example/ns/shop/sa/bookstore');
  t.same(calls[0]?.dnsNames, ['bookstore.shop.mesh.example', 'bookstore', 'bookstore.shop', 'bookstore.shop.svc.mesh.example']);
  t.same(calls[0]?.uris, ['spiffe://mesh.example/ns/shop/sa/bookstore']);
  t.equal(calls[0]?.validityMs, 24 * 3_600_000);
  t.equal(cert.issuingCaPem, ca.rootPem);
  const x = new X509Certificate(cert.certChainPem);
  t.match(x.subjectAltName ?? '', /URI:spiffe:\/\/mesh\.example\/ns\/shop\/sa\/bookstore/);
  t.notMatch(x.subjectAltName ?? '', /8080/);
  t.same(verifyChain(ca.rootPem, cert.certChainPem), { ok: true });

  const again = await m.issueWorkload({ ...ref, hostnames: ['bookstore'] });
  t.equal(again, cert, 'cached');
  t.equal(calls.length, 1);
  // A new service selecting the pod adds a host name: re-issued with the union.
  const widened = await m.issueWorkload({ ...ref, hostnames: ['shelf.shop'] });
  t.not(widened.serialNumber, cert.serialNumber);
  t.ok(widened.sans.includes('bookstore') && widened.sans.includes('shelf.shop'));
  t.equal(m.issuedCount, 2);
});

t.test('one issuance at a time per identity: concurrent callers share it', async (t) => {
  const ca = caFromRoot(await generateRoot());
  const { issuer, calls } = countingIssuer(ca, 30);
  const m = createCertificateManager({ issuer });
  t.teardown(() => m.close());
  const results = await Promise.all(Array.from({ length: 10 }, () => m.issueWorkload(ref)));
  t.equal(calls.length, 1);
  t.equal(new Set(results.map((r) => r.serialNumber)).size, 1);
  await Promise.all([m.issueWorkload({ serviceAccount: 'a', namespace: 'x' }), m.issueWorkload({ serviceAccount: 'b', namespace: 'x' })]);
  t.equal(calls.length, 3, 'different identities are independent');
});

t.test('rotation at two thirds of the lifetime with jitter, one timer, announced', async (t) => {
  const clock = createFakeClock();
  const ca = caFromRoot(await generateRoot({ clock }), { clock });
  const m = createCertificateManager({ issuer: ca, clock, random: () => 0.5, jitterFraction: 0.1, validity: () => 3_600_000 });
  t.teardown(() => m.close());
  const events: RotationEvent[] = [];
  m.onRotated((e) => events.push(e));
  const a = await m.issueWorkload(ref);
  await m.issueWorkload({ serviceAccount: 'other', namespace: 'shop' });
  t.equal(clock.pendingTimers(), 1, 'one timer for all certificates');
  // Due at 3600 - 1200 - 0.5*0.1*3600 = 2220 s.
  await clock.advance(2_219_000);
  t.equal(events.length, 0);
  await clock.advance(2_000);
  // Both were due in one tick. Their re-issues finish on the thread pool in
  // either order, and the fake clock returns once the first has re-armed the timer.
  await waitFor('both rotations announced', () => events.length >= 2);
  t.equal(events.length, 2);
  const ev = events.find((e) => e.identity === 'bookstore.shop');
  t.equal(ev?.previous, a);
  t.equal(ev?.reason, 'expiring');
  t.not(ev?.current.serialNumber, a.serialNumber);
  t.equal(m.getWorkload('bookstore.shop'), ev?.current);
  t.equal(clock.pendingTimers(), 1);
  t.ok(Math.abs((m.secondsUntilEarliestExpiry() ?? 0) - 3600) < 2);
});

for (const validity of ['10s', '1s']) {
  t.test(`short validity ${validity}: bounded rotations, never a loop`, async (t) => {
    const clock = createFakeClock();
    const ca = caFromRoot(await generateRoot({ clock }), { clock });
    const { issuer, calls } = countingIssuer(ca);
    const m = createCertificateManager({ issuer, clock });
    t.teardown(() => m.close());
    t.equal(m.setValidity(validity), undefined);
    const v = m.validityMs();
    await m.issueWorkload(ref);
    await clock.advance(v * 10);
    // Rotation at ~2/3 of the lifetime: about 15 issuances in 10 lifetimes, and never more than one per validity/3.
    t.ok(calls.length >= 10 && calls.length <= 31, `${calls.length} issuances in 10 lifetimes`);
    t.equal(clock.pendingTimers(), 1);
  });
}

t.test('an issuer that returns too little lifetime: rotation once per validity/3 with a warning', async (t) => {
  const clock = createFakeClock();
  const ca = caFromRoot(await generateRoot({ clock }), { clock });
  // Like Vault: notBefore backdated 30 s, TTL honoured, so 10 s certs are "past due" at birth.
  const backdating: Issuer = {
    id: ca.id,
    trustBundlePem: () => ca.trustBundlePem(),
    async issue(req) {
      const c = await ca.issue(req);
      return { ...c, notBefore: new Date(c.notBefore.getTime() - 30_000) };
    },
  };
  const { issuer, calls } = countingIssuer(backdating);
  const { logger, lines } = recordingLogger();
  const m = createCertificateManager({ issuer, clock, logger });
  t.teardown(() => m.close());
  m.setValidity('10s');
  await m.issueWorkload(ref);
  await clock.advance(60_000);
  // 60 s / (10 s / 3) = 18 rotations at most, plus the first issuance.
  t.ok(calls.length <= 19 && calls.length >= 10, `${calls.length} issuances in 60 s`);
  t.ok(lines.some((l) => l.level === 'warn' && /validity\/3/.test(l.msg)));
});

t.test('real timers, 1 s validity: a handful of rotations, not a spin', async (t) => {
  const ca = caFromRoot(await generateRoot());
  const { issuer, calls } = countingIssuer(ca);
  const m = createCertificateManager({ issuer });
  t.teardown(() => m.close());
  m.setValidity('1s');
  await m.issueWorkload(ref);
  await new Promise((r) => setTimeout(r, 2500));
  t.ok(calls.length >= 2 && calls.length <= 9, `${calls.length} issuances in 2.5 s`);
});

t.test('setValidity: Go durations; invalid values are errors and keep the previous value', async (t) => {
  const ca = caFromRoot(await generateRoot());
  const { logger, lines } = recordingLogger();
  const m = createCertificateManager({ issuer: ca, logger, validity: () => 7_200_000 });
  t.teardown(() => m.close());
  t.equal(m.validityMs(), 7_200_000, 'from the validity option');
  t.equal(m.setValidity('1h30m'), undefined);
  t.equal(m.validityMs(), 5_400_000);
  t.equal(m.setValidity('1.5h'), undefined);
  t.equal(m.validityMs(), 5_400_000);
  const err = m.setValidity('24 hours');
  t.equal(err?.code, 'E4014');
  t.equal(m.validityMs(), 5_400_000);
  t.equal(m.setValidity('10ms')?.code, 'E4014', 'below the 1s minimum');
  t.equal(m.validityMs(), 5_400_000);
  t.ok(lines.some((l) => l.level === 'warn'));
});

t.test('restart on the same state dir reuses the root and the workload certificates', async (t) => {
  const { dir, cleanup } = await tempDir('fsm-mgr-');
  t.teardown(cleanup);
  const boot = async () => {
    const storage = createFileSecretStorage({ dir });
    const ca = await createBuiltinCa({ storage });
    const m = createCertificateManager({ issuer: ca, store: storage });
    await m.start();
    return m;
  };
  const first = await boot();
  const a = await first.issueWorkload({ ...ref, hostnames: ['bookstore.shop'] });
  const b = await first.issueWorkload({ serviceAccount: 'bookbuyer', namespace: 'shop' });
  first.close();

  const second = await boot();
  t.teardown(() => second.close());
  t.equal(second.issuedCount, 0);
  const a2 = await second.issueWorkload({ ...ref, hostnames: ['bookstore.shop'] });
  const b2 = await second.issueWorkload({ serviceAccount: 'bookbuyer', namespace: 'shop' });
  t.equal(a2.certChainPem, a.certChainPem);
  t.equal(a2.privateKeyPem, a.privateKeyPem);
  t.equal(a2.issuingCaPem, a.issuingCaPem);
  t.equal(b2.certChainPem, b.certChainPem);
  t.equal(second.issuedCount, 0, 'nothing re-issued');
  await second.releaseWorkload('bookbuyer.shop');
  const third = await boot();
  t.teardown(() => third.close());
  t.same(third.listWorkloads().map((c) => c.identity), ['bookstore.shop']);
});

t.test('bootstrap certificate CN and metrics hooks', async (t) => {
  const ca = caFromRoot(await generateRoot());
  const m = createCertificateManager({ issuer: ca });
  t.teardown(() => m.close());
  const durations: number[] = [];
  m.onIssued((e) => durations.push(e.durationMs));
  const uuid = '1b4e28ba-2fa1-11d2-883f-0016d3cca427';
  const boot = await m.issueBootstrap({ uuid, ...ref });
  t.equal(boot.commonName, `${uuid}.sidecar.bookstore.shop.cluster.local`);
  t.match(new X509Certificate(boot.certChainPem).subject, `CN=${uuid}.sidecar.bookstore.shop.cluster.local`);
  t.equal(m.getWorkload(boot.identity), undefined, 'bootstrap certs are not cached');
  t.equal(m.issuedCount, 1);
  t.equal(durations.length, 1);
  t.ok((durations[0] ?? -1) >= 0);
  t.equal(m.secondsUntilEarliestExpiry(), undefined);
});

t.test('private keys are redacted in JSON and logs', async (t) => {
  const ca = caFromRoot(await generateRoot());
  const m = createCertificateManager({ issuer: ca });
  t.teardown(() => m.close());
  const cert = await m.issueWorkload(ref);
  const json = JSON.stringify(cert);
  t.notMatch(json, /PRIVATE KEY/);
  t.match(json, /\[redacted\]/);
  t.match(json, /BEGIN CERTIFICATE/);
  t.notMatch(JSON.stringify(redact({ ...cert })), /PRIVATE KEY-----/);
});

t.test('issuer failures: E4013 to the caller, scheduled rotations retry later (no loop)', async (t) => {
  const clock = createFakeClock();
  const ca = caFromRoot(await generateRoot({ clock }), { clock });
  let failing = false;
  let attempts = 0;
  const flaky: Issuer = {
    id: ca.id,
    trustBundlePem: () => ca.trustBundlePem(),
    async issue(req) {
      attempts++;
      if (failing) throw new Error('CA unreachable');
      return ca.issue(req);
    },
  };
  const { logger, lines } = recordingLogger();
  const m = createCertificateManager({ issuer: flaky, clock, logger, validity: () => 3_600_000 });
  t.teardown(() => m.close());
  failing = true;
  await t.rejects(m.issueWorkload(ref), /E4013: issuing bookstore\.shop\.cluster\.local .*CA unreachable/);
  failing = false;
  const cert = await m.issueWorkload(ref);
  failing = true;
  attempts = 0;
  // Rotation is due at ~2/3 h; the CA is down for the rest of the lifetime: retries every 60 s at most.
  await clock.advance(3_600_000);
  t.ok(attempts > 0 && attempts <= 25, `${attempts} attempts while the CA was down`);
  t.ok(lines.some((l) => l.level === 'error' && /retrying later/.test(l.msg)));
  t.equal(m.getWorkload('bookstore.shop'), cert, 'the old certificate stays until a rotation succeeds');
  failing = false;
  await clock.advance(61_000);
  t.not(m.getWorkload('bookstore.shop')?.serialNumber, cert.serialNumber, 'rotated once the CA is back');
});

t.test('service account names with dots survive a restart', async (t) => {
  const { dir, cleanup } = await tempDir('fsm-mgr-dots-');
  t.teardown(cleanup);
  const storage = createFileSecretStorage({ dir });
  const ca = await createBuiltinCa({ storage });
  const m1 = createCertificateManager({ issuer: ca, store: storage });
  await m1.start();
  const c1 = await m1.issueWorkload({ serviceAccount: 'web.v2', namespace: 'shop' });
  m1.close();
  const m2 = createCertificateManager({ issuer: ca, store: storage });
  t.teardown(() => m2.close());
  await m2.start();
  t.equal((await m2.issueWorkload({ serviceAccount: 'web.v2', namespace: 'shop' })).certChainPem, c1.certChainPem);
  t.equal(m2.issuedCount, 0);
});

t.test('releasing an identity while its issuance is in flight does not resurrect it', async (t) => {
  const ca = caFromRoot(await generateRoot());
  const { issuer } = countingIssuer(ca, 50);
  const m = createCertificateManager({ issuer });
  t.teardown(() => m.close());
  const pending = m.issueWorkload(ref);
  await m.releaseWorkload('bookstore.shop');
  const cert = await pending;
  t.equal(cert.identity, 'bookstore.shop');
  t.equal(m.getWorkload('bookstore.shop'), undefined);
  t.same(m.listWorkloads(), []);
});

t.test('renewWorkload re-issues with the current validity and announces it; an unknown identity is undefined', async (t) => {
  const policy = { validityMs: 24 * 3_600_000 };
  const m = createCertificateManager({ issuer: caFromRoot(await generateRoot()), validity: () => policy.validityMs });
  t.teardown(() => m.close());
  const events: RotationEvent[] = [];
  m.onRotated((e) => events.push(e));
  const before = await m.issueWorkload(ref);
  policy.validityMs = 3_600_000;
  const after = await m.renewWorkload('bookstore.shop');
  t.not(after?.serialNumber, before.serialNumber);
  t.equal((after?.notAfter.getTime() ?? 0) - (after?.notBefore.getTime() ?? 0), 3_600_000);
  t.match(events, [{ identity: 'bookstore.shop', previous: before, current: after, reason: 'validity-changed' }]);
  t.equal(m.getWorkload('bookstore.shop'), after);
  t.equal(await m.renewWorkload('nobody.nowhere'), undefined);
  t.equal(events.length, 1);
});
