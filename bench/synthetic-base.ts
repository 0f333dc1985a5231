/**
 * A stand-in for a Pipy sidecar base codebase of K scripts, for benchmarks:
 * FSM's real base has 36 JS modules (fsm-compat §1.4), each served on every
 * sync, so the number of files sets the cost of a reload.
 */

/** K base files of ~2 KB of JS each: `/main.js` and K-1 modules, shared by every codebase. */
export function syntheticBaseFiles(k: number): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  for (let j = 0; j < k; j++) {
    const path = j === 0 ? '/main.js' : `/modules/module-${String(j).padStart(2, '0')}.js`;
    const lines = [`// ${path}: bench stand-in for an FSM sidecar module`];
    for (let n = 0; lines.join('\n').length < 2000; n++) {
      lines.push(`export const rule${n} = (msg) => msg.head.headers['x-bench-${j}-${n}'] ?? config.Spec.Traffic?.['${path}']?.[${n}];`);
    }
    files.set(path, Buffer.from(lines.join('\n') + '\n'));
  }
  return files;
}
