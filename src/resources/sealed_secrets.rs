//! Bitnami `bitnami.com/v1alpha1` SealedSecret: encrypted values and the template of the
//! Secret the controller creates from them.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::CustomResource;
use serde::{Deserialize, Serialize};

/// SealedSecret spec.
#[derive(
    CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[kube(
    group = "bitnami.com",
    version = "v1alpha1",
    kind = "SealedSecret",
    namespaced,
    schema = "disabled"
)]
#[serde(rename_all = "camelCase")]
pub struct SealedSecretSpec {
    /// Key → sealed value (always present, may be empty).
    pub encrypted_data: BTreeMap<String, String>,
    /// The Secret to create.
    pub template: SecretTemplate,
}

/// Template of the resulting Secret.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SecretTemplate {
    /// Its metadata (name and namespace are forced to the SealedSecret's by the controller).
    pub metadata: ObjectMeta,
    /// Secret type.
    #[serde(rename = "type")]
    pub type_: String,
}
