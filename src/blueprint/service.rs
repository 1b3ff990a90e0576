//! The blueprint of one service (`blueprints/<name>.yaml`), as written.
//!
//! Field names are the public contract (see `docs/blueprint.md`). Everything is optional that
//! the contract says is optional; defaults are applied later, per cluster, by
//! [`crate::resolve`]. Unknown fields are rejected everywhere.

use std::borrow::Cow;
use std::collections::BTreeMap;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Serialize};

use super::common::{ApiVersion, Duration, PortRef, Quantity};

/// `kind: Blueprint`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum BlueprintKind {
    /// The only value.
    Blueprint,
}

/// One service: what it runs, how it scales, how it is reached, per-cluster overrides.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Blueprint {
    /// Always `fluxprint/v1alpha1`.
    pub api_version: ApiVersion,
    /// Always `Blueprint`.
    pub kind: BlueprintKind,
    /// Service name: a DNS-1123 label of at most 40 characters, starting with a letter, unique
    /// across blueprints. Names every object of the service.
    pub name: String,
    /// Owning team; becomes the label `fluxprint.io/team`.
    pub team: String,
    /// Namespace to deploy into; defaults to the team.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Image repository, without tag or digest.
    pub image: String,
    /// Initial image tag. Missing or `latest` is refused in strict clusters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// `deployment` (default), `statefulset`, or `worker` (a Deployment without a Service).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload: Option<WorkloadKind>,
    /// Ports; the first is the primary port. Names follow Istio's protocol prefix convention.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ports: Option<Vec<Port>>,
    /// Container entrypoint override.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<Vec<String>>,
    /// Container arguments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<String>>,
    /// Plain environment variables; rendered to the ConfigMap `<name>-env`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<BTreeMap<String, String>>,
    /// Names of secret environment variables; values come from the Secret `<name>-secrets`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_env: Option<Vec<String>>,
    /// CPU and memory requests and limits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Resources>,
    /// Liveness, readiness and startup probes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probes: Option<Probes>,
    /// Fixed replica count; only without `autoscaling`. Default 1 (relaxed) or 2 (strict).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub replicas: Option<u32>,
    /// Horizontal autoscaling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autoscaling: Option<Autoscaling>,
    /// Expected load, for capacity planning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<Capacity>,
    /// Persistent volumes (statefulset only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<Vec<Storage>>,
    /// Extra containers in the pod.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sidecars: Option<Vec<Sidecar>>,
    /// Edge routes (Istio gateway or Ingress).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routes: Option<Vec<Route>>,
    /// In-mesh traffic policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mesh: Option<MeshPolicy>,
    /// Blueprints or cluster infrastructure this service needs first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depends_on: Option<Vec<String>>,
    /// Metrics scraping.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monitoring: Option<Monitoring>,
    /// Prometheus alerting rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alerts: Option<Vec<AlertRule>>,
    /// Image automation policy for this service (overrides the cluster's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub images: Option<ImagePolicyOverride>,
    /// Run-to-completion work of the service: a Job before each rollout, or a CronJob.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jobs: Option<Vec<Job>>,
    /// How new versions are released: rolling update (default), or a Flagger canary or
    /// blue-green analysis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Delivery>,
    /// Per-cluster changes: a deep merge over the fields above (maps merge, lists replace).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overrides: Option<BTreeMap<String, Override>>,
}

/// The kind of workload.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum WorkloadKind {
    /// A Deployment.
    #[default]
    Deployment,
    /// A StatefulSet with a headless Service.
    Statefulset,
    /// A Deployment that serves nothing: no Service, no ports needed (queue consumers).
    Worker,
}

impl WorkloadKind {
    /// The Kubernetes kind of the workload object.
    pub fn kind(self) -> &'static str {
        match self {
            WorkloadKind::Deployment | WorkloadKind::Worker => "Deployment",
            WorkloadKind::Statefulset => "StatefulSet",
        }
    }

    /// The file the workload object is rendered to, in `apps/<service>/`.
    pub fn file(self) -> &'static str {
        match self {
            WorkloadKind::Deployment | WorkloadKind::Worker => "deployment.yaml",
            WorkloadKind::Statefulset => "statefulset.yaml",
        }
    }

    /// The workload has a Service (everything but a worker).
    pub fn serves(self) -> bool {
        self != WorkloadKind::Worker
    }
}

