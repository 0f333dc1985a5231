/**
 * Finding the cluster: the same places as client-go and kubectl (KUBECONFIG,
 * then ~/.kube/config, then the pod's service account), but without
 * client-node's last resort of `http://localhost:8080`, which turned "no
 * configuration" into one `HTTP protocol is not allowed` error per request.
 * Here nothing found is one KubeConfigError naming every place looked at.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeConfigError, errorMessage } from './errors.js';

/** Where a pod's service account credentials are mounted. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface LoadKubeConfigOptions {
  /** Environment (KUBECONFIG, KUBERNETES_SERVICE_HOST/PORT); default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Home directory; default os.homedir(). */
  readonly home?: string;
  /** A prefix for SERVICE_ACCOUNT_DIR (tests put a pod's file system under a temporary directory); default none. */
  readonly root?: string;
}

/**
 * A loaded configuration and a description of where it came from, for logs
 * (`KUBECONFIG=/path`, `/root/.kube/config`, `in-cluster service account`).
 */
export interface LoadedKubeConfig {
  readonly kubeConfig: KubeConfig;
  readonly origin: string;
}

/**
 * Loads the Kubernetes configuration. Throws KubeConfigError when none is
 * found (naming each place looked at), when a named file cannot be read, or
 * when the result has no current cluster or names a plain-HTTP server
 * without `insecure-skip-tls-verify`.
 */
export function loadKubeConfig(options: LoadKubeConfigOptions = {}): LoadedKubeConfig {
  const env = options.env ?? process.env;
  const home = options.home ?? homedir();
  const root = options.root ?? '';
  const saDir = root + SERVICE_ACCOUNT_DIR;
  const looked: string[] = [];

  const fromFiles = (files: string[], origin: string): LoadedKubeConfig => {
    const kc = new KubeConfig();
    files.forEach((file, i) => {
      if (!existsSync(file)) throw new KubeConfigError(`${origin}: ${file} does not exist`);
      try {
        if (i === 0) kc.loadFromFile(file);
        else {
          const more = new KubeConfig();
          more.loadFromFile(file);
          kc.mergeConfig(more);
        }
      } catch (err) {
        throw new KubeConfigError(`${origin}: cannot read ${file}: ${errorMessage(err)}`);
      }
    });
    return checked({ kubeConfig: kc, origin });
  };

  const kubeconfigVar = env['KUBECONFIG'];
  if (kubeconfigVar) {
    const files = kubeconfigVar.split(path.delimiter).filter(Boolean);
    if (files.length > 0) return fromFiles(files, `KUBECONFIG=${kubeconfigVar}`);
  }
  looked.push('KUBECONFIG is not set');

  const userFile = path.join(home, '.kube', 'config');
  if (existsSync(userFile)) return fromFiles([userFile], userFile);
  looked.push(`${userFile} does not exist`);

  const host = env['KUBERNETES_SERVICE_HOST'];
  const token = path.join(saDir, 'token');
  if (host && existsSync(token)) {
    const kc = new KubeConfig();
    try {
      kc.loadFromCluster(root);
    } catch (err) {
      throw new KubeConfigError(`in-cluster configuration (${saDir}): ${errorMessage(err)}`);
    }
    return checked({ kubeConfig: kc, origin: `in-cluster service account (${saDir})` });
  }
  looked.push(
    host ? `not in a cluster (${token} does not exist)` : `not in a cluster (KUBERNETES_SERVICE_HOST is not set${existsSync(token) ? '' : `, ${token} does not exist`})`,
  );
  throw new KubeConfigError(`no Kubernetes configuration found: ${looked.join('; ')}`);
}

function checked(loaded: LoadedKubeConfig): LoadedKubeConfig {
  const cluster = loaded.kubeConfig.getCurrentCluster();
  if (!cluster) throw new KubeConfigError(`${loaded.origin}: no current context or its cluster is missing`);
  if (cluster.server.startsWith('http:') && !cluster.skipTLSVerify) {
    throw new KubeConfigError(
      `${loaded.origin}: cluster "${cluster.name}" is plain HTTP (${cluster.server}); use https, or set insecure-skip-tls-verify for a local test server`,
    );
  }
  return loaded;
}
