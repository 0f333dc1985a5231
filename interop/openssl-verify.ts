/**
 * `openssl verify` (the Debian openssl package) on a chain: the independent
 * check of the certificates this project issues or receives. Only the
 * interop suite uses it; `npm test` needs no openssl binary
 * (test/certificate/fixtures/chain-verifier.ts verifies there).
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Purpose } from '../test/certificate/fixtures/chain-verifier.js';
import { tempDir } from '../test/certificate/fixtures/helpers.js';

const PURPOSE_ARG: Record<Purpose, string> = { serverAuth: 'sslserver', clientAuth: 'sslclient' };

/**
 * Runs `openssl verify -CAfile root -untrusted chain [-purpose ...] chain`:
 * the chain's first certificate is verified, the rest serve as intermediates.
 * Resolves with whether it passed and what openssl printed.
 */
export async function opensslVerify(rootPem: string, chainPem: string, purpose?: Purpose): Promise<{ ok: boolean; output: string }> {
  const { dir, cleanup } = await tempDir('fsm-openssl-verify-');
  try {
    const root = join(dir, 'root.pem');
    const chain = join(dir, 'chain.pem');
    await writeFile(root, rootPem);
    await writeFile(chain, chainPem);
    const args = ['verify', ...(purpose ? ['-purpose', PURPOSE_ARG[purpose]] : []), '-CAfile', root, '-untrusted', chain, chain];
    return await new Promise((resolve, reject) => {
      execFile('openssl', args, (err, stdout, stderr) => {
        if ((err as NodeJS.ErrnoException | null)?.code === 'ENOENT') reject(new Error('openssl is not installed: apt-get install -y openssl (CI installs it)'));
        else resolve({ ok: !err, output: `${stdout}${stderr}` });
      });
    });
  } finally {
    await cleanup();
  }
}
