/**
 * The package's main entry (`fsm-control-plane`): the xDS caches and server
 * (also available as `fsm-control-plane/cache` and `fsm-control-plane/server`),
 * resource encoding from proto3 JSON, the Pipy repo server, and the mesh
 * building blocks fsm-controller is made of, for custom controllers.
 */
export * from '../cache/index.js';
export * from '../server/index.js';
export { decodeResource, encodeResource, ResourceError } from '../server/codec/resource-codec.js';
export { xdsRoot, typeForUrl } from '../server/codec/protos.js';
export * from '../server/pipy-repo/index.js';
export { createModelStore, type ModelStore, type ModelStoreOptions } from './model/store.js';
export type { ModelChange, ModelView, ProxyInfo } from './model/view.js';
export type { MeshObject } from './model/types.js';
export type { Source, SourceEvent, SourceHandlers, SourceProblem } from './model/source-events.js';
export { createFileSource, type FileSourceOptions } from './sources/file/file-source.js';
export { createKubernetesSource, type KubernetesSourceOptions } from './sources/kubernetes/index.js';
export { createSidecarConfigSet, generateSidecarConfig, type SidecarConfig, type SidecarConfigSet } from './generate/sidecar/index.js';
export { createBuiltinCa } from './certificate/builtin-ca.js';
export { createCertificateManager, type CertificateManager } from './certificate/manager.js';
export { createController, type Controller } from './controller/controller.js';
export { parseControllerOptions, type ControllerOptions } from './controller/options.js';
export { createJsonLogger, silentLogger, type Logger } from './shared/logger.js';
