//! Namespaces, rendered once per namespace into `infrastructure/`.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::resolve::labels;

/// A Namespace object.
pub fn namespace(name: &str) -> Namespace {
    Namespace {
        metadata: ObjectMeta {
            name: Some(name.to_owned()),
            labels: Some(BTreeMap::from([(
                labels::MANAGED_BY.to_owned(),
                "fluxprint".to_owned(),
            )])),
            ..ObjectMeta::default()
        },
        ..Namespace::default()
    }
}
