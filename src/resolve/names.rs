//! `name`, `team` and `namespace`: Kubernetes names, the namespace defaulting to the team.

use super::codes::INVALID_NAME;
use super::resolver::Resolver;
use crate::blueprint::names;
use crate::blueprint::Blueprint;

/// The names of a service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedNames {
    /// Service name.
    pub name: String,
    /// Team.
    pub team: String,
    /// Namespace (default: the team).
    pub namespace: String,
}

/// Checks and resolves the names of a blueprint.
pub fn resolve(bp: &Blueprint, r: &mut Resolver<'_>) -> Option<ResolvedNames> {
    let mark = r.mark();
    if let Some(why) = names::dns1035_label(&bp.name, 40) {
        r.error(INVALID_NAME, "/name", format!("service name `{}` {why}", bp.name), Some("use a DNS-1123 label of at most 40 characters starting with a letter, e.g. `order`".into()));
    }
    if let Some(why) = names::dns1123_label(&bp.team, 63) {
        r.error(
            INVALID_NAME,
            "/team",
            format!("team `{}` {why}", bp.team),
            Some("the team becomes a label value and the default namespace".into()),
        );
    }
    let namespace = bp.namespace.as_deref().unwrap_or(&bp.team);
    if let Some(why) = names::dns1123_label(namespace, 63) {
        let pointer = if bp.namespace.is_some() {
            "/namespace"
        } else {
            "/team"
        };
        r.error(
            INVALID_NAME,
            pointer,
            format!("namespace `{namespace}` {why}"),
            None,
        );
    }
    r.finish(
        mark,
        ResolvedNames {
            name: bp.name.clone(),
            team: bp.team.clone(),
            namespace: namespace.to_owned(),
        },
    )
}
