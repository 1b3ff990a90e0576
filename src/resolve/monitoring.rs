//! `monitoring`: the metrics port (by name and number, a port of the main container), path
//! and interval that the ServiceMonitor, the NetworkPolicy and the AuthorizationPolicy share.

use super::codes::{ALERT, PORT};
use super::ports::declared;
use super::resolver::Resolver;
use crate::blueprint::Blueprint;

/// Monitoring, resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedMonitoring {
    /// The metrics port's name.
    pub port: String,
    /// Its number.
    pub port_number: u16,
    /// Metrics path (default `/metrics`).
    pub path: String,
    /// Scrape interval, as written.
    pub interval: Option<String>,
    /// The default alerts are wanted.
    pub defaults: bool,
}

/// Checks and resolves `monitoring` (`None` inside: not monitored).
pub fn resolve(bp: &Blueprint, r: &mut Resolver<'_>) -> Option<Option<ResolvedMonitoring>> {
    let Some(m) = &bp.monitoring else {
        return Some(None);
    };
    let mark = r.mark();
    let main: Vec<_> = bp.ports.iter().flatten().collect();
    let number = main.iter().find(|p| p.name == m.port).map(|p| p.port);
    if number.is_none() {
        r.error(
            PORT,
            "/monitoring/port",
            format!("monitoring port `{}` is not a port of this service", m.port),
            Some(declared(&main)),
        );
    }
    if let Some(path) = m.path.as_deref().filter(|p| !p.starts_with('/')) {
        r.error(
            ALERT,
            "/monitoring/path",
            format!("metrics path `{path}` must start with `/`"),
            None,
        );
    }
    let resolved = number.map(|port_number| ResolvedMonitoring {
        port: m.port.clone(),
        port_number,
        path: m.path.clone().unwrap_or_else(|| "/metrics".into()),
        interval: m.interval.as_ref().map(|d| d.0.clone()),
        defaults: m.defaults == Some(true),
    });
    r.finish(mark, resolved).flatten().map(Some)
}
