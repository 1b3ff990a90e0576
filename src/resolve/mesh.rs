//! `mesh`: who may call the service (`callers`, each a blueprint) and its in-mesh traffic
//! policy, on clusters with an Istio mesh only; a mesh service that nothing may reach is
//! warned about.

use super::codes::{
    CALLER_UNKNOWN, DENIES_EVERYTHING, MESH_WITHOUT_MESH, PORT, SETTING_NOT_RENDERED,
};
use super::resolver::Resolver;
use crate::blueprint::service::{ConnectionPool, LoadBalancer, OutlierDetection, Retries};
use crate::blueprint::Blueprint;
use crate::diag::Severity;

/// The mesh settings of a service.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResolvedMesh {
    /// Services allowed to call this one (`mesh.callers`; empty when none).
    pub callers: Vec<String>,
    /// In-mesh traffic policy.
    pub traffic: MeshTraffic,
}

/// The in-mesh traffic policy of a service (everything unset without `mesh`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MeshTraffic {
    /// Timeout and retries of calls to the primary port, when either is set.
    pub route: Option<MeshRoute>,
    /// Connection pool limits.
    pub connection_pool: Option<ConnectionPool>,
    /// Outlier detection.
    pub outlier_detection: Option<OutlierDetection>,
    /// Load balancing algorithm.
    pub load_balancer: Option<LoadBalancer>,
}

/// Timeout and retries of in-mesh calls.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeshRoute {
    /// The primary port's number.
    pub port: u16,
    /// Request timeout.
    pub timeout: Option<String>,
    /// Retry policy.
    pub retries: Option<Retries>,
}

/// Checks and resolves `mesh`.
pub fn resolve(bp: &Blueprint, r: &mut Resolver<'_>) -> Option<ResolvedMesh> {
    let mark = r.mark();
    let cluster = r.cluster();
    let callers: Vec<String> = bp
        .mesh
        .iter()
        .flat_map(|m| m.callers.iter().flatten().cloned())
        .collect();
    for (i, caller) in callers.iter().enumerate() {
        if !r.is_service(caller) {
            r.error(
                CALLER_UNKNOWN,
                &format!("/mesh/callers/{i}"),
                format!("caller `{caller}` is not a blueprint"),
                None,
            );
        }
    }
    let istio = cluster.mesh.is_some();
    if bp.mesh.is_some() && !istio {
        r.error(
            MESH_WITHOUT_MESH,
            "/mesh",
            format!(
                "these settings need an Istio mesh (`mesh.istio: true`), which is off in cluster `{}`",
                cluster.name
            ),
            None,
        );
    }
    let routed = bp.routes.as_ref().is_some_and(|r| !r.is_empty());
    // `callers: []` says so on purpose (a queue worker); only an absent list warns.
    // A worker is called by nothing by design (and refused `mesh`, see `workload`).
    let worker = !bp.workload.unwrap_or_default().serves();
    if istio && !routed && !worker && bp.mesh.as_ref().is_none_or(|m| m.callers.is_none()) {
        r.report(Severity::Warning, DENIES_EVERYTHING, "/name", "/mesh/callers", format!("`{}` has no routes and no `mesh.callers`: its AuthorizationPolicy in cluster `{}` denies every request", bp.name, cluster.name), Some("list the services that call it in `mesh.callers`".into()));
    }
    let policy = bp.mesh.clone().unwrap_or_default();
    // In-mesh routes are GAMMA HTTPRoutes under Gateway API: no retries. Said on strict
    // clusters, where it matters; a relaxed cluster goes without quietly (documented).
    if istio && policy.retries.is_some() && cluster.gateway_api.is_some() && r.strict() {
        r.report(Severity::Warning, SETTING_NOT_RENDERED, "/mesh/retries", "/mesh/retries", format!("mesh.retries are not rendered in cluster `{}`: in-mesh routes are Gateway API HTTPRoutes there, and the standard channel has no retry field", cluster.name), None);
    }
    let route = match (&policy.timeout, &policy.retries) {
        (None, None) => None,
        _ => {
            let port = bp.ports.iter().flatten().next().map(|p| p.port);
            if port.is_none() {
                r.error(
                    PORT,
                    "/mesh",
                    "`mesh.timeout` and `mesh.retries` apply to the primary port, but the service declares none",
                    None,
                );
            }
            port.map(|port| MeshRoute {
                port,
                timeout: policy.timeout.as_ref().map(|d| d.0.clone()),
                retries: policy.retries.clone(),
            })
        }
    };
    let traffic = MeshTraffic {
        route,
        connection_pool: policy.connection_pool,
        outlier_detection: policy.outlier_detection,
        load_balancer: policy.load_balancer,
    };
    r.finish(mark, ResolvedMesh { callers, traffic })
}
