//! Flux v2.9 kinds: `kustomize.toolkit.fluxcd.io/v1` Kustomization, `helm.toolkit.fluxcd.io/v2`
//! HelmRelease, `source.toolkit.fluxcd.io/v1` HelmRepository / OCIRepository,
//! `image.toolkit.fluxcd.io/v1`
//! ImageRepository / ImagePolicy / ImageUpdateAutomation, and
//! `notification.toolkit.fluxcd.io/v1beta3` Provider / Alert (these two have no `v1`).

use kube::CustomResource;
use serde::{Deserialize, Serialize};

/// A reference by name (and optional namespace).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NamedRef {
    /// Name.
    pub name: String,
    /// Namespace, when not the referrer's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

impl NamedRef {
    /// A reference to `name` in the same namespace.
    pub fn new(name: impl Into<String>) -> Self {
        NamedRef {
            name: name.into(),
            namespace: None,
        }
    }
}

/// A reference to a source object.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SourceRef {
    /// `GitRepository`.
    pub kind: String,
    /// Name.
    pub name: String,
}

/// Flux Kustomization: applies one path of the repository.
#[derive(
    CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[kube(
    group = "kustomize.toolkit.fluxcd.io",
    version = "v1",
    kind = "Kustomization",
    namespaced,
    schema = "disabled"
)]
#[serde(rename_all = "camelCase")]
pub struct KustomizationSpec {
    /// Reconcile interval.
    pub interval: String,
    /// Interval after a failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_interval: Option<String>,
    /// Apply and health-check timeout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    /// Path in the source.
    pub path: String,
    /// Garbage-collect objects removed from the path.
    pub prune: bool,
    /// The source.
    pub source_ref: SourceRef,
    /// Kustomizations that must be ready first.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub depends_on: Vec<NamedRef>,
    /// Wait for every applied object to be ready.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wait: Option<bool>,
    /// Re-create objects whose immutable fields changed (a Job's pod template).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub force: Option<bool>,
}

/// Flux ImageRepository: scans a registry for tags.
#[derive(
    CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[kube(
    group = "image.toolkit.fluxcd.io",
    version = "v1",
    kind = "ImageRepository",
    namespaced,
    schema = "disabled"
)]
#[serde(rename_all = "camelCase")]
pub struct ImageRepositorySpec {
    /// Image repository.
    pub image: String,
    /// Scan interval.
    pub interval: String,
    /// docker-registry Secret for private registries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<NamedRef>,
}

/// Flux ImagePolicy: picks the newest tag.
#[derive(
    CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[kube(
    group = "image.toolkit.fluxcd.io",
    version = "v1",
    kind = "ImagePolicy",
    namespaced,
    schema = "disabled"
)]
#[serde(rename_all = "camelCase")]
pub struct ImagePolicySpec {
    /// The scanned repository.
    pub image_repository_ref: NamedRef,
    /// Tag filter applied before the policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter_tags: Option<FilterTags>,
    /// How to order tags.
    pub policy: ImagePolicyChoice,
}

/// Tag filter.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FilterTags {
    /// Regular expression tags must match.
    pub pattern: String,
    /// What to order by, e.g. `$ts`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extract: Option<String>,
}

/// Exactly one ordering.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImagePolicyChoice {
    /// Newest version in a range.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub semver: Option<SemverPolicy>,
    /// Largest number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub numerical: Option<OrderPolicy>,
}

/// Semver range.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SemverPolicy {
    /// The range, Masterminds syntax.
    pub range: String,
}

/// Sort order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct OrderPolicy {
    /// `asc` picks the largest.
    pub order: String,
}

/// Flux ImageUpdateAutomation: writes chosen images into the repository.
#[derive(
    CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[kube(
    group = "image.toolkit.fluxcd.io",
    version = "v1",
    kind = "ImageUpdateAutomation",
    namespaced,
    schema = "disabled"
)]
#[serde(rename_all = "camelCase")]
pub struct ImageUpdateAutomationSpec {
    /// Run interval.
    pub interval: String,
    /// The repository to update.
    pub source_ref: SourceRef,
    /// Checkout, commit and push settings.
    pub git: GitUpdate,
    /// Where and how to update.
    pub update: UpdateStrategy,
}

/// Git settings of an automation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GitUpdate {
    /// Branch to check out.
    pub checkout: GitCheckout,
    /// Commit author and message.
    pub commit: GitCommit,
    /// Branch to push to.
    pub push: GitPush,
}

/// Checkout settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct GitCheckout {
    /// The reference.
    #[serde(rename = "ref")]
    pub reference: GitRef,
}

/// A branch reference.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct GitRef {
    /// Branch name.
    pub branch: String,
}

/// Commit settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GitCommit {
    /// Author.
    pub author: CommitAuthor,
    /// Go template of the message.
    pub message_template: String,
}

/// Commit author.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CommitAuthor {
    /// Name.
    pub name: String,
    /// E-mail.
    pub email: String,
}

/// Push settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct GitPush {
    /// Branch to push to.
    pub branch: String,
}

/// Update settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct UpdateStrategy {
    /// Directory scanned for markers.
    pub path: String,
    /// `Setters`.
    pub strategy: String,
}

/// Flux notification Provider.
#[derive(
    CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[kube(
    group = "notification.toolkit.fluxcd.io",
    version = "v1beta3",
    kind = "Provider",
    namespaced,
    schema = "disabled"
)]
#[serde(rename_all = "camelCase")]
pub struct ProviderSpec {
    /// `slack`.
    #[serde(rename = "type")]
    pub type_: String,
    /// Channel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Secret with the webhook `address`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<NamedRef>,
}

