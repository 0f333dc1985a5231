/** Pipy sidecar configuration: the generator, the incremental config set and the certificate provider interface. */
export { generateSidecarConfig, type SidecarConfig, type SidecarConfigDeps } from './sidecar-config.js';
export {
  createSidecarConfigSet, type SidecarConfigSet, type SidecarConfigSetOptions, type SidecarConfigSetStats, type RecomputeResult, type RecomputeBatch,
} from './config-set.js';
export { certificateBlock, formatExpiration, type PipyCertificate, type PipyCertificateSource } from './certificate.js';
export { ErrCodes, createSmiIndex, createSmiIndexCache, type SmiIndex, type SmiIndexCache } from './smi-access.js';
export { changeKeys } from './dependency-keys.js';
export type * from './types.js';
