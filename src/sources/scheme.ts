import type { Source } from '../model/source-events.js';
import type { Logger } from '../shared/logger.js';
import type { FileLimits } from '../shared/file-limits.js';

/** What every source may use besides its own configuration. */
export interface SourceContext {
  readonly logger: Logger;
  /** `--mesh-name`: sources that place objects in namespaces label them as monitored by it. */
  readonly meshName: string;
  /** `--file-max-bytes`, `--file-max-objects`: bounds on each manifest file a source reads (defaults otherwise). */
  readonly manifestLimits?: FileLimits;
}

/**
 * One kind of source, selected by `--source SCHEME:ARG`. `parse` reads ARG
 * (everything after the first `:`; "" when the flag is the bare scheme) and
 * throws an Error whose message says what is wrong with it; `create` builds
 * the source from what `parse` returned and does no I/O (sources start in
 * `Source.start`).
 */
export interface SourceScheme<C = unknown> {
  readonly scheme: string;
  /** How the flag is written, for help and errors, e.g. `file:DIR`. */
  readonly usage: string;
  parse(arg: string): C;
  create(config: C, context: SourceContext): Source;
}

/** A parsed `--source` value. */
export interface SourceSpec {
  /** The flag value as given. */
  readonly text: string;
  readonly scheme: string;
  /** What the scheme's `parse` returned. */
  readonly config: unknown;
}

/** Declares a scheme with its configuration type checked against its own parse. */
export function defineSourceScheme<C>(scheme: SourceScheme<C>): SourceScheme {
  return scheme as SourceScheme;
}
