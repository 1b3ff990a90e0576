//! Gateway API v1.5 (standard channel) kinds we render: `gateway.networking.k8s.io/v1`
//! Gateway, HTTPRoute and GRPCRoute. Only the fields we set are modelled; the upstream CRDs
//! in `../shared/crds/gateway-api/` are the reference.

use kube::CustomResource;
use serde::{Deserialize, Serialize};

/// Gateway spec.
#[derive(
    CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[kube(
    group = "gateway.networking.k8s.io",
    version = "v1",
    kind = "Gateway",
    namespaced,
    schema = "disabled"
)]
#[serde(rename_all = "camelCase")]
pub struct GatewaySpec {
    /// The GatewayClass (the implementation).
    pub gateway_class_name: String,
    /// Listeners.
    pub listeners: Vec<Listener>,
}

/// One listener of a Gateway.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Listener {
    /// Name (routes attach to it by `sectionName`).
    pub name: String,
    /// Host name it serves; all hosts when unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// Port.
    pub port: u16,
    /// `HTTP`, `HTTPS`, `HBONE`, …
    pub protocol: String,
    /// TLS termination.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<ListenerTls>,
    /// Which routes may attach.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_routes: Option<AllowedRoutes>,
}

/// TLS of a listener.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListenerTls {
    /// `Terminate`.
    pub mode: String,
    /// Certificates (Secrets).
    pub certificate_refs: Vec<SecretRef>,
}

/// A Secret reference (`group: ""`, `kind: Secret` are the defaults).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SecretRef {
    /// Secret name.
    pub name: String,
}

/// Routes a listener admits.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AllowedRoutes {
    /// By namespace.
    pub namespaces: RouteNamespaces,
}

/// The namespaces routes may come from.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RouteNamespaces {
    /// `Same`, `All` or `Selector`.
    pub from: String,
    /// The namespaces, with `from: Selector`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selector: Option<NamespaceSelector>,
}

/// A label selector of namespaces.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NamespaceSelector {
    /// Expressions (all must hold).
    pub match_expressions: Vec<SelectorRequirement>,
}

/// One selector expression.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SelectorRequirement {
    /// Label key.
    pub key: String,
    /// `In`.
    pub operator: String,
    /// Values.
    pub values: Vec<String>,
}

/// HTTPRoute spec.
#[derive(
    CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[kube(
    group = "gateway.networking.k8s.io",
    version = "v1",
    kind = "HTTPRoute",
    namespaced,
    schema = "disabled"
)]
#[serde(rename_all = "camelCase")]
pub struct HttpRouteSpec {
    /// Gateways (listeners) or, for in-mesh routes (GAMMA), the Service.
    pub parent_refs: Vec<ParentRef>,
    /// Host names; none for in-mesh routes.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub hostnames: Vec<String>,
    /// Rules, the most specific match wins.
    pub rules: Vec<HttpRouteRule>,
}

/// A parent of a route: a Gateway listener, or a Service (`group: ""`, `kind: Service`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ParentRef {
    /// `""` for a Service; unset for a Gateway (the default group).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// `Service`; unset for a Gateway (the default kind).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Name.
    pub name: String,
    /// Namespace (the route's when unset).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Listener name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section_name: Option<String>,
    /// Service port, for a Service parent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
}

/// One HTTPRoute rule.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HttpRouteRule {
    /// Matches (any).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub matches: Vec<HttpRouteMatch>,
    /// Filters (rewrite, redirect).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub filters: Vec<HttpRouteFilter>,
    /// Backends; none with a redirect.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub backend_refs: Vec<BackendRef>,
    /// Timeouts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeouts: Option<HttpRouteTimeouts>,
}

/// A request match.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HttpRouteMatch {
    /// Path match.
    pub path: PathMatch,
}

/// A path match.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PathMatch {
    /// `PathPrefix`.
    pub r#type: String,
    /// The prefix.
    pub value: String,
}

/// A filter: `URLRewrite` or `RequestRedirect`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HttpRouteFilter {
    /// Filter type.
    pub r#type: String,
    /// With `URLRewrite`.
    #[serde(skip_serializing_if = "Option::is_none", rename = "urlRewrite")]
    pub url_rewrite: Option<UrlRewrite>,
    /// With `RequestRedirect`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_redirect: Option<RequestRedirect>,
}

/// A URL rewrite.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct UrlRewrite {
    /// Path rewrite.
    pub path: PathModifier,
}

/// A path rewrite: `ReplacePrefixMatch`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PathModifier {
    /// `ReplacePrefixMatch`.
    pub r#type: String,
    /// What replaces the matched prefix.
    pub replace_prefix_match: String,
}

/// A redirect.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RequestRedirect {
    /// `https`.
    pub scheme: String,
    /// 301.
    pub status_code: u16,
}

/// A backend: a Service and port.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BackendRef {
    /// Service name (the route's namespace).
    pub name: String,
    /// Service port.
    pub port: u16,
}

/// HTTPRoute rule timeouts.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HttpRouteTimeouts {
    /// The whole request.
    pub request: String,
}

/// GRPCRoute spec.
#[derive(
    CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[kube(
    group = "gateway.networking.k8s.io",
    version = "v1",
    kind = "GRPCRoute",
    namespaced,
    schema = "disabled"
)]
#[serde(rename_all = "camelCase")]
pub struct GrpcRouteSpec {
    /// Gateway listeners.
    pub parent_refs: Vec<ParentRef>,
    /// Host names.
    pub hostnames: Vec<String>,
    /// Rules.
    pub rules: Vec<GrpcRouteRule>,
}

/// One GRPCRoute rule.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GrpcRouteRule {
    /// Matches (any); none matches every method.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub matches: Vec<GrpcRouteMatch>,
    /// Backends.
    pub backend_refs: Vec<BackendRef>,
}

/// A gRPC match.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct GrpcRouteMatch {
    /// Method match.
    pub method: GrpcMethodMatch,
}

/// A gRPC method match: every method of one service.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct GrpcMethodMatch {
    /// `Exact`.
    pub r#type: String,
    /// `package.Service`.
    pub service: String,
}
