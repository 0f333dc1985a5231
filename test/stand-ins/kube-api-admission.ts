/**
 * Mutating admission for the Kubernetes API server STAND-IN
 * (kube-api-server.ts), as a real API server does it on a CREATE: every
 * MutatingWebhookConfiguration whose rules, namespaceSelector and
 * objectSelector match is called over HTTPS (trusting only its `caBundle`)
 * with an `admission.k8s.io/v1` AdmissionReview; an answer with
 * `allowed: false` refuses the request, a `JSONPatch` answer is applied; a
 * webhook that fails or times out refuses the request under
 * `failurePolicy: Fail` (the v1 default) and is skipped under `Ignore`. A
 * dry-run request is refused by a webhook whose sideEffects are not `None` or
 * `NoneOnDryRun`. Webhooks addressed by `service` are reached through
 * `resolveService` and, as a real API server does, must present a
 * certificate for `<service>.<namespace>.svc`. Test code only.
 */
import { randomUUID } from 'node:crypto';
import https from 'node:https';
import { StandInStatusError, clone, jsonPatch, type KubeApiStore, type KubeObject, type StandInResource } from './kube-api-store.js';

export interface WebhookService {
  readonly namespace: string;
  readonly name: string;
  readonly port?: number;
  readonly path?: string;
}

/** Where a Service-addressed webhook really listens: `https://127.0.0.1:<port>` (the path is appended). */
export type ServiceResolver = (service: WebhookService) => string | undefined;

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

interface Rule {
  operations?: string[];
  apiGroups?: string[];
  apiVersions?: string[];
  resources?: string[];
}

interface MutatingWebhook {
  name: string;
  clientConfig?: { url?: string; service?: WebhookService; caBundle?: string };
  rules?: Rule[];
  failurePolicy?: 'Fail' | 'Ignore';
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
  sideEffects?: string;
  timeoutSeconds?: number;
  admissionReviewVersions?: string[];
}

/** One webhook call as the stand-in made it, for tests. */
export interface AdmissionCall {
  readonly webhook: string;
  readonly url: string;
  readonly dryRun: boolean;
  readonly allowed: boolean | undefined;
  readonly patched: boolean;
  readonly error: string | undefined;
}

export function matchesSelector(labels: Record<string, string> | undefined, selector: LabelSelector | undefined): boolean {
  if (!selector) return true;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = e.key in l;
    const value = l[e.key];
    const ok =
      e.operator === 'In' ? has && (e.values ?? []).includes(value as string)
      : e.operator === 'NotIn' ? !has || !(e.values ?? []).includes(value as string)
      : e.operator === 'Exists' ? has
      : e.operator === 'DoesNotExist' ? !has
      : false;
    if (!ok) return false;
  }
  return true;
}

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? (apiVersion.split('/')[0] ?? '') : '');
const versionOf = (apiVersion: string) => (apiVersion.includes('/') ? (apiVersion.split('/')[1] ?? '') : apiVersion);
const anyOf = (list: string[] | undefined, value: string) => (list ?? []).some((x) => x === '*' || x === value);

function ruleMatches(rules: Rule[] | undefined, resource: StandInResource): boolean {
  return (rules ?? []).some(
    (r) => anyOf(r.operations, 'CREATE') && anyOf(r.apiGroups, groupOf(resource.apiVersion)) && anyOf(r.apiVersions, versionOf(resource.apiVersion)) && anyOf(r.resources, resource.plural),
  );
}

