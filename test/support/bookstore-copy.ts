import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';

/**
 * A private copy of `examples/bookstore` for one test to edit, and an empty
 * state directory (CA and certificates); both removed when the test ends.
 */
export async function bookstoreCopy(t: Test, prefix: string): Promise<{ dir: string; stateDir: string }> {
  const dir = await mkdtemp(join(tmpdir(), `${prefix}-`));
  const stateDir = await mkdtemp(join(tmpdir(), `${prefix}-state-`));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  t.teardown(() => rm(stateDir, { recursive: true, force: true }));
  await cp('examples/bookstore', dir, { recursive: true });
  return { dir, stateDir };
}
