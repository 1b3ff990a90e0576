//! `routes`: each route with its full host, its path and its port number, as every renderer
//! (Istio edge VirtualServices, Ingresses, the Gateway, the graph) needs them; checked for a
//! DNS host, an absolute path, a declared port, and a cluster that can render it (a mesh or
//! an ingress, a `domain` for relative hosts, a rewrite the ingress class supports).

use super::codes::{
    GRPC_ROUTE_UNSUPPORTED, HOST_WITHOUT_DOMAIN, PORT, RETRIES_EXCEED_TIMEOUT, REWRITE_UNSUPPORTED,
    ROUTE, ROUTES_NOWHERE, ROUTE_GATEWAY_UNKNOWN, SETTING_NOT_RENDERED,
};
use super::ports::{self, declared};
use super::resolver::Resolver;
use crate::blueprint::common::Duration;
use crate::blueprint::names::{self, app_protocol};
use crate::blueprint::service::{Retries, Route};
use crate::blueprint::Blueprint;
use crate::diag::Severity;

/// A route, resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedRoute {
    /// Full host name (a relative host gets the cluster's domain).
    pub host: String,
    /// Path prefix (default `/`).
    pub path: String,
    /// Target port number (default the primary port).
    pub port: u16,
    /// Request timeout.
    pub timeout: Option<Duration>,
    /// Retry policy.
    pub retries: Option<Retries>,
    /// Prefix rewrite.
    pub rewrite: Option<String>,
    /// Gateway API: the name of the cluster gateway the route attaches to (`None` without
    /// `gatewayApi`).
    pub gateway: Option<String>,
    /// The target port speaks gRPC (`appProtocol: grpc`): a GRPCRoute under Gateway API.
    pub grpc: bool,
}

/// `host`, with the cluster's `domain` appended when it is relative (has no dot).
pub fn full_host(host: &str, domain: Option<&str>) -> String {
    match domain {
        Some(d) if !host.contains('.') => format!("{host}.{d}"),
        _ => host.to_owned(),
    }
}

/// The path prefix of a route (default `/`).
pub fn path(route: &Route) -> String {
    route.path.clone().unwrap_or_else(|| "/".into())
}

/// Checks and resolves the routes of a blueprint.
pub fn resolve(bp: &Blueprint, r: &mut Resolver<'_>) -> Option<Vec<ResolvedRoute>> {
    let mark = r.mark();
    let cluster = r.cluster();
    let routes = bp.routes.as_deref().unwrap_or_default();
    let main: Vec<_> = bp.ports.iter().flatten().collect();
    let service = ports::all(bp);
    let mut resolved = Vec::new();
    for (i, route) in routes.iter().enumerate() {
        let host_ok = if route.host.contains('.') {
            names::dns1123_subdomain(&route.host)
        } else {
            names::dns1123_label(&route.host, 63)
        };
        if let Some(why) = host_ok {
            r.error(
                ROUTE,
                &format!("/routes/{i}/host"),
                format!("route host `{}` {why}", route.host),
                None,
            );
        }
        if route.path.as_deref().is_some_and(|p| !p.starts_with('/')) {
            r.error(
                ROUTE,
                &format!("/routes/{i}/path"),
                "route path must start with `/`",
                None,
            );
        }
        // A port of any container by reference; the primary port without one.
        let port = match &route.port {
            Some(p) => {
                let found = ports::number(&service, p);
                if found.is_none() {
                    r.error(
                        PORT,
                        &format!("/routes/{i}/port"),
                        format!("route port `{p}` is not a port of this service"),
                        Some(declared(&service)),
                    );
                }
                found
            }
            None => {
                let primary = main.first().map(|p| p.port);
                if primary.is_none() {
                    r.error(
                        PORT,
                        &format!("/routes/{i}"),
                        "a route needs a port, but the service declares none",
                        None,
                    );
                }
                primary
            }
        };
        let grpc = port.is_some_and(|n| {
            service
                .iter()
                .any(|p| p.port == n && app_protocol(&p.name) == Some("grpc"))
        });
        let gateway = gateway(route, i, grpc, r);
        if let Some(port) = port {
            resolved.push(ResolvedRoute {
                gateway,
                grpc,
                host: full_host(&route.host, cluster.domain.as_deref()),
                path: path(route),
                port,
                timeout: route.timeout.clone(),
                retries: route.retries.clone(),
                rewrite: route.rewrite.clone(),
            });
        }
    }
    // Routes need somewhere to be rendered.
    let istio = cluster.mesh.is_some();
    let gateway_api = cluster.gateway_api.is_some();
    if !routes.is_empty() && !istio && !gateway_api && cluster.ingress_class.is_none() {
        r.error(ROUTES_NOWHERE, "/routes", format!("these routes cannot be rendered: there is neither `mesh.istio`, `gatewayApi` nor `ingress` in cluster `{}`", cluster.name), Some("add `mesh: {istio: true, ...}`, `gatewayApi: {className: ..., gateways: [...]}` or `ingress: {className: nginx}` to the cluster file".into()));
    }
    if let (false, false, Some(class)) = (istio, gateway_api, &cluster.ingress_class) {
        if class != "nginx" {
            for (i, route) in routes.iter().enumerate() {
                if route.rewrite.is_some() {
                    r.error(
                        REWRITE_UNSUPPORTED,
                        &format!("/routes/{i}/rewrite"),
                        format!(
                            "ingress class `{class}` of cluster `{}` has no portable prefix rewrite",
                            cluster.name
                        ),
                        Some("rewrites render for Istio and for the `nginx` class; drop `rewrite` or rewrite in the service".into()),
                    );
                }
            }
        }
    }
    for (i, route) in routes.iter().enumerate() {
        if !route.host.contains('.') && cluster.domain.is_none() {
            r.error(
                HOST_WITHOUT_DOMAIN,
                &format!("/routes/{i}/host"),
                format!(
                    "relative host `{}` needs a `domain`, which is not set in cluster `{}`",
                    route.host, cluster.name
                ),
                Some("write the full host name, or set `domain` in the cluster file".into()),
            );
        }
        if let (Some(t), Some(rt)) = (&route.timeout, &route.retries) {
            if let Some(per_try) = &rt.per_try_timeout {
                if per_try.millis() * f64::from(rt.attempts) > t.millis() {
                    let at = format!("/routes/{i}/retries");
                    r.report(Severity::Warning, RETRIES_EXCEED_TIMEOUT, &at, &at, format!("{} attempts × perTryTimeout {} exceed the route timeout {}: the last attempts never run", rt.attempts, per_try, t), None);
                }
            }
        }
    }
    r.finish(mark, resolved)
}

