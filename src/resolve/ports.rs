//! `ports` of the main container and of the sidecars: they share the pod's network namespace
//! and the Service, so names and numbers are unique across all of them, and every name
//! carries a protocol prefix (Istio and the Service's `appProtocol` read it).

use std::collections::BTreeMap;

use super::codes::{DUPLICATE, PORT};
use super::resolver::Resolver;
use crate::blueprint::common::PortRef;
use crate::blueprint::names::{self, app_protocol};
use crate::blueprint::service::Port;
use crate::blueprint::Blueprint;
use crate::diag::field_path;

/// One container port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedPort {
    /// Port name.
    pub name: String,
    /// Port number.
    pub port: u16,
    /// Service `appProtocol` derived from the name prefix.
    pub app_protocol: Option<String>,
}

/// Checks every port of the pod; resolves the main container's (a sidecar's are resolved
/// with the sidecar, by [`port`]).
pub fn resolve(bp: &Blueprint, r: &mut Resolver<'_>) -> Option<Vec<ResolvedPort>> {
    let mark = r.mark();
    let mut port_names: BTreeMap<&str, String> = BTreeMap::new();
    let mut port_numbers: BTreeMap<u16, String> = BTreeMap::new();
    let mut all_ports = Vec::new();
    for (i, p) in bp.ports.iter().flatten().enumerate() {
        all_ports.push((format!("/ports/{i}"), p));
    }
    for (s, sidecar) in bp.sidecars.iter().flatten().enumerate() {
        for (i, p) in sidecar.ports.iter().flatten().enumerate() {
            all_ports.push((format!("/sidecars/{s}/ports/{i}"), p));
        }
    }
    for (pointer, p) in &all_ports {
        if let Some(why) = names::port_name(&p.name) {
            r.error(
                PORT,
                &format!("{pointer}/name"),
                format!("port name `{}` {why}", p.name),
                None,
            );
        } else if app_protocol(&p.name).is_none() {
            r.error(
                PORT,
                &format!("{pointer}/name"),
                format!("port name `{}` has no protocol prefix", p.name),
                Some("start it with http, http2, https, grpc, grpc-web, tcp, tls, mongo, mysql or redis, e.g. `http-api` (Istio picks the protocol from it)".into()),
            );
        }
        if let Some(first) = port_names.insert(&p.name, pointer.clone()) {
            r.error(
                DUPLICATE,
                &format!("{pointer}/name"),
                format!(
                    "port name `{}` is used twice (also at {})",
                    p.name,
                    field_path(&first)
                ),
                None,
            );
        }
        if let Some(first) = port_numbers.insert(p.port, pointer.clone()) {
            r.error(
                DUPLICATE,
                &format!("{pointer}/port"),
                format!(
                    "port {} is used twice (also at {})",
                    p.port,
                    field_path(&first)
                ),
                None,
            );
        }
    }
    r.finish(mark, bp.ports.iter().flatten().map(port).collect())
}

/// A port as the API takes it (checked by [`resolve`]).
pub fn port(p: &Port) -> ResolvedPort {
    ResolvedPort {
        name: p.name.clone(),
        port: p.port,
        app_protocol: app_protocol(&p.name).map(str::to_owned),
    }
}

/// The number of the port `r` refers to among `ports`; `None` when none is declared so.
pub fn number(ports: &[&Port], r: &PortRef) -> Option<u16> {
    match r {
        PortRef::Name(n) => ports.iter().find(|p| &p.name == n).map(|p| p.port),
        PortRef::Number(n) => ports.iter().any(|p| p.port == *n).then_some(*n),
    }
}

/// The main container's ports, then every sidecar's, as written: what the Service exposes.
pub fn all(bp: &Blueprint) -> Vec<&Port> {
    bp.ports
        .iter()
        .flatten()
        .chain(
            bp.sidecars
                .iter()
                .flatten()
                .flat_map(|s| s.ports.iter().flatten()),
        )
        .collect()
}

/// The help line listing the ports a reference may name.
pub fn declared(ports: &[&Port]) -> String {
    if ports.is_empty() {
        "the service declares no ports".into()
    } else {
        format!(
            "declared ports: {}",
            ports
                .iter()
                .map(|p| format!("{} ({})", p.name, p.port))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}
