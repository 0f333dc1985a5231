/* IMPORTANT
 * This snapshot file is auto-generated, but designed for humans.
 * It should be checked into source control and tracked carefully.
 * Re-generate by setting TAP_SNAPSHOT=1 and running tests.
 * Make sure to inspect the output below.  Do not ignore changes!
 */
'use strict'
exports[`test/generate/sidecar/sidecar-config.test.ts > TAP > permissive mode: every meshed service reachable, wildcard inbound route > bookbuyer permissive 1`] = `
Object {
  "AllowedEndpoints": Object {
    "10.244.1.10": "bookbuyer.bookbuyer-1",
    "10.244.2.10": "bookstore.bookstore-v1-1",
    "10.244.2.20": "bookstore.bookstore-v2-1",
    "10.244.3.10": "bookwarehouse.bookwarehouse-1",
    "10.244.4.10": "bookwarehouse.mysql-0",
  },
  "Certificate": null,
  "Chains": Object {
    "inbound-http": Array [
      "modules/inbound-tls-termination.js",
      "modules/inbound-http-routing.js",
      "modules/inbound-metrics-http.js",
      "modules/inbound-tracing-http.js",
      "modules/inbound-logging-http.js",
      "modules/inbound-throttle-service.js",
      "modules/inbound-throttle-route.js",
      "modules/inbound-http-load-balancing.js",
      "modules/inbound-http-default.js",
    ],
    "inbound-tcp": Array [
      "modules/inbound-tls-termination.js",
      "modules/inbound-tcp-routing.js",
      "modules/inbound-tcp-load-balancing.js",
      "modules/inbound-tcp-default.js",
    ],
    "outbound-http": Array [
      "modules/outbound-http-routing.js",
      "modules/outbound-metrics-http.js",
      "modules/outbound-tracing-http.js",
      "modules/outbound-logging-http.js",
      "modules/outbound-circuit-breaker.js",
      "modules/outbound-http-load-balancing.js",
      "modules/outbound-http-default.js",
    ],
    "outbound-tcp": Array [
      "modules/outbound-tcp-routing.js",
      "modules/outbound-tcp-load-balancing.js",
      "modules/outbound-tcp-default.js",
    ],
  },
  "Inbound": Object {
    "ClustersConfigs": Object {
      "bookbuyer/bookbuyer|14001|local": Object {
        "127.0.0.1:14001": 100,
      },
    },
    "TrafficMatches": Object {
      "14001": Object {
        "HttpHostPort2Service": Object {
          "bookbuyer": Object {
            "RuleName": "bookbuyer.bookbuyer",
          },
          "bookbuyer:14001": Object {
            "RuleName": "bookbuyer.bookbuyer",
          },
          "bookbuyer.bookbuyer": Object {
            "RuleName": "bookbuyer.bookbuyer",
          },
          "bookbuyer.bookbuyer:14001": Object {
            "RuleName": "bookbuyer.bookbuyer",
          },
          "bookbuyer.bookbuyer.svc": Object {
            "RuleName": "bookbuyer.bookbuyer",
          },
          "bookbuyer.bookbuyer.svc:14001": Object {
            "RuleName": "bookbuyer.bookbuyer",
          },
          "bookbuyer.bookbuyer.svc.cluster": Object {
            "RuleName": "bookbuyer.bookbuyer",
          },
          "bookbuyer.bookbuyer.svc.cluster:14001": Object {
            "RuleName": "bookbuyer.bookbuyer",
          },
          "bookbuyer.bookbuyer.svc.cluster.local": Object {
            "RuleName": "bookbuyer.bookbuyer",
          },
          "bookbuyer.bookbuyer.svc.cluster.local:14001": Object {
            "RuleName": "bookbuyer.bookbuyer",
          },
        },
        "HttpServiceRouteRules": Object {
          "bookbuyer.bookbuyer": Object {
            "RouteRules": Array [
              Object {
                "Path": ".*",
                "TargetClusters": Object {
                  "bookbuyer/bookbuyer|14001|local": 100,
                },
                "Type": "Regex",
              },
            ],
          },
        },
        "Port": 14001,
        "Protocol": "http",
      },
    },
  },
  "Metrics": true,
  "Outbound": Object {
    "ClustersConfigs": Object {
      "bookbuyer/bookbuyer|14001": Object {
        "Endpoints": Object {
          "10.244.1.10:14001": Object {
            "Weight": 100,
          },
        },
      },
      "bookstore/bookstore-v1|14001": Object {
        "Endpoints": Object {
          "10.244.2.10:14001": Object {
            "Weight": 100,
          },
        },
      },
      "bookstore/bookstore-v2|14001": Object {
        "Endpoints": Object {
          "10.244.2.20:14001": Object {
            "Weight": 100,
          },
        },
      },
      "bookstore/bookstore|14001": Object {
        "Endpoints": Object {
          "10.244.2.10:14001": Object {
            "Weight": 100,
          },
          "10.244.2.20:14001": Object {
            "Weight": 100,
          },
        },
      },
      "bookwarehouse/bookwarehouse|8080": Object {
        "Endpoints": Object {
          "10.244.3.10:14001": Object {
            "Weight": 100,
          },
        },
      },
      "bookwarehouse/mysql|3306": Object {
        "Endpoints": Object {
          "10.244.4.10:3306": Object {
            "Weight": 100,
          },
        },
      },
    },
    "TrafficMatches": Object {
      "14001": Array [
        Object {
          "DestinationIPRanges": Object {
            "10.244.1.10/32": null,
            "10.244.2.10/32": null,
            "10.244.2.20/32": null,
            "10.244.3.10/32": null,
            "10.96.0.10/32": null,
            "10.96.0.20/32": null,
            "10.96.0.21/32": null,
            "10.96.0.22/32": null,
            "10.96.0.30/32": null,
          },
          "HttpHostPort2Service": Object {
            "10.244.1.10": Object {
              "RuleName": "bookbuyer.bookbuyer",
            },
            "10.244.1.10:14001": Object {
              "RuleName": "bookbuyer.bookbuyer",
            },
            "10.244.2.10": Object {
              "RuleName": "bookstore.bookstore",
            },
            "10.244.2.10:14001": Object {
              "RuleName": "bookstore.bookstore",
            },
            "10.244.2.20": Object {
              "RuleName": "bookstore.bookstore",
            },
            "10.244.2.20:14001": Object {
              "RuleName": "bookstore.bookstore",
            },
            "10.244.3.10": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "10.244.3.10:14001": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "10.96.0.10": Object {
              "RuleName": "bookbuyer.bookbuyer",
            },
            "10.96.0.10:14001": Object {
              "RuleName": "bookbuyer.bookbuyer",
            },
            "10.96.0.20": Object {
              "RuleName": "bookstore.bookstore",
            },
            "10.96.0.20:14001": Object {
              "RuleName": "bookstore.bookstore",
            },
            "10.96.0.21": Object {
              "RuleName": "bookstore-v1.bookstore",
            },
            "10.96.0.21:14001": Object {
              "RuleName": "bookstore-v1.bookstore",
            },
            "10.96.0.22": Object {
              "RuleName": "bookstore-v2.bookstore",
            },
            "10.96.0.22:14001": Object {
              "RuleName": "bookstore-v2.bookstore",
            },
            "10.96.0.30": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "10.96.0.30:14001": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "bookbuyer": Object {
              "RuleName": "bookbuyer.bookbuyer",
            },
            "bookbuyer:14001": Object {
              "RuleName": "bookbuyer.bookbuyer",
            },
            "bookbuyer.bookbuyer": Object {
              "RuleName": "bookbuyer.bookbuyer",
            },
            "bookbuyer.bookbuyer:14001": Object {
              "RuleName": "bookbuyer.bookbuyer",
            },
            "bookbuyer.bookbuyer.svc": Object {
              "RuleName": "bookbuyer.bookbuyer",
            },
            "bookbuyer.bookbuyer.svc:14001": Object {
              "RuleName": "bookbuyer.bookbuyer",
            },
            "bookbuyer.bookbuyer.svc.cluster": Object {
              "RuleName": "bookbuyer.bookbuyer",
            },
            "bookbuyer.bookbuyer.svc.cluster:14001": Object {
              "RuleName": "bookbuyer.bookbuyer",
            },
            "bookbuyer.bookbuyer.svc.cluster.local": Object {
              "RuleName": "bookbuyer.bookbuyer",
            },
            "bookbuyer.bookbuyer.svc.cluster.local:14001": Object {
              "RuleName": "bookbuyer.bookbuyer",
            },
            "bookstore": Object {
              "RuleName": "bookstore.bookstore",
            },
            "bookstore-v1": Object {
              "RuleName": "bookstore-v1.bookstore",
            },
            "bookstore-v1:14001": Object {
              "RuleName": "bookstore-v1.bookstore",
            },
            "bookstore-v1.bookstore": Object {
              "RuleName": "bookstore-v1.bookstore",
            },
            "bookstore-v1.bookstore:14001": Object {
              "RuleName": "bookstore-v1.bookstore",
            },
            "bookstore-v1.bookstore.svc": Object {
              "RuleName": "bookstore-v1.bookstore",
            },
            "bookstore-v1.bookstore.svc:14001": Object {
              "RuleName": "bookstore-v1.bookstore",
            },
            "bookstore-v1.bookstore.svc.cluster": Object {
              "RuleName": "bookstore-v1.bookstore",
            },
            "bookstore-v1.bookstore.svc.cluster:14001": Object {
              "RuleName": "bookstore-v1.bookstore",
            },
            "bookstore-v1.bookstore.svc.cluster.local": Object {
              "RuleName": "bookstore-v1.bookstore",
            },
            "bookstore-v1.bookstore.svc.cluster.local:14001": Object {
              "RuleName": "bookstore-v1.bookstore",
            },
            "bookstore-v2": Object {
              "RuleName": "bookstore-v2.bookstore",
            },
            "bookstore-v2:14001": Object {
              "RuleName": "bookstore-v2.bookstore",
            },
            "bookstore-v2.bookstore": Object {
              "RuleName": "bookstore-v2.bookstore",
            },
            "bookstore-v2.bookstore:14001": Object {
              "RuleName": "bookstore-v2.bookstore",
            },
            "bookstore-v2.bookstore.svc": Object {
              "RuleName": "bookstore-v2.bookstore",
            },
            "bookstore-v2.bookstore.svc:14001": Object {
              "RuleName": "bookstore-v2.bookstore",
            },
            "bookstore-v2.bookstore.svc.cluster": Object {
              "RuleName": "bookstore-v2.bookstore",
            },
            "bookstore-v2.bookstore.svc.cluster:14001": Object {
              "RuleName": "bookstore-v2.bookstore",
            },
            "bookstore-v2.bookstore.svc.cluster.local": Object {
              "RuleName": "bookstore-v2.bookstore",
            },
            "bookstore-v2.bookstore.svc.cluster.local:14001": Object {
              "RuleName": "bookstore-v2.bookstore",
            },
            "bookstore:14001": Object {
              "RuleName": "bookstore.bookstore",
            },
            "bookstore.bookstore": Object {
              "RuleName": "bookstore.bookstore",
            },
            "bookstore.bookstore:14001": Object {
              "RuleName": "bookstore.bookstore",
            },
            "bookstore.bookstore.svc": Object {
              "RuleName": "bookstore.bookstore",
            },
            "bookstore.bookstore.svc:14001": Object {
              "RuleName": "bookstore.bookstore",
            },
            "bookstore.bookstore.svc.cluster": Object {
              "RuleName": "bookstore.bookstore",
            },
            "bookstore.bookstore.svc.cluster:14001": Object {
              "RuleName": "bookstore.bookstore",
            },
            "bookstore.bookstore.svc.cluster.local": Object {
              "RuleName": "bookstore.bookstore",
            },
            "bookstore.bookstore.svc.cluster.local:14001": Object {
              "RuleName": "bookstore.bookstore",
            },
            "bookwarehouse": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "bookwarehouse:14001": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "bookwarehouse.bookwarehouse": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "bookwarehouse.bookwarehouse:14001": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "bookwarehouse.bookwarehouse.svc": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "bookwarehouse.bookwarehouse.svc:14001": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "bookwarehouse.bookwarehouse.svc.cluster": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "bookwarehouse.bookwarehouse.svc.cluster:14001": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "bookwarehouse.bookwarehouse.svc.cluster.local": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "bookwarehouse.bookwarehouse.svc.cluster.local:14001": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
          },
          "HttpServiceRouteRules": Object {
            "bookbuyer.bookbuyer": Object {
              "RouteRules": Array [
                Object {
                  "Path": ".*",
                  "TargetClusters": Object {
                    "bookbuyer/bookbuyer|14001": 100,
                  },
                  "Type": "Regex",
                },
              ],
            },
            "bookstore-v1.bookstore": Object {
              "RouteRules": Array [
                Object {
                  "Path": ".*",
                  "TargetClusters": Object {
                    "bookstore/bookstore-v1|14001": 100,
                  },
                  "Type": "Regex",
                },
              ],
            },
            "bookstore-v2.bookstore": Object {
              "RouteRules": Array [
                Object {
                  "Path": ".*",
                  "TargetClusters": Object {
                    "bookstore/bookstore-v2|14001": 100,
                  },
                  "Type": "Regex",
                },
              ],
            },
            "bookstore.bookstore": Object {
              "RouteRules": Array [
                Object {
                  "Path": ".*",
                  "TargetClusters": Object {
                    "bookstore/bookstore|14001": 100,
                  },
                  "Type": "Regex",
                },
              ],
            },
            "bookwarehouse.bookwarehouse": Object {
              "RouteRules": Array [
                Object {
                  "Path": ".*",
                  "TargetClusters": Object {
                    "bookwarehouse/bookwarehouse|8080": 100,
                  },
                  "Type": "Regex",
                },
              ],
            },
          },
          "Port": 14001,
          "Protocol": "http",
        },
      ],
      "3306": Array [
        Object {
          "DestinationIPRanges": Object {
            "10.244.4.10/32": null,
          },
          "Port": 3306,
          "Protocol": "tcp",
          "TcpServiceRouteRules": Object {
            "AllowedEgressTraffic": false,
            "TargetClusters": Object {
              "bookwarehouse/mysql|3306": 100,
            },
          },
        },
      ],
    },
  },
  "Spec": Object {
    "FeatureFlags": Object {
      "EnableAutoDefaultRoute": false,
      "EnableSidecarActiveHealthChecks": false,
    },
    "Observability": Object {},
    "Probes": Object {
      "LivenessProbes": Array [
        Object {
          "httpGet": Object {
            "httpHeaders": Array [
              Object {
                "name": "Original-Http-Port",
                "value": "14001",
              },
              Object {
                "name": "Original-Http-Path",
                "value": "/healthz",
              },
            ],
            "path": "/fsm-healthcheck",
            "port": 15901,
            "scheme": "HTTP",
          },
          "periodSeconds": 5,
        },
      ],
      "ReadinessProbes": Array [
        Object {
          "httpGet": Object {
            "httpHeaders": Array [
              Object {
                "name": "Original-Tcp-Port",
                "value": "14001",
              },
            ],
            "path": "/fsm-healthcheck",
            "port": 15904,
          },
        },
      ],
    },
    "ServiceIdentity": "bookbuyer.bookbuyer",
    "SidecarLogLevel": "error",
    "SidecarTimeout": 60,
    "Traffic": Object {
      "EnableEgress": true,
      "HTTP1PerRequestLoadBalancing": false,
      "HTTP2PerRequestLoadBalancing": true,
    },
  },
  "Version": "4d71cf56f62c4add",
}
`

