/**
 * Hosts one registry stand-in (Consul, Eureka or Nacos) in its own process
 * for bench/registries.ts, so that the benchmark's heap holds only what the
 * source and the model keep. Started with fork(); argv: kind, services,
 * instances per service. Sends `{url}` once filled; on `{add: [s, i]}`
 * registers one more instance and answers `{added: true}`.
 */
import { createConsulStandIn } from '../test/stand-ins/consul-stand-in.js';
import { createEurekaStandIn } from '../test/stand-ins/eureka-stand-in.js';
import { createNacosStandIn } from '../test/stand-ins/nacos-stand-in.js';

export const benchIp = (s: number, i: number): string => `10.${Math.floor(s / 250) + 1}.${s % 250}.${i + 1}`;
export const benchService = (s: number): string => `svc-${s}`;

async function main(): Promise<void> {
  const [kind, servicesText, perText] = process.argv.slice(2);
  const services = Number(servicesText);
  const per = Number(perText);
  const all = Array.from({ length: services * per }, (_, n) => ({ s: Math.floor(n / per), i: n % per }));
  let url: string;
  let add: (s: number, i: number) => void;
  let close: () => Promise<void>;
  if (kind === 'consul') {
    const c = await createConsulStandIn();
    c.registerMany(all.map(({ s, i }) => ({ id: `i-${s}-${i}`, service: benchService(s), address: benchIp(s, i), port: 8080 })));
    url = c.url;
    add = (s, i) => c.registerMany([{ id: `new-${s}-${i}`, service: benchService(s), address: benchIp(s, i), port: 8080 }]);
    close = () => c.close();
  } else if (kind === 'eureka') {
    const e = await createEurekaStandIn();
    e.registerMany(all.map(({ s, i }) => ({ app: benchService(s), instanceId: `i-${s}-${i}`, ipAddr: benchIp(s, i), port: 8080 })));
    // As in a registry that has been running: the bulk was registered longer ago than the delta retention.
    e.dropDeltas();
    url = e.url;
    add = (s, i) => e.registerMany([{ app: benchService(s), instanceId: `new-${s}-${i}`, ipAddr: benchIp(s, i), port: 8080 }]);
    close = () => e.close();
  } else {
    const n = await createNacosStandIn();
    n.registerMany(all.map(({ s, i }) => ({ service: benchService(s), ip: benchIp(s, i), port: 8080 })));
    url = n.url;
    add = (s, i) => n.registerMany([{ service: benchService(s), ip: benchIp(s, i), port: 8080 }]);
    close = () => n.close();
  }
  process.on('message', (m: { add?: [number, number]; close?: boolean }) => {
    if (m.add) {
      add(m.add[0], m.add[1]);
      process.send?.({ added: true });
    }
    if (m.close) void close().then(() => process.disconnect());
  });
  process.send?.({ url });
}

if (process.send) void main();
