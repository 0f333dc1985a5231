/**
 * Applies the gateways' workloads (src/generate/gateway/workload.ts) to the
 * cluster. Leader only: one applier per leadership term, its requests
 * aborted with the term's signal. Each `apply` makes the cluster match the
 * desired set:
 *
 * - certificate Secrets first (the Deployment mounts them), written by name
 *   and never read (the controller may not read Secrets outside its
 *   namespace): created, or, when one exists, patched with a JSON patch whose
 *   `test` operations require our labels, so a Secret of that name that is
 *   not ours is left alone. The applier remembers the revision it wrote (and
 *   the Secret's uid), so a Secret is written again only when its
 *   certificate or trust bundle changed, once per term, and when asked
 *   (`rewriteSecrets`: the periodic resync, which restores a deleted one);
 * - Deployments and Services are found by label (ours: app=fsm-gateway,
 *   this mesh, managed by fsm-controller), created when missing, replaced
 *   (with the resourceVersion listed) when the desired object's hash, kept in
 *   an annotation, differs from the live one's: the API server's defaults
 *   never make an object look changed;
 * - ours that nothing wants any more (a Gateway moved to another class, a
 *   Service of a Gateway without listeners, the Gateway API turned off) are
 *   deleted, with their certificate Secret (only if ours, by the same label
 *   test, and deleted on the condition of its uid). A deleted Gateway needs none of
 *   this: its objects are owned by it and Kubernetes collects them.
 *
 * An object of a desired name that is not ours is left alone and reported.
 */
import { canonicalJson } from '../shared/canonical-json.js';
import { contentHash } from '../shared/hash.js';
import { silentLogger, type Logger } from '../shared/logger.js';
import { errorMessage, isAlreadyExists, isInvalid, isNotFound } from '../kubernetes/errors.js';
import type { KubeClient } from '../kubernetes/kube-client.js';
import { Resources, resourcePath, type ObjectList, type ObjectMeta, type ResourceType } from '../kubernetes/paths.js';
import { MANAGED_BY, MANAGED_BY_LABEL, tlsSecretNameOf, workloadSelector, type GatewayWorkload } from '../generate/gateway/workload.js';

/** The annotation holding the hash of the object as this controller last wrote it. */
export const SPEC_HASH_ANNOTATION = 'gateway.flomesh.io/spec-hash';

type KubeObject = Record<string, unknown> & { metadata: ObjectMeta & { name: string; namespace: string } };

export interface DesiredGatewayWorkload {
  /** `namespace/name` of the Gateway, for logs. */
  readonly gateway: string;
  readonly workload: GatewayWorkload;
  /** With repo TLS: the certificate Secret the Deployment mounts, and its revision. */
  readonly secret?: { readonly object: Record<string, unknown>; readonly revision: string };
}

export interface ApplyResult {
  /** `created Deployment shop/fsm-gateway-shop`, ... in the order done. */
  readonly changes: readonly string[];
  readonly failed: readonly { readonly object: string; readonly error: string }[];
}

export interface GatewayWorkloadApplierOptions {
  readonly client: KubeClient;
  readonly meshName: string;
  /** The leadership signal: aborts every request when leadership ends. */
  readonly signal: AbortSignal;
  readonly logger?: Logger;
}

export interface GatewayWorkloadApplier {
  /** Makes the cluster match `desired`. Never rejects: failures are returned (retry by calling again). */
  apply(desired: readonly DesiredGatewayWorkload[], options?: { readonly rewriteSecrets?: boolean }): Promise<ApplyResult>;
}

const secrets: ResourceType = Resources.secrets;
const kinds = [
  { kind: 'Deployment', type: Resources.deployments, pick: (w: GatewayWorkload) => w.deployment },
  { kind: 'Service', type: Resources.services, pick: (w: GatewayWorkload) => w.service },
] as const;

const keyOf = (o: { metadata: ObjectMeta }) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;

/** The object with the hash of its content in SPEC_HASH_ANNOTATION. */
function withSpecHash(obj: Record<string, unknown>): { object: KubeObject; hash: string } {
  const hash = contentHash(canonicalJson(obj));
  const meta = obj['metadata'] as KubeObject['metadata'];
  return { object: { ...obj, metadata: { ...meta, annotations: { ...(meta.annotations ?? {}), [SPEC_HASH_ANNOTATION]: hash } } }, hash };
}

