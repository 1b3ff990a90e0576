//! `routes`: each route with its full host, its path and its port number, as every renderer
//! (Istio edge VirtualServices, Ingresses, the Gateway, the graph) needs them.

use crate::blueprint::common::{Duration, PortRef};
use crate::blueprint::service::{Retries, Route};

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

/// Resolves checked routes; `port_number` finds a port by reference (`None`: the primary).
pub fn resolve(
    routes: &[Route],
    domain: Option<&str>,
    port_number: impl Fn(Option<&PortRef>) -> Option<u16>,
) -> Vec<ResolvedRoute> {
    routes
        .iter()
        .map(|r| ResolvedRoute {
            host: full_host(&r.host, domain),
            path: r.path.clone().unwrap_or_else(|| "/".into()),
            // Checked: the port exists (BP104).
            port: port_number(r.port.as_ref()).unwrap_or(0),
            timeout: r.timeout.clone(),
            retries: r.retries.clone(),
            rewrite: r.rewrite.clone(),
        })
        .collect()
}
