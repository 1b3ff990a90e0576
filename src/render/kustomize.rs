//! `kustomization.yaml` files: kustomize's own configuration, not an API object, so a small
//! typed struct of our own rather than a Kubernetes type.

use serde::Serialize;

/// A kustomize `Kustomization` listing resource files.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KustomizeConfig {
    /// `kustomize.config.k8s.io/v1beta1`
    pub api_version: &'static str,
    /// `Kustomization`
    pub kind: &'static str,
    /// Files of the directory, sorted.
    pub resources: Vec<String>,
}

impl KustomizeConfig {
    /// A kustomization listing `resources` (sorted for determinism).
    pub fn new(mut resources: Vec<String>) -> Self {
        resources.sort();
        KustomizeConfig {
            api_version: "kustomize.config.k8s.io/v1beta1",
            kind: "Kustomization",
            resources,
        }
    }
}
