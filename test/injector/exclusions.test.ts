import t from 'tap';
import { cidrsFromAnnotation, exclusionsFor, portsFromAnnotation } from '../../src/injector/exclusions.js';

// Cases of FSM's exclusions_test.go (pkg/injector): annotation parsing and merging with MeshConfig.

const OUT_PORTS = 'flomesh.io/outbound-port-exclusion-list';
const IN_PORTS = 'flomesh.io/inbound-port-exclusion-list';
const OUT_EXCL = 'flomesh.io/outbound-ip-range-exclusion-list';
const OUT_INCL = 'flomesh.io/outbound-ip-range-inclusion-list';

t.test('port lists from pod annotations', async (t) => {
  t.same(portsFromAnnotation({ [OUT_PORTS]: '6060, 7070' }, OUT_PORTS), [6060, 7070]);
  t.same(portsFromAnnotation({ [IN_PORTS]: '6060, 7070' }, IN_PORTS), [6060, 7070]);
  t.same(portsFromAnnotation(undefined, OUT_PORTS), []);
  t.throws(() => portsFromAnnotation({ [OUT_PORTS]: '6060, -7070' }, OUT_PORTS), { message: `Invalid port value '-7070' specified for annotation '${OUT_PORTS}'` });
  t.throws(() => portsFromAnnotation({ [IN_PORTS]: '6060, -7070' }, IN_PORTS), { message: `Invalid port value '-7070' specified for annotation '${IN_PORTS}'` });
  t.throws(() => portsFromAnnotation({ [IN_PORTS]: '0' }, IN_PORTS), /Invalid port value '0'/);
});

t.test('IP range lists from pod annotations', async (t) => {
  t.same(cidrsFromAnnotation({ [OUT_EXCL]: '10.0.0.0/8, 2.2.2.2/32' }, OUT_EXCL), ['10.0.0.0/8', '2.2.2.2/32']);
  t.same(cidrsFromAnnotation({ [OUT_INCL]: '10.0.0.0/8, 2.2.2.2/32' }, OUT_INCL), ['10.0.0.0/8', '2.2.2.2/32']);
  t.same(cidrsFromAnnotation(undefined, OUT_INCL), []);
  t.throws(() => cidrsFromAnnotation({ [OUT_EXCL]: 'foobar' }, OUT_EXCL), { message: `Invalid IP range 'foobar' specified for annotation '${OUT_EXCL}'` });
  t.same(cidrsFromAnnotation({ [OUT_EXCL]: 'fd00::/8' }, OUT_EXCL), ['fd00::/8']);
});

t.test('merging with MeshConfig: duplicates once; ports global first, IP ranges pod first', async (t) => {
  const global = {
    outboundPortExclusionList: [6060, 8080],
    inboundPortExclusionList: [8080],
    outboundIPRangeExclusionList: ['2.2.2.2/32', '3.3.3.3/32'],
    outboundIPRangeInclusionList: [],
    networkInterfaceExclusionList: ['eth1'],
  };
  const e = exclusionsFor({ [OUT_PORTS]: '6060,7070', [OUT_EXCL]: '1.1.1.1/32,2.2.2.2/32' }, global);
  t.same(e.outboundPorts, [6060, 8080, 7070]);
  t.same(e.inboundPorts, [8080]);
  t.same(e.outboundIPRangeExclusions, ['1.1.1.1/32', '2.2.2.2/32', '3.3.3.3/32']);
  t.same(e.outboundIPRangeInclusions, []);
  t.same(e.networkInterfaces, ['eth1']);
  t.same(exclusionsFor(undefined, { ...global, outboundPortExclusionList: [], inboundPortExclusionList: [], outboundIPRangeExclusionList: [] }).outboundPorts, []);
});
