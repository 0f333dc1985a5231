/**
 * Test helpers for the gateway generator: fixtures (base.yaml plus feature
 * files), a store built from them, and a generator over a one-file base.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { createGatewayGenerator, type GatewayGenerator, type GeneratedGateway } from '../../../src/generate/gateway/generator.js';
import { createModelStore, type ModelStore } from '../../../src/model/store.js';
import type { MeshObject } from '../../../src/model/types.js';

export function fixture(name: string): MeshObject[] {
  const text = readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)), 'utf8');
  return parseAllDocuments(text).map((d) => d.toJS() as MeshObject).filter((o) => o && typeof o === 'object');
}

/** A store holding the objects; throws if any was refused (a fixture must be valid). */
export function storeOf(objects: readonly MeshObject[]): ModelStore {
  const store = createModelStore();
  const { errors } = store.apply(objects.map((object) => ({ type: 'upsert' as const, object })));
  if (errors.length > 0) throw new Error(`fixture refused: ${errors.map((e) => `${e.object}: ${e.field}: ${e.reason}`).join('; ')}`);
  return store;
}

export const TEST_BASE = { main: '/main.js', files: new Map([['/main.js', new TextEncoder().encode('// test base\n')]]) };

export function generator(): GatewayGenerator {
  return createGatewayGenerator({ base: TEST_BASE });
}

/** Every gateway of the store, generated in one batch, by node key. */
export function generateAll(store: ModelStore, gen: GatewayGenerator = generator()): Map<string, GeneratedGateway> {
  const batch = gen.beginBatch(store);
  return new Map(gen.nodes(store).map((key) => [key, gen.generate(store, key, batch)]));
}

/** Deterministic pseudo-random permutation (seeded LCG). */
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