/// A named container port.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Port {
    /// Port name with an Istio protocol prefix: `http`, `http-api`, `grpc`, `tcp-kafka`, …
    pub name: String,
    /// Port number.
    #[schemars(range(min = 1, max = 65535))]
    pub port: u16,
}

/// Requests and limits.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Resources {
    /// CPU request (required in strict clusters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<Quantity>,
    /// Memory request (required in strict clusters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<Quantity>,
    /// CPU limit; none by default (throttling hurts latency more than it protects).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_limit: Option<Quantity>,
    /// Memory limit; defaults to the memory request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_limit: Option<Quantity>,
}

/// The three probes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Probes {
    /// Restarts the container when failing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub liveness: Option<Probe>,
    /// Removes the pod from Service endpoints when failing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readiness: Option<Probe>,
    /// Holds the other probes until the app has started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub startup: Option<Probe>,
}

/// One probe: `{path}` (HTTP GET on the primary port), `{path, port}`, `{tcp: true}`,
/// `{grpc: true}` or `{exec: [command, …]}`, with optional timings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Probe {
    /// HTTP path to GET.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Port (name or number); default the primary port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<PortRef>,
    /// A TCP connect probe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcp: Option<bool>,
    /// A gRPC health-check probe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grpc: Option<bool>,
    /// A command run in the container; exit status 0 is healthy. Needs no port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec: Option<Vec<String>>,
    /// Seconds before the first probe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_delay_seconds: Option<u32>,
    /// Seconds between probes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub period_seconds: Option<u32>,
    /// Seconds before a probe times out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub timeout_seconds: Option<u32>,
    /// Failures in a row that count as failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub failure_threshold: Option<u32>,
}

/// Horizontal pod autoscaling on utilization targets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Autoscaling {
    /// Fewest replicas (at least 1).
    pub min: u32,
    /// Most replicas.
    pub max: u32,
    /// Target CPU utilization, percent of the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 100))]
    pub cpu: Option<u8>,
    /// Target memory utilization, percent of the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 100))]
    pub memory: Option<u8>,
}

/// Expected load, for capacity planning (checked now; the `plan` command is planned).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Capacity {
    /// Requests per second at peak.
    #[schemars(range(min = 0))]
    pub peak_rps: f64,
    /// Requests per second one pod serves.
    #[schemars(range(min = 0))]
    pub rps_per_pod: f64,
    /// Cost factor of an average request (1.0 = as measured).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub complexity: Option<f64>,
}

/// A persistent volume of a statefulset.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Storage {
    /// Volume name (DNS-1123 label).
    pub name: String,
    /// Mount path in the main container.
    pub path: String,
    /// Size, e.g. `10Gi`.
    pub size: Quantity,
    /// Storage class; the cluster default when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_class: Option<String>,
}

/// An extra container in the pod.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Sidecar {
    /// Container name.
    pub name: String,
    /// Image repository, without tag.
    pub image: String,
    /// Image tag.
    pub tag: String,
    /// Ports of the sidecar (also exposed on the Service).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ports: Option<Vec<Port>>,
    /// Probes of the sidecar; the default port is the sidecar's first port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probes: Option<Probes>,
    /// Requests and limits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Resources>,
    /// Entrypoint override.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<Vec<String>>,
    /// Arguments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<String>>,
}

