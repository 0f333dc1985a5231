import { createInterface } from 'node:readline';
import {
  apiListener,
  clusterLoadAssignment,
  createSnapshot,
  createSnapshotCache,
  createXdsServer,
  edsCluster,
  routeConfiguration,
  TypeUrl,
} from 'fsm-control-plane';

// A controller that splits the gRPC target xds:///echo between two backends.
// Usage: controller.ts <xDS port> <backend a port> <backend b port>;
// each line on stdin, "<weight a> <weight b>", moves the traffic.
const [xdsPort = 18000, portA = 50051, portB = 50052] = process.argv.slice(2).map(Number);

const cache = createSnapshotCache({ nodeHash: () => 'all' }); // one snapshot for every client
const server = createXdsServer({ watcher: cache, legacyWildcard: false }); // gRPC clients need it off

function publish(weightA: number, weightB: number): void {
  const snapshot = createSnapshot({
    resources: {
      [TypeUrl.Listener]: [apiListener({ name: 'echo', routeConfigName: 'echo-routes' })],
      [TypeUrl.Route]: [
        routeConfiguration({
          name: 'echo-routes',
          virtualHosts: [{ name: 'echo', routes: [{ weightedClusters: [{ name: 'a', weight: weightA }, { name: 'b', weight: weightB }] }] }],
        }),
      ],
      [TypeUrl.Cluster]: [edsCluster({ name: 'a' }), edsCluster({ name: 'b' })],
      [TypeUrl.Endpoint]: [
        clusterLoadAssignment({ clusterName: 'a', endpoints: [{ address: '127.0.0.1', port: portA }] }),
        clusterLoadAssignment({ clusterName: 'b', endpoints: [{ address: '127.0.0.1', port: portB }] }),
      ],
    },
  });
  snapshot.checkConsistent(); // every RDS and EDS name the listener and clusters use is present
  cache.setSnapshot('all', snapshot);
  console.log(`serving a=${weightA} b=${weightB}`);
}

publish(100, 0);
console.log(`xDS on 127.0.0.1:${await server.listen(`127.0.0.1:${xdsPort}`)}`);
for await (const line of createInterface({ input: process.stdin })) {
  const [weightA = 0, weightB = 0] = line.trim().split(/\s+/).map(Number);
  try {
    publish(weightA, weightB);
  } catch (err) {
    console.error(String(err)); // refused (e.g. weights summing to 0): the last good snapshot stays
  }
}
await server.close({ graceMs: 1000 });
