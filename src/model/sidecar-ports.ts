/**
 * The ports a meshed pod's sidecar owns (FSM's `constants.go`): the
 * injector's iptables rules leave them alone, health probes are moved to
 * them, and the sidecar's scripts listen on them.
 */
export const SidecarPorts = {
  admin: 15000,
  outbound: 15001,
  inbound: 15003,
  prometheus: 15010,
  liveness: 15901,
  readiness: 15902,
  startup: 15903,
  /** The fsm-healthcheck container, which answers tcpSocket probes. */
  healthcheck: 15904,
} as const;
