//! Gateway API objects (`gateway.networking.k8s.io/v1`): the cluster's Gateways with a
//! listener per routed host, the HTTP → HTTPS redirect, one HTTPRoute or GRPCRoute per
//! service and host, the in-mesh (GAMMA) HTTPRoute of a service, and in ambient mode the
//! waypoint Gateway of each namespace that needs L7 processing.
//!
//! Listeners admit routes from exactly the namespaces of the services routed to their host
//! (`from: Selector` on `kubernetes.io/metadata.name`, which the API server sets on every
//! namespace): `All` would let any namespace claim a public host, and `Same` (the default)
//! would admit none of the services, which live in their own namespaces. The redirect
//! listener admits only its own namespace, where the redirect route is.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::workload::metadata;
use crate::resolve::routes::ResolvedRoute;
use crate::resolve::{labels, GatewayApiSettings, ResolvedCluster, ResolvedService};
use crate::resources::gateway_api::{
    AllowedRoutes, BackendRef, GRPCRoute, Gateway, GatewaySpec, GrpcMethodMatch, GrpcRouteMatch,
    GrpcRouteRule, GrpcRouteSpec, HTTPRoute, HttpRouteFilter, HttpRouteMatch, HttpRouteRule,
    HttpRouteSpec, HttpRouteTimeouts, Listener, ListenerTls, NamespaceSelector, ParentRef,
    PathMatch, PathModifier, RequestRedirect, RouteNamespaces, SecretRef, SelectorRequirement,
    UrlRewrite,
};

/// Name of the waypoint Gateway of a namespace (what `istio.io/use-waypoint` names).
pub const WAYPOINT: &str = "waypoint";
/// The listener of a Gateway that redirects HTTP to HTTPS.
const REDIRECT_LISTENER: &str = "http";

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

/// `api.example.com` → `api-example-com`, for object and file names.
pub fn slug(host: &str) -> String {
    host.replace('.', "-")
}

/// The listener a route's host gets on a gateway: `https-<host>` with TLS, else `http-<host>`.
pub fn listener_name(tls: bool, host: &str) -> String {
    format!("{}-{host}", if tls { "https" } else { "http" })
}

