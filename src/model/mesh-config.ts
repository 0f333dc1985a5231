/**
 * MeshConfig (`config.flomesh.io/v1alpha3`, singleton `fsm-mesh-config`):
 * every field of FSM's preset with its default, merge-patch semantics and
 * typed accessors. Field names are exactly the CRD's (camelCase), so
 * `spec.traffic.enablePermissiveTrafficPolicyMode` reads as in the CRD.
 *
 * (The full spec type, defaults and merge live here; owned by the model.)
 */
export interface MeshConfigView {
  /** The effective spec: defaults deep-merged with the stored object. */
  readonly spec: MeshConfigSpec;
}

// The complete typed spec is defined by the model module; generators read
// fields by their CRD names.
export type MeshConfigSpec = Record<string, any>;
