//! Flagger v1.44 kinds we render (`flagger.app/v1beta1`): the Canary of a service that
//! Flagger releases, and the cluster's Slack AlertProvider. Only the fields we set are
//! modelled; `../shared/crds/flagger/crd.yaml` is the reference.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kube::CustomResource;
use serde::{Deserialize, Serialize};

use super::istio::{ClientTls, HttpPool, LoadBalancer, OutlierDetection, RetryPolicy};

/// Canary spec.
#[derive(CustomResource, Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[kube(
    group = "flagger.app",
    version = "v1beta1",
    kind = "Canary",
    namespaced,
    schema = "disabled"
)]
#[serde(rename_all = "camelCase")]
pub struct CanarySpec {
    /// Traffic provider (`istio`, `gatewayapi:v1`, …).
    pub provider: String,
    /// The workload Flagger releases.
    pub target_ref: ObjectRef,
    /// The autoscaler of the workload, which Flagger copies for the primary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub autoscaler_ref: Option<ObjectRef>,
    /// The Services and route Flagger generates.
    pub service: CanaryService,
    /// The analysis.
    pub analysis: CanaryAnalysis,
}

/// A reference to an object of the Canary's namespace.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ObjectRef {
    /// API version.
    pub api_version: String,
    /// Kind.
    pub kind: String,
    /// Name.
    pub name: String,
}

/// What Flagger generates in front of the pods: the Services `<name>`, `<name>-primary`,
/// `<name>-canary`, and the provider's route.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CanaryService {
    /// Service port.
    pub port: u32,
    /// Name of that port.
    pub port_name: String,
    /// Container port it forwards to.
    pub target_port: IntOrString,
    /// `appProtocol` of the port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_protocol: Option<String>,
    /// Expose every container port too, not only `port`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port_discovery: Option<bool>,
    /// Gateways the generated VirtualService binds to (`mesh` for in-mesh calls).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gateways: Vec<String>,
    /// Parents of the generated HTTPRoute (Gateway API provider): Gateway listeners, and the
    /// apex Service for in-mesh (GAMMA) calls.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gateway_refs: Vec<GatewayRef>,
    /// Edge hosts of the generated route.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<String>,
    /// Request matches of the generated route (any).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub r#match: Vec<CanaryMatch>,
    /// Request timeout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    /// Retry policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retries: Option<RetryPolicy>,
    /// The DestinationRules' traffic policy (Istio).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub traffic_policy: Option<TrafficPolicy>,
    /// Metadata of the generated `<name>-primary` Service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary: Option<ServiceMetadata>,
    /// Metadata of the generated `<name>-canary` Service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canary: Option<ServiceMetadata>,
}

/// A parent of the HTTPRoute Flagger generates with the Gateway API provider.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GatewayRef {
    /// API group: `""` for a Service (the CRD defaults to Gateway API's group, so it is
    /// always written for a Service).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// `Service` for in-mesh calls (the CRD defaults to `Gateway`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Name.
    pub name: String,
    /// Namespace (a Gateway's; a Service is the Canary's own).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The listener of a Gateway.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section_name: Option<String>,
    /// The Service port in-mesh calls go to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
}

/// A request match of the generated route.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CanaryMatch {
    /// URI prefix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri: Option<super::istio::StringMatch>,
    /// Gateways the match applies to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gateways: Vec<String>,
}

/// Istio traffic policy as Flagger's Canary carries it (no TCP connection pool).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TrafficPolicy {
    /// HTTP connection pool.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection_pool: Option<HttpConnectionPool>,
    /// Outlier detection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outlier_detection: Option<OutlierDetection>,
    /// Load balancing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub load_balancer: Option<LoadBalancer>,
    /// Client TLS (`ISTIO_MUTUAL` under strict mTLS).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<ClientTls>,
}

/// The HTTP part of a connection pool.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HttpConnectionPool {
    /// HTTP settings.
    pub http: HttpPool,
}

/// Labels of a generated Service.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ServiceMetadata {
    /// Labels.
    pub labels: BTreeMap<String, String>,
}

/// The analysis of a Canary.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CanaryAnalysis {
    /// Time between checks.
    pub interval: String,
    /// Failed checks before a rollback.
    pub threshold: u32,
    /// Highest canary weight (canary).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_weight: Option<u32>,
    /// Weight added per check (canary).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step_weight: Option<u32>,
    /// Checks before the switch (blue-green).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iterations: Option<u32>,
    /// Metric checks.
    pub metrics: Vec<Metric>,
    /// Where Flagger posts its events.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alerts: Vec<AlertRef>,
    /// Webhooks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub webhooks: Vec<CanaryWebhook>,
}

/// A metric check (a built-in one: `request-success-rate`, `request-duration`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Metric {
    /// Metric name.
    pub name: String,
    /// Range of the query.
    pub interval: String,
    /// Accepted values.
    pub threshold_range: ThresholdRange,
}

/// Bounds of a metric.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ThresholdRange {
    /// Lowest value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<serde_json::Number>,
    /// Highest value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<serde_json::Number>,
}

/// `value` as a JSON number, an integer when it is whole (`99`, not `99.0`).
pub fn number(value: f64) -> Option<serde_json::Number> {
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        #[allow(clippy::cast_possible_truncation)]
        Some(serde_json::Number::from(value as i64))
    } else {
        serde_json::Number::from_f64(value)
    }
}

/// An alert of the analysis.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AlertRef {
    /// Name.
    pub name: String,
    /// Lowest severity sent.
    pub severity: String,
    /// The AlertProvider.
    pub provider_ref: NamespacedRef,
}

/// A reference by name and namespace.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NamespacedRef {
    /// Name.
    pub name: String,
    /// Namespace.
    pub namespace: String,
}

/// A webhook of the analysis.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CanaryWebhook {
    /// Name.
    pub name: String,
    /// When Flagger calls it.
    #[serde(rename = "type")]
    pub type_: String,
    /// Address.
    pub url: String,
    /// Answer timeout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    /// Metadata sent.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metadata: BTreeMap<String, String>,
}

/// AlertProvider spec.
#[derive(CustomResource, Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[kube(
    group = "flagger.app",
    version = "v1beta1",
    kind = "AlertProvider",
    namespaced,
    schema = "disabled"
)]
#[serde(rename_all = "camelCase")]
pub struct AlertProviderSpec {
    /// `slack`.
    #[serde(rename = "type")]
    pub type_: String,
    /// Channel.
    pub channel: String,
    /// Secret with the webhook address (key `address`).
    pub secret_ref: SecretRef,
}

/// A Secret by name.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SecretRef {
    /// Name.
    pub name: String,
}
