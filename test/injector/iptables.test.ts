import t from 'tap';
import { iptablesCommand } from '../../src/injector/iptables.js';
import type { Exclusions } from '../../src/injector/exclusions.js';

// The three cases of FSM's TestGenerateIptablesCommands (pkg/injector/iptables_test.go): the init
// container's command must be byte-for-byte what FSM's injector writes.

const none: Exclusions = { outboundPorts: [], inboundPorts: [], outboundIPRangeExclusions: [], outboundIPRangeInclusions: [], networkInterfaces: [] };

const header = ['iptables-restore --noflush <<EOF', '# FSM sidecar interception rules', '*nat', ':FSM_PROXY_INBOUND - [0:0]', ':FSM_PROXY_IN_REDIRECT - [0:0]', ':FSM_PROXY_OUTBOUND - [0:0]', ':FSM_PROXY_OUT_REDIRECT - [0:0]'];
const inbound = [
  '-A FSM_PROXY_IN_REDIRECT -p tcp -j REDIRECT --to-port 15003',
  '-A PREROUTING -p tcp -j FSM_PROXY_INBOUND',
  ...[15010, 15901, 15902, 15903, 15904].map((p) => `-A FSM_PROXY_INBOUND -p tcp --dport ${p} -j RETURN`),
  '-A FSM_PROXY_INBOUND -p tcp -j FSM_PROXY_IN_REDIRECT',
];
const outbound = [
  '-A FSM_PROXY_OUT_REDIRECT -p tcp -j REDIRECT --to-port 15001',
  '-A FSM_PROXY_OUT_REDIRECT -p tcp --dport 15000 -j ACCEPT',
  '-A OUTPUT -p tcp -j FSM_PROXY_OUTBOUND',
  '-A FSM_PROXY_OUTBOUND -o lo ! -d 127.0.0.1/32 -m owner --uid-owner 1500 -j FSM_PROXY_IN_REDIRECT',
  '-A FSM_PROXY_OUTBOUND -o lo -m owner ! --uid-owner 1500 -j RETURN',
  '-A FSM_PROXY_OUTBOUND -m owner --uid-owner 1500 -j RETURN',
  '-A FSM_PROXY_OUTBOUND -d 127.0.0.1/32 -j RETURN',
];
const footer = ['COMMIT', 'EOF', ''];

t.test('no exclusions or inclusions', async (t) => {
  t.equal(iptablesCommand(none), [...header, ...inbound, ...outbound, '-A FSM_PROXY_OUTBOUND -j FSM_PROXY_OUT_REDIRECT', ...footer].join('\n'));
});

t.test('with exclusions and inclusions', async (t) => {
  const actual = iptablesCommand({
    outboundIPRangeExclusions: ['1.1.1.1/32', '2.2.2.2/32'],
    outboundIPRangeInclusions: ['3.3.3.3/32', '4.4.4.4/32'],
    outboundPorts: [10, 20],
    inboundPorts: [30, 40],
    networkInterfaces: ['eth0', 'eth1'],
  });
  const expected = [
    ...header,
    ...inbound,
    '-I FSM_PROXY_INBOUND -i eth0 -j RETURN',
    '-I FSM_PROXY_INBOUND -i eth1 -j RETURN',
    '-I FSM_PROXY_INBOUND -p tcp --match multiport --dports 30,40 -j RETURN',
    ...outbound,
    '-A FSM_PROXY_OUTBOUND -o eth0 -j RETURN',
    '-A FSM_PROXY_OUTBOUND -o eth1 -j RETURN',
    '-A FSM_PROXY_OUTBOUND -d 1.1.1.1/32 -j RETURN',
    '-A FSM_PROXY_OUTBOUND -d 2.2.2.2/32 -j RETURN',
    '-A FSM_PROXY_OUTBOUND -p tcp --match multiport --dports 10,20 -j RETURN',
    '-A FSM_PROXY_OUTBOUND -d 3.3.3.3/32 -j FSM_PROXY_OUT_REDIRECT',
    '-A FSM_PROXY_OUTBOUND -d 4.4.4.4/32 -j FSM_PROXY_OUT_REDIRECT',
    '-A FSM_PROXY_OUTBOUND -j RETURN',
    ...footer,
  ];
  t.equal(actual, expected.join('\n'));
});

t.test('proxy mode PodIP: sidecar-to-localhost traffic is sent to the pod IP', async (t) => {
  const expected = [
    ...header,
    ...inbound,
    ...outbound,
    '-I OUTPUT -p tcp -o lo -d 127.0.0.1/32 -m owner --uid-owner 1500 -j DNAT --to-destination $POD_IP',
    '-A FSM_PROXY_OUTBOUND -j FSM_PROXY_OUT_REDIRECT',
    ...footer,
  ];
  t.equal(iptablesCommand(none, 'PodIP'), expected.join('\n'));
});
