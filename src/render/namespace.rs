//! Namespaces, rendered once per namespace into `infrastructure/`.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::resolve::{labels, ResolvedCluster};

/// A Namespace object with its Pod Security Standards labels (strict clusters enforce the
/// `restricted` profile; relaxed ones enforce `baseline` and warn about `restricted`) and,
/// with a mesh, the label that puts its pods in it (sidecar injection or ambient mode).
/// In ambient mode a namespace with a waypoint (`waypoint`) is enrolled in it
/// (`istio.io/use-waypoint`).
pub fn namespace(name: &str, cluster: &ResolvedCluster, waypoint: bool) -> Namespace {
    let strict = cluster.strict();
    let mesh = cluster.mesh.as_ref();
    let mut labels = BTreeMap::from([(labels::MANAGED_BY.to_owned(), "fluxprint".to_owned())]);
    let pss = "pod-security.kubernetes.io";
    if strict {
        labels.insert(format!("{pss}/enforce"), "restricted".into());
    } else {
        labels.insert(format!("{pss}/enforce"), "baseline".into());
        labels.insert(format!("{pss}/warn"), "restricted".into());
    }
    match mesh {
        Some(m) if m.ambient => {
            labels.insert("istio.io/dataplane-mode".into(), "ambient".into());
            if waypoint {
                labels.insert(
                    "istio.io/use-waypoint".into(),
                    super::gateway_api::WAYPOINT.into(),
                );
            }
        }
        Some(_) => {
            labels.insert("istio-injection".into(), "enabled".into());
        }
        None => {}
    }
    Namespace {
        metadata: ObjectMeta {
            name: Some(name.to_owned()),
            labels: Some(labels),
            ..ObjectMeta::default()
        },
        ..Namespace::default()
    }
}
