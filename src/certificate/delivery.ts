/**
 * Conventions for delivering certificates the way FSM does: its expiration
 * format and the name of the trust-bundle Secret. The Pipy sidecar's
 * certificate block is the generator's (src/generate/sidecar/certificate.ts);
 * the SDS Secrets for xDS proxies are built in src/controller/sds-resources.ts.
 */

/** Go layout `2006-01-02 15:04:05` in UTC: how FSM writes a certificate's expiration. */
export function formatExpiration(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/** The SDS Secret holding the trust bundle (FSM's name for the validation context). */
export const DEFAULT_VALIDATION_CONTEXT_NAME = 'root-cert-for-mtls';
