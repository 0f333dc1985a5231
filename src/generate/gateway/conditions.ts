/**
 * Status conditions as the Gateway API spells them (types and reasons of
 * gateway-api v1.1, FSM's policy reasons), built with the object's
 * generation as observedGeneration.
 */
import type { Condition } from '../../model/gateway-types.js';
import type { MeshObject } from '../../model/types.js';

export function condition(obj: MeshObject, type: string, ok: boolean, reason: string, message: string): Condition {
  const generation = obj.metadata.generation;
  return { type, status: ok ? 'True' : 'False', reason, message, ...(generation !== undefined ? { observedGeneration: generation } : {}) };
}

/**
 * Conditions that mean trouble when they hold: every condition is healthy
 * when True except these, which are healthy when False.
 */
const HEALTHY_WHEN_FALSE: ReadonlySet<string> = new Set(['Conflicted']);

export function isHealthy(c: Condition): boolean {
  return HEALTHY_WHEN_FALSE.has(c.type) ? c.status === 'False' : c.status === 'True';
}
