//! Traffic objects: Istio (edge VirtualServices per host, in-mesh VirtualServices,
//! DestinationRules, PeerAuthentications, AuthorizationPolicies, the edge Gateway) and, for
//! clusters without a mesh, plain `networking.k8s.io/v1` Ingresses. Gateway API objects are
//! in [`super::gateway_api`].
//!
//! Edge routes of all services that share a host go into one VirtualService per host, in the
//! gateway's namespace (Istio does not merge VirtualServices reliably), ordered longest path
//! prefix first because the first matching route wins.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule,
    IngressServiceBackend, IngressSpec, IngressTLS, ServiceBackendPort,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::workload::metadata;
use crate::blueprint::service::LoadBalancer as Lb;
use crate::resolve::routes::ResolvedRoute;
use crate::resolve::{labels, MeshSettings, ResolvedCluster, ResolvedService};
use crate::resources::istio::{
    AuthorizationPolicy, AuthorizationPolicySpec, AuthorizationRule, ClientTls, ConnectionPool,
    Destination, DestinationRule, DestinationRuleSpec, Gateway, GatewaySpec, HttpMatch, HttpPool,
    HttpRoute, LoadBalancer, MutualTls, Operation, OutlierDetection, PeerAuthentication,
    PeerAuthenticationSpec, PolicyTargetRef, PortSelector, RetryPolicy, Rewrite, RouteDestination,
    RuleFrom, RuleTo, Server, ServerPort, ServerTls, Source, StringMatch, TcpPool, TrafficPolicy,
    VirtualService, VirtualServiceSpec, WorkloadSelector,
};

fn owned_meta(name: &str, namespace: &str) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_owned()),
        namespace: Some(namespace.to_owned()),
        labels: Some(BTreeMap::from([(
            labels::MANAGED_BY.to_owned(),
            "fluxprint".to_owned(),
        )])),
        ..ObjectMeta::default()
    }
}

fn retries(r: &crate::blueprint::service::Retries) -> RetryPolicy {
    RetryPolicy {
        attempts: r.attempts,
        per_try_timeout: r.per_try_timeout.as_ref().map(|d| d.0.clone()),
        retry_on: r.on.clone(),
    }
}

/// One edge route of one service.
struct EdgeRoute<'a> {
    svc: &'a ResolvedService,
    route: &'a ResolvedRoute,
}

/// The edge VirtualServices, one per host, for the gateway's namespace.
pub fn edge_virtual_services(
    mesh: &MeshSettings,
    services: &[ResolvedService],
) -> Vec<(String, VirtualService)> {
    let mut by_host: BTreeMap<String, Vec<EdgeRoute<'_>>> = BTreeMap::new();
    // A service that Flagger releases has its routes in its Canary (`delivery`).
    for svc in services
        .iter()
        .filter(|s| !super::delivery::flagger_owned(s))
    {
        for route in &svc.routes {
            by_host
                .entry(route.host.clone())
                .or_default()
                .push(EdgeRoute { svc, route });
        }
    }
    let (gw_ns, gw_name) = &mesh.gateway;
    by_host
        .into_iter()
        .map(|(host, mut routes)| {
            // Longest prefix first: Istio uses the first route that matches.
            routes.sort_by(|a, b| {
                b.route
                    .path
                    .len()
                    .cmp(&a.route.path.len())
                    .then_with(|| a.route.path.cmp(&b.route.path))
                    .then_with(|| a.svc.name.cmp(&b.svc.name))
            });
            let http = routes
                .iter()
                .map(|r| HttpRoute {
                    name: Some(r.svc.name.clone()),
                    r#match: vec![HttpMatch {
                        uri: StringMatch {
                            prefix: r.route.path.clone(),
                        },
                    }],
                    rewrite: r.route.rewrite.clone().map(|uri| Rewrite { uri }),
                    route: vec![RouteDestination {
                        destination: Destination {
                            host: r.svc.fqdn(),
                            port: PortSelector {
                                number: u32::from(r.route.port),
                            },
                        },
                    }],
                    timeout: r.route.timeout.as_ref().map(|d| d.0.clone()),
                    retries: r.route.retries.as_ref().map(retries),
                })
                .collect();
            let name = format!("edge-{}", host.replace('.', "-"));
            let vs = VirtualService {
                metadata: owned_meta(&name, gw_ns),
                spec: VirtualServiceSpec {
                    hosts: vec![host],
                    gateways: vec![format!("{gw_ns}/{gw_name}")],
                    http,
                },
            };
            (name, vs)
        })
        .collect()
}

