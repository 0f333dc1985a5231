/**
 * `admission.k8s.io/v1` AdmissionReview in and out. The API server sends a
 * review with a `request`; the answer echoes its `uid` with `allowed`, and
 * for a mutation a base64 JSON patch with `patchType: JSONPatch`. A refusal
 * carries a `status` whose message the API server shows to whoever created
 * the object.
 */
import type { PatchOperation } from './pod-patch.js';

export interface AdmissionRequest {
  readonly uid: string;
  readonly kind?: { group?: string; version?: string; kind?: string };
  readonly resource?: { group?: string; version?: string; resource?: string };
  readonly subResource?: string;
  readonly name?: string;
  readonly namespace?: string;
  readonly operation?: string;
  readonly object?: unknown;
  readonly dryRun?: boolean;
}

export interface AdmissionResponse {
  readonly uid: string;
  readonly allowed: boolean;
  readonly patchType?: 'JSONPatch';
  readonly patch?: string;
  readonly status?: { readonly message: string; readonly code?: number };
  readonly warnings?: readonly string[];
}

export interface AdmissionReviewOut {
  readonly apiVersion: 'admission.k8s.io/v1';
  readonly kind: 'AdmissionReview';
  readonly response: AdmissionResponse;
}

/** A review that cannot be answered normally, with FSM's error code. */
export class AdmissionReviewError extends Error {
  constructor(
    readonly code: 'E6103' | 'E6107' | 'E6112',
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'AdmissionReviewError';
  }
}

/** Parses a review body; throws AdmissionReviewError for an empty body, bad JSON, a wrong type or no request. */
export function parseAdmissionReview(body: string): AdmissionRequest {
  if (body.trim() === '') throw new AdmissionReviewError('E6112', 'the admission request body is empty');
  let review: unknown;
  try {
    review = JSON.parse(body);
  } catch (err) {
    throw new AdmissionReviewError('E6103', `the admission request body is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const r = review as { apiVersion?: unknown; kind?: unknown; request?: unknown };
  if (!r || typeof r !== 'object' || r.kind !== 'AdmissionReview') throw new AdmissionReviewError('E6103', 'the body is not an AdmissionReview');
  if (r.apiVersion !== 'admission.k8s.io/v1') throw new AdmissionReviewError('E6103', `AdmissionReview ${String(r.apiVersion)} is not supported (admission.k8s.io/v1 only)`);
  const request = r.request as AdmissionRequest | null | undefined;
  if (!request || typeof request !== 'object') throw new AdmissionReviewError('E6107', 'the AdmissionReview has no request');
  if (typeof request.uid !== 'string' || request.uid === '') throw new AdmissionReviewError('E6103', 'request.uid is missing');
  return request;
}

export function reviewOut(response: AdmissionResponse): AdmissionReviewOut {
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response };
}

export const allow = (uid: string): AdmissionReviewOut => reviewOut({ uid, allowed: true });

export const allowWithPatch = (uid: string, ops: readonly PatchOperation[]): AdmissionReviewOut =>
  ops.length === 0 ? allow(uid) : reviewOut({ uid, allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(ops)).toString('base64') });

export const deny = (uid: string, message: string, code = 400): AdmissionReviewOut => reviewOut({ uid, allowed: false, status: { message, code } });