exports[`test/generate/sidecar/sidecar-config.test.ts > TAP > policies: UpstreamTrafficSetting, Retry, Egress, IngressBackend, AccessControl, plugins > bookbuyer with retry and egress 1`] = `
Object {
  "AllowedEndpoints": Object {
    "10.244.1.10": "bookbuyer.bookbuyer-1",
    "10.244.2.10": "bookstore.bookstore-v1-1",
    "10.244.2.20": "bookstore.bookstore-v2-1",
    "10.244.3.10": "bookwarehouse.bookwarehouse-1",
    "10.244.4.10": "bookwarehouse.mysql-0",
  },
  "Certificate": null,
  "Chains": Object {
    "inbound-http": Array [
      "modules/inbound-tls-termination.js",
      "modules/inbound-http-routing.js",
      "modules/inbound-metrics-http.js",
      "modules/inbound-tracing-http.js",
      "modules/inbound-logging-http.js",
      "modules/inbound-throttle-service.js",
      "modules/inbound-throttle-route.js",
      "modules/inbound-http-load-balancing.js",
      "modules/inbound-http-default.js",
    ],
    "inbound-tcp": Array [
      "modules/inbound-tls-termination.js",
      "modules/inbound-tcp-routing.js",
      "modules/inbound-tcp-load-balancing.js",
      "modules/inbound-tcp-default.js",
    ],
    "outbound-http": Array [
      "modules/outbound-http-routing.js",
      "modules/outbound-metrics-http.js",
      "modules/outbound-tracing-http.js",
      "modules/outbound-logging-http.js",
      "modules/outbound-circuit-breaker.js",
      "modules/outbound-http-load-balancing.js",
      "modules/outbound-http-default.js",
    ],
    "outbound-tcp": Array [
      "modules/outbound-tcp-routing.js",
      "modules/outbound-tcp-load-balancing.js",
      "modules/outbound-tcp-default.js",
    ],
  },
  "Inbound": Object {
    "ClustersConfigs": Object {
      "bookbuyer/bookbuyer|14001|local": Object {
        "127.0.0.1:14001": 100,
      },
    },
    "TrafficMatches": Object {
      "14001": Object {
        "HttpHostPort2Service": Object {
          "bookbuyer": Object {
            "RuleName": "bookbuyer.bookbuyer",
          },
          "bookbuyer:14001": Object {
            "RuleName": "bookbuyer.bookbuyer",
          },
          "bookbuyer.bookbuyer": Object {
            "RuleName": "bookbuyer.bookbuyer",
          },
          "bookbuyer.bookbuyer:14001": Object {
            "RuleName": "bookbuyer.bookbuyer",
          },
          "bookbuyer.bookbuyer.svc": Object {
            "RuleName": "bookbuyer.bookbuyer",
          },
          "bookbuyer.bookbuyer.svc:14001": Object {
            "RuleName": "bookbuyer.bookbuyer",
          },
          "bookbuyer.bookbuyer.svc.cluster": Object {
            "RuleName": "bookbuyer.bookbuyer",
          },
          "bookbuyer.bookbuyer.svc.cluster:14001": Object {
            "RuleName": "bookbuyer.bookbuyer",
          },
          "bookbuyer.bookbuyer.svc.cluster.local": Object {
            "RuleName": "bookbuyer.bookbuyer",
          },
          "bookbuyer.bookbuyer.svc.cluster.local:14001": Object {
            "RuleName": "bookbuyer.bookbuyer",
          },
        },
        "HttpServiceRouteRules": Object {
          "bookbuyer.bookbuyer": Object {
            "RouteRules": Array [
              Object {
                "Path": ".*",
                "TargetClusters": Object {
                  "bookbuyer/bookbuyer|14001|local": 100,
                },
                "Type": "Regex",
              },
            ],
          },
        },
        "Port": 14001,
        "Protocol": "http",
      },
    },
  },
  "Metrics": true,
  "Outbound": Object {
    "ClustersConfigs": Object {
      "443": Object {
        "Endpoints": Object {
          "api.example.com:443": Object {
            "Weight": 100,
          },
        },
        "SourceCert": Object {
          "CertChain": "",
          "Expiration": "",
          "FsmIssued": true,
          "IssuingCA": "",
          "PrivateKey": "",
        },
      },
      "bookbuyer/bookbuyer|14001": Object {
        "Endpoints": Object {
          "10.244.1.10:14001": Object {
            "Weight": 100,
          },
        },
      },
      "bookstore/bookstore-v1|14001": Object {
        "ConnectionSettings": Object {
          "http": Object {
            "CircuitBreaking": Object {
              "DegradedStatusCode": 503,
              "DegradedTimeWindow": 30,
              "ErrorRatioThreshold": 0.5,
              "MinRequestAmount": 10,
              "StatTimeWindow": 60,
            },
            "MaxPendingRequests": 50,
            "MaxRequests": 200,
            "MaxRequestsPerConnection": 10,
            "MaxRetries": 3,
          },
          "tcp": Object {
            "ConnectTimeout": 0.5,
            "MaxConnections": 100,
          },
        },
        "Endpoints": Object {
          "10.244.2.10:14001": Object {
            "Weight": 100,
          },
        },
        "RetryPolicy": Object {
          "NumRetries": 5,
          "PerTryTimeout": 1.5,
          "RetryBackoffBaseInterval": 1,
          "RetryOn": "5xx",
        },
      },
      "bookstore/bookstore-v2|14001": Object {
        "Endpoints": Object {
          "10.244.2.20:14001": Object {
            "Weight": 100,
          },
        },
        "RetryPolicy": Object {
          "NumRetries": 5,
          "PerTryTimeout": 1.5,
          "RetryBackoffBaseInterval": 1,
          "RetryOn": "5xx",
        },
      },
      "bookwarehouse/bookwarehouse|8080": Object {
        "Endpoints": Object {
          "10.244.3.10:14001": Object {
            "Weight": 100,
          },
        },
      },
      "bookwarehouse/mysql|3306": Object {
        "Endpoints": Object {
          "10.244.4.10:3306": Object {
            "Weight": 100,
          },
        },
      },
      "httpbin.org:80": Object {
        "Endpoints": Object {
          "httpbin.org:80": Object {
            "Weight": 100,
          },
        },
      },
    },
    "TrafficMatches": Object {
      "14001": Array [
        Object {
          "DestinationIPRanges": Object {
            "10.244.1.10/32": null,
            "10.244.2.10/32": null,
            "10.244.2.20/32": null,
            "10.244.3.10/32": null,
            "10.96.0.10/32": null,
            "10.96.0.20/32": null,
            "10.96.0.21/32": null,
            "10.96.0.22/32": null,
            "10.96.0.30/32": null,
          },
          "HttpHostPort2Service": Object {
            "10.244.1.10": Object {
              "RuleName": "bookbuyer.bookbuyer",
            },
            "10.244.1.10:14001": Object {
              "RuleName": "bookbuyer.bookbuyer",
            },
            "10.244.2.10": Object {
              "RuleName": "bookstore.bookstore",
            },
            "10.244.2.10:14001": Object {
              "RuleName": "bookstore.bookstore",
            },
            "10.244.2.20": Object {
              "RuleName": "bookstore.bookstore",
            },
            "10.244.2.20:14001": Object {
              "RuleName": "bookstore.bookstore",
            },
            "10.244.3.10": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "10.244.3.10:14001": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "10.96.0.10": Object {
              "RuleName": "bookbuyer.bookbuyer",
            },
            "10.96.0.10:14001": Object {
              "RuleName": "bookbuyer.bookbuyer",
            },
            "10.96.0.20": Object {
              "RuleName": "bookstore.bookstore",
            },
            "10.96.0.20:14001": Object {
              "RuleName": "bookstore.bookstore",
            },
            "10.96.0.21": Object {
              "RuleName": "bookstore-v1.bookstore",
            },
            "10.96.0.21:14001": Object {
              "RuleName": "bookstore-v1.bookstore",
            },
            "10.96.0.22": Object {
              "RuleName": "bookstore-v2.bookstore",
            },
            "10.96.0.22:14001": Object {
              "RuleName": "bookstore-v2.bookstore",
            },
            "10.96.0.30": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "10.96.0.30:14001": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "bookbuyer": Object {
              "RuleName": "bookbuyer.bookbuyer",
            },
            "bookbuyer:14001": Object {
              "RuleName": "bookbuyer.bookbuyer",
            },
            "bookbuyer.bookbuyer": Object {
              "RuleName": "bookbuyer.bookbuyer",
            },
            "bookbuyer.bookbuyer:14001": Object {
              "RuleName": "bookbuyer.bookbuyer",
            },
            "bookbuyer.bookbuyer.svc": Object {
              "RuleName": "bookbuyer.bookbuyer",
            },
            "bookbuyer.bookbuyer.svc:14001": Object {
              "RuleName": "bookbuyer.bookbuyer",
            },
            "bookbuyer.bookbuyer.svc.cluster": Object {
              "RuleName": "bookbuyer.bookbuyer",
            },
            "bookbuyer.bookbuyer.svc.cluster:14001": Object {
              "RuleName": "bookbuyer.bookbuyer",
            },
            "bookbuyer.bookbuyer.svc.cluster.local": Object {
              "RuleName": "bookbuyer.bookbuyer",
            },
            "bookbuyer.bookbuyer.svc.cluster.local:14001": Object {
              "RuleName": "bookbuyer.bookbuyer",
            },
            "bookstore-v1.bookstore": Object {
              "RuleName": "bookstore-v1.bookstore",
            },
            "bookstore-v1.bookstore:14001": Object {
              "RuleName": "bookstore-v1.bookstore",
            },
            "bookstore-v1.bookstore.svc": Object {
              "RuleName": "bookstore-v1.bookstore",
            },
            "bookstore-v1.bookstore.svc:14001": Object {
              "RuleName": "bookstore-v1.bookstore",
            },
            "bookstore-v1.bookstore.svc.cluster": Object {
              "RuleName": "bookstore-v1.bookstore",
            },
            "bookstore-v1.bookstore.svc.cluster:14001": Object {
              "RuleName": "bookstore-v1.bookstore",
            },
            "bookstore-v1.bookstore.svc.cluster.local": Object {
              "RuleName": "bookstore-v1.bookstore",
            },
            "bookstore-v1.bookstore.svc.cluster.local:14001": Object {
              "RuleName": "bookstore-v1.bookstore",
            },
            "bookstore-v2.bookstore": Object {
              "RuleName": "bookstore-v2.bookstore",
            },
            "bookstore-v2.bookstore:14001": Object {
              "RuleName": "bookstore-v2.bookstore",
            },
            "bookstore-v2.bookstore.svc": Object {
              "RuleName": "bookstore-v2.bookstore",
            },
            "bookstore-v2.bookstore.svc:14001": Object {
              "RuleName": "bookstore-v2.bookstore",
            },
            "bookstore-v2.bookstore.svc.cluster": Object {
              "RuleName": "bookstore-v2.bookstore",
            },
            "bookstore-v2.bookstore.svc.cluster:14001": Object {
              "RuleName": "bookstore-v2.bookstore",
            },
            "bookstore-v2.bookstore.svc.cluster.local": Object {
              "RuleName": "bookstore-v2.bookstore",
            },
            "bookstore-v2.bookstore.svc.cluster.local:14001": Object {
              "RuleName": "bookstore-v2.bookstore",
            },
            "bookstore.bookstore": Object {
              "RuleName": "bookstore.bookstore",
            },
            "bookstore.bookstore:14001": Object {
              "RuleName": "bookstore.bookstore",
            },
            "bookstore.bookstore.svc": Object {
              "RuleName": "bookstore.bookstore",
            },
            "bookstore.bookstore.svc:14001": Object {
              "RuleName": "bookstore.bookstore",
            },
            "bookstore.bookstore.svc.cluster": Object {
              "RuleName": "bookstore.bookstore",
            },
            "bookstore.bookstore.svc.cluster:14001": Object {
              "RuleName": "bookstore.bookstore",
            },
            "bookstore.bookstore.svc.cluster.local": Object {
              "RuleName": "bookstore.bookstore",
            },
            "bookstore.bookstore.svc.cluster.local:14001": Object {
              "RuleName": "bookstore.bookstore",
            },
            "bookwarehouse.bookwarehouse": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "bookwarehouse.bookwarehouse:14001": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "bookwarehouse.bookwarehouse.svc": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "bookwarehouse.bookwarehouse.svc:14001": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "bookwarehouse.bookwarehouse.svc.cluster": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "bookwarehouse.bookwarehouse.svc.cluster:14001": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "bookwarehouse.bookwarehouse.svc.cluster.local": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "bookwarehouse.bookwarehouse.svc.cluster.local:14001": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
          },
          "HttpServiceRouteRules": Object {
            "bookbuyer.bookbuyer": Object {
              "RouteRules": Array [
                Object {
                  "Path": ".*",
                  "TargetClusters": Object {
                    "bookbuyer/bookbuyer|14001": 100,
                  },
                  "Type": "Regex",
                },
              ],
            },
            "bookstore-v1.bookstore": Object {
              "RouteRules": Array [
                Object {
                  "Path": ".*",
                  "TargetClusters": Object {
                    "bookstore/bookstore-v1|14001": 100,
                  },
                  "Type": "Regex",
                },
              ],
            },
            "bookstore-v2.bookstore": Object {
              "RouteRules": Array [
                Object {
                  "Path": ".*",
                  "TargetClusters": Object {
                    "bookstore/bookstore-v2|14001": 100,
                  },
                  "Type": "Regex",
                },
              ],
            },
            "bookstore.bookstore": Object {
              "RouteRules": Array [
                Object {
                  "Path": ".*",
                  "TargetClusters": Object {
                    "bookstore/bookstore-v1|14001": 75,
                    "bookstore/bookstore-v2|14001": 25,
                  },
                  "Type": "Regex",
                },
              ],
            },
            "bookwarehouse.bookwarehouse": Object {
              "RouteRules": Array [
                Object {
                  "Path": ".*",
                  "TargetClusters": Object {
                    "bookwarehouse/bookwarehouse|8080": 100,
                  },
                  "Type": "Regex",
                },
              ],
            },
          },
          "Port": 14001,
          "Protocol": "http",
        },
      ],
      "3306": Array [
        Object {
          "DestinationIPRanges": Object {
            "10.244.4.10/32": null,
          },
          "Port": 3306,
          "Protocol": "tcp",
          "TcpServiceRouteRules": Object {
            "AllowedEgressTraffic": false,
            "TargetClusters": Object {
              "bookwarehouse/mysql|3306": 100,
            },
          },
        },
      ],
      "443": Array [
        Object {
          "DestinationIPRanges": Object {},
          "Port": 443,
          "Protocol": "https",
          "TcpServiceRouteRules": Object {
            "AllowedEgressTraffic": false,
            "TargetClusters": Object {
              "443": 100,
            },
          },
        },
      ],
      "5432": Array [
        Object {
          "DestinationIPRanges": Object {
            "203.0.113.0/24": null,
          },
          "Port": 5432,
          "Protocol": "tcp",
          "TcpServiceRouteRules": Object {
            "AllowedEgressTraffic": true,
            "TargetClusters": Object {},
          },
        },
      ],
      "80": Array [
        Object {
          "DestinationIPRanges": Object {},
          "HttpHostPort2Service": Object {
            "httpbin.org": Object {
              "RuleName": "httpbin.org",
            },
            "httpbin.org:80": Object {
              "RuleName": "httpbin.org",
            },
          },
          "HttpServiceRouteRules": Object {
            "httpbin.org": Object {
              "RouteRules": Array [
                Object {
                  "Path": ".*",
                  "TargetClusters": Object {
                    "httpbin.org:80": 100,
                  },
                  "Type": "Regex",
                },
              ],
            },
          },
          "Port": 80,
          "Protocol": "http",
        },
      ],
    },
  },
  "Spec": Object {
    "FeatureFlags": Object {
      "EnableAutoDefaultRoute": false,
      "EnableSidecarActiveHealthChecks": false,
    },
    "Observability": Object {},
    "Probes": Object {
      "LivenessProbes": Array [
        Object {
          "httpGet": Object {
            "httpHeaders": Array [
              Object {
                "name": "Original-Http-Port",
                "value": "14001",
              },
              Object {
                "name": "Original-Http-Path",
                "value": "/healthz",
              },
            ],
            "path": "/fsm-healthcheck",
            "port": 15901,
            "scheme": "HTTP",
          },
          "periodSeconds": 5,
        },
      ],
      "ReadinessProbes": Array [
        Object {
          "httpGet": Object {
            "httpHeaders": Array [
              Object {
                "name": "Original-Tcp-Port",
                "value": "14001",
              },
            ],
            "path": "/fsm-healthcheck",
            "port": 15904,
          },
        },
      ],
    },
    "ServiceIdentity": "bookbuyer.bookbuyer",
    "SidecarLogLevel": "error",
    "SidecarTimeout": 60,
    "Traffic": Object {
      "EnableEgress": true,
      "HTTP1PerRequestLoadBalancing": false,
      "HTTP2PerRequestLoadBalancing": true,
    },
  },
  "Version": "5fe429ec0c7e3e9d",
}
`

