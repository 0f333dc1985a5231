/**
 * Small pure helpers shared by the indexes and the dependency rules: label
 * selector matching, identities (`<sa>.<ns>`) and service references.
 */
import type { LabelSelector } from './types.js';

/** True when every `selector` pair is among `labels`. An empty selector matches nothing (as for a Service). */
export function matchesServiceSelector(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return false;
  const entries = Object.entries(selector);
  if (entries.length === 0) return false;
  for (const [k, v] of entries) if (labels?.[k] !== v) return false;
  return true;
}

/** Kubernetes LabelSelector semantics; an absent selector matches everything. */
export function matchesLabelSelector(selector: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return true;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, e.key);
    const val = l[e.key];
    switch (e.operator) {
      case 'In':
        if (!has || !(e.values ?? []).includes(val as string)) return false;
        break;
      case 'NotIn':
        if (has && (e.values ?? []).includes(val as string)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

/** `<sa>.<ns>`; an empty service account is `default`, as in FSM. */
export function identityOf(serviceAccount: string | undefined, namespace: string): string {
  return `${serviceAccount || 'default'}.${namespace}`;
}

/** Splits `<sa>.<ns>` at the last dot (namespaces have no dots; service-account names may). */
export function parseIdentity(identity: string): { serviceAccount: string; namespace: string } | undefined {
  const i = identity.lastIndexOf('.');
  if (i <= 0 || i === identity.length - 1) return undefined;
  return { serviceAccount: identity.slice(0, i), namespace: identity.slice(i + 1) };
}

/**
 * A service named by a policy, relative to the policy's namespace: `name`,
 * `name.ns`, `name.ns.svc` or `name.ns.svc.<domain>`. Returns `ns/name`.
 */
export function serviceRef(name: string, defaultNamespace: string): string {
  const parts = name.split('.');
  const svc = parts[0] ?? name;
  const ns = parts.length > 1 && parts[1] ? parts[1] : defaultNamespace;
  return `${ns}/${svc}`;
}

/** Splits `ns/name`. */
export function splitRef(ref: string): { namespace: string; name: string } {
  const i = ref.indexOf('/');
  return { namespace: ref.slice(0, i), name: ref.slice(i + 1) };
}