/// A Gateway API duration (`1h2m3s500ms`: at most 5 digits a unit) for `millis`.
pub fn duration(millis: f64) -> String {
    // Blueprint durations may have fractions (`1.5s`); Gateway API takes whole units.
    let mut ms = millis.max(0.0).round() as u64;
    let mut out = String::new();
    for (unit, size) in [("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1)] {
        let n = ms / size;
        ms %= size;
        if n > 0 {
            out.push_str(&format!("{n}{unit}"));
        }
    }
    if out.is_empty() {
        out.push_str("0s");
    }
    out
}

/// Objects with the stem of their file name.
type Named<T> = Vec<(String, T)>;

/// For each gateway name: each host routed to it, with the namespaces of the services that
/// route it.
fn hosts(services: &[ResolvedService]) -> BTreeMap<&str, BTreeMap<&str, BTreeSet<&str>>> {
    let mut out: BTreeMap<&str, BTreeMap<&str, BTreeSet<&str>>> = BTreeMap::new();
    for svc in services {
        for r in &svc.routes {
            if let Some(g) = &r.gateway {
                out.entry(g.as_str())
                    .or_default()
                    .entry(r.host.as_str())
                    .or_default()
                    .insert(svc.namespace.as_str());
            }
        }
    }
    out
}

/// The Gateways with routed hosts, and the HTTP → HTTPS redirect route of each one with TLS:
/// `(file stem, object)` for `infrastructure/`.
pub fn gateways(
    api: &GatewayApiSettings,
    services: &[ResolvedService],
) -> (Named<Gateway>, Named<HTTPRoute>) {
    let routed = hosts(services);
    let mut gateways = Vec::new();
    let mut redirects = Vec::new();
    for g in &api.gateways {
        // A gateway nothing routes to would have no listener (an invalid Gateway) or only
        // the redirect: it is not rendered.
        let Some(by_host) = routed.get(g.name.as_str()) else {
            continue;
        };
        let tls = g.certificate.as_ref();
        let mut listeners: Vec<Listener> = by_host
            .iter()
            .map(|(host, namespaces)| Listener {
                name: listener_name(tls.is_some(), host),
                hostname: Some((*host).to_owned()),
                port: if tls.is_some() { 443 } else { 80 },
                protocol: if tls.is_some() { "HTTPS" } else { "HTTP" }.into(),
                tls: tls.map(|secret| ListenerTls {
                    mode: "Terminate".into(),
                    certificate_refs: vec![SecretRef {
                        name: secret.clone(),
                    }],
                }),
                allowed_routes: Some(AllowedRoutes {
                    namespaces: RouteNamespaces {
                        from: "Selector".into(),
                        selector: Some(NamespaceSelector {
                            match_expressions: vec![SelectorRequirement {
                                key: "kubernetes.io/metadata.name".into(),
                                operator: "In".into(),
                                values: namespaces.iter().map(|n| (*n).to_owned()).collect(),
                            }],
                        }),
                    },
                }),
            })
            .collect();
        if tls.is_some() {
            listeners.push(Listener {
                name: REDIRECT_LISTENER.into(),
                hostname: None,
                port: 80,
                protocol: "HTTP".into(),
                tls: None,
                allowed_routes: Some(AllowedRoutes {
                    namespaces: RouteNamespaces {
                        from: "Same".into(),
                        selector: None,
                    },
                }),
            });
            let name = format!("{}-https-redirect", g.name);
            redirects.push((
                name.clone(),
                HTTPRoute {
                    metadata: owned_meta(&name, &g.namespace),
                    spec: HttpRouteSpec {
                        parent_refs: vec![ParentRef {
                            name: g.name.clone(),
                            section_name: Some(REDIRECT_LISTENER.into()),
                            ..ParentRef::default()
                        }],
                        hostnames: Vec::new(),
                        rules: vec![HttpRouteRule {
                            filters: vec![HttpRouteFilter {
                                r#type: "RequestRedirect".into(),
                                url_rewrite: None,
                                request_redirect: Some(RequestRedirect {
                                    scheme: "https".into(),
                                    status_code: 301,
                                }),
                            }],
                            ..HttpRouteRule::default()
                        }],
                    },
                },
            ));
        }
        gateways.push((
            g.name.clone(),
            Gateway {
                metadata: owned_meta(&g.name, &g.namespace),
                spec: GatewaySpec {
                    gateway_class_name: api.class_name.clone(),
                    listeners,
                },
            },
        ));
    }
    (gateways, redirects)
}

/// The routes of one service and host on one gateway.
fn by_host(svc: &ResolvedService, grpc: bool) -> BTreeMap<(&str, &str), Vec<&ResolvedRoute>> {
    let mut out: BTreeMap<(&str, &str), Vec<&ResolvedRoute>> = BTreeMap::new();
    for r in svc.routes.iter().filter(|r| r.grpc == grpc) {
        if let Some(g) = &r.gateway {
            out.entry((g.as_str(), r.host.as_str()))
                .or_default()
                .push(r);
        }
    }
    for routes in out.values_mut() {
        // Longest prefix first (the API ranks by specificity anyway; this keeps it readable).
        routes.sort_by(|a, b| b.path.len().cmp(&a.path.len()).then(a.path.cmp(&b.path)));
    }
    out
}

/// The hosts a service routes through more than one gateway.
fn shared_hosts<'a, T>(routes: &BTreeMap<(&'a str, &'a str), T>) -> BTreeSet<&'a str> {
    let mut seen = BTreeSet::new();
    routes
        .keys()
        .filter(|(_, host)| !seen.insert(*host))
        .map(|(_, host)| *host)
        .collect()
}

/// The name part of a route for `host`: the host's slug, prefixed with the gateway when the
/// service routes that host through several gateways (one route per gateway then).
fn stem(gateway: &str, host: &str, shared: &BTreeSet<&str>) -> String {
    if shared.contains(host) {
        format!("{gateway}-{}", slug(host))
    } else {
        slug(host)
    }
}

fn parent(api: &GatewayApiSettings, gateway: &str, host: &str) -> Option<ParentRef> {
    let g = api.gateway(Some(gateway))?;
    Some(ParentRef {
        name: g.name.clone(),
        namespace: Some(g.namespace.clone()),
        section_name: Some(listener_name(g.certificate.is_some(), host)),
        ..ParentRef::default()
    })
}

/// The HTTPRoutes of a service: one per host (`(file stem, object)`), named
/// `<service>-<host>` (`<service>-<gateway>-<host>` for a host routed through several
/// gateways).
pub fn http_routes(cluster: &ResolvedCluster, svc: &ResolvedService) -> Vec<(String, HTTPRoute)> {
    let Some(api) = &cluster.gateway_api else {
        return Vec::new();
    };
    let routes = by_host(svc, false);
    let shared = shared_hosts(&routes);
    routes
        .into_iter()
        .filter_map(|((gateway, host), routes)| {
            let stem = stem(gateway, host, &shared);
            let name = format!("{}-{stem}", svc.name);
            let rules = routes
                .iter()
                .map(|r| HttpRouteRule {
                    matches: vec![HttpRouteMatch {
                        path: PathMatch {
                            r#type: "PathPrefix".into(),
                            value: r.path.clone(),
                        },
                    }],
                    filters: r
                        .rewrite
                        .iter()
                        .map(|to| HttpRouteFilter {
                            r#type: "URLRewrite".into(),
                            url_rewrite: Some(UrlRewrite {
                                path: PathModifier {
                                    r#type: "ReplacePrefixMatch".into(),
                                    replace_prefix_match: to.clone(),
                                },
                            }),
                            request_redirect: None,
                        })
                        .collect(),
                    backend_refs: vec![BackendRef {
                        name: svc.name.clone(),
                        port: r.port,
                    }],
                    timeouts: r.timeout.as_ref().map(|t| HttpRouteTimeouts {
                        request: duration(t.millis()),
                    }),
                })
                .collect();
            let route = HTTPRoute {
                metadata: metadata(svc, &name),
                spec: HttpRouteSpec {
                    parent_refs: vec![parent(api, gateway, host)?],
                    hostnames: vec![host.to_owned()],
                    rules,
                },
            };
            Some((format!("httproute-{stem}"), route))
        })
        .collect()
}

/// The GRPCRoutes of a service (routes to its gRPC ports): one per host.
pub fn grpc_routes(cluster: &ResolvedCluster, svc: &ResolvedService) -> Vec<(String, GRPCRoute)> {
    let Some(api) = &cluster.gateway_api else {
        return Vec::new();
    };
    let routes = by_host(svc, true);
    let shared = shared_hosts(&routes);
    routes
        .into_iter()
        .filter_map(|((gateway, host), routes)| {
            let stem = stem(gateway, host, &shared);
            let name = format!("{}-{stem}", svc.name);
            let rules = routes
                .iter()
                .map(|r| GrpcRouteRule {
                    matches: crate::resolve::routes::grpc_service(&r.path)
                        .map(|service| GrpcRouteMatch {
                            method: GrpcMethodMatch {
                                r#type: "Exact".into(),
                                service: service.to_owned(),
                            },
                        })
                        .into_iter()
                        .collect(),
                    backend_refs: vec![BackendRef {
                        name: svc.name.clone(),
                        port: r.port,
                    }],
                })
                .collect();
            let route = GRPCRoute {
                metadata: metadata(svc, &name),
                spec: GrpcRouteSpec {
                    parent_refs: vec![parent(api, gateway, host)?],
                    hostnames: vec![host.to_owned()],
                    rules,
                },
            };
            Some((format!("grpcroute-{stem}"), route))
        })
        .collect()
}

/// True when in-mesh routes render as GAMMA HTTPRoutes: under Gateway API (Istio's
/// VirtualServices and Gateway API routes should not be mixed); otherwise they stay
/// VirtualServices (in ambient mode, applied by the waypoint).
pub fn gamma(cluster: &ResolvedCluster) -> bool {
    cluster.gateway_api.is_some()
}

/// The in-mesh HTTPRoute (GAMMA: its parent is the Service itself) of a service with
/// `mesh.timeout`; retries have no field in the standard channel (warned about when
/// resolving).
pub fn mesh_route(svc: &ResolvedService) -> Option<HTTPRoute> {
    let route = svc.mesh.route.as_ref()?;
    let timeout = route.timeout.as_ref()?;
    let millis = crate::blueprint::common::Duration(timeout.clone()).millis();
    Some(HTTPRoute {
        metadata: metadata(svc, &format!("{}-mesh", svc.name)),
        spec: HttpRouteSpec {
            parent_refs: vec![ParentRef {
                group: Some(String::new()),
                kind: Some("Service".into()),
                name: svc.name.clone(),
                port: Some(route.port),
                ..ParentRef::default()
            }],
            hostnames: Vec::new(),
            rules: vec![HttpRouteRule {
                backend_refs: vec![BackendRef {
                    name: svc.name.clone(),
                    port: route.port,
                }],
                timeouts: Some(HttpRouteTimeouts {
                    request: duration(millis),
                }),
                ..HttpRouteRule::default()
            }],
        },
    })
}

/// True when the service needs L7 processing in the mesh: an in-mesh route or a
/// DestinationRule traffic policy, which in ambient mode only a waypoint applies.
pub fn needs_l7(svc: &ResolvedService) -> bool {
    let m = &svc.mesh;
    svc.workload.serves()
        && (m.route.is_some()
            || m.connection_pool.is_some()
            || m.outlier_detection.is_some()
            || m.load_balancer.is_some())
}

/// The namespaces that get a waypoint: in ambient mode, those with a service that needs L7.
pub fn waypoint_namespaces<'a>(
    cluster: &ResolvedCluster,
    services: &'a [ResolvedService],
) -> BTreeSet<&'a str> {
    if !cluster.mesh.as_ref().is_some_and(|m| m.ambient) {
        return BTreeSet::new();
    }
    services
        .iter()
        .filter(|s| needs_l7(s))
        .map(|s| s.namespace.as_str())
        .collect()
}

