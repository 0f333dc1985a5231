/**
 * The package's main entry (`fsm-control-plane`): the xDS library. The
 * caches (also `fsm-control-plane/cache`), the gRPC xDS server and callback
 * composition (also `fsm-control-plane/server`), and resources: the typed
 * builders and the proto3 JSON codec (also `fsm-control-plane/resources`).
 *
 * It loads nothing of Kubernetes, OpenTelemetry's SDK, X.509 or WebSockets:
 * those belong to `fsm-control-plane/controller` (the building blocks of
 * fsm-controller) and `fsm-control-plane/pipy-repo` (the Pipy repo server).
 * Test helpers are in `fsm-control-plane/testing`.
 */
export * from '../cache/index.js';
export * from '../server/index.js';
export * from '../server/resources/index.js';
export { xdsRoot, typeForUrl } from '../server/codec/protos.js';
