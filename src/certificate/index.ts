/** The certificate module's public surface. */
export * from './types.js';
export { createBuiltinCa, caFromRoot, generateRoot, DEFAULT_CA_SECRET_NAME, DEFAULT_ROOT_COMMON_NAME, DEFAULT_ORGANIZATION } from './builtin-ca.js';
export type { BuiltinCa, BuiltinCaOptions, RootMaterial, RootOptions } from './builtin-ca.js';
export { createCertificateManager, DEFAULT_VALIDITY_MS, MIN_VALIDITY_MS } from './manager.js';
export type { CertificateManager, CertificateManagerOptions, IssuanceEvent, RotationEvent, RotationReason, WorkloadRequest } from './manager.js';
export { bootstrapCommonName, parseBootstrapCommonName, spiffeId, workloadCommonName, workloadIdentity, DEFAULT_TRUST_DOMAIN } from './identity.js';
export type { BootstrapRef, WorkloadRef } from './identity.js';
export { rsaKeyType, validateKeyType } from './keys.js';
export { createRootRotationController, selectIssuers, tresorIssuerFactory, MrcState, MRC_API_VERSION, MRC_KIND } from './mesh-root-certificate.js';
export type { MeshRootCertificate, RootRotationController, IssuerSelection } from './mesh-root-certificate.js';
export { formatExpiration, DEFAULT_VALIDATION_CONTEXT_NAME } from './delivery.js';
export { createMemorySecretStorage } from './storage/secret-storage.js';
export type { SecretData, SecretStorage } from './storage/secret-storage.js';
export { createFileSecretStorage } from './storage/file-storage.js';
export { createKubeSecretStorage } from './storage/kube-secret-storage.js';
export { createVaultIssuer, vaultTokenFromSecret, DEFAULT_VAULT_ROLE } from './issuers/vault.js';
export { createCfsslIssuer } from './issuers/cfssl.js';
export { createCertManagerIssuer } from './issuers/cert-manager.js';
