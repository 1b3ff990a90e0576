//! `routes`: each route with its full host, its path and its port number, as every renderer
//! (Istio edge VirtualServices, Ingresses, the Gateway, the graph) needs them; checked for a
//! DNS host, an absolute path, a declared port, and a cluster that can render it (a mesh or
//! an ingress, a `domain` for relative hosts, a rewrite the ingress class supports).

use super::codes::{
    HOST_WITHOUT_DOMAIN, PORT, RETRIES_EXCEED_TIMEOUT, REWRITE_UNSUPPORTED, ROUTE, ROUTES_NOWHERE,
};
use super::ports::{self, declared};
use super::resolver::Resolver;
use crate::blueprint::common::Duration;
use crate::blueprint::names;
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
        if let Some(port) = port {
            resolved.push(ResolvedRoute {
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
    if !routes.is_empty() && !istio && cluster.ingress_class.is_none() {
        r.error(ROUTES_NOWHERE, "/routes", format!("these routes cannot be rendered: there is neither `mesh.istio` nor `ingress` in cluster `{}`", cluster.name), Some("add `mesh: {istio: true, ...}` or `ingress: {className: nginx}` to the cluster file".into()));
    }
    if let (false, Some(class)) = (istio, &cluster.ingress_class) {
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
