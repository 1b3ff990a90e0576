//! The codes of the diagnostics that resolution reports (BP1xx). Each is registered, with
//! its name, summary and fix, in [`crate::blueprint::codes`]; the loader's own codes (BP001–
//! BP006) stay with the loader.

/// A name that Kubernetes would reject.
pub const INVALID_NAME: &str = "BP101";
/// A name used twice.
pub const DUPLICATE: &str = "BP102";
/// File name and `name` differ.
pub const FILE_NAME: &str = "BP103";
/// A port problem (name, protocol prefix, unknown port referenced).
pub const PORT: &str = "BP104";
/// A probe problem.
pub const PROBE: &str = "BP105";
/// A scaling problem.
pub const SCALING: &str = "BP106";
/// A resources problem.
pub const RESOURCES: &str = "BP107";
/// An environment variable problem.
pub const ENV: &str = "BP108";
/// `overrides` names a cluster that does not exist.
pub const UNKNOWN_CLUSTER: &str = "BP109";
/// `dependsOn` names nothing known.
pub const UNKNOWN_DEPENDENCY: &str = "BP110";
/// `dependsOn` forms a cycle.
pub const DEPENDENCY_CYCLE: &str = "BP111";
/// A statefulset-only field on a deployment.
pub const STATEFULSET_ONLY: &str = "BP112";
/// Image or tag problem, including unpinned tags on strict clusters.
pub const IMAGE: &str = "BP113";
/// A route or mesh setting problem.
pub const ROUTE: &str = "BP114";
/// A `mesh.callers` entry that is not a blueprint.
pub const CALLER_UNKNOWN: &str = "BP124";
/// Routes on a cluster with neither an Istio mesh nor an ingress.
pub const ROUTES_NOWHERE: &str = "BP125";
/// A route `rewrite` that the cluster's ingress class cannot render.
pub const REWRITE_UNSUPPORTED: &str = "BP126";
/// `mesh` settings on a cluster without an Istio mesh.
pub const MESH_WITHOUT_MESH: &str = "BP127";
/// A relative route host on a cluster without `domain`.
pub const HOST_WITHOUT_DOMAIN: &str = "BP128";
/// Retries whose attempts outlast the route timeout (warning).
pub const RETRIES_EXCEED_TIMEOUT: &str = "BP129";
/// A cluster `mesh.gateway` or `mesh.gatewayServiceAccount` that is not `namespace/name`.
pub const MESH_REF_INVALID: &str = "BP130";
/// Two services routing the same host and path in a cluster.
pub const ROUTE_TAKEN: &str = "BP131";
/// A setting that needs a Service (routes, monitoring, mesh) on a `worker`.
pub const WORKER_SERVES_NOTHING: &str = "BP132";
/// A job that is neither `when: before-rollout` nor scheduled (or both), a schedule that is
/// not a cron expression, a bad `timeZone`, or CronJob settings on a before-rollout job.
pub const JOB_TRIGGER: &str = "BP133";
/// `ttlSecondsAfterFinished` on a before-rollout job: Flux would re-create and re-run it.
pub const JOB_TTL_BEFORE_ROLLOUT: &str = "BP134";
/// A job's object and Kustomization name that is also another service's or job's.
pub const JOB_NAME_CLASH: &str = "BP135";
/// An image automation setting problem (policy, semver range, tag pattern, git).
pub const IMAGES: &str = "BP115";
/// Image automation pushes straight to the reconciled branch of a strict cluster (warning).
pub const AUTO_ON_STRICT: &str = "BP116";
/// A service name that clashes with a Flux Kustomization the cluster already has.
pub const NAME_CLASH: &str = "BP117";
/// Secret variables without a sealed value for a cluster (error on strict clusters).
pub const MISSING_SEALED: &str = "BP118";
/// A sealed values file that does not fit its blueprint.
pub const SEALED_FILE: &str = "BP119";
/// A mesh service that nothing may call (warning).
pub const DENIES_EVERYTHING: &str = "BP121";
/// A monitoring or alert problem (alert name, duplicate alert, severity, empty expression).
pub const ALERT: &str = "BP122";
/// The most replicas cannot serve the declared peak load (strict clusters).
pub const CAPACITY: &str = "BP123";
/// A component's chart problem: repository not `oci://` or `https://`, bad name or version,
/// a version range on a strict cluster (a warning on relaxed ones).
pub const CHART: &str = "BP136";
/// An object whose CRD a component's chart installs, in a Kustomization that does not wait
/// for that component.
pub const CRD_ORDER: &str = "BP137";
/// A component `resources` file that cannot be read or holds something other than objects
/// of the component.
pub const COMPONENT_RESOURCE: &str = "BP138";
/// A `valuesFrom` target that is not rendered with the component.
pub const VALUES_FROM: &str = "BP139";
/// A `gatewayApi` problem: empty or invalid class, no gateways, a bad or repeated gateway
/// name or namespace, a public gateway without TLS, a certificateRef that is not a name.
pub const GATEWAY_API_INVALID: &str = "BP140";
/// `gatewayApi` with `ingress` or `mesh.createGateway` in one cluster file.
pub const GATEWAY_API_WITH_INGRESS: &str = "BP141";
/// A route `gateway` that names no gateway of the cluster, or `gateway` without `gatewayApi`.
pub const ROUTE_GATEWAY_UNKNOWN: &str = "BP142";
/// A route or mesh setting that the Gateway API standard channel cannot express (a warning on
/// strict clusters).
pub const SETTING_NOT_RENDERED: &str = "BP143";
/// A gRPC route that a GRPCRoute cannot express (a path other than `/` or `/<package.Service>`,
/// a rewrite).
pub const GRPC_ROUTE_UNSUPPORTED: &str = "BP144";
/// `mesh.mode` and its deprecated alias `mesh.injection` disagree.
pub const MESH_MODE_CONFLICT: &str = "BP145";
/// Gateways of a class other than `istio` on a mesh cluster without
/// `mesh.gatewayServiceAccount`: no AuthorizationPolicy can allow them (warning).
pub const GATEWAY_IDENTITY_UNKNOWN: &str = "BP146";
/// A `delivery.analysis` value Flagger would refuse, or one of the other strategy.
pub const DELIVERY_ANALYSIS: &str = "BP150";
/// A progressive strategy on a cluster without a traffic provider for Flagger.
pub const DELIVERY_PROVIDER: &str = "BP151";
/// A progressive strategy on a workload that is not a Deployment with a Service.
pub const DELIVERY_WORKLOAD: &str = "BP152";
/// A `delivery.webhooks` entry Flagger would refuse.
pub const DELIVERY_WEBHOOK: &str = "BP153";
/// A canary service routing a host that another service routes too.
pub const CANARY_HOST_SHARED: &str = "BP154";
/// Canary routes that Flagger's single generated route cannot express.
pub const CANARY_ROUTES: &str = "BP155";
/// A `mesh` setting a Flagger Canary cannot carry to its DestinationRules.
pub const CANARY_MESH_SETTING: &str = "BP156";
/// A component's `values` fail the chart's own `values.schema.json`.
pub const VALUES_SCHEMA: &str = "BP160";
