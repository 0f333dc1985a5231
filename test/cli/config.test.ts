/**
 * `fsm-controller config`, run in-process against a copy of
 * examples/bookstore: stdout and stderr are captured by swapping
 * process.stdout.write / process.stderr.write for the duration of run().
 */
import t, { type Test } from 'tap';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/cli/commands/config.js';

const BUYER_UUID = '0b3c7e4c-1f2a-4c6e-9a51-3f1d2b7c8a01';
const BUYER_POD = 'bookbuyer/bookbuyer-7676c7fcc8-8nqb5';
const STORE_V1_POD = 'bookstore/bookstore-v1-6c8d9b7f5c-4hjkl';

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

async function runCaptured(argv: string[]): Promise<Ran> {
  let stdout = '';
  let stderr = '';
  const realOut = process.stdout.write;
  const realErr = process.stderr.write;
  const grab = (sink: (s: string) => void) =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      sink(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      cb?.();
      return true;
    }) as typeof process.stdout.write;
  process.stdout.write = grab((s) => (stdout += s));
  process.stderr.write = grab((s) => (stderr += s));
  try {
    const code = await run(argv);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = realOut;
    process.stderr.write = realErr;
  }
}

async function bookstoreCopy(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fsm-config-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await cp('examples/bookstore', join(dir, 'mesh'), { recursive: true });
  return dir;
}

t.test('prints the proxy config as pretty JSON, found by namespace/pod or by uuid', async (t) => {
  const dir = await bookstoreCopy(t);
  const byPod = await runCaptured(['--source', `file:${join(dir, 'mesh')}`, '--proxy', BUYER_POD]);
  t.equal(byPod.code, 0, byPod.stderr);
  const cfg = JSON.parse(byPod.stdout) as { Spec: { ServiceIdentity: string }; Certificate: unknown; Version: string; Outbound: unknown };
  t.equal(cfg.Spec.ServiceIdentity, 'bookbuyer.bookbuyer');
  t.equal(cfg.Certificate, null, 'no --state-dir, no certificate');
  t.match(cfg.Version, /^[0-9a-f]{16}$/);
  t.ok(byPod.stdout.includes('\n  "Spec": {'), 'indented');
  const byUuid = await runCaptured(['--source', `file:${join(dir, 'mesh')}`, '--proxy', BUYER_UUID]);
  t.equal(byUuid.code, 0);
  t.equal(byUuid.stdout, byPod.stdout, 'same proxy, same bytes');
  const store = await runCaptured(['--source', `file:${join(dir, 'mesh')}`, '--proxy', STORE_V1_POD]);
  t.equal((JSON.parse(store.stdout) as { Spec: { ServiceIdentity: string } }).Spec.ServiceIdentity, 'bookstore.bookstore');
});

t.test('an unknown proxy exits 1 and lists the proxies that exist', async (t) => {
  const dir = await bookstoreCopy(t);
  const r = await runCaptured(['--source', `file:${join(dir, 'mesh')}`, '--proxy', 'bookbuyer/nope']);
  t.equal(r.code, 1);
  t.equal(r.stdout, '');
  t.match(r.stderr, /no proxy "bookbuyer\/nope"/);
  for (const [uuid, pod] of [[BUYER_UUID, BUYER_POD], ['3a5c7e9b-2d4f-4a6c-8e0b-1c3e5a7b9d03', STORE_V1_POD]]) {
    t.ok(r.stderr.includes(`${uuid}  ${pod}`), `lists ${pod}`);
  }
  t.equal(r.stderr.trim().split('\n').length, 1 + 5, 'a header and the five bookstore proxies');
});

t.test('--state-dir adds the certificate the controller module issues, and reuses it; the key only with --show-secrets', async (t) => {
  const dir = await bookstoreCopy(t);
  const args = ['--source', `file:${join(dir, 'mesh')}`, '--proxy', BUYER_POD, '--state-dir', join(dir, 'state'), '--show-secrets'];
  const first = await runCaptured(args);
  t.equal(first.code, 0, first.stderr);
  const cert = (JSON.parse(first.stdout) as { Certificate: Record<string, string> }).Certificate;
  t.equal(cert.CommonName, 'bookbuyer.bookbuyer.cluster.local');
  t.match(cert.Expiration, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  t.match(cert.CertChain, /^-----BEGIN CERTIFICATE-----/);
  t.match(cert.IssuingCA, /^-----BEGIN CERTIFICATE-----/);
  t.match(cert.PrivateKey, /-----BEGIN [A-Z ]*PRIVATE KEY-----/);
  const second = await runCaptured(args);
  t.equal(second.code, 0);
  t.same((JSON.parse(second.stdout) as { Certificate: unknown }).Certificate, cert, 'the stored certificate is served again, not re-issued');
  const redacted = await runCaptured(args.filter((a) => a !== '--show-secrets'));
  t.equal(redacted.code, 0);
  t.same((JSON.parse(redacted.stdout) as { Certificate: unknown }).Certificate, { ...cert, PrivateKey: '[redacted]' }, 'without --show-secrets the private key is redacted');
  t.notMatch(redacted.stdout, /PRIVATE KEY/);
  t.match(redacted.stderr, /private keys are redacted; --show-secrets prints them/);
  const domain = await runCaptured([...args.slice(0, 4), '--state-dir', join(dir, 'state2'), '--trust-domain', 'mesh.example']);
  t.equal((JSON.parse(domain.stdout) as { Certificate: { CommonName: string } }).Certificate.CommonName, 'bookbuyer.bookbuyer.mesh.example');
});

t.test('bad flags exit 2 with E1000', async (t) => {
  const dir = await bookstoreCopy(t);
  const cases: [string[], RegExp][] = [
    [['--proxy', BUYER_POD], /missing --source/],
    [['--source', `file:${dir}`], /missing --proxy/],
    [['--source', dir, '--proxy', BUYER_POD], /--source must be file:DIR/],
    [['--source', `file:${dir}`, '--proxy', BUYER_POD, '--bogus'], /bogus/],
    [['--source', `file:${dir}`, '--proxy', BUYER_POD, 'extra'], /extra/],
  ];
  for (const [argv, why] of cases) {
    const r = await runCaptured(argv);
    t.equal(r.code, 2, argv.join(' '));
    t.match(r.stderr, /^E1000: /);
    t.match(r.stderr, why);
    t.equal(r.stdout, '');
  }
});

t.test('--help prints the usage and exits 0', async (t) => {
  const r = await runCaptured(['--help']);
  t.equal(r.code, 0);
  t.match(r.stdout, /^usage: fsm-controller config --source file:DIR --proxy/);
  t.match(r.stdout, /--show-secrets/);
  t.equal(r.stderr, '');
});

t.test('a missing directory exits 1', async (t) => {
  const dir = await bookstoreCopy(t);
  const r = await runCaptured(['--source', `file:${join(dir, 'absent')}`, '--proxy', BUYER_POD]);
  t.equal(r.code, 1);
  t.match(r.stderr, /absent/);
});
