import type { Source } from '../model/source-events.js';
import type { SourceContext, SourceScheme, SourceSpec } from './scheme.js';

/**
 * Resolves `--source SCHEME:ARG` values through a list of schemes. Parsing
 * checks the whole value up front (a typo fails at start-up, naming the flag
 * value and the reason); creating is separate so a parsed spec can be
 * created later, or again after a reconfiguration.
 */
export interface SourceRegistry {
  /** Parses one flag value; throws an Error naming the value and what is wrong. */
  parse(text: string): SourceSpec;
  create(spec: SourceSpec, context: SourceContext): Source;
  /** The accepted forms, e.g. `kubernetes | file:DIR`. */
  usage(): string;
}

export function createSourceRegistry(schemes: readonly SourceScheme[]): SourceRegistry {
  const byScheme = new Map<string, SourceScheme>();
  for (const s of schemes) {
    if (byScheme.has(s.scheme)) throw new Error(`source scheme "${s.scheme}" registered twice`);
    byScheme.set(s.scheme, s);
  }
  const usage = () => schemes.map((s) => s.usage).join(' | ');
  return {
    parse(text) {
      const colon = text.indexOf(':');
      const scheme = colon === -1 ? text : text.slice(0, colon);
      const arg = colon === -1 ? '' : text.slice(colon + 1);
      const entry = byScheme.get(scheme);
      if (!entry) {
        // A bare path is the likeliest mistake: say how to write it.
        const path = colon === -1 && /[/.]/.test(text) && byScheme.has('file') ? `; for a directory write file:${text}` : '';
        throw new Error(`"${text}": unknown source scheme "${scheme}" (expected ${usage()})${path}`);
      }
      try {
        return { text, scheme, config: entry.parse(arg) };
      } catch (err) {
        throw new Error(`"${text}": ${err instanceof Error ? err.message : String(err)} (expected ${entry.usage})`);
      }
    },
    create(spec, context) {
      const entry = byScheme.get(spec.scheme);
      if (!entry) throw new Error(`unknown source scheme "${spec.scheme}"`);
      return entry.create(spec.config, context);
    },
    usage,
  };
}
