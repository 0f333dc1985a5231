import https from 'node:https';
import t from 'tap';
import { createWebhookServer } from '../../src/injector/webhook-server.js';
import { createTestPki } from '../server/pipy-repo/fixtures/test-pki.js';
import { bookstorePod, injectorFixture, podReview } from './fixtures/injector-fixture.js';

function post(port: number, ca: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }, path = '/mutate-pod-creation') {
  return new Promise<{ status: number; body: string; serial: string }>((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, path, method: 'POST', ca, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), serial: (res.socket as import('node:tls').TLSSocket).getPeerCertificate().serialNumber }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

t.test('POST /mutate-pod-creation over TLS: reviews answered, bad requests refused with FSM codes', async (t) => {
  const f = await injectorFixture(t);
  const pki = await createTestPki();
  const outcomes: boolean[] = [];
  const server = createWebhookServer({ listen: '127.0.0.1:0', tls: pki.server, injector: f.injector, onReview: (o) => outcomes.push(o.injected) });
  const port = await server.start();
  t.teardown(() => server.close());

  const review = { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: podReview('bookstore', bookstorePod()) };
  const ok = await post(port, pki.caPem, JSON.stringify(review));
  t.equal(ok.status, 200);
  const answer = JSON.parse(ok.body) as { apiVersion: string; response: { uid: string; allowed: boolean; patchType: string } };
  t.match(answer, { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: review.request.uid, allowed: true, patchType: 'JSONPatch' } });
  t.same(outcomes, [true]);

  const wrongType = await post(port, pki.caPem, JSON.stringify(review), { 'content-type': 'text/plain' });
  t.equal(wrongType.status, 415);
  t.match(wrongType.body, /^E6105: invalid content type text\/plain/);
  t.match(await post(port, pki.caPem, ''), { status: 400, body: /^E6112: / });
  t.match(await post(port, pki.caPem, '{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1"}'), { status: 400, body: /^E6107: / });
  t.match(await post(port, pki.caPem, '{not json'), { status: 400, body: /^E6103: / });
  t.match(await post(port, pki.caPem, JSON.stringify({ ...review, apiVersion: 'admission.k8s.io/v1beta1' })), { status: 400, body: /admission.k8s.io\/v1 only/ });
  t.equal((await post(port, pki.caPem, '{}', undefined, '/other')).status, 404);
});

t.test('a new certificate is served to new connections without a restart', async (t) => {
  const f = await injectorFixture(t);
  const pki = await createTestPki();
  const server = createWebhookServer({ listen: '127.0.0.1:0', tls: pki.server, injector: f.injector });
  const port = await server.start();
  t.teardown(() => server.close());
  const before = await post(port, pki.caPem, '{}', undefined, '/x');
  const other = await createTestPki();
  server.setTls(other.server);
  const after = await post(port, other.caPem, '{}', undefined, '/x');
  t.not(after.serial, before.serial);
  await t.rejects(post(port, pki.caPem, '{}', undefined, '/x'), 'the old CA no longer verifies it');
});
