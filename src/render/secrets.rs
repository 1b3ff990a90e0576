//! The SealedSecret of a service: `<service>-secrets` in the service namespace, with the
//! values sealed for this cluster (`blueprints/<service>.sealed.yaml`) and the scope
//! annotation on both the object and its template, as `kubeseal` writes them.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::workload::metadata;
use crate::resolve::{ResolvedCluster, ResolvedService};
use crate::resources::sealed_secrets::{SealedSecret, SealedSecretSpec, SecretTemplate};

/// The SealedSecret, when the service has secret variables with sealed values.
pub fn sealed_secret(cluster: &ResolvedCluster, svc: &ResolvedService) -> Option<SealedSecret> {
    if svc.secret_env.is_empty() || svc.sealed.is_empty() {
        return None;
    }
    let annotations: Option<BTreeMap<String, String>> = cluster
        .sealing_scope
        .annotation()
        .map(|(k, v)| BTreeMap::from([(k.to_owned(), v.to_owned())]));
    let name = svc.secret_name();
    let mut meta = metadata(svc, &name);
    meta.annotations.clone_from(&annotations);
    Some(SealedSecret {
        metadata: meta,
        spec: SealedSecretSpec {
            encrypted_data: svc.sealed.clone(),
            template: SecretTemplate {
                metadata: ObjectMeta {
                    name: Some(name),
                    namespace: Some(svc.namespace.clone()),
                    labels: Some(svc.labels()),
                    annotations,
                    ..ObjectMeta::default()
                },
                type_: "Opaque".into(),
            },
        },
    })
}