function post(url: string, ca: string | undefined, servername: string | undefined, body: string, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), accept: 'application/json' },
      ...(ca ? { ca } : {}),
      ...(servername ? { servername } : {}),
      agent: false,
      timeout: timeoutMs,
    });
    req.on('timeout', () => req.destroy(new Error(`context deadline exceeded (${timeoutMs} ms)`)));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`));
        try {
          resolve(JSON.parse(text));
        } catch {
          reject(new Error('the webhook answer is not JSON'));
        }
      });
    });
    req.end(body);
  });
}

export interface Admission {
  /** Runs the matching webhooks on an object about to be created; returns the (patched) object or throws a Status error. */
  admit(resource: StandInResource, obj: KubeObject, namespace: string | undefined, dryRun: boolean): Promise<KubeObject>;
  readonly calls: readonly AdmissionCall[];
}

export function createAdmission(store: KubeApiStore, resolveService: ServiceResolver | undefined): Admission {
  const calls: AdmissionCall[] = [];
  const configurations = () => store.list('admissionregistration.k8s.io/v1/mutatingwebhookconfigurations', undefined) as (KubeObject & { webhooks?: MutatingWebhook[] })[];

  async function admit(resource: StandInResource, input: KubeObject, namespace: string | undefined, dryRun: boolean): Promise<KubeObject> {
    if (!store.resource('admissionregistration.k8s.io/v1/mutatingwebhookconfigurations')) return input;
    let obj = input;
    const nsLabels = namespace ? (store.get('v1/namespaces', undefined, namespace)?.metadata.labels ?? {}) : {};
    const webhooks = configurations()
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
      .flatMap((c) => c.webhooks ?? []);
    for (const wh of webhooks) {
      if (!ruleMatches(wh.rules, resource)) continue;
      if (resource.namespaced && !matchesSelector(nsLabels, wh.namespaceSelector)) continue;
      if (!matchesSelector(obj.metadata.labels, wh.objectSelector)) continue;
      const failurePolicy = wh.failurePolicy ?? 'Fail';
      if (dryRun && wh.sideEffects !== 'None' && wh.sideEffects !== 'NoneOnDryRun') {
        throw new StandInStatusError(400, 'BadRequest', `admission webhook "${wh.name}" does not support dry run`);
      }
      const cc = wh.clientConfig ?? {};
      const base = cc.url ?? (cc.service ? resolveService?.(cc.service) : undefined);
      const url = cc.url ?? (base ? base + (cc.service?.path ?? '') : undefined);
      const uid = randomUUID();
      const review = {
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        request: {
          uid,
          kind: { group: groupOf(resource.apiVersion), version: versionOf(resource.apiVersion), kind: resource.kind },
          resource: { group: groupOf(resource.apiVersion), version: versionOf(resource.apiVersion), resource: resource.plural },
          requestKind: { group: groupOf(resource.apiVersion), version: versionOf(resource.apiVersion), kind: resource.kind },
          requestResource: { group: groupOf(resource.apiVersion), version: versionOf(resource.apiVersion), resource: resource.plural },
          name: obj.metadata.name ?? '',
          namespace: namespace ?? '',
          operation: 'CREATE',
          userInfo: { username: 'system:serviceaccount:kube-system:replicaset-controller', groups: ['system:serviceaccounts', 'system:authenticated'] },
          object: obj,
          oldObject: null,
          dryRun,
          options: { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1' },
        },
      };
      let answer: { response?: { uid?: string; allowed?: boolean; patch?: string; patchType?: string; status?: { message?: string; code?: number } } };
      try {
        if (!url) throw new Error(`no address for service ${cc.service?.namespace}/${cc.service?.name}`);
        const ca = cc.caBundle ? Buffer.from(cc.caBundle, 'base64').toString('utf8') : undefined;
        const servername = cc.url ? undefined : `${cc.service?.name}.${cc.service?.namespace}.svc`;
        answer = (await post(url, ca, servername, JSON.stringify(review), (wh.timeoutSeconds ?? 10) * 1000)) as typeof answer;
        if (answer.response?.uid !== uid) throw new Error(`expected response.uid="${uid}", got "${String(answer.response?.uid)}"`);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        calls.push({ webhook: wh.name, url: url ?? '', dryRun, allowed: undefined, patched: false, error: message });
        if (failurePolicy === 'Ignore') continue;
        throw new StandInStatusError(500, 'InternalError', `Internal error occurred: failed calling webhook "${wh.name}": ${message}`);
      }
      const response = answer.response ?? {};
      if (!response.allowed) {
        calls.push({ webhook: wh.name, url: url ?? '', dryRun, allowed: false, patched: false, error: undefined });
        throw new StandInStatusError(response.status?.code ?? 400, 'BadRequest', `admission webhook "${wh.name}" denied the request: ${response.status?.message ?? ''}`);
      }
      const patched = response.patchType === 'JSONPatch' && typeof response.patch === 'string';
      if (patched) obj = jsonPatch(clone(obj), JSON.parse(Buffer.from(response.patch as string, 'base64').toString('utf8'))) as KubeObject;
      calls.push({ webhook: wh.name, url: url ?? '', dryRun, allowed: true, patched, error: undefined });
    }
    return obj;
  }

  return { admit, calls };
}