/// The in-mesh VirtualService of a service with `mesh.timeout` or `mesh.retries`.
pub fn mesh_virtual_service(svc: &ResolvedService) -> Option<VirtualService> {
    let route = svc.mesh.route.as_ref()?;
    Some(VirtualService {
        metadata: metadata(svc, &svc.name),
        spec: VirtualServiceSpec {
            hosts: vec![svc.fqdn()],
            gateways: vec!["mesh".into()],
            http: vec![HttpRoute {
                name: Some("default".into()),
                r#match: Vec::new(),
                rewrite: None,
                route: vec![RouteDestination {
                    destination: Destination {
                        host: svc.fqdn(),
                        port: PortSelector {
                            number: u32::from(route.port),
                        },
                    },
                }],
                timeout: route.timeout.clone(),
                retries: route.retries.as_ref().map(retries),
            }],
        },
    })
}

/// The DestinationRule of a service; none for a worker, which has no Service host.
pub fn destination_rule(mesh: &MeshSettings, svc: &ResolvedService) -> Option<DestinationRule> {
    if !svc.workload.serves() {
        return None;
    }
    let policy = &svc.mesh;
    let pool = policy.connection_pool.as_ref().map(|p| ConnectionPool {
        tcp: p
            .max_connections
            .map(|max_connections| TcpPool { max_connections }),
        http: (p.max_pending_requests.is_some() || p.max_requests_per_connection.is_some())
            .then_some(HttpPool {
                http1_max_pending_requests: p.max_pending_requests,
                max_requests_per_connection: p.max_requests_per_connection,
            }),
    });
    let outlier = policy.outlier_detection.as_ref().map(|o| OutlierDetection {
        consecutive_5xx_errors: o.consecutive5xx_errors,
        interval: o.interval.as_ref().map(|d| d.0.clone()),
        base_ejection_time: o.base_ejection_time.as_ref().map(|d| d.0.clone()),
        max_ejection_percent: o.max_ejection_percent.map(u32::from),
    });
    let lb = policy.load_balancer.map(|lb| LoadBalancer {
        simple: match lb {
            Lb::RoundRobin => "ROUND_ROBIN",
            Lb::LeastRequest => "LEAST_REQUEST",
            Lb::Random => "RANDOM",
            Lb::Passthrough => "PASSTHROUGH",
        }
        .into(),
    });
    Some(DestinationRule {
        metadata: metadata(svc, &svc.name),
        spec: DestinationRuleSpec {
            host: svc.fqdn(),
            traffic_policy: TrafficPolicy {
                connection_pool: pool,
                outlier_detection: outlier,
                load_balancer: lb,
                // Ambient traffic is always mutual TLS (HBONE): no client TLS setting.
                tls: (mesh.mtls_strict && !mesh.ambient).then(|| ClientTls {
                    mode: "ISTIO_MUTUAL".into(),
                }),
            },
        },
    })
}