exports[`test/generate/sidecar/sidecar-config.test.ts > TAP > policies: UpstreamTrafficSetting, Retry, Egress, IngressBackend, AccessControl, plugins > bookstore-v1 with upstream traffic setting, ingress backend, plugin 1`] = `
Object {
  "AllowedEndpoints": Object {
    "10.0.0.5": "Ingress/Accessor",
    "10.244.1.10": "bookbuyer.bookbuyer-1",
    "10.244.2.10": "bookstore.bookstore-v1-1",
    "10.244.2.20": "bookstore.bookstore-v2-1",
    "10.244.3.10": "bookwarehouse.bookwarehouse-1",
    "10.244.4.10": "bookwarehouse.mysql-0",
  },
  "Certificate": null,
  "Chains": Object {
    "inbound-http": Array [
      "modules/inbound-tls-termination.js",
      "modules/inbound-http-routing.js",
      "plugins/token-verifier.js",
      "modules/inbound-metrics-http.js",
      "modules/inbound-tracing-http.js",
      "modules/inbound-logging-http.js",
      "modules/inbound-throttle-service.js",
      "modules/inbound-throttle-route.js",
      "modules/inbound-http-load-balancing.js",
      "modules/inbound-http-default.js",
    ],
    "inbound-tcp": Array [
      "modules/inbound-tls-termination.js",
      "modules/inbound-tcp-routing.js",
      "modules/inbound-tcp-load-balancing.js",
      "modules/inbound-tcp-default.js",
    ],
    "outbound-http": Array [
      "modules/outbound-http-routing.js",
      "modules/outbound-metrics-http.js",
      "modules/outbound-tracing-http.js",
      "modules/outbound-logging-http.js",
      "modules/outbound-circuit-breaker.js",
      "modules/outbound-http-load-balancing.js",
      "modules/outbound-http-default.js",
    ],
    "outbound-tcp": Array [
      "modules/outbound-tcp-routing.js",
      "modules/outbound-tcp-load-balancing.js",
      "modules/outbound-tcp-default.js",
    ],
  },
  "Inbound": Object {
    "ClustersConfigs": Object {
      "bookstore/bookstore-v1|14001|local": Object {
        "127.0.0.1:14001": 100,
      },
      "bookstore/bookstore|14001|local": Object {
        "127.0.0.1:14001": 100,
      },
    },
    "TrafficMatches": Object {
      "14001": Object {
        "HttpHostPort2Service": Object {
          "*": Object {
            "RuleName": "*",
          },
          "bookstore": Object {
            "RuleName": "bookstore.bookstore",
          },
          "bookstore-v1": Object {
            "RuleName": "bookstore-v1.bookstore",
          },
          "bookstore-v1:14001": Object {
            "RuleName": "bookstore-v1.bookstore",
          },
          "bookstore-v1.bookstore": Object {
            "RuleName": "bookstore-v1.bookstore",
          },
          "bookstore-v1.bookstore:14001": Object {
            "RuleName": "bookstore-v1.bookstore",
          },
          "bookstore-v1.bookstore.svc": Object {
            "RuleName": "bookstore-v1.bookstore",
          },
          "bookstore-v1.bookstore.svc:14001": Object {
            "RuleName": "bookstore-v1.bookstore",
          },
          "bookstore-v1.bookstore.svc.cluster": Object {
            "RuleName": "bookstore-v1.bookstore",
          },
          "bookstore-v1.bookstore.svc.cluster:14001": Object {
            "RuleName": "bookstore-v1.bookstore",
          },
          "bookstore-v1.bookstore.svc.cluster.local": Object {
            "RuleName": "bookstore-v1.bookstore",
          },
          "bookstore-v1.bookstore.svc.cluster.local:14001": Object {
            "RuleName": "bookstore-v1.bookstore",
          },
          "bookstore:14001": Object {
            "RuleName": "bookstore.bookstore",
          },
          "bookstore.bookstore": Object {
            "RuleName": "bookstore.bookstore",
          },
          "bookstore.bookstore:14001": Object {
            "RuleName": "bookstore.bookstore",
          },
          "bookstore.bookstore.svc": Object {
            "RuleName": "bookstore.bookstore",
          },
          "bookstore.bookstore.svc:14001": Object {
            "RuleName": "bookstore.bookstore",
          },
          "bookstore.bookstore.svc.cluster": Object {
            "RuleName": "bookstore.bookstore",
          },
          "bookstore.bookstore.svc.cluster:14001": Object {
            "RuleName": "bookstore.bookstore",
          },
          "bookstore.bookstore.svc.cluster.local": Object {
            "RuleName": "bookstore.bookstore",
          },
          "bookstore.bookstore.svc.cluster.local:14001": Object {
            "RuleName": "bookstore.bookstore",
          },
        },
        "HttpServiceRouteRules": Object {
          "*": Object {
            "RateLimit": Object {
              "Local": Object {
                "Requests": 10,
                "ResponseHeadersToAdd": Array [
                  Object {
                    "Name": "x-limited",
                    "Value": "yes",
                  },
                ],
                "ResponseStatusCode": 429,
                "StatTimeWindow": 1,
              },
            },
            "RouteRules": Array [
              Object {
                "Path": ".*",
                "TargetClusters": Object {
                  "bookstore/bookstore-v1|14001|local": 100,
                },
                "Type": "Regex",
              },
            ],
          },
          "bookstore-v1.bookstore": Object {
            "Plugins": Object {
              "token-verifier": Object {
                "header": "x-token-v1",
              },
            },
            "RateLimit": Object {
              "Local": Object {
                "Requests": 10,
                "ResponseHeadersToAdd": Array [
                  Object {
                    "Name": "x-limited",
                    "Value": "yes",
                  },
                ],
                "ResponseStatusCode": 429,
                "StatTimeWindow": 1,
              },
            },
            "RouteRules": Array [
              Object {
                "Path": ".*",
                "TargetClusters": Object {
                  "bookstore/bookstore-v1|14001|local": 100,
                },
                "Type": "Regex",
              },
            ],
          },
          "bookstore.bookstore": Object {
            "Plugins": Object {
              "token-verifier": Object {
                "header": "x-token-v1",
              },
            },
            "RateLimit": Object {
              "Local": Object {
                "Requests": 10,
                "ResponseHeadersToAdd": Array [
                  Object {
                    "Name": "x-limited",
                    "Value": "yes",
                  },
                ],
                "ResponseStatusCode": 429,
                "StatTimeWindow": 1,
              },
            },
            "RouteRules": Array [
              Object {
                "Path": ".*",
                "TargetClusters": Object {
                  "bookstore/bookstore-v1|14001|local": 100,
                },
                "Type": "Regex",
              },
            ],
          },
        },
        "Port": 14001,
        "Protocol": "http",
        "RateLimit": Object {
          "Local": Object {
            "Burst": 10,
            "Connections": 100,
            "StatTimeWindow": 60,
          },
        },
        "SourceIPRanges": Object {
          "10.0.0.5/32": Object {
            "AuthenticatedPrincipals": Array [
              "ingress.fsm-system.cluster.local",
            ],
            "mTLS": true,
            "SkipClientCertValidation": false,
          },
        },
      },
    },
  },
  "Metrics": false,
  "Outbound": Object {
    "ClustersConfigs": Object {
      "bookbuyer/bookbuyer|14001": Object {
        "Endpoints": Object {
          "10.244.1.10:14001": Object {
            "Weight": 100,
          },
        },
      },
      "bookstore/bookstore-v1|14001": Object {
        "ConnectionSettings": Object {
          "http": Object {
            "CircuitBreaking": Object {
              "DegradedStatusCode": 503,
              "DegradedTimeWindow": 30,
              "ErrorRatioThreshold": 0.5,
              "MinRequestAmount": 10,
              "StatTimeWindow": 60,
            },
            "MaxPendingRequests": 50,
            "MaxRequests": 200,
            "MaxRequestsPerConnection": 10,
            "MaxRetries": 3,
          },
          "tcp": Object {
            "ConnectTimeout": 0.5,
            "MaxConnections": 100,
          },
        },
        "Endpoints": Object {
          "10.244.2.10:14001": Object {
            "Weight": 100,
          },
        },
      },
      "bookstore/bookstore-v2|14001": Object {
        "Endpoints": Object {
          "10.244.2.20:14001": Object {
            "Weight": 100,
          },
        },
      },
      "bookwarehouse/bookwarehouse|8080": Object {
        "Endpoints": Object {
          "10.244.3.10:14001": Object {
            "Weight": 100,
          },
        },
      },
      "bookwarehouse/mysql|3306": Object {
        "Endpoints": Object {
          "10.244.4.10:3306": Object {
            "Weight": 100,
          },
        },
      },
    },
    "TrafficMatches": Object {
      "14001": Array [
        Object {
          "DestinationIPRanges": Object {
            "10.244.1.10/32": null,
            "10.244.2.10/32": null,
            "10.244.2.20/32": null,
            "10.244.3.10/32": null,
            "10.96.0.10/32": null,
            "10.96.0.20/32": null,
            "10.96.0.21/32": null,
            "10.96.0.22/32": null,
            "10.96.0.30/32": null,
          },
          "HttpHostPort2Service": Object {
            "10.244.1.10": Object {
              "RuleName": "bookbuyer.bookbuyer",
            },
            "10.244.1.10:14001": Object {
              "RuleName": "bookbuyer.bookbuyer",
            },
            "10.244.2.10": Object {
              "RuleName": "bookstore.bookstore",
            },
            "10.244.2.10:14001": Object {
              "RuleName": "bookstore.bookstore",
            },
            "10.244.2.20": Object {
              "RuleName": "bookstore.bookstore",
            },
            "10.244.2.20:14001": Object {
              "RuleName": "bookstore.bookstore",
            },
            "10.244.3.10": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "10.244.3.10:14001": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "10.96.0.10": Object {
              "RuleName": "bookbuyer.bookbuyer",
            },
            "10.96.0.10:14001": Object {
              "RuleName": "bookbuyer.bookbuyer",
            },
            "10.96.0.20": Object {
              "RuleName": "bookstore.bookstore",
            },
            "10.96.0.20:14001": Object {
              "RuleName": "bookstore.bookstore",
            },
            "10.96.0.21": Object {
              "RuleName": "bookstore-v1.bookstore",
            },
            "10.96.0.21:14001": Object {
              "RuleName": "bookstore-v1.bookstore",
            },
            "10.96.0.22": Object {
              "RuleName": "bookstore-v2.bookstore",
            },
            "10.96.0.22:14001": Object {
              "RuleName": "bookstore-v2.bookstore",
            },
            "10.96.0.30": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "10.96.0.30:14001": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "bookbuyer.bookbuyer": Object {
              "RuleName": "bookbuyer.bookbuyer",
            },
            "bookbuyer.bookbuyer:14001": Object {
              "RuleName": "bookbuyer.bookbuyer",
            },
            "bookbuyer.bookbuyer.svc": Object {
              "RuleName": "bookbuyer.bookbuyer",
            },
            "bookbuyer.bookbuyer.svc:14001": Object {
              "RuleName": "bookbuyer.bookbuyer",
            },
            "bookbuyer.bookbuyer.svc.cluster": Object {
              "RuleName": "bookbuyer.bookbuyer",
            },
            "bookbuyer.bookbuyer.svc.cluster:14001": Object {
              "RuleName": "bookbuyer.bookbuyer",
            },
            "bookbuyer.bookbuyer.svc.cluster.local": Object {
              "RuleName": "bookbuyer.bookbuyer",
            },
            "bookbuyer.bookbuyer.svc.cluster.local:14001": Object {
              "RuleName": "bookbuyer.bookbuyer",
            },
            "bookstore": Object {
              "RuleName": "bookstore.bookstore",
            },
            "bookstore-v1": Object {
              "RuleName": "bookstore-v1.bookstore",
            },
            "bookstore-v1:14001": Object {
              "RuleName": "bookstore-v1.bookstore",
            },
            "bookstore-v1.bookstore": Object {
              "RuleName": "bookstore-v1.bookstore",
            },
            "bookstore-v1.bookstore:14001": Object {
              "RuleName": "bookstore-v1.bookstore",
            },
            "bookstore-v1.bookstore.svc": Object {
              "RuleName": "bookstore-v1.bookstore",
            },
            "bookstore-v1.bookstore.svc:14001": Object {
              "RuleName": "bookstore-v1.bookstore",
            },
            "bookstore-v1.bookstore.svc.cluster": Object {
              "RuleName": "bookstore-v1.bookstore",
            },
            "bookstore-v1.bookstore.svc.cluster:14001": Object {
              "RuleName": "bookstore-v1.bookstore",
            },
            "bookstore-v1.bookstore.svc.cluster.local": Object {
              "RuleName": "bookstore-v1.bookstore",
            },
            "bookstore-v1.bookstore.svc.cluster.local:14001": Object {
              "RuleName": "bookstore-v1.bookstore",
            },
            "bookstore-v2": Object {
              "RuleName": "bookstore-v2.bookstore",
            },
            "bookstore-v2:14001": Object {
              "RuleName": "bookstore-v2.bookstore",
            },
            "bookstore-v2.bookstore": Object {
              "RuleName": "bookstore-v2.bookstore",
            },
            "bookstore-v2.bookstore:14001": Object {
              "RuleName": "bookstore-v2.bookstore",
            },
            "bookstore-v2.bookstore.svc": Object {
              "RuleName": "bookstore-v2.bookstore",
            },
            "bookstore-v2.bookstore.svc:14001": Object {
              "RuleName": "bookstore-v2.bookstore",
            },
            "bookstore-v2.bookstore.svc.cluster": Object {
              "RuleName": "bookstore-v2.bookstore",
            },
            "bookstore-v2.bookstore.svc.cluster:14001": Object {
              "RuleName": "bookstore-v2.bookstore",
            },
            "bookstore-v2.bookstore.svc.cluster.local": Object {
              "RuleName": "bookstore-v2.bookstore",
            },
            "bookstore-v2.bookstore.svc.cluster.local:14001": Object {
              "RuleName": "bookstore-v2.bookstore",
            },
            "bookstore:14001": Object {
              "RuleName": "bookstore.bookstore",
            },
            "bookstore.bookstore": Object {
              "RuleName": "bookstore.bookstore",
            },
            "bookstore.bookstore:14001": Object {
              "RuleName": "bookstore.bookstore",
            },
            "bookstore.bookstore.svc": Object {
              "RuleName": "bookstore.bookstore",
            },
            "bookstore.bookstore.svc:14001": Object {
              "RuleName": "bookstore.bookstore",
            },
            "bookstore.bookstore.svc.cluster": Object {
              "RuleName": "bookstore.bookstore",
            },
            "bookstore.bookstore.svc.cluster:14001": Object {
              "RuleName": "bookstore.bookstore",
            },
            "bookstore.bookstore.svc.cluster.local": Object {
              "RuleName": "bookstore.bookstore",
            },
            "bookstore.bookstore.svc.cluster.local:14001": Object {
              "RuleName": "bookstore.bookstore",
            },
            "bookwarehouse.bookwarehouse": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "bookwarehouse.bookwarehouse:14001": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "bookwarehouse.bookwarehouse.svc": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "bookwarehouse.bookwarehouse.svc:14001": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "bookwarehouse.bookwarehouse.svc.cluster": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "bookwarehouse.bookwarehouse.svc.cluster:14001": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "bookwarehouse.bookwarehouse.svc.cluster.local": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "bookwarehouse.bookwarehouse.svc.cluster.local:14001": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
          },
          "HttpServiceRouteRules": Object {
            "bookbuyer.bookbuyer": Object {
              "RouteRules": Array [
                Object {
                  "Path": ".*",
                  "TargetClusters": Object {
                    "bookbuyer/bookbuyer|14001": 100,
                  },
                  "Type": "Regex",
                },
              ],
            },
            "bookstore-v1.bookstore": Object {
              "RouteRules": Array [
                Object {
                  "Path": ".*",
                  "TargetClusters": Object {
                    "bookstore/bookstore-v1|14001": 100,
                  },
                  "Type": "Regex",
                },
              ],
            },
            "bookstore-v2.bookstore": Object {
              "RouteRules": Array [
                Object {
                  "Path": ".*",
                  "TargetClusters": Object {
                    "bookstore/bookstore-v2|14001": 100,
                  },
                  "Type": "Regex",
                },
              ],
            },
            "bookstore.bookstore": Object {
              "RouteRules": Array [
                Object {
                  "Path": ".*",
                  "TargetClusters": Object {
                    "bookstore/bookstore-v1|14001": 75,
                    "bookstore/bookstore-v2|14001": 25,
                  },
                  "Type": "Regex",
                },
              ],
            },
            "bookwarehouse.bookwarehouse": Object {
              "RouteRules": Array [
                Object {
                  "Path": ".*",
                  "TargetClusters": Object {
                    "bookwarehouse/bookwarehouse|8080": 100,
                  },
                  "Type": "Regex",
                },
              ],
            },
          },
          "Port": 14001,
          "Protocol": "http",
        },
      ],
      "3306": Array [
        Object {
          "DestinationIPRanges": Object {
            "10.244.4.10/32": null,
          },
          "Port": 3306,
          "Protocol": "tcp",
          "TcpServiceRouteRules": Object {
            "AllowedEgressTraffic": false,
            "TargetClusters": Object {
              "bookwarehouse/mysql|3306": 100,
            },
          },
        },
      ],
    },
  },
  "Spec": Object {
    "FeatureFlags": Object {
      "EnableAutoDefaultRoute": false,
      "EnableSidecarActiveHealthChecks": false,
    },
    "Observability": Object {},
    "Probes": Object {},
    "ServiceIdentity": "bookstore.bookstore",
    "SidecarLogLevel": "error",
    "SidecarTimeout": 60,
    "Traffic": Object {
      "EnableEgress": true,
      "HTTP1PerRequestLoadBalancing": false,
      "HTTP2PerRequestLoadBalancing": true,
    },
  },
  "Version": "7c6bd8e136478584",
}
`

