/**
 * The real OpenSSL (`openssl verify`, Debian's openssl) on the chains of
 * test/certificate/fixtures/chain-cases.ts: leaves from the built-in CA
 * (ECDSA and RSA roots and leaves), the Vault stand-in and the CSR signer are
 * accepted, for TLS servers and clients; the expired, early, foreign, forged,
 * wrong-purpose and non-CA chains are refused for the reason the case names.
 * The same cases hold verifyChain (what `npm test` verifies with) to the same
 * verdicts, so this is also the proof that it judges as OpenSSL does.
 */
import t from 'tap';
import { createChainCases } from '../test/certificate/fixtures/chain-cases.js';
import { verifyChain } from '../test/certificate/fixtures/chain-verifier.js';
import { opensslVerify } from './openssl-verify.js';

const cases = await createChainCases();

for (const c of cases) {
  t.test(c.name, async (t) => {
    const openssl = await opensslVerify(c.rootPem, c.chainPem, c.purpose);
    const ours = verifyChain(c.rootPem, c.chainPem, c.purpose ? { purpose: c.purpose } : {});
    if (c.refusal === undefined) {
      t.equal(openssl.ok, true, `openssl accepts: ${openssl.output}`);
      t.same(ours, { ok: true }, 'verifyChain accepts');
    } else {
      t.equal(openssl.ok, false, 'openssl refuses');
      t.match(openssl.output, `: ${c.refusal}\n`, `openssl says "${c.refusal}"`);
      t.match(ours, { ok: false, reason: c.refusal }, 'verifyChain refuses for the same reason');
    }
  });
}
