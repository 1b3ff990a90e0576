//! `dependsOn`: the Kustomizations a service waits for, each named once. Whether each
//! target exists and whether they form a cycle depends on every service of the cluster, and
//! is checked in [`super::project`].

use std::collections::BTreeSet;

use super::codes::DUPLICATE;
use super::resolver::Resolver;
use crate::blueprint::Blueprint;

/// `dependsOn` of one service: each name once. Targets and cycles are checked across the
/// cluster's services by [`super::project::services`].
pub fn resolve(bp: &Blueprint, r: &mut Resolver<'_>) -> Option<Vec<String>> {
    let mark = r.mark();
    let mut seen = BTreeSet::new();
    for (i, d) in bp.depends_on.iter().flatten().enumerate() {
        if !seen.insert(d.as_str()) {
            r.error(
                DUPLICATE,
                &format!("/dependsOn/{i}"),
                format!("`{d}` is listed twice in dependsOn"),
                None,
            );
        }
    }
    r.finish(mark, bp.depends_on.clone().unwrap_or_default())
}
