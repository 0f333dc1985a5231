import type { MetricsHeader } from './instances.js';

/**
 * Reads a Pipy status report (`POST /repo/<codebase>/`). Pipy 1.5.14 writes
 * `{timestamp, since, uuid, name, ip, version, modules, metrics?, logs}` on
 * every report (src/status.cpp Status::to_json); only `metrics` shrinks to
 * changes once the repo answers 206. The repo keeps uuid, name and version,
 * and reads the metrics block just far enough to follow its chain of versions.
 */

export type ReadReport =
  | {
      readonly ok: true;
      readonly uuid: string;
      readonly name: string;
      readonly version: string;
      /** The parsed body, for the `onStatus` callback; not kept. */
      readonly body: Readonly<Record<string, unknown>>;
      /** The metrics block's versions when it has the shape Pipy writes; undefined otherwise. */
      readonly metrics: MetricsHeader | undefined;
    }
  | { readonly ok: false; readonly reason: string };

const INSTANCE_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Whether `id` may name a Pipy instance (a report's uuid, an admin link's last path segment). */
export function isInstanceId(id: string): boolean {
  return INSTANCE_ID.test(id);
}

export function readStatusReport(bytes: Buffer, maxFieldChars: number): ReadReport {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { ok: false, reason: 'status report is not JSON' };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { ok: false, reason: 'status report must be a JSON object' };
  const body = parsed as Record<string, unknown>;
  const uuid = body['uuid'];
  if (typeof uuid !== 'string' || !isInstanceId(uuid)) return { ok: false, reason: 'status report needs a "uuid"' };
  const fields: Record<'name' | 'version', string> = { name: '', version: '' };
  for (const key of ['name', 'version'] as const) {
    const value = scalar(body[key]);
    if (value.length > maxFieldChars) return { ok: false, reason: `status report field "${key}" is longer than ${maxFieldChars} characters` };
    fields[key] = value;
  }
  return { ok: true, uuid, ...fields, body, metrics: metricsHeader(body['metrics']) };
}

/**
 * The versions of a metrics block shaped as Pipy's MetricDataSum::serialize
 * writes it: `{version, last?, roots: [...]}`, `version` 0 for a full block,
 * an incremental one naming its predecessor in `last`. pipy-repo answers 206
 * when it could read the block into the instance's metrics
 * (admin-service.cpp repo_POST); this repo does not aggregate metrics, so it
 * checks the shape and the chain (instances.ts) and keeps no values.
 */
function metricsHeader(metrics: unknown): MetricsHeader | undefined {
  if (!metrics || typeof metrics !== 'object' || Array.isArray(metrics)) return undefined;
  const m = metrics as Record<string, unknown>;
  const { version, last, roots } = m;
  if (typeof version !== 'number' || !Number.isFinite(version) || version < 0 || !Array.isArray(roots)) return undefined;
  if (!roots.every((r) => r === null || typeof r === 'number' || typeof r === 'object')) return undefined;
  if (version === 0) return { version };
  return typeof last === 'number' ? { version, last } : undefined;
}

function scalar(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : '';
}
