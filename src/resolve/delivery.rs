//! `delivery`: how a new version is released. `rolling` (the default) is the Deployment's own
//! rolling update; `canary` and `blue-green` hand the release to Flagger, which needs a
//! traffic provider on the cluster (its Istio mesh, through Istio's own routes or the Gateway
//! API), a Deployment behind a Service, and an
//! analysis it accepts. The analysis and webhooks are checked whatever the strategy, so a base
//! blueprint can hold them and one cluster's override switch the strategy on.

use std::collections::BTreeMap;

use super::cluster::RoutingProvider;
use super::codes::{
    CANARY_MESH_SETTING, CANARY_ROUTES, DELIVERY_ANALYSIS, DELIVERY_PROVIDER, DELIVERY_WEBHOOK,
    DELIVERY_WORKLOAD,
};
use super::ports;
use super::resolver::Resolver;
use crate::blueprint::common::Duration;
use crate::blueprint::service::{Analysis, DeliveryStrategy, Retries, WebhookType, WorkloadKind};
use crate::blueprint::Blueprint;

/// Defaults of `delivery.analysis`.
pub mod defaults {
    /// Time between checks.
    pub const INTERVAL: &str = "1m";
    /// Failed checks before a rollback.
    pub const THRESHOLD: u32 = 5;
    /// Highest canary weight, percent.
    pub const MAX_WEIGHT: u32 = 50;
    /// Weight added per check, percent.
    pub const STEP_WEIGHT: u32 = 10;
    /// Checks of a blue-green analysis.
    pub const ITERATIONS: u32 = 10;
    /// Lowest success rate, percent.
    pub const SUCCESS_RATE: f64 = 99.0;
    /// Highest P99 latency.
    pub const LATENCY_P99: &str = "500ms";
}

/// How traffic moves to a new version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Steps {
    /// Weighted steps: `step` percent more per check, up to `max`.
    Canary {
        /// `stepWeight`.
        step: u32,
        /// `maxWeight`.
        max: u32,
    },
    /// `iterations` checks, then all traffic at once.
    BlueGreen {
        /// `iterations`.
        iterations: u32,
    },
}

impl Steps {
    /// Checks a successful analysis runs before promotion: `ceil(maxWeight / stepWeight)`
    /// weight steps, or the iterations.
    pub fn count(self) -> u32 {
        match self {
            Steps::Canary { step, max } => max.div_ceil(step.max(1)),
            Steps::BlueGreen { iterations } => iterations,
        }
    }
}

/// A webhook, resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedWebhook {
    /// Name.
    pub name: String,
    /// Type (default `rollout`).
    pub type_: WebhookType,
    /// Address.
    pub url: String,
    /// Timeout, when set.
    pub timeout: Option<String>,
    /// Metadata sent with each call.
    pub metadata: BTreeMap<String, String>,
}

/// A release by Flagger (`canary` or `blue-green`), resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct Progressive {
    /// The strategy as written (for messages and docs).
    pub strategy: DeliveryStrategy,
    /// Traffic steps.
    pub steps: Steps,
    /// Time between checks (whole seconds or minutes).
    pub interval: String,
    /// `interval` in seconds.
    pub interval_seconds: u64,
    /// Failed checks before a rollback.
    pub threshold: u32,
    /// Lowest success rate, percent.
    pub success_rate: f64,
    /// Highest P99 latency, milliseconds.
    pub latency_p99_ms: f64,
    /// Webhooks, in the order written.
    pub webhooks: Vec<ResolvedWebhook>,
    /// The provider Flagger routes traffic with.
    pub provider: RoutingProvider,
    /// The one request timeout of the service's generated route (its edge routes', or
    /// `mesh.timeout`).
    pub timeout: Option<String>,
    /// The one retry policy of that route.
    pub retries: Option<Retries>,
}

impl Progressive {
    /// Seconds the longest analysis that still ends in promotion takes: every step, up to
    /// `threshold − 1` failed checks that repeat one, and the promotion's own interval —
    /// `interval × (steps + threshold)`. The Flux Kustomization of the service waits this long.
    pub fn longest_seconds(&self) -> u64 {
        self.interval_seconds * u64::from(self.steps.count() + self.threshold)
    }
}

