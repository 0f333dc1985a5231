/**
 * A STAND-IN for a Consul agent's HTTP API (no Consul server runs on these
 * machines; see /work/shared/reference/environment.md). It speaks the real
 * wire protocol of the endpoints fsm-control-plane and the `consul` npm
 * client use, proven by test/stand-ins/consul-stand-in.test.ts which drives
 * it with that client:
 *
 * - `PUT /v1/catalog/register` and `/v1/catalog/deregister` (node, service,
 *   check or checks; deregistering a node removes its services and checks);
 * - `PUT /v1/agent/service/register` (with a TTL or plain check),
 *   `/v1/agent/service/deregister/<id>`, `/v1/agent/check/pass|warn|fail/<id>`
 *   on the agent's own node;
 * - `GET /v1/catalog/node/<node>` (the node and its services; `null` for an unknown node);
 * - `GET /v1/catalog/services` (`{name: [tags]}`), `/v1/catalog/service/<name>`
 *   and `/v1/health/service/<name>` (`passing`, `tag`), each a blocking
 *   query: with `index=N` the answer is held while the query's index is
 *   still N (at most `wait`, default 5m, plus up to wait/16 as Consul adds),
 *   and every answer carries `X-Consul-Index`, `X-Consul-KnownLeader` and
 *   `X-Consul-LastContact`;
 * - `dc` (one datacenter, `dc1` by default; another gets Consul's 500 "No
 *   path to datacenter") and ACL tokens (`X-Consul-Token` or `?token=`;
 *   wrong or missing tokens get 403 "ACL not found" when one is set).
 *
 * Indexes: one Raft index for the whole store, bumped by every write; the
 * services list answers the index of its last change, a service's
 * endpoints the index of the last change to that service's instances or
 * checks (what Consul's per-table indexes give clients). Simplifications:
 * no `filter` expressions, no namespaces or partitions, no node checks
 * other than those registered, no TTL expiry (checks change only when told).
 */
import { createHttpStandIn, type HttpStandIn, type StandInRequest, type StandInResponse } from './http-stand-in.js';

interface Node {
  Node: string;
  Address: string;
  Meta: Record<string, string>;
}
interface ServiceEntry {
  ID: string;
  Service: string;
  Tags: string[];
  Address: string;
  Port: number;
  Meta: Record<string, string>;
  CreateIndex: number;
  ModifyIndex: number;
}
interface Check {
  Node: string;
  CheckID: string;
  Name: string;
  Status: 'passing' | 'warning' | 'critical';
  Notes: string;
  Output: string;
  ServiceID: string;
  ServiceName: string;
  CreateIndex: number;
  ModifyIndex: number;
}

export interface ConsulStandInOptions {
  readonly datacenter?: string;
  /** When set, every request must carry it. */
  readonly token?: string;
  /** The agent's node for /v1/agent endpoints; default `stand-in-agent` at 127.0.0.1. */
  readonly agentNode?: string;
}

export interface ConsulStandIn {
  readonly http: HttpStandIn;
  readonly url: string;
  /** The current Raft index. */
  index(): number;
  /** Registers an instance directly (as a test fixture), with a passing or other check. */
  register(entry: { node?: string; address?: string; id: string; service: string; serviceAddress?: string; port: number; tags?: string[]; meta?: Record<string, string>; status?: Check['Status'] }): void;
  deregister(id: string, node?: string): void;
  setStatus(id: string, status: Check['Status'], node?: string): void;
  /** Many instances in one index bump (benchmarks). */
  registerMany(entries: readonly { id: string; service: string; address: string; port: number }[]): void;
  /** Blocking queries waiting now. */
  waiting(): number;
  close(): Promise<void>;
}

const MAX_WAIT_MS = 10 * 60_000;

function parseWait(text: string | null): number {
  if (!text) return 5 * 60_000;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text);
  if (!m) return 5 * 60_000;
  const n = Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's'] ?? 1000);
  return Math.min(n, MAX_WAIT_MS);
}

