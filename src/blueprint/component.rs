//! One platform component, `platform/<name>.yaml`, as written: a Helm chart (and plain
//! manifests beside it) that the platform runs for the services, such as Kafka, Redis or the
//! Istio control plane. It renders to a Flux HelmRelease under `infrastructure/controllers`
//! or `infrastructure/configs` (see docs/platform.md).

use std::borrow::Cow;
use std::collections::BTreeMap;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Serialize};

use super::common::ApiVersion;

/// `kind: Component`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ComponentKind {
    /// The only value.
    Component,
}

/// A platform component: a chart, its values, and the manifests that need it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Component {
    /// Always `fluxprint/v1alpha1`.
    pub api_version: ApiVersion,
    /// Always `Component`.
    pub kind: ComponentKind,
    /// The name of the component's Flux Kustomization, which blueprints and other components
    /// list in `dependsOn` (DNS-1123 label).
    pub name: String,
    /// Namespace of the HelmRelease and of what the chart installs; default the `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// `controllers` (operators, CRDs; the default) or `configs` (what needs their CRDs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<Layer>,
    /// The Helm chart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart: Option<Chart>,
    /// Helm values, merged over the chart's defaults (and by `overrides` per cluster).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<serde_json::Map<String, serde_json::Value>>,
    /// ConfigMaps and Secrets whose keys hold more values, as HelmRelease `valuesFrom`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values_from: Option<Vec<ValuesFrom>>,
    /// Secret variables, sealed per cluster in `platform/<name>.sealed.yaml`, rendered as the
    /// SealedSecret `<name>-secrets` beside the HelmRelease.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_env: Option<Vec<String>>,
    /// CRD policy of the HelmRelease's install and upgrade; default `CreateReplace`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crds: Option<CrdsPolicy>,
    /// Other components (or the cluster's `infrastructure` names) that must be ready first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depends_on: Option<Vec<String>>,
    /// Plain manifests of this component, files relative to the component file (a
    /// ClusterIssuer, a Kafka cluster).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Vec<String>>,
    /// The clusters that run the component; default all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clusters: Option<Vec<String>>,
    /// Per-cluster changes: maps merge, lists and scalars replace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overrides: Option<BTreeMap<String, ComponentOverride>>,
}

/// Where a component's chart is applied.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Layer {
    /// Operators and CRDs, applied first.
    #[default]
    Controllers,
    /// Objects that need the controllers' CRDs.
    Configs,
}

impl Layer {
    /// The directory name under `infrastructure/`.
    pub fn dir(self) -> &'static str {
        match self {
            Layer::Controllers => "controllers",
            Layer::Configs => "configs",
        }
    }
}

/// A Helm chart and where it comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Chart {
    /// `oci://registry/path` (an OCIRepository) or `https://host/path` (a HelmRepository).
    pub repository: String,
    /// Chart name.
    pub name: String,
    /// Exact version (required on strict clusters) or a semver range (relaxed clusters).
    pub version: String,
}

/// A HelmRelease `valuesFrom` entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ValuesFrom {
    /// `ConfigMap` or `Secret`.
    pub kind: ValuesKind,
    /// Name, in the component's namespace.
    pub name: String,
    /// Key holding the values; default `values.yaml`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values_key: Option<String>,
    /// Put the key's value at this values path instead of merging a document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_path: Option<String>,
    /// A missing object or key is not an error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optional: Option<bool>,
}

/// The kinds `valuesFrom` reads.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
pub enum ValuesKind {
    /// A ConfigMap.
    ConfigMap,
    /// A Secret.
    Secret,
}

impl ValuesKind {
    /// The kind as Kubernetes writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            ValuesKind::ConfigMap => "ConfigMap",
            ValuesKind::Secret => "Secret",
        }
    }
}

/// HelmRelease CRD policies (`install.crds`, `upgrade.crds`).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
pub enum CrdsPolicy {
    /// Leave the chart's CRDs alone.
    Skip,
    /// Create missing CRDs, never update them.
    Create,
    /// Create and update CRDs.
    #[default]
    CreateReplace,
}

impl CrdsPolicy {
    /// The policy as the HelmRelease writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            CrdsPolicy::Skip => "Skip",
            CrdsPolicy::Create => "Create",
            CrdsPolicy::CreateReplace => "CreateReplace",
        }
    }
}

/// The per-cluster layer of a component's `overrides`: any field but those in
/// [`NOT_OVERRIDABLE`], each optional, merged over the base.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ComponentOverride(pub serde_json::Value);

impl JsonSchema for ComponentOverride {
    fn schema_name() -> Cow<'static, str> {
        "ComponentOverride".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        // Filled in by `schema::component_schema`, which derives it from `Component`.
        json_schema!({ "$ref": "#/$defs/ComponentOverride" })
    }

    fn inline_schema() -> bool {
        true
    }
}

/// Component fields an override may not change: what names, places or selects the component.
pub const NOT_OVERRIDABLE: &[&str] = &[
    "apiVersion",
    "kind",
    "name",
    "namespace",
    "layer",
    "clusters",
    "overrides",
];
