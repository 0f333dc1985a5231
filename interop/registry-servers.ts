/**
 * Real registries for the interop suite, from Debian: etcd (etcd-server,
 * etcd-client) and ZooKeeper (zookeeper). Each starts on loopback with
 * free ports and a temporary data directory, can be frozen (SIGSTOP: a
 * registry that stops answering without closing anything), killed and
 * started again on the same ports and data, and is stopped and removed by
 * `close`.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number, log: () => string): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = connect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.destroy();
        resolve(true);
      });
      sock.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`port ${port} did not open within ${timeoutMs} ms\n${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface RegistryServer {
  readonly port: number;
  start(): Promise<void>;
  /** SIGKILL, as a crash. */
  kill(): Promise<void>;
  freeze(): void;
  thaw(): void;
  close(): Promise<void>;
}

function processServer(opts: { port: number; dir: string; command: () => [string, string[], Record<string, string>]; readyMs: number; ready?: () => Promise<void> }): RegistryServer {
  let child: ChildProcess | undefined;
  let log = '';
  const exited = () => new Promise<void>((resolve) => (child && child.exitCode === null && child.signalCode === null ? child.once('exit', () => resolve()) : resolve()));
  return {
    port: opts.port,
    async start() {
      const [cmd, args, env] = opts.command();
      log = '';
      child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
      child.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
      await waitForPort(opts.port, opts.readyMs, () => log);
      await opts.ready?.();
    },
    async kill() {
      if (!child) return;
      const done = exited();
      child.kill('SIGKILL');
      await done;
      child = undefined;
    },
    freeze: () => child?.kill('SIGSTOP'),
    thaw: () => child?.kill('SIGCONT'),
    async close() {
      if (child) {
        child.kill('SIGCONT');
        const done = exited();
        child.kill('SIGTERM');
        await Promise.race([done, new Promise((r) => setTimeout(r, 5000))]);
        child?.kill('SIGKILL');
        child = undefined;
      }
      await rm(opts.dir, { recursive: true, force: true });
    },
  };
}

export interface EtcdServer extends RegistryServer {
  readonly url: string;
  /** Runs etcdctl (the etcd client) against this server. */
  ctl(...args: string[]): Promise<string>;
}

export interface EtcdOptions {
  /** More etcd flags, e.g. `--experimental-watch-progress-notify-interval 500ms`. */
  readonly flags?: readonly string[];
  /** `user:password` etcdctl authenticates as (once auth is enabled). */
  readonly ctlUser?: string;
}

export async function startEtcd(options: EtcdOptions = {}): Promise<EtcdServer> {
  const dir = await mkdtemp(join(tmpdir(), 'etcd-'));
  const [client, peer] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${client}`;
  const server = processServer({
    port: client,
    dir,
    readyMs: 20_000,
    command: () => [
      'etcd',
      [
        '--name', 'interop', '--data-dir', join(dir, 'data'),
        '--listen-client-urls', url, '--advertise-client-urls', url,
        '--listen-peer-urls', `http://127.0.0.1:${peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`,
        '--initial-cluster', `interop=http://127.0.0.1:${peer}`, '--log-level', 'error',
        ...(options.flags ?? []),
      ],
      {},
    ],
    ready: async () => {
      const end = Date.now() + 20_000;
      while ((await fetch(`${url}/health`).then((r) => r.ok, () => false)) === false) {
        if (Date.now() > end) throw new Error('etcd not healthy');
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  });
  await server.start();
  return {
    ...server,
    url,
    ctl: async (...args) => (await run('etcdctl', ['--endpoints', url, ...(options.ctlUser ? ['--user', options.ctlUser] : []), ...args], { env: { ...process.env, ETCDCTL_API: '3' } })).stdout,
  };
}

function ruok(port: number): Promise<string> {
  return new Promise((resolve) => {
    let answer = '';
    const sock = connect(port, '127.0.0.1', () => sock.end('ruok'));
    sock.setTimeout(2000, () => sock.destroy());
    sock.on('data', (d: Buffer) => (answer += d.toString()));
    sock.on('close', () => resolve(answer));
    sock.on('error', () => resolve(''));
  });
}

export interface ZookeeperServer extends RegistryServer {
  readonly connect: string;
}

export async function startZookeeper(): Promise<ZookeeperServer> {
  const dir = await mkdtemp(join(tmpdir(), 'zookeeper-'));
  const [client, admin] = [await freePort(), await freePort()];
  const conf = join(dir, 'zoo.cfg');
  await writeFile(conf, [
    'tickTime=500', 'initLimit=10', 'syncLimit=5', `dataDir=${join(dir, 'data')}`,
    `clientPort=${client}`, 'clientPortAddress=127.0.0.1',
    `admin.serverAddress=127.0.0.1`, `admin.serverPort=${admin}`, '4lw.commands.whitelist=ruok',
    'minSessionTimeout=1000', 'maxSessionTimeout=60000', '',
  ].join('\n'));
  // Debian's zkEnv.sh classpath; the jar's manifest brings its dependencies.
  const classpath = '/etc/zookeeper/conf:/usr/share/java/zookeeper.jar';
  const server = processServer({
    port: client,
    dir,
    readyMs: 30_000,
    command: () => ['java', ['-cp', classpath, 'org.apache.zookeeper.server.quorum.QuorumPeerMain', conf], {}],
    // The port opens before the server serves: wait until a four-letter "ruok" gets "imok".
    ready: async () => {
      const end = Date.now() + 30_000;
      while ((await ruok(client)) !== 'imok') {
        if (Date.now() > end) throw new Error('zookeeper does not answer ruok');
        await new Promise((r) => setTimeout(r, 200));
      }
    },
  });
  await server.start();
  return { ...server, connect: `127.0.0.1:${client}` };
}
