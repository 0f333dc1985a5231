/**
 * This package's version (package.json `version`), for labels and logs. Found
 * by walking up from this module, so it works from src/ (tests) and dist/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function packageVersion(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'fsm-control-plane' && pkg.version) return (cached = pkg.version);
    }
    const up = dirname(dir);
    if (up === dir) return (cached = '0.0.0');
    dir = up;
  }
}
