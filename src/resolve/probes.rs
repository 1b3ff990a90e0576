//! `probes` of a container (the main one, or a sidecar's): exactly one kind each, an absolute
//! path, a port the container declares; the port defaults to the container's first, and a
//! gRPC probe gets its port as a number.

use super::codes::PROBE;
use super::ports::{declared, number};
use super::resolver::Resolver;
use crate::blueprint::common::PortRef;
use crate::blueprint::service::{Port, Probe, Probes};

/// Where a probe connects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProbeAction {
    /// HTTP GET of a path.
    Http {
        /// Path.
        path: String,
        /// Port name or number.
        port: PortRef,
    },
    /// TCP connect.
    Tcp {
        /// Port name or number.
        port: PortRef,
    },
    /// gRPC health check (needs a number).
    Grpc {
        /// Port number.
        port: u16,
    },
}

/// A probe with its timings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedProbe {
    /// What it does.
    pub action: ProbeAction,
    /// Seconds before the first probe.
    pub initial_delay_seconds: Option<u32>,
    /// Seconds between probes.
    pub period_seconds: Option<u32>,
    /// Timeout seconds.
    pub timeout_seconds: Option<u32>,
    /// Failures in a row.
    pub failure_threshold: Option<u32>,
}

/// The probes of one container.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResolvedProbes {
    /// Liveness probe.
    pub liveness: Option<ResolvedProbe>,
    /// Readiness probe.
    pub readiness: Option<ResolvedProbe>,
    /// Startup probe.
    pub startup: Option<ResolvedProbe>,
}

/// Checks and resolves the `probes` at `pointer` of a container with `ports`.
pub fn resolve(
    probes: Option<&Probes>,
    pointer: &str,
    ports: &[&Port],
    r: &mut Resolver<'_>,
) -> Option<ResolvedProbes> {
    let Some(probes) = probes else {
        return Some(ResolvedProbes::default());
    };
    let mark = r.mark();
    let one = |name: &str, probe: &Option<Probe>, r: &mut Resolver<'_>| {
        probe
            .as_ref()
            .and_then(|p| resolve_one(p, &format!("{pointer}/{name}"), ports, r))
    };
    let resolved = ResolvedProbes {
        liveness: one("liveness", &probes.liveness, r),
        readiness: one("readiness", &probes.readiness, r),
        startup: one("startup", &probes.startup, r),
    };
    r.finish(mark, resolved)
}

fn resolve_one(
    probe: &Probe,
    pointer: &str,
    ports: &[&Port],
    r: &mut Resolver<'_>,
) -> Option<ResolvedProbe> {
    let mark = r.mark();
    let kinds = [
        probe.path.is_some(),
        probe.tcp == Some(true),
        probe.grpc == Some(true),
    ];
    let count = kinds.iter().filter(|k| **k).count();
    if count != 1 {
        r.error(
            PROBE,
            pointer,
            format!(
                "probe must set exactly one of `path`, `tcp: true`, `grpc: true` (found {count})"
            ),
            None,
        );
    }
    if let Some(path) = probe.path.as_ref().filter(|p| !p.starts_with('/')) {
        r.error(
            PROBE,
            &format!("{pointer}/path"),
            format!("probe path `{path}` must start with `/`"),
            None,
        );
    }
    // The port as written, or the container's first; and its number.
    let port = match &probe.port {
        Some(p) => {
            let found = number(ports, p);
            if found.is_none() {
                r.error(
                    PROBE,
                    &format!("{pointer}/port"),
                    format!("probe port `{p}` is not a port of this service"),
                    Some(declared(ports)),
                );
            }
            found.map(|n| (p.clone(), n))
        }
        None => {
            let first = ports
                .first()
                .map(|q| (PortRef::Name(q.name.clone()), q.port));
            if first.is_none() {
                r.error(
                    PROBE,
                    pointer,
                    "probe has no port and the service declares none",
                    Some("add `ports`, or give the probe a `port`".into()),
                );
            }
            first
        }
    };
    let (port, number) = port?;
    let action = if probe.tcp == Some(true) {
        ProbeAction::Tcp { port }
    } else if probe.grpc == Some(true) {
        ProbeAction::Grpc { port: number }
    } else {
        ProbeAction::Http {
            path: probe.path.clone().unwrap_or_else(|| "/".into()),
            port,
        }
    };
    r.finish(
        mark,
        ResolvedProbe {
            action,
            initial_delay_seconds: probe.initial_delay_seconds,
            period_seconds: probe.period_seconds,
            timeout_seconds: probe.timeout_seconds,
            failure_threshold: probe.failure_threshold,
        },
    )
}