/// Whole seconds of a Flagger interval (`30s`, `2m`), which is all its CRD accepts.
pub fn whole_seconds(d: &str) -> Option<u64> {
    let (number, unit) = d.split_at(d.len().checked_sub(1)?);
    let n: u64 = number.parse().ok()?;
    if !number.bytes().all(|b| b.is_ascii_digit()) || n == 0 {
        return None;
    }
    match unit {
        "s" => Some(n),
        "m" => n.checked_mul(60),
        _ => None,
    }
}

/// The strategy of a blueprint as merged for a cluster is Flagger's.
pub fn progressive(bp: &Blueprint) -> bool {
    bp.delivery
        .as_ref()
        .and_then(|d| d.strategy)
        .is_some_and(|s| s != DeliveryStrategy::Rolling)
}

/// Checks and resolves `delivery`: `None` inside means a rolling update.
pub fn resolve(bp: &Blueprint, r: &mut Resolver<'_>) -> Option<Option<Progressive>> {
    let mark = r.mark();
    let delivery = bp.delivery.clone().unwrap_or_default();
    let strategy = delivery.strategy.unwrap_or_default();
    let analysis = delivery.analysis.clone().unwrap_or_default();
    let (interval, interval_seconds) = interval(&analysis, r);
    let threshold = analysis.threshold.unwrap_or(defaults::THRESHOLD);
    if threshold < 1 {
        r.error(
            DELIVERY_ANALYSIS,
            "/delivery/analysis/threshold",
            "threshold must be at least 1: Flagger rolls back after that many failed checks",
            None,
        );
    }
    let step = analysis.step_weight.unwrap_or(defaults::STEP_WEIGHT);
    let max = analysis.max_weight.unwrap_or(defaults::MAX_WEIGHT);
    if step < 1 {
        r.error(
            DELIVERY_ANALYSIS,
            "/delivery/analysis/stepWeight",
            "stepWeight must be at least 1: the canary would never get traffic",
            None,
        );
    }
    if max > 100 {
        r.error(
            DELIVERY_ANALYSIS,
            "/delivery/analysis/maxWeight",
            format!("maxWeight ({max}) is a percentage of the traffic: at most 100"),
            None,
        );
    }
    if step > max {
        let at = if analysis.step_weight.is_some() {
            "/delivery/analysis/stepWeight"
        } else {
            "/delivery/analysis/maxWeight"
        };
        r.error(
            DELIVERY_ANALYSIS,
            at,
            format!("stepWeight ({step}) is greater than maxWeight ({max}): the canary would never reach a step"),
            None,
        );
    }
    let iterations = analysis.iterations.unwrap_or(defaults::ITERATIONS);
    if iterations < 1 {
        r.error(
            DELIVERY_ANALYSIS,
            "/delivery/analysis/iterations",
            "iterations must be at least 1: blue-green tests the new version that many times",
            None,
        );
    }
    let success_rate = analysis.success_rate.unwrap_or(defaults::SUCCESS_RATE);
    if !(0.0..=100.0).contains(&success_rate) {
        r.error(
            DELIVERY_ANALYSIS,
            "/delivery/analysis/successRate",
            format!("successRate ({success_rate}) is a percentage: between 0 and 100"),
            None,
        );
    }
    let latency = analysis
        .latency_p99
        .clone()
        .unwrap_or_else(|| Duration(defaults::LATENCY_P99.into()));
    let latency_p99_ms = latency.millis();
    if latency_p99_ms < 1.0 {
        r.error(
            DELIVERY_ANALYSIS,
            "/delivery/analysis/latencyP99",
            format!("latencyP99 `{latency}` is under a millisecond, the unit Flagger measures in"),
            None,
        );
    }
    let webhooks = webhooks(bp, r);
    let steps = match strategy {
        DeliveryStrategy::BlueGreen => Steps::BlueGreen { iterations },
        _ => Steps::Canary { step, max },
    };
    let mut resolved = None;
    if strategy != DeliveryStrategy::Rolling {
        let provider = needs(bp, strategy, r);
        let tcp = bp.mesh.as_ref().and_then(|m| m.connection_pool.as_ref());
        // (The Gateway API provider refuses the whole pool, in `gateway_api_limits`.)
        if provider != Some(RoutingProvider::GatewayApi)
            && tcp.is_some_and(|p| p.max_connections.is_some())
        {
            r.error(
                CANARY_MESH_SETTING,
                "/mesh/connectionPool/maxConnections",
                format!("`mesh.connectionPool.maxConnections` cannot be rendered for canary service `{}`: Flagger's Canary has no TCP connection pool", bp.name),
                Some("set it only in the `overrides` of clusters where the service is not a canary".into()),
            );
        }
        if provider == Some(RoutingProvider::GatewayApi) {
            gateway_api_limits(bp, r);
        }
        let (timeout, retries) = one_route(bp, r);
        resolved = provider.map(|provider| Progressive {
            strategy,
            steps,
            interval,
            interval_seconds,
            threshold,
            success_rate,
            latency_p99_ms,
            webhooks,
            provider,
            timeout,
            retries,
        });
    }
    r.finish(mark, resolved)
}