exports[`test/generate/sidecar/sidecar-config.test.ts > TAP > policies: UpstreamTrafficSetting, Retry, Egress, IngressBackend, AccessControl, plugins > mysql inbound with AccessControl 1`] = `
Object {
  "ClustersConfigs": Object {
    "bookwarehouse/mysql|3306|local": Object {
      "127.0.0.1:3306": 100,
    },
  },
  "TrafficMatches": Object {
    "3306": Object {
      "Port": 3306,
      "Protocol": "tcp",
      "SourceIPRanges": Object {
        "192.168.10.0/24": null,
      },
      "TcpServiceRouteRules": Object {
        "TargetClusters": Object {
          "bookwarehouse/mysql|3306|local": 100,
        },
      },
    },
  },
}
`

exports[`test/generate/sidecar/sidecar-config.test.ts > TAP > SMI mode: deny by default, TrafficTarget routes, split, TCP route > bookstore-v1 SMI 1`] = `
Object {
  "AllowedEndpoints": Object {
    "10.244.1.10": "bookbuyer.bookbuyer-1",
  },
  "Certificate": null,
  "Chains": Object {
    "inbound-http": Array [
      "modules/inbound-tls-termination.js",
      "modules/inbound-http-routing.js",
      "modules/inbound-metrics-http.js",
      "modules/inbound-tracing-http.js",
      "modules/inbound-logging-http.js",
      "modules/inbound-throttle-service.js",
      "modules/inbound-throttle-route.js",
      "modules/inbound-http-load-balancing.js",
      "modules/inbound-http-default.js",
    ],
    "inbound-tcp": Array [
      "modules/inbound-tls-termination.js",
      "modules/inbound-tcp-routing.js",
      "modules/inbound-tcp-load-balancing.js",
      "modules/inbound-tcp-default.js",
    ],
    "outbound-http": Array [
      "modules/outbound-http-routing.js",
      "modules/outbound-metrics-http.js",
      "modules/outbound-tracing-http.js",
      "modules/outbound-logging-http.js",
      "modules/outbound-circuit-breaker.js",
      "modules/outbound-http-load-balancing.js",
      "modules/outbound-http-default.js",
    ],
    "outbound-tcp": Array [
      "modules/outbound-tcp-routing.js",
      "modules/outbound-tcp-load-balancing.js",
      "modules/outbound-tcp-default.js",
    ],
  },
  "Inbound": Object {
    "ClustersConfigs": Object {
      "bookstore/bookstore-v1|14001|local": Object {
        "127.0.0.1:14001": 100,
      },
      "bookstore/bookstore|14001|local": Object {
        "127.0.0.1:14001": 100,
      },
    },
    "TrafficMatches": Object {
      "14001": Object {
        "HttpHostPort2Service": Object {
          "bookstore": Object {
            "RuleName": "bookstore.bookstore",
          },
          "bookstore-v1": Object {
            "RuleName": "bookstore-v1.bookstore",
          },
          "bookstore-v1:14001": Object {
            "RuleName": "bookstore-v1.bookstore",
          },
          "bookstore-v1.bookstore": Object {
            "RuleName": "bookstore-v1.bookstore",
          },
          "bookstore-v1.bookstore:14001": Object {
            "RuleName": "bookstore-v1.bookstore",
          },
          "bookstore-v1.bookstore.svc": Object {
            "RuleName": "bookstore-v1.bookstore",
          },
          "bookstore-v1.bookstore.svc:14001": Object {
            "RuleName": "bookstore-v1.bookstore",
          },
          "bookstore-v1.bookstore.svc.cluster": Object {
            "RuleName": "bookstore-v1.bookstore",
          },
          "bookstore-v1.bookstore.svc.cluster:14001": Object {
            "RuleName": "bookstore-v1.bookstore",
          },
          "bookstore-v1.bookstore.svc.cluster.local": Object {
            "RuleName": "bookstore-v1.bookstore",
          },
          "bookstore-v1.bookstore.svc.cluster.local:14001": Object {
            "RuleName": "bookstore-v1.bookstore",
          },
          "bookstore:14001": Object {
            "RuleName": "bookstore.bookstore",
          },
          "bookstore.bookstore": Object {
            "RuleName": "bookstore.bookstore",
          },
          "bookstore.bookstore:14001": Object {
            "RuleName": "bookstore.bookstore",
          },
          "bookstore.bookstore.svc": Object {
            "RuleName": "bookstore.bookstore",
          },
          "bookstore.bookstore.svc:14001": Object {
            "RuleName": "bookstore.bookstore",
          },
          "bookstore.bookstore.svc.cluster": Object {
            "RuleName": "bookstore.bookstore",
          },
          "bookstore.bookstore.svc.cluster:14001": Object {
            "RuleName": "bookstore.bookstore",
          },
          "bookstore.bookstore.svc.cluster.local": Object {
            "RuleName": "bookstore.bookstore",
          },
          "bookstore.bookstore.svc.cluster.local:14001": Object {
            "RuleName": "bookstore.bookstore",
          },
        },
        "HttpServiceRouteRules": Object {
          "bookstore-v1.bookstore": Object {
            "AllowedEndpoints": Object {
              "10.244.1.10": "bookbuyer.bookbuyer",
            },
            "RouteRules": Array [
              Object {
                "AllowedServices": Array [
                  "bookbuyer.bookbuyer",
                ],
                "Methods": Array [
                  "GET",
                ],
                "Path": "/books.*",
                "TargetClusters": Object {
                  "bookstore/bookstore-v1|14001|local": 100,
                },
                "Type": "Regex",
              },
              Object {
                "AllowedServices": Array [
                  "bookbuyer.bookbuyer",
                ],
                "Headers": Object {
                  "user-agent": ".*bookbuyer.*",
                },
                "Methods": Array [
                  "GET",
                  "POST",
                ],
                "Path": "/buy",
                "TargetClusters": Object {
                  "bookstore/bookstore-v1|14001|local": 100,
                },
                "Type": "Regex",
              },
            ],
          },
          "bookstore.bookstore": Object {
            "AllowedEndpoints": Object {
              "10.244.1.10": "bookbuyer.bookbuyer",
            },
            "RouteRules": Array [
              Object {
                "AllowedServices": Array [
                  "bookbuyer.bookbuyer",
                ],
                "Methods": Array [
                  "GET",
                ],
                "Path": "/books.*",
                "TargetClusters": Object {
                  "bookstore/bookstore-v1|14001|local": 100,
                },
                "Type": "Regex",
              },
              Object {
                "AllowedServices": Array [
                  "bookbuyer.bookbuyer",
                ],
                "Headers": Object {
                  "user-agent": ".*bookbuyer.*",
                },
                "Methods": Array [
                  "GET",
                  "POST",
                ],
                "Path": "/buy",
                "TargetClusters": Object {
                  "bookstore/bookstore-v1|14001|local": 100,
                },
                "Type": "Regex",
              },
            ],
          },
        },
        "Port": 14001,
        "Protocol": "http",
      },
    },
  },
  "Metrics": false,
  "Outbound": Object {
    "ClustersConfigs": Object {
      "bookwarehouse/bookwarehouse|8080": Object {
        "Endpoints": Object {
          "10.244.3.10:14001": Object {
            "Weight": 100,
          },
        },
      },
    },
    "TrafficMatches": Object {
      "14001": Array [
        Object {
          "DestinationIPRanges": Object {
            "10.244.3.10/32": null,
            "10.96.0.30/32": null,
          },
          "HttpHostPort2Service": Object {
            "10.244.3.10": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "10.244.3.10:14001": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "10.96.0.30": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "10.96.0.30:14001": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "bookwarehouse": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "bookwarehouse:14001": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "bookwarehouse.bookwarehouse": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "bookwarehouse.bookwarehouse:14001": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "bookwarehouse.bookwarehouse.svc": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "bookwarehouse.bookwarehouse.svc:14001": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "bookwarehouse.bookwarehouse.svc.cluster": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "bookwarehouse.bookwarehouse.svc.cluster:14001": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "bookwarehouse.bookwarehouse.svc.cluster.local": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
            "bookwarehouse.bookwarehouse.svc.cluster.local:14001": Object {
              "RuleName": "bookwarehouse.bookwarehouse",
            },
          },
          "HttpServiceRouteRules": Object {
            "bookwarehouse.bookwarehouse": Object {
              "RouteRules": Array [
                Object {
                  "Path": ".*",
                  "TargetClusters": Object {
                    "bookwarehouse/bookwarehouse|8080": 100,
                  },
                  "Type": "Regex",
                },
              ],
            },
          },
          "Port": 14001,
          "Protocol": "http",
        },
      ],
    },
  },
  "Spec": Object {
    "FeatureFlags": Object {
      "EnableAutoDefaultRoute": false,
      "EnableSidecarActiveHealthChecks": false,
    },
    "Observability": Object {},
    "Probes": Object {},
    "ServiceIdentity": "bookstore.bookstore",
    "SidecarLogLevel": "error",
    "SidecarTimeout": 60,
    "Traffic": Object {
      "EnableEgress": true,
      "HTTP1PerRequestLoadBalancing": false,
      "HTTP2PerRequestLoadBalancing": true,
    },
  },
  "Version": "8d7fc5709fcd5fb3",
}
`