/// Flux notification Alert.
#[derive(
    CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[kube(
    group = "notification.toolkit.fluxcd.io",
    version = "v1beta3",
    kind = "Alert",
    namespaced,
    schema = "disabled"
)]
#[serde(rename_all = "camelCase")]
pub struct AlertSpec {
    /// The provider.
    pub provider_ref: NamedRef,
    /// `info` or `error`.
    pub event_severity: String,
    /// Objects whose events are sent.
    pub event_sources: Vec<EventSource>,
}

/// An event source.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EventSource {
    /// Kind.
    pub kind: String,
    /// Name or `*`.
    pub name: String,
}

/// Flux HelmRepository (`source.toolkit.fluxcd.io/v1`): an `https://` chart repository.
#[derive(
    CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[kube(
    group = "source.toolkit.fluxcd.io",
    version = "v1",
    kind = "HelmRepository",
    namespaced,
    schema = "disabled"
)]
#[serde(rename_all = "camelCase")]
pub struct HelmRepositorySpec {
    /// Repository address (its `index.yaml` is fetched from there).
    pub url: String,
    /// How often the index is fetched.
    pub interval: String,
}

/// Flux OCIRepository (`source.toolkit.fluxcd.io/v1`): one chart in an OCI registry.
#[derive(
    CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[kube(
    group = "source.toolkit.fluxcd.io",
    version = "v1",
    kind = "OCIRepository",
    namespaced,
    schema = "disabled"
)]
#[serde(rename_all = "camelCase")]
pub struct OciRepositorySpec {
    /// `oci://<registry>/<path>/<chart>`.
    pub url: String,
    /// How often the reference is resolved.
    pub interval: String,
    /// The tag or semver range.
    #[serde(rename = "ref")]
    pub reference: OciReference,
    /// The layer that holds the chart.
    pub layer_selector: LayerSelector,
}

/// An OCI artifact reference: exactly one of `tag` and `semver`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct OciReference {
    /// An exact tag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// A semver range.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub semver: Option<String>,
}

/// Which layer of the artifact to use, and how.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LayerSelector {
    /// The Helm chart content media type.
    pub media_type: String,
    /// `copy`: the chart archive as it is (helm-controller unpacks it).
    pub operation: String,
}

/// A reference to a Flux object by kind, name and namespace.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CrossNamespaceRef {
    /// Kind.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Namespace.
    pub namespace: String,
}

/// Flux HelmRelease (`helm.toolkit.fluxcd.io/v2`): one chart installed and kept installed.
#[derive(
    CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[kube(
    group = "helm.toolkit.fluxcd.io",
    version = "v2",
    kind = "HelmRelease",
    namespaced,
    schema = "disabled"
)]
#[serde(rename_all = "camelCase")]
pub struct HelmReleaseSpec {
    /// Reconcile interval.
    pub interval: String,
    /// Timeout of each Helm action.
    pub timeout: String,
    /// The Helm release name.
    pub release_name: String,
    /// The chart from a HelmRepository (`https://` repositories).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chart: Option<HelmChartTemplate>,
    /// The chart from an OCIRepository (`oci://` repositories).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chart_ref: Option<CrossNamespaceRef>,
    /// Install settings.
    pub install: HelmInstall,
    /// Upgrade settings.
    pub upgrade: HelmUpgrade,
    /// Correct in-cluster changes to the release's objects (strict clusters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drift_detection: Option<DriftDetection>,
    /// Values, merged over the chart's defaults.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values: Option<serde_json::Value>,
    /// Values read from ConfigMaps and Secrets, before `values`.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub values_from: Vec<ValuesReference>,
}

/// `chart` of a HelmRelease: which chart of a HelmRepository.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HelmChartTemplate {
    /// The chart.
    pub spec: HelmChartTemplateSpec,
}

/// The chart, its version and its repository.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HelmChartTemplateSpec {
    /// Chart name.
    pub chart: String,
    /// Exact version or semver range.
    pub version: String,
    /// The HelmRepository.
    pub source_ref: CrossNamespaceRef,
    /// How often the chart is looked up.
    pub interval: String,
}

/// Install settings of a HelmRelease.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HelmInstall {
    /// CRD policy.
    pub crds: String,
    /// Retries after a failed install.
    pub remediation: InstallRemediation,
}

/// Retries of a failed install.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct InstallRemediation {
    /// How many.
    pub retries: i64,
}

/// Upgrade settings of a HelmRelease.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HelmUpgrade {
    /// CRD policy.
    pub crds: String,
    /// Retries (and roll-back) after a failed upgrade.
    pub remediation: UpgradeRemediation,
}

/// Retries of a failed upgrade.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpgradeRemediation {
    /// How many.
    pub retries: i64,
    /// Roll back when the last retry failed too.
    pub remediate_last_failure: bool,
}

/// Drift detection of a HelmRelease.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DriftDetection {
    /// `enabled`.
    pub mode: String,
}

/// A `valuesFrom` entry of a HelmRelease.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ValuesReference {
    /// `ConfigMap` or `Secret`.
    pub kind: String,
    /// Name, in the HelmRelease's namespace.
    pub name: String,
    /// Key holding the values (default `values.yaml`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values_key: Option<String>,
    /// Path the value is put at, instead of merging a whole document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_path: Option<String>,
    /// A missing object or key is not an error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub optional: Option<bool>,
}
