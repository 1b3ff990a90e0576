//! `monitoring`: the metrics port (by name and number), path and interval that the
//! ServiceMonitor, the NetworkPolicy and the AuthorizationPolicy share.

use crate::blueprint::service::Monitoring;

/// Monitoring, resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedMonitoring {
    /// The metrics port's name.
    pub port: String,
    /// Its number, when a container declares it (checked: BP104).
    pub port_number: Option<u16>,
    /// Metrics path (default `/metrics`).
    pub path: String,
    /// Scrape interval, as written.
    pub interval: Option<String>,
    /// The default alerts are wanted.
    pub defaults: bool,
}

/// Resolves `monitoring`; `port_number` finds a port of any container by name.
pub fn resolve(m: &Monitoring, port_number: impl Fn(&str) -> Option<u16>) -> ResolvedMonitoring {
    ResolvedMonitoring {
        port_number: port_number(&m.port),
        port: m.port.clone(),
        path: m.path.clone().unwrap_or_else(|| "/metrics".into()),
        interval: m.interval.as_ref().map(|d| d.0.clone()),
        defaults: m.defaults == Some(true),
    }
}
