/**
 * The building blocks fsm-controller is made of (`fsm-control-plane/controller`),
 * for custom controllers: the controller itself, the mesh model store, the
 * file and Kubernetes sources, the sidecar generator and the certificate
 * authority and manager. Unlike the xDS entries, this one loads the
 * Kubernetes client, the OpenTelemetry SDK, X.509 and WebSockets.
 */
export { createController, type BoundAddresses, type Controller, type ControllerDeps } from './controller.js';
export { parseControllerOptions, type ControllerOptions } from './options.js';
export { createModelStore, type ModelStore, type ModelStoreOptions } from '../model/store.js';
export type { ModelChange, ModelView, ProxyInfo } from '../model/view.js';
export type { MeshObject } from '../model/types.js';
export type { Source, SourceEvent, SourceHandlers, SourceProblem } from '../model/source-events.js';
export { createFileSource, type FileSourceOptions } from '../sources/file/file-source.js';
export { createKubernetesSource, type KubernetesSourceOptions } from '../sources/kubernetes/index.js';
export { createSidecarConfigSet, generateSidecarConfig, type SidecarConfig, type SidecarConfigSet } from '../generate/sidecar/index.js';
export { createBuiltinCa } from '../certificate/builtin-ca.js';
export { createCertificateManager, type CertificateManager } from '../certificate/manager.js';
export { createJsonLogger, silentLogger, type Logger } from '../shared/logger.js';