/// Run-to-completion work of a service: exactly one of `when: before-rollout` (a Job that
/// runs before each rollout) and `schedule` (a CronJob).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Job {
    /// Job name; the object is named `<service>-<name>`.
    pub name: String,
    /// The command to run.
    pub command: Vec<String>,
    /// Arguments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<String>>,
    /// Image repository; default the service's image (then also its tag and automation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Image tag, with `image`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    /// `before-rollout`: a Job in its own Flux Kustomization that the service's depends on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<JobWhen>,
    /// A cron schedule (`0 3 * * *`): a CronJob.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
    /// Time zone of the schedule (`Europe/Berlin`); default the controller's (UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// What a CronJob does when the previous run is still running; default `Forbid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrency_policy: Option<ConcurrencyPolicy>,
    /// Requests and limits; default the service's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Resources>,
    /// Retries before the Job counts as failed (Kubernetes default 6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backoff_limit: Option<u32>,
    /// Seconds the Job may run in all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub active_deadline_seconds: Option<u32>,
    /// Seconds a finished Job is kept (scheduled jobs only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_seconds_after_finished: Option<u32>,
}

/// When a Job runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum JobWhen {
    /// Before the service's pods roll out, on every new image (migrations).
    BeforeRollout,
}

/// A CronJob's `concurrencyPolicy`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ConcurrencyPolicy {
    /// Runs may overlap.
    Allow,
    /// A run is skipped while the previous one runs.
    #[default]
    Forbid,
    /// A new run replaces the running one.
    Replace,
}

impl ConcurrencyPolicy {
    /// The value as Kubernetes writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            ConcurrencyPolicy::Allow => "Allow",
            ConcurrencyPolicy::Forbid => "Forbid",
            ConcurrencyPolicy::Replace => "Replace",
        }
    }
}

/// An edge route.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Route {
    /// Host: relative (`api` → `api.<cluster domain>`) or a full name with a dot.
    pub host: String,
    /// Path prefix; default `/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Target port (name or number); default the primary port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<PortRef>,
    /// Request timeout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Duration>,
    /// Retry policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retries: Option<Retries>,
    /// Prefix rewrite.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rewrite: Option<String>,
    /// Gateway API: name of the cluster's gateway (`gatewayApi.gateways`) the route attaches
    /// to; default the first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<String>,
}

/// Retry policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Retries {
    /// Attempts.
    pub attempts: u32,
    /// Timeout per attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_try_timeout: Option<Duration>,
    /// Conditions, Envoy `retryOn` syntax.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on: Option<String>,
}

/// In-mesh traffic policy.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MeshPolicy {
    /// Services allowed to call this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callers: Option<Vec<String>>,
    /// Default timeout for callers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Duration>,
    /// Default retries for callers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retries: Option<Retries>,
    /// Connection pool limits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_pool: Option<ConnectionPool>,
    /// Outlier ejection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outlier_detection: Option<OutlierDetection>,
    /// Load-balancing algorithm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_balancer: Option<LoadBalancer>,
}

/// Connection pool limits.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConnectionPool {
    /// Max TCP connections.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_connections: Option<u32>,
    /// Max pending HTTP requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_pending_requests: Option<u32>,
    /// Max requests per connection (0 = unlimited).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_requests_per_connection: Option<u32>,
}

/// Outlier detection.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OutlierDetection {
    /// 5xx errors in a row before ejection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consecutive5xx_errors: Option<u32>,
    /// Sweep interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<Duration>,
    /// Minimum ejection time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_ejection_time: Option<Duration>,
    /// Most hosts ejected, percent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 100))]
    pub max_ejection_percent: Option<u8>,
}

/// Load-balancing algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LoadBalancer {
    /// Round robin.
    RoundRobin,
    /// Least request.
    LeastRequest,
    /// Random.
    Random,
    /// Passthrough to the original destination.
    Passthrough,
}

/// Metrics scraping.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Monitoring {
    /// Port (name) serving metrics.
    pub port: String,
    /// Metrics path; default `/metrics`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Scrape interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<Duration>,
    /// Add the default alerts (restarts, HPA at max, availability below the PDB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defaults: Option<bool>,
}

/// A Prometheus alerting rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AlertRule {
    /// Alert name.
    pub name: String,
    /// PromQL expression.
    pub expr: String,
    /// How long the expression must hold.
    #[serde(default, rename = "for", skip_serializing_if = "Option::is_none")]
    pub for_: Option<Duration>,
    /// Severity label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
}

/// Image automation settings of one service.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImagePolicyOverride {
    /// `semver` or `build`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<super::cluster::ImagePolicyKind>,
    /// Semver range (with `semver`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub semver: Option<String>,
    /// Tag pattern with a `ts` group (with `build`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_tag_pattern: Option<String>,
}

