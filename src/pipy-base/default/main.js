// The default base codebase of fsm-control-plane: a minimal Pipy sidecar.
// The control plane overlays /config.json per proxy (FSM's PipyConf shape);
// this script only forwards TCP transparently, so it is a starting point and
// a protocol test fixture. Pass --pipy-codebase DIR to serve FSM's full
// sidecar scripts instead.
//
// Both listeners always exist, whatever the config holds: Pipy (1.5.14) counts
// a script that listens on nothing as finished, so a proxy without traffic
// matches would never start and would re-download its codebase every 5 s.
// A port the config does not know is refused instead.
((
  config = JSON.decode(pipy.load('config.json')) || {},
  timeout = config.Spec?.SidecarTimeout > 0 ? config.Spec.SidecarTimeout : 60,
  timeouts = { connectTimeout: timeout, readTimeout: timeout, writeTimeout: timeout, idleTimeout: timeout },
  inboundPorts = config.Inbound?.TrafficMatches || {},
  outboundPorts = config.Outbound?.TrafficMatches || {},
  egress = Boolean(config.Spec?.Traffic?.EnableEgress),
  refuse = $ => $.replaceStreamStart(new StreamEnd('ConnectionReset')),
) => pipy({ _target: '' })

  // Inbound (15003): traffic redirected to the pod goes to the application on
  // loopback, sent from 127.0.0.6 so that the redirect rules do not catch it again.
  .listen(15003, { transparent: true, ...timeouts })
  .handleStreamStart(() => void (
    _target = inboundPorts[__inbound.destinationPort] ? `127.0.0.1:${__inbound.destinationPort}` : ''
  ))
  .branch(() => _target, $ => $.connect(() => _target, { bind: '127.0.0.6', ...timeouts }), refuse)

  // Outbound (15001): traffic the application sends goes to its original destination.
  .listen(15001, { transparent: true, ...timeouts })
  .handleStreamStart(() => void (
    _target = egress || outboundPorts[__inbound.destinationPort] ? `${__inbound.destinationAddress}:${__inbound.destinationPort}` : ''
  ))
  .branch(() => _target, $ => $.connect(() => _target, timeouts), refuse)
)()