exports[`test/generate/sidecar/sidecar-config.test.ts > TAP > SMI mode: deny by default, TrafficTarget routes, split, TCP route > bookwarehouse SMI (named targetPort, mysql TCP outbound) 1`] = `
Object {
  "AllowedEndpoints": Object {
    "10.244.2.10": "bookstore.bookstore-v1-1",
    "10.244.2.20": "bookstore.bookstore-v2-1",
  },
  "Certificate": null,
  "Chains": Object {
    "inbound-http": Array [
      "modules/inbound-tls-termination.js",
      "modules/inbound-http-routing.js",
      "modules/inbound-metrics-http.js",
      "modules/inbound-tracing-http.js",
      "modules/inbound-logging-http.js",
      "modules/inbound-throttle-service.js",
      "modules/inbound-throttle-route.js",
      "modules/inbound-http-load-balancing.js",
      "modules/inbound-http-default.js",
    ],
    "inbound-tcp": Array [
      "modules/inbound-tls-termination.js",
      "modules/inbound-tcp-routing.js",
      "modules/inbound-tcp-load-balancing.js",
      "modules/inbound-tcp-default.js",
    ],
    "outbound-http": Array [
      "modules/outbound-http-routing.js",
      "modules/outbound-metrics-http.js",
      "modules/outbound-tracing-http.js",
      "modules/outbound-logging-http.js",
      "modules/outbound-circuit-breaker.js",
      "modules/outbound-http-load-balancing.js",
      "modules/outbound-http-default.js",
    ],
    "outbound-tcp": Array [
      "modules/outbound-tcp-routing.js",
      "modules/outbound-tcp-load-balancing.js",
      "modules/outbound-tcp-default.js",
    ],
  },
  "Inbound": Object {
    "ClustersConfigs": Object {
      "bookwarehouse/bookwarehouse|8080|local": Object {
        "127.0.0.1:8080": 100,
      },
    },
    "TrafficMatches": Object {
      "14001": Object {
        "HttpHostPort2Service": Object {
          "bookwarehouse": Object {
            "RuleName": "bookwarehouse.bookwarehouse",
          },
          "bookwarehouse:14001": Object {
            "RuleName": "bookwarehouse.bookwarehouse",
          },
          "bookwarehouse.bookwarehouse": Object {
            "RuleName": "bookwarehouse.bookwarehouse",
          },
          "bookwarehouse.bookwarehouse:14001": Object {
            "RuleName": "bookwarehouse.bookwarehouse",
          },
          "bookwarehouse.bookwarehouse.svc": Object {
            "RuleName": "bookwarehouse.bookwarehouse",
          },
          "bookwarehouse.bookwarehouse.svc:14001": Object {
            "RuleName": "bookwarehouse.bookwarehouse",
          },
          "bookwarehouse.bookwarehouse.svc.cluster": Object {
            "RuleName": "bookwarehouse.bookwarehouse",
          },
          "bookwarehouse.bookwarehouse.svc.cluster:14001": Object {
            "RuleName": "bookwarehouse.bookwarehouse",
          },
          "bookwarehouse.bookwarehouse.svc.cluster.local": Object {
            "RuleName": "bookwarehouse.bookwarehouse",
          },
          "bookwarehouse.bookwarehouse.svc.cluster.local:14001": Object {
            "RuleName": "bookwarehouse.bookwarehouse",
          },
        },
        "HttpServiceRouteRules": Object {
          "bookwarehouse.bookwarehouse": Object {
            "AllowedEndpoints": Object {
              "10.244.2.10": "bookstore.bookstore",
              "10.244.2.20": "bookstore.bookstore",
            },
            "RouteRules": Array [
              Object {
                "AllowedServices": Array [
                  "bookstore.bookstore",
                ],
                "Path": ".*",
                "TargetClusters": Object {
                  "bookwarehouse/bookwarehouse|8080|local": 100,
                },
                "Type": "Regex",
              },
            ],
          },
        },
        "Port": 8080,
        "Protocol": "http",
      },
    },
  },
  "Metrics": false,
  "Outbound": Object {
    "ClustersConfigs": Object {
      "bookwarehouse/mysql|3306": Object {
        "Endpoints": Object {
          "10.244.4.10:3306": Object {
            "Weight": 100,
          },
        },
      },
    },
    "TrafficMatches": Object {
      "3306": Array [
        Object {
          "DestinationIPRanges": Object {
            "10.244.4.10/32": null,
          },
          "Port": 3306,
          "Protocol": "tcp",
          "TcpServiceRouteRules": Object {
            "AllowedEgressTraffic": false,
            "TargetClusters": Object {
              "bookwarehouse/mysql|3306": 100,
            },
          },
        },
      ],
    },
  },
  "Spec": Object {
    "FeatureFlags": Object {
      "EnableAutoDefaultRoute": false,
      "EnableSidecarActiveHealthChecks": false,
    },
    "Observability": Object {},
    "Probes": Object {},
    "ServiceIdentity": "bookwarehouse.bookwarehouse",
    "SidecarLogLevel": "error",
    "SidecarTimeout": 60,
    "Traffic": Object {
      "EnableEgress": true,
      "HTTP1PerRequestLoadBalancing": false,
      "HTTP2PerRequestLoadBalancing": true,
    },
  },
  "Version": "c8ea7a33eac54318",
}
`
