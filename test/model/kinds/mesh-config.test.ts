import t from 'tap';
import { createModelStore } from '../../../src/model/store.js';
import type { MeshObject } from '../../../src/model/types.js';

t.test('serviceCertValidityDuration outside 1m..8760h is refused with E4014 and the field; the previous MeshConfig stays', async (t) => {
  const store = createModelStore();
  const mc = (validity: string): MeshObject => ({
    apiVersion: 'config.flomesh.io/v1alpha3',
    kind: 'MeshConfig',
    metadata: { name: 'fsm-mesh-config', namespace: 'fsm-system' },
    spec: { certificate: { serviceCertValidityDuration: validity } },
  });
  t.same(store.apply([{ type: 'upsert', object: mc('12h') }]).errors, []);
  for (const bad of ['-5h', '0s', '0', '1ms', '1s', '59s', '8761h', '876000h']) {
    const r = store.apply([{ type: 'upsert', object: mc(bad) }]);
    t.same(
      r.errors.map((e) => `${e.field}|${e.code}|${e.reason}`),
      [`spec.certificate.serviceCertValidityDuration|E4014|Invalid value: "${bad}": spec.certificate.serviceCertValidityDuration must be between 1m and 8760h`],
      bad,
    );
    t.equal(store.meshConfig.spec.certificate?.serviceCertValidityDuration, '12h', `${bad}: the previous MeshConfig stays`);
  }
  for (const good of ['1m', '60s', '24h', '8760h']) t.same(store.apply([{ type: 'upsert', object: mc(good) }]).errors, [], good);
  const ingress = store.apply([{
    type: 'upsert',
    object: { ...mc('24h'), spec: { certificate: { ingressGateway: { subjectAltNames: [], validityDuration: '1s', secret: { name: 's', namespace: 'n' } } } } },
  }]);
  t.match(ingress.errors, [{ field: 'spec.certificate.ingressGateway.validityDuration', code: 'E4014' }]);
});
