//! One cluster (environment), `clusters/<name>.yaml`, as written.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::common::{ApiVersion, Duration, Quantity};

/// `kind: Cluster`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ClusterKind {
    /// The only value.
    Cluster,
}

/// A target cluster and the environment-wide settings of its GitOps repository.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Cluster {
    /// Always `fluxprint/v1alpha1`.
    pub api_version: ApiVersion,
    /// Always `Cluster`.
    pub kind: ClusterKind,
    /// Cluster name (DNS-1123 label); names the output directory.
    pub name: String,
    /// `strict` (production rules, the default) or `relaxed` (development).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<Policy>,
    /// DNS domain that relative route hosts are suffixed with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// The cluster's GitOps repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git: Option<Git>,
    /// Names of platform-provided Flux Kustomizations blueprints may depend on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub infrastructure: Option<Vec<String>>,
    /// Spread replicas across `topology.kubernetes.io/zone`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zones: Option<bool>,
    /// Istio settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mesh: Option<ClusterMesh>,
    /// Plain Ingress settings for clusters without a mesh.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ingress: Option<ClusterIngress>,
    /// Gateway API routing: routes render as Gateways and HTTPRoutes / GRPCRoutes instead of
    /// Istio VirtualServices or Ingresses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway_api: Option<GatewayApi>,
    /// Flux image automation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub images: Option<ClusterImages>,
    /// Notifications.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alerts: Option<ClusterAlerts>,
    /// Sealed-secrets settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealing: Option<Sealing>,
    /// Flux Kustomization defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flux: Option<FluxDefaults>,
    /// Node pool size and price, for planning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nodes: Option<Nodes>,
    /// Fixed monthly costs, for planning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub costs: Option<Costs>,
    /// NetworkPolicy settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_policy: Option<NetworkPolicySettings>,
}

/// How strict the rules for a cluster are.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Policy {
    /// Production: pinned tags, resources required, two replicas by default.
    #[default]
    Strict,
    /// Development.
    Relaxed,
}

/// A GitOps repository.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Git {
    /// Clone URL.
    pub url: String,
    /// Branch Flux reconciles; default `main`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// Secret with the deploy key of the GitRepository that `flux bootstrap` creates
    /// (recorded for bootstrap and publishing; fluxprint renders no GitRepository).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<String>,
}

/// Istio settings of a cluster.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClusterMesh {
    /// Istio is installed and used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub istio: Option<bool>,
    /// `namespace/name` of the edge Gateway.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<String>,
    /// `namespace/name` of the gateway's service account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway_service_account: Option<String>,
    /// `strict` or `permissive` mTLS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtls: Option<MtlsMode>,
    /// Render the Gateway ourselves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_gateway: Option<CreateGateway>,
    /// `sidecar` (default) or `ambient` data plane.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<Injection>,
    /// Deprecated alias of `mode`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub injection: Option<Injection>,
}

/// mTLS mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum MtlsMode {
    /// Only mTLS.
    Strict,
    /// mTLS and plain text.
    Permissive,
}

/// Gateway creation settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateGateway {
    /// TLS credential (Secret) name for HTTPS.
    pub tls_secret: String,
}

/// Data-plane mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Injection {
    /// Sidecar injection label.
    Sidecar,
    /// Ambient mode label.
    Ambient,
}

/// Gateway API settings of a cluster.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GatewayApi {
    /// GatewayClass of the implementation (`istio`, `envoy-gateway`, `cilium`, `nginx`, …).
    pub class_name: String,
    /// The Gateways fluxprint renders; routes name one with `gateway` (default the first).
    pub gateways: Vec<GatewayApiGateway>,
}

/// One Gateway that fluxprint renders.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GatewayApiGateway {
    /// Gateway name (DNS-1123 label); routes refer to it.
    pub name: String,
    /// Namespace of the Gateway (and of its TLS Secret).
    pub namespace: String,
    /// HTTPS termination: an HTTPS listener per host and an HTTP listener redirecting to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<GatewayTls>,
    /// Reached from inside the network only: plain HTTP listeners unless `tls` is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internal: Option<bool>,
}

/// TLS settings of a Gateway.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GatewayTls {
    /// Name of the TLS Secret, in the Gateway's namespace.
    pub certificate_ref: String,
}

/// Plain Ingress settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClusterIngress {
    /// IngressClass name.
    pub class_name: String,
    /// TLS Secret for the hosts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_secret: Option<String>,
}

/// How new images are chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ImagePolicyKind {
    /// Newest tag in a semver range.
    Semver,
    /// Newest build tag by its timestamp.
    Build,
    /// Never automated: the blueprint's tag stays until someone changes it (third-party
    /// images such as databases); no ImageRepository, ImagePolicy or setter marker.
    Pinned,
}

/// Where image updates are pushed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Automation {
    /// Push to the reconciled branch.
    Auto,
    /// Push to a branch for a merge request.
    Review,
    /// No automation.
    Off,
}

/// Image automation settings of a cluster.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClusterImages {
    /// `semver` or `build`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<ImagePolicyKind>,
    /// Semver range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub semver: Option<String>,
    /// Tag regex with a `ts` group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_tag_pattern: Option<String>,
    /// `auto`, `review` or `off`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automation: Option<Automation>,
    /// Registry scan interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<Duration>,
    /// docker-registry Secret used to scan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_secret: Option<String>,
    /// Commit author; default `fluxcdbot` <fluxcdbot@users.noreply.github.com>, as the Flux
    /// CLI sets it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<Author>,
}

/// A git commit author.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Author {
    /// Name.
    pub name: String,
    /// E-mail.
    pub email: String,
}

/// Notification settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClusterAlerts {
    /// Slack channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slack: Option<Slack>,
}

/// Slack notifications.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Slack {
    /// Channel name.
    pub channel: String,
    /// Secret holding the webhook address.
    pub secret_ref: String,
}

/// Sealed-secrets settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Sealing {
    /// PEM certificate of the cluster's controller, relative to the cluster file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert: Option<String>,
    /// `strict` (default), `namespace-wide` or `cluster-wide`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<SealingScope>,
}

/// Sealing scope.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SealingScope {
    /// Bound to namespace and name.
    #[default]
    Strict,
    /// Bound to the namespace.
    NamespaceWide,
    /// Unbound.
    ClusterWide,
}

/// Flux Kustomization defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FluxDefaults {
    /// Reconcile interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<Duration>,
    /// Retry interval after a failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_interval: Option<Duration>,
    /// Apply/health timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Duration>,
    /// Garbage-collect removed objects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prune: Option<bool>,
}

/// Node pool shape and price.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Nodes {
    /// CPU per node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<Quantity>,
    /// Memory per node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<Quantity>,
    /// Pods per node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_pods: Option<u32>,
    /// Price per node-hour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_per_hour: Option<f64>,
    /// CPU reserved for the system on each node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reserved_cpu: Option<Quantity>,
    /// Memory reserved for the system on each node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reserved_memory: Option<Quantity>,
}

/// Fixed costs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Costs {
    /// Load balancer price per hour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_balancer_per_hour: Option<f64>,
    /// Managed databases price per hour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub databases_per_hour: Option<f64>,
    /// Block storage price per GiB-month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_per_gi_b_month: Option<f64>,
}

/// NetworkPolicy settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NetworkPolicySettings {
    /// `open` (default) or `restricted` egress.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub egress: Option<Egress>,
}

/// Egress mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Egress {
    /// Egress allowed everywhere.
    Open,
    /// DNS and declared dependencies only.
    Restricted,
}
