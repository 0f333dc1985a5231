import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A real xDS client running in a child process, and the calls it made. */
export interface ClientProcess {
  /** Every call result, with the time (Date.now() in this process) its line arrived. */
  readonly results: readonly CallResult[];
  /** The last lines the client wrote to stderr (for failure messages). */
  stderrTail(): string;
  close(): Promise<void>;
}

export interface CallResult {
  readonly at: number;
  readonly backend?: string;
  readonly error?: string;
}

export type ClientKind = 'grpc-js-xds' | 'grpc-core';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * Starts a client. gRPC C-core comes from Debian's python3-grpcio, installed
 * for /usr/bin/python3 (not necessarily the first python3 on PATH). The
 * child runs asynchronously so the test's own loopback backends keep serving.
 */
export function startClient(kind: ClientKind, opts: { bootstrap: string; target: string }): ClientProcess {
  const env = { ...process.env, GRPC_XDS_BOOTSTRAP_CONFIG: opts.bootstrap, TS_NODE_TRANSPILE_ONLY: '1' };
  const child: ChildProcess =
    kind === 'grpc-core'
      ? spawn('/usr/bin/python3', ['-u', here('./clients/grpc_core_client.py'), opts.target], { env, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(process.execPath, ['--import', '@tapjs/typescript/import', here('./clients/grpc-js-xds-client.ts'), opts.target], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const results: CallResult[] = [];
  let partial = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop() ?? '';
    const at = Date.now();
    for (const line of lines) {
      if (!line.trim()) continue;
      try {
        const r = JSON.parse(line) as { backend?: string; error?: string };
        results.push({ at, ...(r.backend !== undefined ? { backend: r.backend } : {}), ...(r.error !== undefined ? { error: r.error } : {}) });
      } catch {
        stderr = (stderr + `stdout: ${line}\n`).slice(-4000);
      }
    }
  });
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    results,
    stderrTail: () => stderr,
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