/// The ALLOW AuthorizationPolicy of a service: its callers' service accounts, and the
/// gateway's for routed services, on its ports. No rule at all denies every request.
///
/// Under Gateway API the gateway principals are the service accounts of the gateways the
/// service is routed through (`<gateway>-istio` when Istio deploys them, class `istio`),
/// else `mesh.gatewayServiceAccount`. With `waypoint` (ambient mode, a waypoint in the
/// namespace) the policy is attached to the Service (`targetRefs`) and enforced by the
/// waypoint: behind a waypoint, the pods' ztunnel sees the waypoint's identity, not the
/// caller's, so a pod-selecting policy would deny every caller.
pub fn authorization_policy(
    cluster: &ResolvedCluster,
    mesh: &MeshSettings,
    svc: &ResolvedService,
    namespaces: &BTreeMap<String, String>,
    waypoint: bool,
) -> AuthorizationPolicy {
    let mut principals: BTreeSet<String> = svc
        .callers
        .iter()
        .filter_map(|c| {
            namespaces
                .get(c)
                .map(|ns| format!("cluster.local/ns/{ns}/sa/{c}"))
        })
        .collect();
    let routed = !svc.routes.is_empty();
    let edge: Vec<(String, String)> = match &cluster.gateway_api {
        Some(api) if api.istio_deployed() => svc
            .routes
            .iter()
            .filter_map(|r| api.gateway(r.gateway.as_deref()))
            .map(crate::resolve::ResolvedGateway::istio_service_account)
            .collect(),
        _ => mesh
            .gateway_service_account
            .iter()
            .filter(|_| routed)
            .cloned()
            .collect(),
    };
    for (ns, sa) in edge {
        principals.insert(format!("cluster.local/ns/{ns}/sa/{sa}"));
    }
    let ports: Vec<String> = svc.all_ports().iter().map(|p| p.port.to_string()).collect();
    let mut rules = Vec::new();
    if !principals.is_empty() {
        rules.push(AuthorizationRule {
            from: vec![RuleFrom {
                source: Source {
                    principals: principals.into_iter().collect(),
                    ..Source::default()
                },
            }],
            to: vec![RuleTo {
                operation: Operation { ports },
            }],
        });
    }
    // Prometheus scrapes through the mesh from its own namespace, on the metrics port only
    // (the NetworkPolicy admits the same peer).
    let metrics_port = svc.monitoring.as_ref().map(|m| m.port_number.to_string());
    if let Some(port) = metrics_port {
        rules.push(AuthorizationRule {
            from: vec![RuleFrom {
                source: Source {
                    namespaces: vec![super::network::MONITORING_NAMESPACE.to_owned()],
                    ..Source::default()
                },
            }],
            to: vec![RuleTo {
                operation: Operation { ports: vec![port] },
            }],
        });
    }
    // A worker has no Service to attach to; nothing calls it through a waypoint either.
    let attached = waypoint && svc.workload.serves();
    AuthorizationPolicy {
        metadata: metadata(svc, &svc.name),
        spec: AuthorizationPolicySpec {
            selector: (!attached).then(|| WorkloadSelector {
                match_labels: svc.pods(),
            }),
            target_refs: if attached {
                vec![PolicyTargetRef {
                    group: String::new(),
                    kind: "Service".into(),
                    name: svc.name.clone(),
                }]
            } else {
                Vec::new()
            },
            action: "ALLOW".into(),
            rules,
        },
    }
}

/// The PeerAuthentication of one namespace.
pub fn peer_authentication(mesh: &MeshSettings, namespace: &str) -> PeerAuthentication {
    PeerAuthentication {
        metadata: owned_meta("default", namespace),
        spec: PeerAuthenticationSpec {
            mtls: MutualTls {
                mode: if mesh.mtls_strict {
                    "STRICT"
                } else {
                    "PERMISSIVE"
                }
                .into(),
            },
        },
    }
}

/// The edge Gateway, when the cluster asks fluxprint to render it: HTTPS on 443 with the TLS
/// credential, HTTP on 80 redirecting to HTTPS.
pub fn gateway(mesh: &MeshSettings, services: &[ResolvedService]) -> Option<Gateway> {
    let secret = mesh.create_gateway.as_ref()?;
    let hosts: BTreeSet<String> = services
        .iter()
        .flat_map(|s| s.routes.iter())
        .map(|r| r.host.clone())
        .collect();
    let hosts: Vec<String> = hosts.into_iter().collect();
    let (ns, name) = &mesh.gateway;
    Some(Gateway {
        metadata: owned_meta(name, ns),
        spec: GatewaySpec {
            selector: BTreeMap::from([("istio".to_owned(), "ingressgateway".to_owned())]),
            servers: vec![
                Server {
                    port: ServerPort {
                        number: 443,
                        name: "https".into(),
                        protocol: "HTTPS".into(),
                    },
                    hosts: hosts.clone(),
                    tls: Some(ServerTls {
                        https_redirect: None,
                        mode: Some("SIMPLE".into()),
                        credential_name: Some(secret.clone()),
                    }),
                },
                Server {
                    port: ServerPort {
                        number: 80,
                        name: "http".into(),
                        protocol: "HTTP".into(),
                    },
                    hosts,
                    tls: Some(ServerTls {
                        https_redirect: Some(true),
                        mode: None,
                        credential_name: None,
                    }),
                },
            ],
        },
    })
}