/// The analysis interval: whole seconds or minutes, at least one second.
fn interval(analysis: &Analysis, r: &mut Resolver<'_>) -> (String, u64) {
    let text = analysis
        .interval
        .as_ref()
        .map_or_else(|| defaults::INTERVAL.to_owned(), |d| d.0.clone());
    match whole_seconds(&text) {
        Some(s) => (text, s),
        None => {
            r.error(
                DELIVERY_ANALYSIS,
                "/delivery/analysis/interval",
                format!("interval `{text}` is not whole seconds or minutes, which is all Flagger's Canary accepts"),
                Some("write it as `30s`, `1m` or `90s`".into()),
            );
            (text, 60)
        }
    }
}

fn webhooks(bp: &Blueprint, r: &mut Resolver<'_>) -> Vec<ResolvedWebhook> {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    let mut out = Vec::new();
    let list = bp.delivery.iter().flat_map(|d| d.webhooks.iter().flatten());
    for (i, w) in list.enumerate() {
        if let Some(first) = seen.insert(&w.name, i) {
            r.error(
                DELIVERY_WEBHOOK,
                &format!("/delivery/webhooks/{i}/name"),
                format!(
                    "webhook `{}` is defined twice (also at webhooks[{first}])",
                    w.name
                ),
                None,
            );
        }
        let host = w
            .url
            .strip_prefix("http://")
            .or_else(|| w.url.strip_prefix("https://"));
        if host.is_none_or(|h| h.is_empty() || h.starts_with('/')) {
            r.error(
                DELIVERY_WEBHOOK,
                &format!("/delivery/webhooks/{i}/url"),
                format!(
                    "webhook address `{}` is not an `http://` or `https://` address",
                    w.url
                ),
                Some("Flagger posts to the address: write it in full, e.g. `http://flagger-loadtester.test/`".into()),
            );
        }
        if let Some(t) = &w.timeout {
            if whole_seconds(&t.0).is_none() {
                r.error(
                    DELIVERY_WEBHOOK,
                    &format!("/delivery/webhooks/{i}/timeout"),
                    format!("webhook timeout `{t}` is not whole seconds or minutes, which is all Flagger's Canary accepts"),
                    None,
                );
            }
        }
        out.push(ResolvedWebhook {
            name: w.name.clone(),
            type_: w.type_.unwrap_or(WebhookType::Rollout),
            url: w.url.clone(),
            timeout: w.timeout.as_ref().map(|t| t.0.clone()),
            metadata: w.metadata.clone().unwrap_or_default(),
        });
    }
    out
}

