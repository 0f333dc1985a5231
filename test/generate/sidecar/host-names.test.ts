import t from 'tap';
import type { GenContext } from '../../../src/generate/sidecar/context.js';
import { CLOUD_INHERITED_FROM, hostNames, type MeshPort } from '../../../src/generate/sidecar/mesh-services.js';
import type { SidecarMeshSettings } from '../../../src/generate/sidecar/mesh-settings.js';
import { readMeshSettings } from '../../../src/generate/sidecar/mesh-settings.js';
import { createMeshConfigView, effectiveMeshConfigSpec } from '../../../src/model/mesh-config.js';
import type { Service } from '../../../src/model/types.js';

// FSM's GetHostnamesForService (pkg/k8s/util.go), for every combination of
// mustWithServicePort, withTrustDomain, mustWithNamespace and
// cloud.withNamespace, for a caller in the service's namespace and outside
// it, for a Kubernetes service and a registry service. Expected lists are
// written out from FSM's code, in FSM's order.

type Names = { mustWithServicePort: boolean; withTrustDomain: boolean; mustWithNamespace: boolean; cloud: boolean };

function names(n: Names, local: boolean, fromRegistry: boolean, trustDomain = 'cluster.local'): string[] {
  const mesh = { mustWithServicePort: n.mustWithServicePort, withTrustDomain: n.withTrustDomain, mustWithNamespace: n.mustWithNamespace, cloudWithNamespace: n.cloud } as SidecarMeshSettings;
  const service = { metadata: { name: 'httpbin', namespace: 'app', ...(fromRegistry ? { annotations: { [CLOUD_INHERITED_FROM]: 'consul' } } : {}) } } as Service;
  const port: MeshPort = { namespace: 'app', name: 'httpbin', portName: 'http', port: 14001, targetPort: 8080, protocol: 'http', service };
  return hostNames({ mesh, trustDomain } as GenContext, port, local);
}

const withPort = (hs: string[]) => hs.flatMap((h) => [h, `${h}:14001`]);
const portOnly = (hs: string[]) => hs.map((h) => `${h}:14001`);
const FQDN = ['httpbin.app.svc', 'httpbin.app.svc.cluster', 'httpbin.app.svc.cluster.local'];

t.test('the CRD defaults: svc.ns and the trust-domain names; bare svc only from the same namespace', async (t) => {
  const defaults = readMeshSettings(createMeshConfigView(effectiveMeshConfigSpec(undefined)));
  t.same(
    { mustWithServicePort: defaults.mustWithServicePort, withTrustDomain: defaults.withTrustDomain, mustWithNamespace: defaults.mustWithNamespace, cloud: defaults.cloudWithNamespace },
    { mustWithServicePort: false, withTrustDomain: true, mustWithNamespace: true, cloud: true },
    'FSM CRD defaults',
  );
  const d: Names = { mustWithServicePort: false, withTrustDomain: true, mustWithNamespace: true, cloud: true };
  t.same(names(d, false, false), withPort(['httpbin.app', ...FQDN]), 'httpbin.app.svc.cluster.local is matched by host');
  t.same(names(d, true, false), withPort(['httpbin', 'httpbin.app', ...FQDN]));
});

t.test('every combination of the four settings, local and remote, Kubernetes and registry services', async (t) => {
  for (const mustWithServicePort of [false, true]) {
    for (const withTrustDomain of [false, true]) {
      for (const mustWithNamespace of [false, true]) {
        for (const cloud of [false, true]) {
          for (const local of [false, true]) {
            for (const fromRegistry of [false, true]) {
              const expand = mustWithServicePort ? portOnly : withPort;
              const expected: string[] = [];
              if (local || !mustWithNamespace) expected.push(...expand(['httpbin']));
              if (fromRegistry && !cloud) expected.push(...expand(['httpbin']));
              else expected.push(...expand(['httpbin.app', ...(withTrustDomain ? FQDN : [])]));
              const label = JSON.stringify({ mustWithServicePort, withTrustDomain, mustWithNamespace, cloud, local, fromRegistry });
              t.same(names({ mustWithServicePort, withTrustDomain, mustWithNamespace, cloud }, local, fromRegistry), expected, label);
            }
          }
        }
      }
    }
  }
});

t.test('the trust domain gives one name per label; empty labels are skipped', async (t) => {
  const n: Names = { mustWithServicePort: true, withTrustDomain: true, mustWithNamespace: true, cloud: true };
  t.same(names(n, false, false, 'mesh.example..org'), portOnly(['httpbin.app', 'httpbin.app.svc', 'httpbin.app.svc.mesh', 'httpbin.app.svc.mesh.example', 'httpbin.app.svc.mesh.example.org']));
});