interface ServicePort {
  port: number;
  protocol?: string;
  nodePort?: number;
}
interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ports?: ServicePort[];
}

/**
 * A Service replacement keeps what the API server allocated: the cluster IPs
 * (immutable) and the node ports of ports that stay, so clients and load
 * balancers pointing at them keep working.
 */
function keepAllocated(desired: KubeObject, live: KubeObject): KubeObject {
  const spec = desired['spec'] as ServiceSpec;
  const was = (live['spec'] ?? {}) as ServiceSpec;
  const nodePorts = spec.type !== 'ClusterIP';
  return {
    ...desired,
    spec: {
      ...spec,
      ...(was.clusterIP ? { clusterIP: was.clusterIP } : {}),
      ...(was.clusterIPs ? { clusterIPs: was.clusterIPs } : {}),
      ports: (spec.ports ?? []).map((p) => {
        const old = was.ports?.find((o) => o.port === p.port && (o.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
        return nodePorts && old?.nodePort ? { ...p, nodePort: old.nodePort } : p;
      }),
    },
  };
}

export function createGatewayWorkloadApplier(options: GatewayWorkloadApplierOptions): GatewayWorkloadApplier {
  const { client, signal } = options;
  const logger = options.logger ?? silentLogger;
  const request = { signal };
  /** Secret `namespace/name` → the revision written this term and the uid of the Secret it went to. */
  const writtenSecrets = new Map<string, { revision: string; uid: string | undefined }>();
  const ours = ownedTests(options.meshName);

  /** Writes a certificate Secret unless this revision was written (`force`: even then). Returns what changed, for logs. */
  async function writeSecret(object: KubeObject, revision: string, force: boolean): Promise<string | undefined> {
    const key = keyOf(object);
    const known = writtenSecrets.get(key)?.revision === revision;
    if (known && !force) return undefined;
    const { namespace, name } = object.metadata;
    try {
      const created = await client.create<KubeObject>(resourcePath(secrets, { namespace }), object, request);
      writtenSecrets.set(key, { revision, uid: created.metadata?.uid });
      return `created Secret ${key}`;
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    const { labels, ownerReferences } = object.metadata;
    const patch = [...ours, { op: 'add', path: '/metadata/labels', value: labels }, { op: 'add', path: '/metadata/ownerReferences', value: ownerReferences }, { op: 'add', path: '/data', value: object['data'] }];
    const patched = await patchIfOurs('Secret', secrets, namespace, name, patch);
    writtenSecrets.set(key, { revision, uid: patched.metadata?.uid });
    return known ? undefined : `updated Secret ${key}`;
  }

  /** A JSON patch that first tests our labels: a 422 means the object is not ours (or its labels changed). */
  async function patchIfOurs(kind: string, type: ResourceType, namespace: string, name: string, patch: readonly unknown[]): Promise<KubeObject> {
    try {
      return await client.patch<KubeObject>(resourcePath(type, { namespace, name }), patch, 'json', request);
    } catch (err) {
      if (isInvalid(err)) throw new Error(`${kind} ${namespace}/${name} exists and is not this controller's (labels ${workloadSelector(options.meshName)}): left alone`);
      throw err;
    }
  }

  /** Deletes a certificate Secret if it is ours: on the condition of the uid written this term, else of the uid the label test answers. */
  async function deleteSecret(namespace: string, name: string): Promise<boolean> {
    const key = `${namespace}/${name}`;
    let uid = writtenSecrets.get(key)?.uid;
    writtenSecrets.delete(key);
    if (!uid) {
      try {
        uid = (await patchIfOurs('Secret', secrets, namespace, name, ours)).metadata?.uid;
      } catch (err) {
        if (isNotFound(err)) return false;
        throw err;
      }
    }
    return deleteByName('Secret', secrets, namespace, name, uid);
  }

  async function deleteByName(kind: string, type: ResourceType, namespace: string, name: string, uid?: string): Promise<boolean> {
    try {
      await client.delete(resourcePath(type, { namespace, name }), { ...request, ...(uid ? { body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid } } } : {}) });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw new Error(`deleting ${kind} ${namespace}/${name}: ${errorMessage(err)}`);
    }
  }

  return {
    async apply(desired, applyOptions = {}) {
      const changes: string[] = [];
      const failed: { object: string; error: string }[] = [];
      const attempt = async (object: string, work: () => Promise<string | undefined>) => {
        try {
          const done = await work();
          if (done) {
            changes.push(done);
            logger.info(`gateway workload: ${done}`);
          }
        } catch (err) {
          if (signal.aborted) return;
          failed.push({ object, error: errorMessage(err) });
        }
      };

      for (const d of desired) {
        if (d.secret) {
          const secret = d.secret;
          const obj = secret.object as KubeObject;
          await attempt(`Secret ${keyOf(obj)}`, () => writeSecret(obj, secret.revision, applyOptions.rewriteSecrets === true));
        }
      }

      const removedDeployments: KubeObject[] = [];
      for (const { kind, type, pick } of kinds) {
        let live: Map<string, KubeObject>;
        try {
          const list = await client.get<ObjectList<KubeObject>>(resourcePath(type), { ...request, query: { labelSelector: workloadSelector(options.meshName) } });
          live = new Map((list.items ?? []).map((o) => [keyOf(o), o]));
        } catch (err) {
          if (!signal.aborted) failed.push({ object: `${kind} list`, error: errorMessage(err) });
          continue;
        }
        const wanted = new Set<string>();
        for (const d of desired) {
          const raw = pick(d.workload);
          if (!raw) continue;
          const { object, hash } = withSpecHash(raw);
          const key = keyOf(object);
          wanted.add(key);
          const current = live.get(key);
          const { namespace, name } = object.metadata;
          await attempt(`${kind} ${key}`, async () => {
            if (!current) {
              try {
                await client.create(resourcePath(type, { namespace }), object, request);
              } catch (err) {
                if (isAlreadyExists(err)) throw new Error(`${kind} ${key} exists and is not this controller's (labels ${workloadSelector(options.meshName)}): left alone`);
                throw err;
              }
              return `created ${kind} ${key} for Gateway ${d.gateway}`;
            }
            if (current.metadata.annotations?.[SPEC_HASH_ANNOTATION] === hash) return undefined;
            // Being deleted (its Gateway was replaced): created again once it is gone.
            if (current.metadata.deletionTimestamp) throw new Error(`${kind} ${key} is being deleted`);
            const body = kind === 'Service' ? keepAllocated(object, current) : object;
            await client.update(resourcePath(type, { namespace, name }), { ...body, metadata: { ...body.metadata, resourceVersion: current.metadata.resourceVersion } }, request);
            return `updated ${kind} ${key} for Gateway ${d.gateway}`;
          });
        }
        for (const [key, obj] of live) {
          if (wanted.has(key)) continue;
          await attempt(`${kind} ${key}`, async () => ((await deleteByName(kind, type, obj.metadata.namespace, obj.metadata.name, obj.metadata.uid)) ? `deleted ${kind} ${key}` : undefined));
          if (kind === 'Deployment') removedDeployments.push(obj);
        }
      }
      // The certificate Secret of a workload that went (the Secrets cannot be listed: found by name).
      const wantedSecrets = new Set(desired.flatMap((d) => (d.secret ? [keyOf(d.secret.object as KubeObject)] : [])));
      for (const obj of removedDeployments) {
        const namespace = obj.metadata.namespace;
        const name = tlsSecretNameOf(obj.metadata.name);
        const key = `${namespace}/${name}`;
        if (wantedSecrets.has(key)) continue;
        await attempt(`Secret ${key}`, async () => ((await deleteSecret(namespace, name)) ? `deleted Secret ${key}` : undefined));
      }
      return { changes, failed };
    },
  };
}

/** JSON patch `test` operations that hold only for this mesh's workload objects (the labels of `workloadSelector`). */
function ownedTests(meshName: string): readonly unknown[] {
  const label = (name: string) => `/metadata/labels/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
  return [
    { op: 'test', path: label('app'), value: 'fsm-gateway' },
    { op: 'test', path: label('meshName'), value: meshName },
    { op: 'test', path: label(MANAGED_BY_LABEL), value: MANAGED_BY },
  ];
}