/// What a Flagger release needs of the cluster and the workload: the provider.
fn needs(
    bp: &Blueprint,
    strategy: DeliveryStrategy,
    r: &mut Resolver<'_>,
) -> Option<RoutingProvider> {
    let cluster = r.cluster();
    let provider = cluster.routing_provider();
    let name = strategy.as_str();
    if provider.is_none() {
        r.error(
            DELIVERY_PROVIDER,
            "/delivery/strategy",
            match (&cluster.mesh, &cluster.gateway_api) {
                (Some(m), _) if m.ambient => format!(
                    "`{name}` needs an Istio mesh in sidecar mode, and cluster `{}` runs it in ambient mode: Flagger's built-in metrics query Istio's sidecar telemetry (`reporter=\"destination\"`), which waypoints do not report (theirs is `reporter=\"waypoint\"`), so every analysis would find no values, fail and roll the release back",
                    cluster.name
                ),
                (None, Some(_)) => format!(
                    "`{name}` needs a traffic provider for Flagger: Gateway API routing gives one only with the Istio mesh (Flagger's built-in metrics are Istio's telemetry), and the mesh is missing in cluster `{}`",
                    cluster.name
                ),
                _ => format!(
                    "`{name}` needs a traffic provider for Flagger: an Istio mesh, which is missing in cluster `{}`",
                    cluster.name
                ),
            },
            Some(
                if cluster.mesh.as_ref().is_some_and(|m| m.ambient) {
                    "set `strategy: rolling` for that cluster in `overrides`, or run its mesh in sidecar mode (`mesh.mode: sidecar`)"
                } else {
                    "set `strategy: rolling` for that cluster in `overrides`, or enable the Istio mesh in the cluster file (`mesh.istio: true`)"
                }
                .into(),
            ),
        );
    }
    let workload = bp.workload.unwrap_or_default();
    if workload != WorkloadKind::Deployment {
        let kind = match workload {
            WorkloadKind::Statefulset => "statefulset",
            _ => "worker",
        };
        r.error(
            DELIVERY_WORKLOAD,
            "/delivery/strategy",
            format!(
                "`{name}` releases a Deployment with a Service, and `{}` is a `{kind}`",
                bp.name
            ),
            Some("use `strategy: rolling`".into()),
        );
    } else if bp.ports.as_ref().is_none_or(Vec::is_empty) {
        r.error(
            DELIVERY_WORKLOAD,
            "/delivery/strategy",
            format!(
                "`{name}` routes traffic to the service's primary port, and `{}` declares no ports",
                bp.name
            ),
            None,
        );
    }
    provider
}

/// What Flagger's Gateway API provider cannot carry: it writes one HTTPRoute (no GRPCRoute)
/// whose path matches hold for every parent, the apex Service of in-mesh calls included, and
/// no DestinationRule (so no connection pool, outlier detection or load balancer).
fn gateway_api_limits(bp: &Blueprint, r: &mut Resolver<'_>) {
    let grpc = bp
        .ports
        .iter()
        .flatten()
        .next()
        .is_some_and(|p| crate::blueprint::names::app_protocol(&p.name) == Some("grpc"));
    for (i, route) in bp.routes.iter().flatten().enumerate() {
        if grpc {
            r.error(
                CANARY_ROUTES,
                &format!("/routes/{i}"),
                format!("route {i} goes to a gRPC port, and Flagger's Gateway API provider writes an HTTPRoute only (no GRPCRoute) for canary service `{}`", bp.name),
                Some("release the gRPC service with `strategy: rolling`, or route an HTTP port".into()),
            );
        }
        if let Some(path) = route.path.as_deref().filter(|p| *p != "/") {
            r.error(
                CANARY_ROUTES,
                &format!("/routes/{i}/path"),
                format!("route {i} matches path `{path}`, and Flagger's Gateway API route applies its path matches to in-mesh calls of canary service `{}` too", bp.name),
                Some("route the canary service's host at `/`".into()),
            );
        }
    }
    let Some(m) = &bp.mesh else { return };
    let fields = [
        ("connectionPool", m.connection_pool.is_some()),
        ("outlierDetection", m.outlier_detection.is_some()),
        ("loadBalancer", m.load_balancer.is_some()),
    ];
    for (field, _) in fields.iter().filter(|(_, set)| *set) {
        r.error(
            CANARY_MESH_SETTING,
            &format!("/mesh/{field}"),
            format!("`mesh.{field}` cannot be rendered for canary service `{}`: Flagger's Gateway API provider writes no DestinationRule", bp.name),
            Some("set it only in the `overrides` of clusters where the service is not a canary".into()),
        );
    }
}

