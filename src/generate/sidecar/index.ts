/** Pipy sidecar configuration: the generator, the incremental config set and the certificate provider interface. */
export { generateSidecarConfig, type SidecarConfig, type SidecarConfigDeps } from './sidecar-config.js';
export { createSidecarGenerator, sidecarCodebaseName, type SidecarBase, type SidecarGeneratorOptions, type SidecarNode } from './generator.js';
export { createSidecarConfigSet, type SidecarConfigSet, type SidecarConfigSetOptions } from './config-set.js';
export { certificateBlock, type CertificateSource } from './certificate.js';
export { ErrCodes, createSmiIndex, createSmiIndexCache, type SmiIndex, type SmiIndexCache } from './smi-access.js';
export { changeKeys } from './dependency-keys.js';
export type * from './types.js';
