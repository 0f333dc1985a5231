/**
 * Test helpers: build a model store from YAML fixtures (optionally
 * shuffled, to prove order independence) and a MeshConfig override.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { createModelStore, type ModelStore } from '../../../src/model/store.js';
import type { MeshObject } from '../../../src/model/types.js';

export function fixture(name: string): MeshObject[] {
  const text = readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)), 'utf8');
  return parseAllDocuments(text).map((d) => d.toJS() as MeshObject).filter((o) => o && typeof o === 'object');
}

export function meshConfig(spec: Record<string, unknown>): MeshObject {
  return { apiVersion: 'config.flomesh.io/v1alpha3', kind: 'MeshConfig', metadata: { name: 'fsm-mesh-config', namespace: 'fsm-system' }, spec };
}

/** Deterministic pseudo-random permutation (seeded LCG), so a failing order can be reproduced. */
export function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

export function storeOf(objects: readonly MeshObject[]): ModelStore {
  const store = createModelStore();
  const result = store.apply(objects.map((object) => ({ type: 'upsert' as const, object })));
  const refused = result.errors.filter((e) => (e as { refused?: boolean }).refused);
  if (refused.length > 0) throw new Error(`fixture refused: ${JSON.stringify(refused)}`);
  return store;
}

export const UUID = {
  bookbuyer: '11111111-0000-0000-0000-000000000001',
  bookstoreV1: '22222222-0000-0000-0000-000000000001',
  bookstoreV2: '22222222-0000-0000-0000-000000000002',
  bookwarehouse: '33333333-0000-0000-0000-000000000001',
  mysql: '44444444-0000-0000-0000-000000000001',
} as const;