/// The one timeout and retry policy of the route Flagger generates for the service: its edge
/// routes and `mesh.timeout`/`mesh.retries` must agree on them, go to the primary port and
/// not rewrite (Flagger applies one route to every host and to in-mesh calls alike).
/// A route's timeout and retry policy.
type RoutePolicy = (Option<String>, Option<Retries>);

fn one_route(bp: &Blueprint, r: &mut Resolver<'_>) -> RoutePolicy {
    let primary = bp.ports.iter().flatten().next().map(|p| p.port);
    let all = ports::all(bp);
    let mut agreed: Option<(String, RoutePolicy)> = None;
    let mut candidates: Vec<(String, String, RoutePolicy)> = Vec::new();
    for (i, route) in bp.routes.iter().flatten().enumerate() {
        let at = format!("/routes/{i}");
        let number = route.port.as_ref().and_then(|p| ports::number(&all, p));
        if route.port.is_some() && number.is_some() && number != primary {
            r.error(
                CANARY_ROUTES,
                &format!("{at}/port"),
                format!("route {i} goes to port {}, but Flagger routes a canary service to its primary port only", number.unwrap_or_default()),
                None,
            );
        }
        if route.rewrite.is_some() {
            r.error(
                CANARY_ROUTES,
                &format!("{at}/rewrite"),
                "Flagger applies one rewrite to every host and to in-mesh calls of a canary service: rewrite in the service instead",
                None,
            );
        }
        let value = (
            route.timeout.as_ref().map(|d| d.0.clone()),
            route.retries.clone(),
        );
        candidates.push((at, format!("route {i}"), value));
    }
    if let Some(m) = &bp.mesh {
        if m.timeout.is_some() || m.retries.is_some() {
            let value = (m.timeout.as_ref().map(|d| d.0.clone()), m.retries.clone());
            candidates.push(("/mesh".into(), "`mesh`".into(), value));
        }
    }
    for (at, what, value) in candidates {
        match &agreed {
            None => agreed = Some((what, value)),
            Some((first, v)) if *v != value => {
                let show = |t: &Option<String>| t.clone().unwrap_or_else(|| "none".into());
                let detail = if v.0 != value.0 {
                    format!(
                        "{what} has timeout `{}` and {first} `{}`",
                        show(&value.0),
                        show(&v.0)
                    )
                } else {
                    format!("{what} and {first} have different retries")
                };
                r.error(
                    CANARY_ROUTES,
                    &at,
                    format!("{detail}: Flagger gives the service one timeout and one retry policy"),
                    Some("write the same timeout and retries on every route of a canary service (and in `mesh`)".into()),
                );
            }
            Some(_) => {}
        }
    }
    agreed.map_or((None, None), |(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flagger_intervals_are_whole_seconds_or_minutes() {
        assert_eq!(whole_seconds("30s"), Some(30));
        assert_eq!(whole_seconds("2m"), Some(120));
        for bad in ["1m30s", "500ms", "1h", "0s", "m", "", "+1m"] {
            assert_eq!(whole_seconds(bad), None, "{bad}");
        }
    }

    #[test]
    fn steps_and_the_longest_promoting_analysis() {
        assert_eq!(Steps::Canary { step: 10, max: 50 }.count(), 5);
        assert_eq!(Steps::Canary { step: 30, max: 100 }.count(), 4);
        assert_eq!(Steps::BlueGreen { iterations: 7 }.count(), 7);
        let p = Progressive {
            strategy: DeliveryStrategy::Canary,
            steps: Steps::Canary { step: 10, max: 50 },
            interval: "1m".into(),
            interval_seconds: 60,
            threshold: 5,
            success_rate: 99.0,
            latency_p99_ms: 500.0,
            webhooks: Vec::new(),
            provider: RoutingProvider::Istio,
            timeout: None,
            retries: None,
        };
        assert_eq!(p.longest_seconds(), 600);
    }
}
