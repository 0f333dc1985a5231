/**
 * The traffic-redirection rules the `fsm-init` container installs, as FSM's
 * injector writes them (`pkg/injector/iptables.go`, same chains, same rules,
 * same order): inbound TCP to 15003 except the Prometheus and probe ports,
 * outbound TCP to 15001 except traffic of the sidecar itself (UID 1500) and
 * localhost, then the exclusions and inclusions.
 */
import { SidecarPorts as Ports } from '../model/sidecar-ports.js';
import type { Exclusions } from './exclusions.js';

export const SIDECAR_UID = 1500;

/** `Localhost` (default) or `PodIP`: where the sidecar sends inbound traffic for the app. */
export type LocalProxyMode = 'Localhost' | 'PodIP';

/** The `iptables-restore` input (nat table) for one pod. */
export function iptablesRules(exclusions: Exclusions, proxyMode: LocalProxyMode = 'Localhost'): string {
  const rules: string[] = [
    `-A FSM_PROXY_IN_REDIRECT -p tcp -j REDIRECT --to-port ${Ports.inbound}`,
    '-A PREROUTING -p tcp -j FSM_PROXY_INBOUND',
    `-A FSM_PROXY_INBOUND -p tcp --dport ${Ports.prometheus} -j RETURN`,
    `-A FSM_PROXY_INBOUND -p tcp --dport ${Ports.liveness} -j RETURN`,
    `-A FSM_PROXY_INBOUND -p tcp --dport ${Ports.readiness} -j RETURN`,
    `-A FSM_PROXY_INBOUND -p tcp --dport ${Ports.startup} -j RETURN`,
    `-A FSM_PROXY_INBOUND -p tcp --dport ${Ports.healthcheck} -j RETURN`,
    '-A FSM_PROXY_INBOUND -p tcp -j FSM_PROXY_IN_REDIRECT',
  ];
  // Inserted (-I) so they come before the redirect above.
  for (const iface of exclusions.networkInterfaces) rules.push(`-I FSM_PROXY_INBOUND -i ${iface} -j RETURN`);
  if (exclusions.inboundPorts.length > 0) rules.push(`-I FSM_PROXY_INBOUND -p tcp --match multiport --dports ${exclusions.inboundPorts.join(',')} -j RETURN`);
  rules.push(
    `-A FSM_PROXY_OUT_REDIRECT -p tcp -j REDIRECT --to-port ${Ports.outbound}`,
    `-A FSM_PROXY_OUT_REDIRECT -p tcp --dport ${Ports.admin} -j ACCEPT`,
    '-A OUTPUT -p tcp -j FSM_PROXY_OUTBOUND',
    // The sidecar talking to its own pod over lo (app → its own Service → back in) goes to the inbound listener.
    `-A FSM_PROXY_OUTBOUND -o lo ! -d 127.0.0.1/32 -m owner --uid-owner ${SIDECAR_UID} -j FSM_PROXY_IN_REDIRECT`,
    `-A FSM_PROXY_OUTBOUND -o lo -m owner ! --uid-owner ${SIDECAR_UID} -j RETURN`,
    `-A FSM_PROXY_OUTBOUND -m owner --uid-owner ${SIDECAR_UID} -j RETURN`,
    '-A FSM_PROXY_OUTBOUND -d 127.0.0.1/32 -j RETURN',
  );
  if (proxyMode === 'PodIP') rules.push(`-I OUTPUT -p tcp -o lo -d 127.0.0.1/32 -m owner --uid-owner ${SIDECAR_UID} -j DNAT --to-destination $POD_IP`);
  for (const iface of exclusions.networkInterfaces) rules.push(`-A FSM_PROXY_OUTBOUND -o ${iface} -j RETURN`);
  // Exclusions before inclusions: order matters.
  for (const cidr of exclusions.outboundIPRangeExclusions) rules.push(`-A FSM_PROXY_OUTBOUND -d ${cidr} -j RETURN`);
  if (exclusions.outboundPorts.length > 0) rules.push(`-A FSM_PROXY_OUTBOUND -p tcp --match multiport --dports ${exclusions.outboundPorts.join(',')} -j RETURN`);
  if (exclusions.outboundIPRangeInclusions.length > 0) {
    for (const cidr of exclusions.outboundIPRangeInclusions) rules.push(`-A FSM_PROXY_OUTBOUND -d ${cidr} -j FSM_PROXY_OUT_REDIRECT`);
    rules.push('-A FSM_PROXY_OUTBOUND -j RETURN');
  } else {
    rules.push('-A FSM_PROXY_OUTBOUND -j FSM_PROXY_OUT_REDIRECT');
  }
  return [
    '# FSM sidecar interception rules',
    '*nat',
    ':FSM_PROXY_INBOUND - [0:0]',
    ':FSM_PROXY_IN_REDIRECT - [0:0]',
    ':FSM_PROXY_OUTBOUND - [0:0]',
    ':FSM_PROXY_OUT_REDIRECT - [0:0]',
    ...rules,
    'COMMIT',
  ].join('\n');
}

/** The init container's shell command: the rules fed to `iptables-restore --noflush` through a here-document. */
export function iptablesCommand(exclusions: Exclusions, proxyMode: LocalProxyMode = 'Localhost'): string {
  return `iptables-restore --noflush <<EOF\n${iptablesRules(exclusions, proxyMode)}\nEOF\n`;
}
