//! `resources` of a container (the main one, or a sidecar's): quantities that parse and are
//! positive, limits at or above requests, requests required on strict clusters; the memory
//! limit defaults to the memory request.

use super::codes::RESOURCES;
use super::resolver::Resolver;
use crate::blueprint::names::parse_quantity;
use crate::blueprint::service::Resources;
use crate::diag::field_path;

/// Requests and limits as strings ready for the API.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResolvedResources {
    /// CPU request.
    pub cpu: Option<String>,
    /// Memory request.
    pub memory: Option<String>,
    /// CPU limit.
    pub cpu_limit: Option<String>,
    /// Memory limit (defaults to the memory request).
    pub memory_limit: Option<String>,
}

/// Checks and resolves the `resources` at `pointer` (`/resources`, `/sidecars/0/resources`).
pub fn resolve(
    res: Option<&Resources>,
    pointer: &str,
    r: &mut Resolver<'_>,
) -> Option<ResolvedResources> {
    let mark = r.mark();
    let empty = Resources::default();
    let res = res.unwrap_or(&empty);
    if r.strict() {
        for (field, value) in [("cpu", &res.cpu), ("memory", &res.memory)] {
            if value.is_none() {
                // A missing section is reported at its parent: a sidecar's entry, or the
                // blueprint's `name` for the service itself (not the document's first line).
                let target = match pointer.rsplit_once('/') {
                    _ if res != &empty => pointer,
                    Some((parent, _)) if !parent.is_empty() => parent,
                    _ => "/name",
                };
                let cluster = &r.cluster().name;
                r.error_at(
                    RESOURCES,
                    target,
                    &format!("{pointer}/{field}"),
                    format!(
                        "`{}.{field}` is required in strict cluster `{cluster}`",
                        field_path(pointer)
                    ),
                    Some(format!("add {field} to {}", field_path(pointer))),
                );
            }
        }
    }
    let pairs = [
        ("cpu", &res.cpu, "cpuLimit", &res.cpu_limit),
        ("memory", &res.memory, "memoryLimit", &res.memory_limit),
    ];
    for (req_name, req, lim_name, lim) in pairs {
        let parsed_req = req.as_ref().and_then(|q| parse_quantity(&q.0));
        let parsed_lim = lim.as_ref().and_then(|q| parse_quantity(&q.0));
        // The schema holds quantities to the grammar; what still does not parse (an exponent
        // out of range) is refused here rather than read as nothing.
        for (name, written, parsed) in [(req_name, req, parsed_req), (lim_name, lim, parsed_lim)] {
            if let (Some(q), None) = (written, parsed) {
                r.error(
                    RESOURCES,
                    &format!("{pointer}/{name}"),
                    format!("`{}` is not a Kubernetes quantity", q.0),
                    None,
                );
            }
        }
        if let (Some(request), Some(limit)) = (parsed_req, parsed_lim) {
            if limit < request {
                r.error(
                    RESOURCES,
                    &format!("{pointer}/{lim_name}"),
                    format!(
                        "{lim_name} ({}) is below the request {req_name} ({})",
                        lim.as_ref().map(|q| q.0.as_str()).unwrap_or_default(),
                        req.as_ref().map(|q| q.0.as_str()).unwrap_or_default()
                    ),
                    None,
                );
            }
        }
        if parsed_req.is_some_and(|q| q <= 0.0) {
            r.error(
                RESOURCES,
                &format!("{pointer}/{req_name}"),
                format!("{req_name} request must be greater than zero"),
                None,
            );
        }
        if parsed_lim.is_some_and(|q| q <= 0.0) {
            r.error(
                RESOURCES,
                &format!("{pointer}/{lim_name}"),
                format!("{lim_name} must be greater than zero"),
                None,
            );
        }
    }
    r.finish(
        mark,
        ResolvedResources {
            cpu: res.cpu.as_ref().map(|q| q.0.clone()),
            memory: res.memory.as_ref().map(|q| q.0.clone()),
            cpu_limit: res.cpu_limit.as_ref().map(|q| q.0.clone()),
            memory_limit: res
                .memory_limit
                .as_ref()
                .or(res.memory.as_ref())
                .map(|q| q.0.clone()),
        },
    )
}