/// How a new version of the service is released (see `docs/delivery.md`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Delivery {
    /// `rolling` (default), `canary` or `blue-green`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<DeliveryStrategy>,
    /// Flagger's analysis: schedule, limits and the built-in metrics' thresholds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analysis: Option<Analysis>,
    /// Flagger webhooks (pre-rollout tests, load tests, manual gates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhooks: Option<Vec<Webhook>>,
}

/// The release strategy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DeliveryStrategy {
    /// The Deployment's own rolling update; no Flagger.
    #[default]
    Rolling,
    /// Flagger shifts traffic to the new version step by step (`stepWeight` up to
    /// `maxWeight`).
    Canary,
    /// Flagger tests the new version for `iterations` intervals, then switches all traffic.
    BlueGreen,
}

impl DeliveryStrategy {
    /// The value as written.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStrategy::Rolling => "rolling",
            DeliveryStrategy::Canary => "canary",
            DeliveryStrategy::BlueGreen => "blue-green",
        }
    }
}

/// Flagger's analysis settings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Analysis {
    /// Time between two checks (`30s`, `1m`); default `1m`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<Duration>,
    /// Failed checks before a rollback; default 5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<u32>,
    /// Highest traffic percentage the canary gets before promotion (canary); default 50.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_weight: Option<u32>,
    /// Traffic percentage added per check (canary); default 10.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_weight: Option<u32>,
    /// Checks before the switch (blue-green); default 10.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iterations: Option<u32>,
    /// Lowest percentage of non-5xx responses; default 99.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_rate: Option<f64>,
    /// Highest 99th percentile request duration; default `500ms`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_p99: Option<Duration>,
}

/// A Flagger webhook.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Webhook {
    /// Name, unique in the service.
    pub name: String,
    /// When Flagger calls it; default `rollout` (every check, as load tests run).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<WebhookType>,
    /// Address Flagger posts to (`http://` or `https://`).
    pub url: String,
    /// Time Flagger waits for an answer (`30s`, `1m`); Flagger's default when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<Duration>,
    /// Key-value pairs sent with the call (a load tester's `cmd`, a test's `type`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BTreeMap<String, String>>,
}

/// The webhook types of Flagger's Canary CRD.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum WebhookType {
    /// Before traffic goes to the canary; a failure stops the release.
    PreRollout,
    /// At every check (load tests, acceptance tests).
    Rollout,
    /// After promotion or rollback.
    PostRollout,
    /// A gate before the canary is scaled up.
    ConfirmRollout,
    /// A gate before promotion.
    ConfirmPromotion,
    /// A gate before each traffic increase.
    ConfirmTrafficIncrease,
    /// Every event Flagger emits.
    Event,
    /// Asked at every check whether to roll back.
    Rollback,
}

impl WebhookType {
    /// The value as Flagger writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookType::PreRollout => "pre-rollout",
            WebhookType::Rollout => "rollout",
            WebhookType::PostRollout => "post-rollout",
            WebhookType::ConfirmRollout => "confirm-rollout",
            WebhookType::ConfirmPromotion => "confirm-promotion",
            WebhookType::ConfirmTrafficIncrease => "confirm-traffic-increase",
            WebhookType::Event => "event",
            WebhookType::Rollback => "rollback",
        }
    }
}

/// The per-cluster layer of `overrides`: any blueprint field but `apiVersion`, `kind`,
/// `name`, `team` and `overrides`, each optional, merged over the base.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Override(pub serde_json::Value);

impl JsonSchema for Override {
    fn schema_name() -> Cow<'static, str> {
        "BlueprintOverride".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        // Filled in by `schema::blueprint_schema`, which derives it from `Blueprint`.
        json_schema!({ "$ref": "#/$defs/BlueprintOverride" })
    }

    fn inline_schema() -> bool {
        true
    }
}

/// Blueprint fields an override may not change.
pub const NOT_OVERRIDABLE: &[&str] = &["apiVersion", "kind", "name", "team", "overrides"];
