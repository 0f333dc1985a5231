/**
 * The parts of FSM's gateway config that do not come from routes: `Configs`
 * (fgw.Defaults, from MeshConfig `gatewayAPI` but for StripAnyHostPort), the script `Chains` every
 * protocol runs (FSM 1.3's defaults, pkg/gateway/cache/types.go) and
 * `Features`. The chains name scripts of FSM's gateway codebase; the
 * built-in base reads neither.
 */
import type { ModelView } from '../../model/view.js';

export function configsOf(view: ModelView): Record<string, unknown> {
  const g = view.meshConfig.spec.gatewayAPI;
  return {
    EnableDebug: g.fgwLogLevel === 'debug' || g.fgwLogLevel === 'trace',
    DefaultPassthroughUpstreamPort: g.sslPassthroughUpstreamPort,
    // The Gateway API matches hostnames ignoring the Host header's port (HTTPRoute `hostnames`: MUST); FSM's
    // http/route.js retries without the port only with this set, so MeshConfig's stripAnyHostPort (FSM's default
    // false, which answered 404 to "a.example.com:8080") cannot turn it off.
    StripAnyHostPort: true,
    ProxyPreserveHost: g.proxyPreserveHost,
    HTTP1PerRequestLoadBalancing: g.http1PerRequestLoadBalancing,
    HTTP2PerRequestLoadBalancing: g.http2PerRequestLoadBalancing,
    // FSM's controller always sets 60 s.
    SocketTimeout: 60,
  };
}

const HTTP_TAIL = [
  'http/codec.js',
  'http/access-log.js',
  'http/auth.js',
  'http/route.js',
  'http/access-control-domain.js',
  'http/access-control-route.js',
  'http/fault-injection.js',
  'http/service.js',
  'http/metrics.js',
  'http/tracing.js',
  'http/logging.js',
  'http/circuit-breaker.js',
  'http/throttle-domain.js',
  'http/throttle-route.js',
  'http/error-page.js',
  'http/proxy-redirect.js',
  'filter/request-redirect.js',
  'filter/header-modifier.js',
  'filter/url-rewrite.js',
  'filter/request-mirror.js',
  'http/forward.js',
  'http/default.js',
];

export const CHAINS = {
  HTTPRoute: ['common/access-control.js', 'common/ratelimit.js', 'common/consumer.js', ...HTTP_TAIL],
  HTTPSRoute: ['common/access-control.js', 'common/ratelimit.js', 'common/tls-termination.js', 'common/consumer.js', ...HTTP_TAIL],
  TLSPassthrough: ['common/access-control.js', 'common/ratelimit.js', 'tls/passthrough.js', 'common/consumer.js'],
  TLSTerminate: ['common/access-control.js', 'common/ratelimit.js', 'common/tls-termination.js', 'common/consumer.js', 'tls/forward.js'],
  TCPRoute: ['common/access-control.js', 'common/ratelimit.js', 'tcp/forward.js'],
  UDPRoute: ['common/access-control.js', 'udp/forward.js'],
} as const;

export const FEATURES = { Logging: {}, Tracing: {}, Metrics: {} } as const;

/** The port Pipy listens on for a listener port: FSM's gateway runs unprivileged and adds 60000 below 1024. */
export function listenPort(port: number): number {
  return port < 1024 ? port + 60000 : port;
}
