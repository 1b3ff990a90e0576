//! prometheus-operator `monitoring.coreos.com/v1` ServiceMonitor and PrometheusRule.

use std::collections::BTreeMap;

use kube::CustomResource;
use serde::{Deserialize, Serialize};

/// ServiceMonitor spec: which Services to scrape, on which port and path.
#[derive(
    CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[kube(
    group = "monitoring.coreos.com",
    version = "v1",
    kind = "ServiceMonitor",
    namespaced,
    schema = "disabled"
)]
pub struct ServiceMonitorSpec {
    /// The Services (by label) in the monitor's namespace.
    pub selector: Selector,
    /// Scrape endpoints.
    pub endpoints: Vec<Endpoint>,
}

/// A label selector.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Selector {
    /// Labels.
    pub match_labels: BTreeMap<String, String>,
}

/// A scrape endpoint.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Endpoint {
    /// Service port name.
    pub port: String,
    /// HTTP path.
    pub path: String,
    /// Scrape interval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
}

/// PrometheusRule spec.
#[derive(
    CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[kube(
    group = "monitoring.coreos.com",
    version = "v1",
    kind = "PrometheusRule",
    namespaced,
    schema = "disabled"
)]
pub struct PrometheusRuleSpec {
    /// Rule groups.
    pub groups: Vec<RuleGroup>,
}

/// A rule group.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RuleGroup {
    /// Group name.
    pub name: String,
    /// Alerting rules.
    pub rules: Vec<AlertingRule>,
}

/// An alerting rule.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AlertingRule {
    /// Alert name.
    pub alert: String,
    /// PromQL.
    pub expr: String,
    /// How long it must hold.
    #[serde(rename = "for", skip_serializing_if = "Option::is_none")]
    pub for_: Option<String>,
    /// Labels (severity).
    pub labels: BTreeMap<String, String>,
    /// Annotations (summary).
    pub annotations: BTreeMap<String, String>,
}