export async function createConsulStandIn(options: ConsulStandInOptions = {}): Promise<ConsulStandIn> {
  const dc = options.datacenter ?? 'dc1';
  const agentNode = options.agentNode ?? 'stand-in-agent';
  const nodes = new Map<string, Node>();
  const services = new Map<string, ServiceEntry & { Node: string }>(); // key node/id
  const byName = new Map<string, Set<string>>(); // service name → keys
  const index = (key: string, name: string | undefined, add: boolean) => {
    if (name === undefined) return;
    let set = byName.get(name);
    if (!set) byName.set(name, (set = new Set()));
    if (add) set.add(key);
    else {
      set.delete(key);
      if (set.size === 0) byName.delete(name);
    }
  };
  const checks = new Map<string, Check>(); // key node/checkId
  const checksBy = new Map<string, Set<string>>(); // node/serviceId ('' for node checks) → check keys
  const setCheck = (key: string, c: Check) => {
    const prev = checks.get(key);
    if (prev) checksBy.get(`${prev.Node}/${prev.ServiceID}`)?.delete(key);
    checks.set(key, c);
    const k = `${c.Node}/${c.ServiceID}`;
    let set = checksBy.get(k);
    if (!set) checksBy.set(k, (set = new Set()));
    set.add(key);
  };
  const deleteCheck = (key: string) => {
    const c = checks.get(key);
    if (!c) return;
    checks.delete(key);
    checksBy.get(`${c.Node}/${c.ServiceID}`)?.delete(key);
  };
  let raft = 1;
  let servicesIndex = 1;
  const serviceIndex = new Map<string, number>();
  const waiters = new Set<{ wake: () => void }>();

  const bump = (...names: string[]) => {
    raft++;
    servicesIndex = raft;
    for (const n of names) serviceIndex.set(n, raft);
    for (const w of [...waiters]) w.wake();
  };
  nodes.set(agentNode, { Node: agentNode, Address: '127.0.0.1', Meta: {} });

  function upsertNode(name: string, address: string, meta: Record<string, string> = {}): void {
    const prev = nodes.get(name);
    nodes.set(name, { Node: name, Address: address || prev?.Address || '', Meta: { ...(prev?.Meta ?? {}), ...meta } });
  }

  function upsertService(node: string, s: { ID?: string; Service: string; Tags?: string[]; Address?: string; Port?: number; Meta?: Record<string, string> }): string {
    const id = s.ID || s.Service;
    const key = `${node}/${id}`;
    const prev = services.get(key);
    index(key, prev?.Service, false);
    index(key, s.Service, true);
    services.set(key, {
      Node: node,
      ID: id,
      Service: s.Service,
      Tags: s.Tags ?? [],
      Address: s.Address ?? '',
      Port: s.Port ?? 0,
      Meta: s.Meta ?? {},
      CreateIndex: prev?.CreateIndex ?? raft + 1,
      ModifyIndex: raft + 1,
    });
    return s.Service;
  }

  function upsertCheck(node: string, c: { CheckID?: string; Name?: string; Status?: string; ServiceID?: string; Notes?: string; Output?: string }): string | undefined {
    const svc = c.ServiceID ? services.get(`${node}/${c.ServiceID}`) : undefined;
    const id = c.CheckID || (c.ServiceID ? `service:${c.ServiceID}` : c.Name || 'check');
    const prev = checks.get(`${node}/${id}`);
    const status = c.Status === 'passing' || c.Status === 'warning' ? c.Status : c.Status === undefined ? 'critical' : 'critical';
    setCheck(`${node}/${id}`, {
      Node: node,
      CheckID: id,
      Name: c.Name ?? id,
      Status: status,
      Notes: c.Notes ?? '',
      Output: c.Output ?? '',
      ServiceID: c.ServiceID ?? '',
      ServiceName: svc?.Service ?? '',
      CreateIndex: prev?.CreateIndex ?? raft + 1,
      ModifyIndex: raft + 1,
    });
    return svc?.Service;
  }

  function removeService(node: string, id: string): string | undefined {
    const s = services.get(`${node}/${id}`);
    if (!s) return undefined;
    services.delete(`${node}/${id}`);
    index(`${node}/${id}`, s.Service, false);
    for (const k of [...(checksBy.get(`${node}/${id}`) ?? [])]) deleteCheck(k);
    return s.Service;
  }

  const entries = (name: string) =>
    [...(byName.get(name) ?? [])].map((k) => services.get(k) as ServiceEntry & { Node: string }).sort((a, b) => (a.Node + a.ID < b.Node + b.ID ? -1 : 1));
  const nodeView = (n: string) => {
    const node = nodes.get(n) ?? { Node: n, Address: '', Meta: {} };
    return { ID: '', Node: node.Node, Address: node.Address, Datacenter: dc, TaggedAddresses: { lan: node.Address, wan: node.Address }, Meta: node.Meta, CreateIndex: 1, ModifyIndex: 1 };
  };
  const svcView = (s: ServiceEntry) => ({
    ID: s.ID, Service: s.Service, Tags: s.Tags, Address: s.Address, Meta: s.Meta, Port: s.Port, Weights: { Passing: 1, Warning: 1 },
    EnableTagOverride: false, CreateIndex: s.CreateIndex, ModifyIndex: s.ModifyIndex,
  });
  const checksOf = (node: string, id: string) =>
    [...(checksBy.get(`${node}/${id}`) ?? []), ...(checksBy.get(`${node}/`) ?? [])].map((k) => checks.get(k) as Check);

  /** Answers a blocking query: held while `index` is still the query's index. */
  async function blocking(req: StandInRequest, indexOf: () => number, answer: () => unknown): Promise<StandInResponse> {
    const requested = Number(req.url.searchParams.get('index') ?? '0');
    const wait = parseWait(req.url.searchParams.get('wait'));
    if (requested > 0) {
      if (http.holdsLongPolls()) return new Promise<StandInResponse>(() => undefined);
      if (indexOf() <= requested) {
        await new Promise<void>((resolve) => {
          const w = {
            wake: () => {
              if (indexOf() > requested || req.gone()) done();
            },
          };
          const done = () => {
            clearTimeout(timer);
            waiters.delete(w);
            resolve();
          };
          // Consul adds up to wait/16 of jitter.
          const timer = setTimeout(done, wait + Math.random() * (wait / 16));
          waiters.add(w);
        });
      }
    }
    return {
      status: 200,
      headers: { 'X-Consul-Index': String(Math.max(1, indexOf())), 'X-Consul-KnownLeader': 'true', 'X-Consul-LastContact': '0' },
      body: answer(),
    };
  }

  function authorized(req: StandInRequest): boolean {
    if (!options.token) return true;
    const given = (req.headers['x-consul-token'] as string | undefined) ?? req.url.searchParams.get('token') ?? '';
    return given === options.token;
  }

  const json = (req: StandInRequest): Record<string, any> => (req.body.length ? (JSON.parse(req.body.toString('utf8')) as Record<string, any>) : {});

  const http = await createHttpStandIn(async (req) => {
    const path = req.url.pathname;
    if (!authorized(req)) return { status: 403, body: 'ACL not found' };
    const askedDc = req.url.searchParams.get('dc');
    if (askedDc && askedDc !== dc) return { status: 500, body: 'No path to datacenter' };

    if (req.method === 'PUT' && path === '/v1/catalog/register') {
      const b = json(req);
      if (!b.Node || !b.Address) return { status: 400, body: 'Must provide node and address' };
      upsertNode(b.Node, b.Address, b.NodeMeta);
      const touched: string[] = [];
      if (b.Service) touched.push(upsertService(b.Node, b.Service));
      for (const c of [...(b.Check ? [b.Check] : []), ...(Array.isArray(b.Checks) ? b.Checks : [])]) {
        const n = upsertCheck(b.Node, c);
        if (n) touched.push(n);
      }
      bump(...touched);
      return { status: 200, body: true };
    }
    if (req.method === 'PUT' && path === '/v1/catalog/deregister') {
      const b = json(req);
      if (!b.Node) return { status: 400, body: 'Must provide node' };
      const touched: string[] = [];
      if (b.ServiceID) {
        const n = removeService(b.Node, b.ServiceID);
        if (n) touched.push(n);
      } else if (b.CheckID) {
        const c = checks.get(`${b.Node}/${b.CheckID}`);
        deleteCheck(`${b.Node}/${b.CheckID}`);
        if (c?.ServiceName) touched.push(c.ServiceName);
      } else {
        for (const s of [...services.values()]) if (s.Node === b.Node) touched.push(removeService(b.Node, s.ID) as string);
        for (const [k, c] of [...checks]) if (c.Node === b.Node) deleteCheck(k);
        nodes.delete(b.Node);
      }
      bump(...touched);
      return { status: 200, body: true };
    }
    if (req.method === 'PUT' && path === '/v1/agent/service/register') {
      const b = json(req);
      if (!b.Name) return { status: 400, body: 'Missing service name' };
      const name = upsertService(agentNode, { ID: b.ID, Service: b.Name, Tags: b.Tags, Address: b.Address, Port: b.Port, Meta: b.Meta });
      const id = b.ID || b.Name;
      const defs = [...(b.Check ? [b.Check] : []), ...(Array.isArray(b.Checks) ? b.Checks : [])];
      defs.forEach((c: Record<string, any>, i: number) =>
        upsertCheck(agentNode, { CheckID: c.CheckID ?? (defs.length > 1 ? `service:${id}:${i + 1}` : `service:${id}`), Name: c.Name ?? `Service '${b.Name}' check`, Status: c.Status ?? (c.TTL ? 'critical' : 'passing'), ServiceID: id, Notes: c.Notes }),
      );
      bump(name);
      return { status: 200, body: '' };
    }
    const agentDereg = /^\/v1\/agent\/service\/deregister\/(.+)$/.exec(path);
    if (req.method === 'PUT' && agentDereg) {
      const n = removeService(agentNode, decodeURIComponent(agentDereg[1] as string));
      if (!n) return { status: 404, body: 'Unknown service ID' };
      bump(n);
      return { status: 200, body: '' };
    }
    const ttl = /^\/v1\/agent\/check\/(pass|warn|fail)\/(.+)$/.exec(path);
    if (req.method === 'PUT' && ttl) {
      const c = checks.get(`${agentNode}/${decodeURIComponent(ttl[2] as string)}`);
      if (!c) return { status: 404, body: 'Unknown check ID' };
      c.Status = ttl[1] === 'pass' ? 'passing' : ttl[1] === 'warn' ? 'warning' : 'critical';
      c.ModifyIndex = raft + 1;
      bump(c.ServiceName);
      return { status: 200, body: '' };
    }
    if (req.method === 'GET' && path === '/v1/catalog/services') {
      return blocking(req, () => servicesIndex, () => {
        const out: Record<string, string[]> = {};
        for (const s of services.values()) out[s.Service] = [...new Set([...(out[s.Service] ?? []), ...s.Tags])];
        return out;
      });
    }
    const catalogService = /^\/v1\/catalog\/service\/(.+)$/.exec(path);
    if (req.method === 'GET' && catalogService) {
      const name = decodeURIComponent(catalogService[1] as string);
      const tag = req.url.searchParams.get('tag');
      return blocking(req, () => serviceIndex.get(name) ?? servicesIndex, () =>
        entries(name)
          .filter((s) => !tag || s.Tags.includes(tag))
          .map((s) => {
            const n = nodeView(s.Node);
            return {
              ID: '', Node: n.Node, Address: n.Address, Datacenter: dc, TaggedAddresses: n.TaggedAddresses, NodeMeta: n.Meta,
              ServiceID: s.ID, ServiceName: s.Service, ServiceTags: s.Tags, ServiceAddress: s.Address, ServicePort: s.Port, ServiceMeta: s.Meta,
              ServiceWeights: { Passing: 1, Warning: 1 }, ServiceEnableTagOverride: false, CreateIndex: s.CreateIndex, ModifyIndex: s.ModifyIndex,
            };
          }),
      );
    }
    const nodeServices = /^\/v1\/catalog\/node\/(.+)$/.exec(path);
    if (req.method === 'GET' && nodeServices) {
      const name = decodeURIComponent(nodeServices[1] as string);
      if (!nodes.has(name)) return { status: 200, headers: { 'X-Consul-Index': String(raft) }, body: null };
      const list = [...services.values()].filter((s) => s.Node === name);
      return { status: 200, headers: { 'X-Consul-Index': String(raft) }, body: { Node: nodeView(name), Services: Object.fromEntries(list.map((s) => [s.ID, svcView(s)])) } };
    }
    const health = /^\/v1\/health\/service\/(.+)$/.exec(path);
    if (req.method === 'GET' && health) {
      const name = decodeURIComponent(health[1] as string);
      const passing = req.url.searchParams.has('passing') && req.url.searchParams.get('passing') !== 'false';
      const tag = req.url.searchParams.get('tag');
      return blocking(req, () => serviceIndex.get(name) ?? servicesIndex, () =>
        entries(name)
          .filter((s) => !tag || s.Tags.includes(tag))
          .map((s) => ({ Node: nodeView(s.Node), Service: svcView(s), Checks: checksOf(s.Node, s.ID) }))
          .filter((e) => !passing || e.Checks.every((c) => c.Status === 'passing')),
      );
    }
    return { status: 404, body: `stand-in: no route ${req.method} ${path}` };
  }, { onDrop: () => { for (const w of [...waiters]) w.wake(); } });

  return {
    http,
    get url() {
      return http.url;
    },
    index: () => raft,
    register(e) {
      const node = e.node ?? 'node-1';
      upsertNode(node, e.address ?? '127.0.0.1');
      const name = upsertService(node, { ID: e.id, Service: e.service, Address: e.serviceAddress ?? '', Port: e.port, Tags: e.tags ?? [], Meta: e.meta ?? {} });
      upsertCheck(node, { CheckID: `service:${e.id}`, Status: e.status ?? 'passing', ServiceID: e.id });
      bump(name);
    },
    deregister(id, node = 'node-1') {
      const n = removeService(node, id);
      if (n) bump(n);
    },
    setStatus(id, status, node = 'node-1') {
      const c = checks.get(`${node}/service:${id}`);
      if (!c) throw new Error(`no check for ${id}`);
      c.Status = status;
      c.ModifyIndex = raft + 1;
      bump(c.ServiceName);
    },
    registerMany(list) {
      upsertNode('node-1', '127.0.0.1');
      const touched = new Set<string>();
      for (const e of list) {
        touched.add(upsertService('node-1', { ID: e.id, Service: e.service, Address: e.address, Port: e.port }));
        upsertCheck('node-1', { CheckID: `service:${e.id}`, Status: 'passing', ServiceID: e.id });
      }
      bump(...touched);
    },
    waiting: () => waiters.size,
    close: () => http.close(),
  };
}
