// The built-in default base of fsm-control-plane's gateways: a small PipyJS
// gateway that reads the config.json the controller overlays (FSM 1.3's
// gateway config, see docs/gateway.md) and routes HTTP as the Gateway API
// specifies: by host (exact names, then the most specific wildcard, then
// any), by match (path Exact/PathPrefix/RegularExpression, method, headers,
// query parameters; the config lists matches in precedence order, the first
// that matches wins) and by weight between backends, then round-robin
// between a backend's endpoints.
//
// Answers: 404 when no host or match applies; 500 for the share of requests
// the config sends to a backend that did not resolve (`!unresolved`) or has
// no endpoint; 301/302 for RequestRedirect. Filters supported: RequestRedirect,
// URLRewrite, RequestHeaderModifier, ResponseHeaderModifier. Policies, TLS,
// TCP and UDP need FSM's gateway scripts (--gateway-codebase DIR): other
// listeners are opened and their connections refused.
((
  config = JSON.decode(pipy.load('config.json')) || {},
  timeout = config.Configs?.SocketTimeout > 0 ? config.Configs.SocketTimeout : 60,
  timeouts = { connectTimeout: timeout, readTimeout: timeout, writeTimeout: timeout, idleTimeout: timeout },
  listenerPorts = Object.fromEntries((config.Listeners || []).map(l => [l.Listen || l.Port, l.Port])),

  // Smooth weighted round-robin over {id: weight}; ids of weight 0 are never picked.
  balancer = weights => (
    (
      entries = Object.entries(weights || {}).filter(([id, w]) => w > 0).map(([id, w]) => ({ id, w, cur: 0 })),
      total = entries.reduce((s, e) => s + e.w, 0),
    ) => () => (
      entries.length === 0 ? undefined : (
        (best = null) => (
          entries.forEach(e => (e.cur += e.w, (!best || e.cur > best.cur) && (best = e))),
          best.cur -= total,
          best.id
        )
      )()
    )
  )(),

  endpointBalancers = {},
  endpointOf = name => (
    (endpointBalancers[name] || (endpointBalancers[name] = balancer(Object.fromEntries(
      Object.entries(config.Services?.[name]?.Endpoints || {}).map(([ep, v]) => [ep, v && v.Weight >= 0 ? v.Weight : 1])
    ))))()
  ),

  trailingSlashes = new RegExp('/+$'),

  pathMatcher = p => (
    !p ? () => true :
    p.Type === 'Exact' ? path => path === p.Path :
    p.Type === 'Regex' ? (re => path => re.test(path))(new RegExp('^(?:' + p.Path + ')$')) :
    (prefix => path => prefix === '' || path === prefix || path.startsWith(prefix + '/'))(p.Path.replace(trailingSlashes, ''))
  ),

  valuesMatcher = dict => (
    (
      tests = Object.entries(dict || {}).map(([type, kv]) => Object.entries(kv).map(([k, v]) => (
        type === 'Regex' ? (re => obj => re.test(obj[k] || ''))(new RegExp(v)) : obj => obj[k] === v
      ))).flat(),
    ) => obj => tests.every(t => t(obj))
  )(),

  queryOf = path => Object.fromEntries(
    (path.split('?')[1] || '').split('#')[0].split('&').filter(s => s).map(kv => kv.split('=')).map(([k, v]) => [k, v || ''])
  ),

  compileMatch = m => (
    (
      path = pathMatcher(m.Path),
      headers = valuesMatcher(m.Headers),
      params = valuesMatcher(m.RequestParams),
      methods = m.Methods && Object.fromEntries(m.Methods.map(x => [x, true])),
      backends = balancer(Object.fromEntries(Object.entries(m.BackendService || {}).map(([k, v]) => [k, v.Weight]))),
    ) => ({
      config: m,
      test: head => (!methods || methods[head.method]) && path(head.path.split('?')[0]) && headers(head.headers || {}) && params(queryOf(head.path)),
      backend: backends,
    })
  )(),

  hostRouters = {},
  routerOf = (port, rules) => (
    hostRouters[port] || (hostRouters[port] = (
      (
        exact = {},
        wildcards = [],
      ) => (
        // The config lists wildcards from the most specific; `*` is any host.
        Object.keys(rules || {}).forEach(h => (
          (compiled = (rules[h].Matches || []).map(compileMatch)) => (
            h.startsWith('*') ? wildcards.push({ suffix: h.substring(1), matches: compiled }) : (exact[h.toLowerCase()] = compiled)
          )
        )()),
        host => exact[host] || wildcards.find(w => w.suffix === '' || (host.length > w.suffix.length && host.endsWith(w.suffix)))?.matches
      )
    )())
  ),

  filtersOf = (match, backend) => [
    ...(match.config.Filters || []),
    ...(match.config.BackendService?.[backend]?.Filters || []),
  ],

  modifyHeaders = (headers, mod) => (
    (mod?.Set || []).forEach(h => (headers[h.Name] = h.Value)),
    (mod?.Add || []).forEach(h => (headers[h.Name] = headers[h.Name] ? headers[h.Name] + ',' + h.Value : h.Value)),
    (mod?.Remove || []).forEach(name => delete headers[name])
  ),

  rewritePath = (pathAndQuery, matched, mod) => (
    (
      path = pathAndQuery.split('?')[0],
      query = pathAndQuery.substring(path.length),
    ) => (
      mod.Type === 'ReplaceFullPath' ? mod.ReplaceFullPath + query : (
        (
          prefix = (matched?.Type === 'Prefix' ? matched.Path : path).replace(trailingSlashes, ''),
          rest = path.substring(prefix.length),
          replacement = mod.ReplacePrefixMatch.replace(trailingSlashes, ''),
        ) => ((replacement + rest) || '/') + query
      )()
    )
  )(),

  answer = (status, body, headers) => new Message({ status, headers: { 'content-type': 'text/plain', ...headers } }, body),

  // What to do with a request arriving on listener port `listen`: {target} to forward, {reply} to answer.
  decide = (listen, head) => (
    (
      port = listenerPorts[listen],
      host = (head.headers?.host || '').split(':')[0].toLowerCase(),
      matches = routerOf(port, config.RouteRules?.[port])(host),
      match = matches && matches.find(m => m.test(head)),
      backend = match && match.backend(),
      filters = match ? filtersOf(match, backend) : [],
      redirect = filters.find(f => f.Type === 'RequestRedirect')?.RequestRedirect,
      target = backend && backend !== '!unresolved' ? endpointOf(backend) : undefined,
    ) => (
      !match ? { reply: answer(404, 'Not Found') } :
      redirect ? {
        reply: answer(redirect.StatusCode || 302, '', {
          location: (redirect.Scheme || 'http') + '://' + (redirect.Hostname || host) + (redirect.Port ? ':' + redirect.Port : '') +
            (redirect.Path ? rewritePath(head.path, match.config.Path, redirect.Path) : head.path),
        }),
      } :
      !target ? { reply: answer(500, 'Internal Server Error') } :
      (
        filters.forEach(f => (
          f.Type === 'RequestHeaderModifier' && modifyHeaders(head.headers, f.RequestHeaderModifier),
          f.Type === 'URLRewrite' && (
            f.UrlRewrite.Hostname && (head.headers.host = f.UrlRewrite.Hostname),
            f.UrlRewrite.Path && (head.path = rewritePath(head.path, match.config.Path, f.UrlRewrite.Path))
          )
        )),
        { target, response: filters.filter(f => f.Type === 'ResponseHeaderModifier').map(f => f.ResponseHeaderModifier) }
      )
    )
  )(),

) => pipy({
  _decision: null,
})

  // Every listener is opened so that Pipy keeps the script running; only HTTP ones route.
  .repeat(
    (config.Listeners || []).filter(l => l.Protocol !== 'UDP'),
    ($, l) => $.listen(l.Listen || l.Port, timeouts).link(l.Protocol === 'HTTP' ? 'http' : 'refuse')
  )

  .pipeline('http')
  .demuxHTTP().to($ => $
    .handleMessageStart(msg => void (_decision = decide(__inbound.localPort, msg.head)))
    .branch(
      () => _decision.target, $ => $
        .muxHTTP(() => _decision.target).to($ => $.connect(() => _decision.target, timeouts))
        .handleMessageStart(msg => _decision.response.forEach(mod => modifyHeaders(msg.head.headers || (msg.head.headers = {}), mod))),
      $ => $.replaceMessage(() => _decision.reply)
    )
  )

  .pipeline('refuse')
  .replaceStreamStart(new StreamEnd('ConnectionReset'))
)()
