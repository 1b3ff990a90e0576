//! `workload`: the kind of the service's pods. A `worker` is a Deployment that serves
//! nothing (a queue consumer): it gets no Service, so what only reaches a Service — routes,
//! monitoring (a ServiceMonitor selects the Service), the in-mesh policy and its callers — is
//! refused on it rather than rendered pointing at nothing.

use super::codes::WORKER_SERVES_NOTHING;
use super::resolver::Resolver;
use crate::blueprint::service::WorkloadKind;
use crate::blueprint::Blueprint;

/// Checks the settings that need a Service against the workload kind, and resolves it.
pub fn resolve(bp: &Blueprint, r: &mut Resolver<'_>) -> Option<WorkloadKind> {
    let mark = r.mark();
    let workload = bp.workload.unwrap_or_default();
    if !workload.serves() {
        let routed = bp.routes.as_ref().is_some_and(|r| !r.is_empty());
        for (set, pointer, what) in [
            (routed, "/routes", "routes"),
            (bp.monitoring.is_some(), "/monitoring", "monitoring"),
            (bp.mesh.is_some(), "/mesh", "mesh"),
        ] {
            if set {
                r.error(
                    WORKER_SERVES_NOTHING,
                    pointer,
                    format!("`{what}` needs a Service, and a `worker` has none"),
                    Some("use `workload: deployment` for a service that is called or scraped, or drop the section".into()),
                );
            }
        }
    }
    r.finish(mark, workload)
}
