/**
 * What this build of the package is, for `--version`, the `fsm_version_info`
 * metric and logs: package.json's `version`, and the commit and date that
 * scripts/image-context.sh records in `build-info.json` beside package.json
 * when it prepares an image (a checkout has no such file: both are empty).
 * Found by walking up from this module, so it works from src/ (tests) and
 * from dist/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BuildInfo {
  readonly version: string;
  /** The commit the image was built from, or '' when unknown. */
  readonly gitCommit: string;
  /** When the image was built (ISO 8601, UTC), or '' when unknown. */
  readonly buildDate: string;
}

/** The file scripts/image-context.sh writes beside package.json. */
export const BUILD_INFO_FILE = 'build-info.json';

/** Reads the build info of the fsm-control-plane package that holds `fromDir`. */
export function readBuildInfo(fromDir: string): BuildInfo {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'fsm-control-plane' && pkg.version) return { version: pkg.version, ...recorded(join(dir, BUILD_INFO_FILE)) };
    }
    if (dirname(dir) === dir) return { version: '0.0.0', gitCommit: '', buildDate: '' };
  }
}

/** What image-context.sh recorded; a field that is not a string counts as unknown (it only labels metrics). */
function recorded(file: string): Pick<BuildInfo, 'gitCommit' | 'buildDate'> {
  if (!existsSync(file)) return { gitCommit: '', buildDate: '' };
  const raw = JSON.parse(readFileSync(file, 'utf8')) as { gitCommit?: unknown; buildDate?: unknown };
  return { gitCommit: typeof raw.gitCommit === 'string' ? raw.gitCommit : '', buildDate: typeof raw.buildDate === 'string' ? raw.buildDate : '' };
}

let cached: BuildInfo | undefined;

/** This package's build info (read once). */
export function buildInfo(): BuildInfo {
  return (cached ??= readBuildInfo(dirname(fileURLToPath(import.meta.url))));
}

/** This package's version (package.json `version`). */
export function packageVersion(): string {
  return buildInfo().version;
}