/// The route's gateway under Gateway API (default the cluster's first), with what a
/// Gateway API route cannot express: retries (no retry field in the standard channel) and a
/// gRPC route's timeout (warned about on strict clusters), a gRPC rewrite or a gRPC path
/// that is no service (errors).
fn gateway(route: &Route, i: usize, grpc: bool, r: &mut Resolver<'_>) -> Option<String> {
    let cluster = r.cluster();
    let Some(api) = &cluster.gateway_api else {
        if let Some(name) = &route.gateway {
            r.error(
                ROUTE_GATEWAY_UNKNOWN,
                &format!("/routes/{i}/gateway"),
                format!(
                    "route gateway `{name}` needs `gatewayApi`, which cluster `{}` does not have",
                    cluster.name
                ),
                Some(
                    "drop `gateway` for this cluster, or add `gatewayApi` to the cluster file"
                        .into(),
                ),
            );
        }
        return None;
    };
    // What is not rendered is said on strict clusters, where it matters; a relaxed cluster
    // goes without quietly (documented in docs/mesh.md).
    let strict = r.strict();
    if route.retries.is_some() && strict {
        let at = format!("/routes/{i}/retries");
        r.report(Severity::Warning, SETTING_NOT_RENDERED, &at, &at, format!("route retries are not rendered in cluster `{}`: the Gateway API standard channel has no HTTPRoute retry field", cluster.name), None);
    }
    if grpc {
        if route.timeout.is_some() && strict {
            let at = format!("/routes/{i}/timeout");
            r.report(Severity::Warning, SETTING_NOT_RENDERED, &at, &at, format!("the timeout of a gRPC route is not rendered in cluster `{}`: GRPCRoute has no timeouts", cluster.name), None);
        }
        if route.rewrite.is_some() {
            r.error(
                GRPC_ROUTE_UNSUPPORTED,
                &format!("/routes/{i}/rewrite"),
                "a gRPC route cannot rewrite: GRPCRoute has no URL rewrite",
                None,
            );
        }
        let p = path(route);
        if grpc_service(&p).is_none() && p != "/" {
            r.error(
                GRPC_ROUTE_UNSUPPORTED,
                &format!("/routes/{i}/path"),
                format!("gRPC route path `{p}` is neither `/` nor `/<package.Service>`"),
                Some(
                    "a GRPCRoute matches whole gRPC services or methods, not path prefixes".into(),
                ),
            );
        }
    }
    match api.gateway(route.gateway.as_deref()) {
        Some(g) => Some(g.name.clone()),
        None => {
            let known: Vec<&str> = api.gateways.iter().map(|g| g.name.as_str()).collect();
            // With no gateways at all the cluster file is already reported (BP140).
            if let Some(name) = &route.gateway {
                r.error(
                    ROUTE_GATEWAY_UNKNOWN,
                    &format!("/routes/{i}/gateway"),
                    format!(
                        "route gateway `{name}` is no gateway of cluster `{}` (gateways: {})",
                        cluster.name,
                        known.join(", ")
                    ),
                    None,
                );
            }
            None
        }
    }
}

/// The gRPC service a route path `/<package.Service>` (a trailing `/` allowed) names.
pub fn grpc_service(path: &str) -> Option<&str> {
    let name = path.strip_prefix('/')?;
    let name = name.strip_suffix('/').unwrap_or(name);
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        && !name.starts_with('.')
        && !name.ends_with('.');
    ok.then_some(name)
}
