//! `sidecars`: containers beside the main one, each with a unique valid name, a valid image
//! and tag (`latest` refused on strict clusters), and its own resources and probes. Their
//! ports are checked with the main container's ([`super::ports`]).

use std::collections::BTreeSet;

use super::codes::{DUPLICATE, IMAGE, INVALID_NAME};
use super::image::check_tag;
use super::ports::{port, ResolvedPort};
use super::probes::{self, ResolvedProbe};
use super::resolver::Resolver;
use super::resources::{self, ResolvedResources};
use crate::blueprint::names;
use crate::blueprint::service::Sidecar;
use crate::blueprint::Blueprint;

/// A sidecar container.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedSidecar {
    /// Container name.
    pub name: String,
    /// `image:tag`.
    pub image: String,
    /// Ports.
    pub ports: Vec<ResolvedPort>,
    /// Requests and limits.
    pub resources: ResolvedResources,
    /// Entrypoint.
    pub command: Vec<String>,
    /// Arguments.
    pub args: Vec<String>,
    /// Liveness probe.
    pub liveness: Option<ResolvedProbe>,
    /// Readiness probe.
    pub readiness: Option<ResolvedProbe>,
    /// Startup probe.
    pub startup: Option<ResolvedProbe>,
}

/// Checks and resolves every sidecar of a blueprint.
pub fn resolve(bp: &Blueprint, r: &mut Resolver<'_>) -> Option<Vec<ResolvedSidecar>> {
    let mark = r.mark();
    let sidecars = bp.sidecars.as_deref().unwrap_or_default();
    // Resources and probes first, then names and images: each sidecar is checked whole.
    let resolved: Vec<Option<ResolvedSidecar>> = sidecars
        .iter()
        .enumerate()
        .map(|(i, s)| resolve_one(s, &format!("/sidecars/{i}"), r))
        .collect();
    let serves = bp.workload.unwrap_or_default().serves();
    for (i, s) in sidecars.iter().enumerate() {
        let has_ports = s.ports.as_ref().is_some_and(|p| !p.is_empty());
        probes::require(
            s.probes.as_ref(),
            &format!("/sidecars/{i}"),
            &format!("sidecar `{}`", s.name),
            serves && has_ports,
            r,
        );
    }
    let mut containers = BTreeSet::from([bp.name.as_str()]);
    for (i, s) in sidecars.iter().enumerate() {
        if let Some(why) = names::dns1123_label(&s.name, 63) {
            r.error(
                INVALID_NAME,
                &format!("/sidecars/{i}/name"),
                format!("sidecar name `{}` {why}", s.name),
                None,
            );
        }
        if !containers.insert(s.name.as_str()) {
            r.error(
                DUPLICATE,
                &format!("/sidecars/{i}/name"),
                format!("container name `{}` is already used", s.name),
                None,
            );
        }
        if let Some(why) = names::image_repository(&s.image) {
            r.error(
                IMAGE,
                &format!("/sidecars/{i}/image"),
                format!("image `{}` {why}", s.image),
                None,
            );
        }
        check_tag(r, &format!("/sidecars/{i}/tag"), &s.tag, false);
    }
    let resolved: Option<Vec<ResolvedSidecar>> = resolved.into_iter().collect();
    r.finish(mark, resolved).flatten()
}

/// The resources and probes of one sidecar at `pointer`.
fn resolve_one(s: &Sidecar, pointer: &str, r: &mut Resolver<'_>) -> Option<ResolvedSidecar> {
    let declared: Vec<_> = s.ports.iter().flatten().collect();
    let resources = resources::resolve(s.resources.as_ref(), &format!("{pointer}/resources"), r);
    let probes = probes::resolve(
        s.probes.as_ref(),
        &format!("{pointer}/probes"),
        &declared,
        r,
    );
    let (resources, probes) = (resources?, probes?);
    Some(ResolvedSidecar {
        name: s.name.clone(),
        image: format!("{}:{}", s.image, s.tag),
        ports: declared.into_iter().map(port).collect(),
        resources,
        command: s.command.clone().unwrap_or_default(),
        args: s.args.clone().unwrap_or_default(),
        liveness: probes.liveness,
        readiness: probes.readiness,
        startup: probes.startup,
    })
}
