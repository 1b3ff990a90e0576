//! `storage`: persistent volumes of a statefulset, each with a valid unique name, a positive
//! size and an absolute mount path.

use std::collections::BTreeSet;

use super::codes::{DUPLICATE, INVALID_NAME, RESOURCES, STATEFULSET_ONLY};
use super::resolver::Resolver;
use crate::blueprint::names;
use crate::blueprint::service::WorkloadKind;
use crate::blueprint::Blueprint;

/// A persistent volume claim template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedVolume {
    /// Name.
    pub name: String,
    /// Mount path.
    pub path: String,
    /// Size.
    pub size: String,
    /// Storage class.
    pub storage_class: Option<String>,
}

/// Checks and resolves `storage` for a workload of kind `workload`.
pub fn resolve(
    bp: &Blueprint,
    workload: WorkloadKind,
    r: &mut Resolver<'_>,
) -> Option<Vec<ResolvedVolume>> {
    let mark = r.mark();
    if workload != WorkloadKind::Statefulset && bp.storage.is_some() {
        r.error(
            STATEFULSET_ONLY,
            "/storage",
            "`storage` is only for statefulsets",
            Some("add `workload: statefulset`, or remove `storage`".into()),
        );
    }
    let mut volume_names = BTreeSet::new();
    for (i, s) in bp.storage.iter().flatten().enumerate() {
        if let Some(why) = names::dns1123_label(&s.name, 63) {
            r.error(
                INVALID_NAME,
                &format!("/storage/{i}/name"),
                format!("volume name `{}` {why}", s.name),
                None,
            );
        }
        if s.name == "tmp" || !volume_names.insert(s.name.as_str()) {
            r.error(
                DUPLICATE,
                &format!("/storage/{i}/name"),
                format!("volume name `{}` is already used", s.name),
                Some("`tmp` is reserved for the writable /tmp".into()),
            );
        }
        if names::parse_quantity(&s.size.0).is_none_or(|q| q <= 0.0) {
            r.error(
                RESOURCES,
                &format!("/storage/{i}/size"),
                format!("volume size `{}` must be a positive quantity", s.size.0),
                None,
            );
        }
        if !s.path.starts_with('/') {
            r.error(
                INVALID_NAME,
                &format!("/storage/{i}/path"),
                format!("mount path `{}` must be absolute", s.path),
                None,
            );
        }
    }
    let volumes = bp
        .storage
        .iter()
        .flatten()
        .map(|s| ResolvedVolume {
            name: s.name.clone(),
            path: s.path.clone(),
            size: s.size.0.clone(),
            storage_class: s.storage_class.clone(),
        })
        .collect();
    r.finish(mark, volumes)
}