/// A plain Ingress for a routed service on a cluster without a mesh. With the nginx class,
/// the route settings become nginx annotations, which apply to the whole Ingress:
/// - `timeout` → `proxy-read-timeout` and `proxy-send-timeout` (whole seconds, rounded up);
/// - `retries.attempts` → `proxy-next-upstream-tries` = attempts + 1 (nginx counts the first
///   try, Istio does not);
/// - `rewrite` (Istio semantics: replace the matched prefix) → a regex path
///   `<prefix>(/|$)(.*)` with `rewrite-target: <rewrite>/$2` and `use-regex`, because nginx's
///   `rewrite-target` replaces the whole path unless it uses a capture group;
/// - a `grpc` target port → `backend-protocol: GRPC`, `https` → `HTTPS`: nginx speaks
///   HTTP/1.1 in clear text to backends otherwise (`grpc-web` is HTTP/1.1 and stays so).
pub fn ingress(cluster: &ResolvedCluster, svc: &ResolvedService) -> Option<Ingress> {
    const NGINX: &str = "nginx.ingress.kubernetes.io/";
    let class = cluster.ingress_class.as_ref()?;
    let routes = Some(&svc.routes).filter(|r| !r.is_empty())?;
    let nginx = class == "nginx";
    let mut by_host: BTreeMap<String, Vec<HTTPIngressPath>> = BTreeMap::new();
    let mut annotations = BTreeMap::new();
    let mut note = |key: &str, value: String| {
        annotations.insert(format!("{NGINX}{key}"), value);
    };
    for r in routes {
        let number = r.port;
        let prefix = r.path.clone();
        let (path, path_type) = match (&r.rewrite, nginx) {
            (Some(rw), true) => {
                let base = prefix.trim_end_matches('/');
                note("use-regex", "true".into());
                note("rewrite-target", format!("{}/$2", rw.trim_end_matches('/')));
                (format!("{base}(/|$)(.*)"), "ImplementationSpecific")
            }
            _ => (prefix, "Prefix"),
        };
        by_host
            .entry(r.host.clone())
            .or_default()
            .push(HTTPIngressPath {
                path: Some(path),
                path_type: path_type.into(),
                backend: IngressBackend {
                    service: Some(IngressServiceBackend {
                        name: svc.name.clone(),
                        port: Some(ServiceBackendPort {
                            number: Some(i32::from(number)),
                            name: None,
                        }),
                    }),
                    ..IngressBackend::default()
                },
            });
        if !nginx {
            continue;
        }
        if let Some(t) = &r.timeout {
            let secs = (t.millis() / 1000.0).ceil().max(1.0);
            note("proxy-read-timeout", format!("{secs}"));
            note("proxy-send-timeout", format!("{secs}"));
        }
        if let Some(rt) = &r.retries {
            note("proxy-next-upstream-tries", (rt.attempts + 1).to_string());
        }
        let protocol = svc
            .all_ports()
            .into_iter()
            .find(|p| p.port == number)
            .and_then(|p| match p.app_protocol.as_deref() {
                Some("grpc") => Some("GRPC"),
                Some("https") => Some("HTTPS"),
                _ => None,
            });
        if let Some(protocol) = protocol {
            note("backend-protocol", protocol.into());
        }
    }
    let hosts: Vec<String> = by_host.keys().cloned().collect();
    let mut meta = metadata(svc, &svc.name);
    meta.annotations = (!annotations.is_empty()).then_some(annotations);
    Some(Ingress {
        metadata: meta,
        spec: Some(IngressSpec {
            ingress_class_name: Some(class.clone()),
            rules: Some(
                by_host
                    .into_iter()
                    .map(|(host, mut paths)| {
                        paths.sort_by(|a, b| {
                            b.path
                                .as_ref()
                                .map(String::len)
                                .cmp(&a.path.as_ref().map(String::len))
                        });
                        IngressRule {
                            host: Some(host),
                            http: Some(HTTPIngressRuleValue { paths }),
                        }
                    })
                    .collect(),
            ),
            tls: cluster.ingress_tls.as_ref().map(|secret| {
                vec![IngressTLS {
                    hosts: Some(hosts),
                    secret_name: Some(secret.clone()),
                }]
            }),
            ..IngressSpec::default()
        }),
        ..Ingress::default()
    })
}
