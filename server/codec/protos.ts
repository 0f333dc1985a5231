import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

/**
 * Loads the protobuf definitions the server speaks: the Envoy/xDS API tree
 * shipped inside the `@grpc/grpc-js-xds` npm package (never copied into this
 * repository) and the project's own `proto/` module.
 */

const require = createRequire(import.meta.url);
const xdsPackageDir = dirname(require.resolve('@grpc/grpc-js-xds/package.json'));
const protobufjsDir = dirname(require.resolve('protobufjs/package.json'));

/** The project's own proto module (`proto/` at the package root). */
export const PROJECT_PROTO_DIR = findUp(dirname(fileURLToPath(import.meta.url)), 'proto');

/** Include directories, in lookup order. */
export const PROTO_INCLUDE_DIRS: readonly string[] = [
  PROJECT_PROTO_DIR,
  join(xdsPackageDir, 'deps', 'envoy-api'),
  join(xdsPackageDir, 'deps', 'xds'),
  join(xdsPackageDir, 'deps', 'googleapis'),
  join(xdsPackageDir, 'deps', 'protoc-gen-validate'),
  protobufjsDir, // google/protobuf/*.proto well-known types
];

/** Files loaded into the default root: every resource type the server and CLI handle. */
export const XDS_PROTO_FILES: readonly string[] = [
  'envoy/service/discovery/v3/ads.proto',
  'envoy/service/discovery/v3/discovery.proto',
  'envoy/service/cluster/v3/cds.proto',
  'envoy/service/endpoint/v3/eds.proto',
  'envoy/service/listener/v3/lds.proto',
  'envoy/service/route/v3/rds.proto',
  'envoy/service/secret/v3/sds.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/config/endpoint/v3/endpoint.proto',
  'envoy/config/listener/v3/listener.proto',
  'envoy/config/route/v3/route.proto',
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/http/router/v3/router.proto',
  'envoy/extensions/transport_sockets/tls/v3/secret.proto',
  'envoy/extensions/transport_sockets/tls/v3/tls.proto',
  'envoy/extensions/clusters/aggregate/v3/cluster.proto',
  'fsm/pipy/v1/sidecar_config.proto',
];

let cached: protobuf.Root | undefined;

/** The shared protobufjs Root with every xDS type above, loaded once per process. */
export function xdsRoot(): protobuf.Root {
  if (!cached) cached = loadRoot(XDS_PROTO_FILES);
  return cached;
}

/** Loads the given files (relative to the include dirs) into a new Root. */
export function loadRoot(files: readonly string[]): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (origin, target) => {
    if (existsSync(target)) return target;
    for (const dir of PROTO_INCLUDE_DIRS) {
      const candidate = join(dir, target);
      if (existsSync(candidate)) return candidate;
    }
    if (origin) {
      const rel = resolve(dirname(origin), target);
      if (existsSync(rel)) return rel;
    }
    return target;
  };
  root.loadSync([...files], { keepCase: false });
  root.resolveAll();
  return root;
}

/** The message type for a type URL such as `type.googleapis.com/envoy.config.cluster.v3.Cluster`. */
export function typeForUrl(typeUrl: string, root: protobuf.Root = xdsRoot()): protobuf.Type | undefined {
  const name = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
  try {
    return root.lookupType(name);
  } catch {
    return undefined;
  }
}

function findUp(start: string, name: string): string {
  let dir = start;
  for (;;) {
    const candidate = join(dir, name);
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find ${name}/ above ${start}`);
    dir = parent;
  }
}
