//! `probes` of a container (the main one, or a sidecar's): exactly one kind each, an absolute
//! path, a port the container declares (an exec probe needs none); the port defaults to the
//! container's first, and a gRPC probe gets its port as a number. Strict clusters need a
//! liveness probe on every container of a long-running pod and a readiness probe on every
//! container that serves a Service port ([`require`]): the rules the output validation holds
//! the pods to (GO101), checked here at the blueprint's line.

use super::codes::PROBE;
use super::ports::{declared, number};
use super::resolver::Resolver;
use crate::blueprint::common::PortRef;
use crate::blueprint::service::{Port, Probe, Probes};
use crate::diag::field_path;

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
    /// A command run in the container.
    Exec {
        /// The command and its arguments.
        command: Vec<String>,
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
        probe.exec.is_some(),
    ];
    let count = kinds.iter().filter(|k| **k).count();
    if count != 1 {
        r.error(
            PROBE,
            pointer,
            format!(
                "probe must set exactly one of `path`, `tcp: true`, `grpc: true`, `exec` (found {count})"
            ),
            None,
        );
    }
    if let Some(command) = &probe.exec {
        if command.first().is_none_or(|c| c.is_empty()) {
            r.error(
                PROBE,
                &format!("{pointer}/exec"),
                "exec probe has no command",
                Some(
                    "write the command and its arguments, e.g. `exec: [celery, inspect, ping]`"
                        .into(),
                ),
            );
        }
        if probe.port.is_some() {
            r.error(
                PROBE,
                &format!("{pointer}/port"),
                "an exec probe runs in the container and takes no `port`",
                None,
            );
        }
        // Runs in the container: no port to resolve.
        return r.finish(
            mark,
            timings(
                probe,
                ProbeAction::Exec {
                    command: command.clone(),
                },
            ),
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
    r.finish(mark, timings(probe, action))
}

fn timings(probe: &Probe, action: ProbeAction) -> ResolvedProbe {
    ResolvedProbe {
        action,
        initial_delay_seconds: probe.initial_delay_seconds,
        period_seconds: probe.period_seconds,
        timeout_seconds: probe.timeout_seconds,
        failure_threshold: probe.failure_threshold,
    }
}

/// On strict clusters, the probes the container at `container` (`""` for the main one,
/// `/sidecars/0` for a sidecar) must have: liveness always (a hung process is never
/// restarted otherwise), readiness when it `serves` a Service port (traffic would reach it
/// before it is ready). A missing probe is reported at the container's `probes`, else at the
/// container itself (the blueprint's `name` for the main one).
pub fn require(
    probes: Option<&Probes>,
    container: &str,
    label: &str,
    serves: bool,
    r: &mut Resolver<'_>,
) {
    if !r.strict() {
        return;
    }
    let empty = Probes::default();
    let written = probes.unwrap_or(&empty);
    let at = match (probes, container) {
        (Some(_), _) => format!("{container}/probes"),
        (None, "") => "/name".to_owned(),
        (None, c) => c.to_owned(),
    };
    let cluster = r.cluster().name.clone();
    for (kind, probe, why) in [
        ("liveness", &written.liveness, "every container"),
        (
            "readiness",
            &written.readiness,
            "a container that serves a Service port",
        ),
    ] {
        if probe.is_some() || (kind == "readiness" && !serves) {
            continue;
        }
        let field = format!("{container}/probes/{kind}");
        let example = if kind == "readiness" {
            "`{path: /ready}`"
        } else {
            "`{path: /healthz}` or `{exec: [...]}`"
        };
        r.error_at(
            PROBE,
            &at,
            &field,
            format!("{label} has no {kind} probe: strict cluster `{cluster}` needs one on {why}"),
            Some(format!("add `{}`, e.g. {example}", field_path(&field))),
        );
    }
}