/// The waypoint of a namespace: Istio deploys it for the Gateway of class
/// `istio-waypoint`, an HBONE listener on 15008, for traffic addressed to Services.
pub fn waypoint(namespace: &str) -> Gateway {
    let mut meta = owned_meta(WAYPOINT, namespace);
    if let Some(l) = meta.labels.as_mut() {
        l.insert("istio.io/waypoint-for".into(), "service".into());
    }
    Gateway {
        metadata: meta,
        spec: GatewaySpec {
            gateway_class_name: "istio-waypoint".into(),
            listeners: vec![Listener {
                name: "mesh".into(),
                hostname: None,
                port: 15008,
                protocol: "HBONE".into(),
                tls: None,
                allowed_routes: Some(AllowedRoutes {
                    namespaces: RouteNamespaces {
                        from: "Same".into(),
                        selector: None,
                    },
                }),
            }],
        },
    }
}

#[cfg(test)]
mod tests {
    use super::duration;

    #[test]
    fn durations_in_gateway_api_units() {
        assert_eq!(duration(10_000.0), "10s");
        assert_eq!(duration(1_500.0), "1s500ms");
        assert_eq!(duration(3_600_000.0), "1h");
        assert_eq!(duration(90_000.0), "1m30s");
        assert_eq!(duration(0.0), "0s");
    }
}
