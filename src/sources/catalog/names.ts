/**
 * Registry service names → Kubernetes Service names. FSM's rule first
 * (pkg/connector/ctok/source.go toLegalServiceName: lower case, `_`, `.`
 * and spaces become `-`), which keeps FSM's names for every name it could
 * handle. A name that is still not a DNS-1035 label (other characters, a
 * leading digit, over 63 characters) is cleaned up and given a suffix
 * hashed from the original name, so that distinct names never merge and the
 * result does not depend on anything but the name. When two names still
 * map to one (`Order_Service` and `order.service`), the one that sorts
 * first keeps it and the others get the hashed suffix.
 */
import { createHash } from 'node:crypto';

const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const MAX = 63;

export function isDns1035Label(name: string): boolean {
  return name.length <= MAX && DNS1035.test(name);
}

function suffix(original: string): string {
  return createHash('sha256').update(original).digest('hex').slice(0, 8);
}

/** `base-<hash of original>`, cut so that the whole stays a valid label. */
function hashed(base: string, original: string): string {
  let head = base.replace(/[^a-z0-9-]+/g, '-').replace(/-{2,}/g, '-').replace(/^[^a-z]+/, '').slice(0, MAX - 9).replace(/-+$/, '');
  if (head === '') head = 'svc';
  return `${head}-${suffix(original)}`;
}

/** FSM's mapping; if its result is not a valid label, a cleaned-up name with a hashed suffix. */
export function kubernetesServiceName(registryName: string): string {
  const fsm = registryName.replace(/[_. ]/g, '-').toLowerCase();
  return isDns1035Label(fsm) ? fsm : hashed(fsm, registryName);
}

export interface NameAssignment {
  /** Registry name → Kubernetes name. */
  readonly names: ReadonlyMap<string, string>;
  /** Groups of registry names that mapped to one name; the first of each kept it. */
  readonly collisions: readonly (readonly string[])[];
}

/** Names for a whole set of registry services: deterministic for a given set. */
export function assignNames(registryNames: Iterable<string>): NameAssignment {
  const byTarget = new Map<string, string[]>();
  for (const n of [...new Set(registryNames)].sort()) {
    const k = kubernetesServiceName(n);
    const group = byTarget.get(k);
    if (group) group.push(n);
    else byTarget.set(k, [n]);
  }
  const names = new Map<string, string>();
  const collisions: string[][] = [];
  for (const [k, group] of byTarget) {
    names.set(group[0] as string, k);
    if (group.length === 1) continue;
    collisions.push(group);
    for (const other of group.slice(1)) names.set(other, hashed(k, other));
  }
  return { names, collisions };
}
