// The default base codebase of fsm-control-plane: a minimal Pipy sidecar.
// The control plane overlays /config.json per proxy (FSM's PipyConf shape);
// this script only forwards TCP transparently, so it is a starting point and
// a protocol test fixture. Pass --pipy-codebase DIR to serve FSM's full
// sidecar scripts instead.
((
  config = JSON.decode(pipy.load('config.json')) || {},
  timeout = config.Spec?.SidecarTimeout > 0 ? config.Spec.SidecarTimeout : 60,
  timeouts = { connectTimeout: timeout, readTimeout: timeout, writeTimeout: timeout, idleTimeout: timeout },
  conf = pipy({ _target: '' }),
) => (
  // Inbound (15003): traffic redirected to the pod goes to the application on
  // loopback, sent from 127.0.0.6 so that the redirect rules do not catch it again.
  config.Inbound?.TrafficMatches && conf
    .listen(15003, { transparent: true, ...timeouts })
    .handleStreamStart(() => void (_target = `127.0.0.1:${__inbound.destinationPort}`))
    .connect(() => _target, { bind: '127.0.0.6', ...timeouts }),

  // Outbound (15001): traffic the application sends goes to its original destination.
  (config.Outbound || config.Spec?.Traffic?.EnableEgress) && conf
    .listen(15001, { transparent: true, ...timeouts })
    .handleStreamStart(() => void (_target = `${__inbound.destinationAddress}:${__inbound.destinationPort}`))
    .connect(() => _target, timeouts),

  conf
))()
