//! Istio 1.30 kinds we render: `networking.istio.io/v1` VirtualService, DestinationRule and
//! Gateway, `security.istio.io/v1` PeerAuthentication and AuthorizationPolicy. Only the fields
//! we set are modelled.

use std::collections::BTreeMap;

use kube::CustomResource;
use serde::{Deserialize, Serialize};

/// VirtualService spec.
#[derive(
    CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[kube(
    group = "networking.istio.io",
    version = "v1",
    kind = "VirtualService",
    namespaced,
    schema = "disabled"
)]
#[serde(rename_all = "camelCase")]
pub struct VirtualServiceSpec {
    /// Hosts the routes apply to.
    pub hosts: Vec<String>,
    /// Gateways (`ns/name`, or `mesh` for sidecars).
    pub gateways: Vec<String>,
    /// HTTP routes, first match wins.
    pub http: Vec<HttpRoute>,
}

/// One HTTP route.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HttpRoute {
    /// Route name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Matches (any).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub r#match: Vec<HttpMatch>,
    /// Prefix rewrite.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rewrite: Option<Rewrite>,
    /// Destinations.
    pub route: Vec<RouteDestination>,
    /// Request timeout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    /// Retry policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retries: Option<RetryPolicy>,
}

/// A request match.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HttpMatch {
    /// URI match.
    pub uri: StringMatch,
}

/// A prefix string match.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StringMatch {
    /// The prefix.
    pub prefix: String,
}

/// URI rewrite.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Rewrite {
    /// Replacement of the matched prefix.
    pub uri: String,
}

/// A weighted destination.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RouteDestination {
    /// The destination.
    pub destination: Destination,
}

/// A service destination.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Destination {
    /// Service FQDN.
    pub host: String,
    /// Port.
    pub port: PortSelector,
}

/// A port number.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PortSelector {
    /// Number.
    pub number: u32,
}

/// Retries.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RetryPolicy {
    /// Attempts.
    pub attempts: u32,
    /// Timeout per attempt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_try_timeout: Option<String>,
    /// Conditions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_on: Option<String>,
}

/// DestinationRule spec.
#[derive(
    CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[kube(
    group = "networking.istio.io",
    version = "v1",
    kind = "DestinationRule",
    namespaced,
    schema = "disabled"
)]
#[serde(rename_all = "camelCase")]
pub struct DestinationRuleSpec {
    /// Service FQDN.
    pub host: String,
    /// Policy.
    pub traffic_policy: TrafficPolicy,
}

/// Traffic policy.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TrafficPolicy {
    /// Pool limits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection_pool: Option<ConnectionPool>,
    /// Ejection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outlier_detection: Option<OutlierDetection>,
    /// Algorithm.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub load_balancer: Option<LoadBalancer>,
    /// Client TLS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<ClientTls>,
}

/// Connection pool.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ConnectionPool {
    /// TCP settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tcp: Option<TcpPool>,
    /// HTTP settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http: Option<HttpPool>,
}

/// TCP pool.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TcpPool {
    /// Max connections.
    pub max_connections: u32,
}

/// HTTP pool.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HttpPool {
    /// Max pending requests.
    #[serde(
        rename = "http1MaxPendingRequests",
        skip_serializing_if = "Option::is_none"
    )]
    pub http1_max_pending_requests: Option<u32>,
    /// Max requests per connection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_requests_per_connection: Option<u32>,
}

/// Outlier detection.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OutlierDetection {
    /// 5xx in a row.
    #[serde(
        rename = "consecutive5xxErrors",
        skip_serializing_if = "Option::is_none"
    )]
    pub consecutive_5xx_errors: Option<u32>,
    /// Sweep interval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    /// Minimum ejection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_ejection_time: Option<String>,
    /// Most ejected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_ejection_percent: Option<u32>,
}

/// Load balancer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LoadBalancer {
    /// `ROUND_ROBIN`, `LEAST_REQUEST`, `RANDOM`, `PASSTHROUGH`.
    pub simple: String,
}

/// Client TLS mode.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ClientTls {
    /// `ISTIO_MUTUAL`.
    pub mode: String,
}

/// PeerAuthentication spec.
#[derive(
    CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[kube(
    group = "security.istio.io",
    version = "v1",
    kind = "PeerAuthentication",
    namespaced,
    schema = "disabled"
)]
pub struct PeerAuthenticationSpec {
    /// mTLS mode.
    pub mtls: MutualTls,
}

/// mTLS mode.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MutualTls {
    /// `STRICT` or `PERMISSIVE`.
    pub mode: String,
}

/// AuthorizationPolicy spec.
#[derive(
    CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[kube(
    group = "security.istio.io",
    version = "v1",
    kind = "AuthorizationPolicy",
    namespaced,
    schema = "disabled"
)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizationPolicySpec {
    /// The pods it applies to (enforced by their sidecars, or by ztunnel in ambient mode).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selector: Option<WorkloadSelector>,
    /// What it is attached to instead of pods: a Service, enforced by its waypoint (ambient).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub target_refs: Vec<PolicyTargetRef>,
    /// `ALLOW`.
    pub action: String,
    /// Allowed requests (none: everything denied).
    pub rules: Vec<AuthorizationRule>,
}

/// A policy target: a Service (`group: ""`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PolicyTargetRef {
    /// `""` for a Service.
    pub group: String,
    /// `Service`.
    pub kind: String,
    /// Name.
    pub name: String,
}

/// Pod selector.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadSelector {
    /// Labels.
    pub match_labels: BTreeMap<String, String>,
}

/// One allow rule.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AuthorizationRule {
    /// Sources.
    pub from: Vec<RuleFrom>,
    /// Operations.
    pub to: Vec<RuleTo>,
}

/// A source.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RuleFrom {
    /// Identities.
    pub source: Source,
}

/// Identities.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Source {
    /// `cluster.local/ns/<ns>/sa/<sa>`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub principals: Vec<String>,
    /// Source namespaces (the monitoring namespace that scrapes metrics).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub namespaces: Vec<String>,
}

/// An operation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RuleTo {
    /// Ports.
    pub operation: Operation,
}

/// Ports of an operation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Operation {
    /// Port numbers as strings.
    pub ports: Vec<String>,
}

/// Gateway spec (`networking.istio.io`, not the Gateway API).
#[derive(
    CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[kube(
    group = "networking.istio.io",
    version = "v1",
    kind = "Gateway",
    namespaced,
    schema = "disabled"
)]
pub struct GatewaySpec {
    /// Gateway pods.
    pub selector: BTreeMap<String, String>,
    /// Listeners.
    pub servers: Vec<Server>,
}

/// A listener.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Server {
    /// Port.
    pub port: ServerPort,
    /// Hosts.
    pub hosts: Vec<String>,
    /// TLS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<ServerTls>,
}

/// Listener port.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ServerPort {
    /// Number.
    pub number: u32,
    /// Name.
    pub name: String,
    /// `HTTP`, `HTTPS`.
    pub protocol: String,
}

/// Listener TLS.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServerTls {
    /// Redirect HTTP to HTTPS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub https_redirect: Option<bool>,
    /// `SIMPLE`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// Secret with the certificate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential_name: Option<String>,
}
