/**
 * `fsm-controller config --source file:DIR --proxy <uuid | namespace/pod>
 *   [--state-dir DIR] [--show-secrets] [--mesh-name fsm] [--fsm-namespace fsm-system] [--trust-domain cluster.local]`
 * `fsm-controller config --source file:DIR --gateway <namespace/name> [--show-secrets]`
 *
 * With --gateway it prints a Gateway's config.json instead (gateway-config.ts).
 *
 * Loads DIR into a model store, finds the proxy and prints its Pipy sidecar
 * config as pretty JSON on stdout (generation problems go to stderr). With
 * --state-dir the Certificate block is filled by the controller's own
 * certificate module over that state directory, so the command prints the
 * certificate a controller running with the same state dir serves; its
 * private key is redacted unless --show-secrets.
 *
 * Exit codes: 0 printed; 1 the source could not be read or the proxy does not
 * exist (the message lists the proxies that do); 2 bad flags (`E1000: ...`).
 */
import { DEFAULT_TRUST_DOMAIN } from '../../certificate/identity.js';
import { parseArgs } from 'node:util';
import { createControllerCertificates, type ControllerCertificates } from '../../controller/certificates.js';
import { createSidecarConfigSet } from '../../generate/sidecar/config-set.js';
import type { ModelStore } from '../../model/store.js';
import type { ProxyInfo } from '../../model/view.js';
import { createJsonLogger, redact } from '../../shared/logger.js';
import { printGatewayConfig } from './gateway-config.js';
import { loadDirectory } from './load-directory.js';

const USAGE = `usage: fsm-controller config --source file:DIR --proxy <uuid | namespace/pod> [flags]
       fsm-controller config --source file:DIR --gateway <namespace/name> [flags]

Prints the Pipy sidecar config fsm-controller generates for one proxy of the
mesh in DIR, or with --gateway the config.json of one Gateway.

Flags:
  --state-dir DIR           fill the sidecar's Certificate block from the controller's state directory
  --show-secrets            print private keys (redacted by default)
  --mesh-name NAME          mesh name (default fsm)
  --fsm-namespace NS        control-plane namespace (default fsm-system)
  --trust-domain DOMAIN     trust domain of workload certificates (default cluster.local)
  --help                    print this help`;

interface ConfigFlags {
  readonly dir: string;
  /** Exactly one of proxy and gateway is set. */
  readonly proxy: string;
  readonly gateway: string | undefined;
  readonly showSecrets: boolean;
  readonly stateDir: string | undefined;
  readonly meshName: string;
  readonly fsmNamespace: string;
  readonly trustDomain: string;
}

const out = (text: string): void => void process.stdout.write(`${text}\n`);
const err = (text: string): void => void process.stderr.write(`${text}\n`);

/** The flags, 'help', or the reason they are unusable (reported as E1000, FSM's invalid-CLI-argument code). */
function parseFlags(argv: string[]): ConfigFlags | 'help' | string {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        source: { type: 'string' },
        proxy: { type: 'string' },
        gateway: { type: 'string' },
        'show-secrets': { type: 'boolean', default: false },
        'state-dir': { type: 'string' },
        'mesh-name': { type: 'string', default: 'fsm' },
        'fsm-namespace': { type: 'string', default: 'fsm-system' },
        'trust-domain': { type: 'string', default: DEFAULT_TRUST_DOMAIN },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  if (values.help) return 'help';
  const source = values.source;
  if (!source) return 'missing --source file:DIR';
  if (!source.startsWith('file:') || source.length <= 'file:'.length) return `--source must be file:DIR, got "${source}"`;
  if (values.proxy && values.gateway) return '--proxy and --gateway are exclusive';
  if (!values.proxy && !values.gateway) return 'missing --proxy <uuid | namespace/pod> or --gateway <namespace/name>';
  if (values.gateway && values['state-dir'] !== undefined) return '--state-dir applies to --proxy only';
  if (values['state-dir'] === '') return '--state-dir must not be empty';
  if (!values['trust-domain']) return '--trust-domain must not be empty';
  return {
    dir: source.slice('file:'.length),
    proxy: values.proxy ?? '',
    gateway: values.gateway,
    showSecrets: values['show-secrets'] === true,
    stateDir: values['state-dir'],
    meshName: values['mesh-name'],
    fsmNamespace: values['fsm-namespace'],
    trustDomain: values['trust-domain'],
  };
}

function findProxy(store: ModelStore, wanted: string): ProxyInfo | undefined {
  return store.proxyByUuid(wanted) ?? store.proxies().find((p) => `${p.namespace}/${p.podName}` === wanted);
}

function unknownProxy(store: ModelStore, flags: ConfigFlags): string {
  const proxies = store.proxies();
  const lines = proxies.map((p) => `  ${p.uuid}  ${p.namespace}/${p.podName}`);
  return proxies.length === 0
    ? `no proxy "${flags.proxy}": ${flags.dir} has no meshed pod (a pod labelled fsm-proxy-uuid in a monitored namespace)`
    : `no proxy "${flags.proxy}" in ${flags.dir}; existing proxies (uuid  namespace/pod):\n${lines.join('\n')}`;
}

export async function run(argv: string[]): Promise<number> {
  const flags = parseFlags(argv);
  if (flags === 'help') {
    out(USAGE);
    return 0;
  }
  if (typeof flags === 'string') {
    err(`E1000: ${flags}\n${USAGE}`);
    return 2;
  }
  let store: ModelStore;
  try {
    store = await loadDirectory(flags.dir, { meshName: flags.meshName, fsmNamespace: flags.fsmNamespace });
  } catch (e) {
    err(`cannot read ${flags.dir}: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  if (flags.gateway !== undefined) return printGatewayConfig(store, flags.gateway, { showSecrets: flags.showSecrets, out, err });
  const proxy = findProxy(store, flags.proxy);
  if (!proxy) {
    err(unknownProxy(store, flags));
    return 1;
  }
  let certs: ControllerCertificates | undefined;
  try {
    if (flags.stateDir !== undefined) {
      // The controller's certificate module over the same state dir: an existing certificate is reused, not re-issued.
      certs = await createControllerCertificates({
        view: store,
        trustDomain: flags.trustDomain,
        stateDir: flags.stateDir,
        logger: createJsonLogger({ level: 'warn', write: err, base: { module: 'certificate' } }),
      });
      await certs.ensure([proxy]);
    }
    const set = createSidecarConfigSet({ view: store, trustDomain: flags.trustDomain, ...(certs ? { certificates: certs.source } : {}) });
    set.recompute([proxy.uuid]);
    const generated = set.get(proxy.uuid);
    if (!generated) throw new Error(`proxy ${proxy.uuid} generated no config`);
    for (const p of generated.problems) err(`problem: ${p.object}${p.field ? `: ${p.field}` : ''}: ${p.reason}${p.code ? ` [${p.code}]` : ''}`);
    const redacted = flags.showSecrets ? generated.config : redact(generated.config);
    if (!flags.showSecrets && JSON.stringify(redacted) !== JSON.stringify(generated.config)) err('private keys are redacted; --show-secrets prints them');
    out(JSON.stringify(redacted, null, 2));
    return 0;
  } finally {
    await certs?.close();
  }
}
