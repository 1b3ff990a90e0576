//! The cluster file resolved: its defaults (policy, Flux settings, image automation, mesh,
//! ingress, network policy) applied once. The checks of a cluster file run against this
//! model in [`super::project::clusters`] (image automation settings in [`super::images`]).

use super::gateway_api::GatewayApiSettings;
use crate::blueprint::cluster::{
    Author, Automation, Cluster, ClusterImages, Costs, Egress, Git, Nodes, Policy, SealingScope,
    Slack,
};

/// Flux Kustomization settings of a cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FluxSettings {
    /// Reconcile interval (default `10m`).
    pub interval: String,
    /// Retry interval after a failure (default `2m`).
    pub retry_interval: String,
    /// Apply and health-check timeout (default `5m`).
    pub timeout: String,
    /// Garbage collection (default on).
    pub prune: bool,
}

/// Image automation of a cluster (present when the cluster file has `images`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageAutomation {
    /// auto, review or off.
    pub automation: Automation,
    /// Registry scan interval (default `5m`).
    pub interval: String,
    /// Secret used to scan private registries.
    pub registry_secret: Option<String>,
    /// Commit author (default the Flux CLI's: `fluxcdbot`).
    pub author: Author,
    /// Branch Flux reconciles and the automation checks out.
    pub checkout_branch: String,
    /// Branch the automation pushes to.
    pub push_branch: String,
}

/// Istio settings of a cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeshSettings {
    /// `(namespace, name)` of the edge Gateway.
    pub gateway: (String, String),
    /// `(namespace, name)` of the gateway's service account.
    pub gateway_service_account: Option<(String, String)>,
    /// STRICT (true) or PERMISSIVE mTLS.
    pub mtls_strict: bool,
    /// TLS Secret when fluxprint renders the Gateway.
    pub create_gateway: Option<String>,
    /// Ambient (true) or sidecar data plane (`mesh.mode`, or the deprecated `injection`).
    pub ambient: bool,
}

/// The traffic provider Flagger drives on a cluster (the Canary's `spec.provider`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoutingProvider {
    /// Istio: Flagger writes a VirtualService and DestinationRules for the service.
    Istio,
    /// Gateway API (`gatewayapi:v1`): Flagger writes one HTTPRoute `<name>` whose parents
    /// are the Gateways of the service's routes and, for in-mesh calls, the apex Service.
    GatewayApi,
}

impl RoutingProvider {
    /// The Canary's `spec.provider`.
    pub fn flagger_name(self) -> &'static str {
        match self {
            RoutingProvider::Istio => "istio",
            RoutingProvider::GatewayApi => "gatewayapi:v1",
        }
    }
}

/// Splits `namespace/name`.
pub fn split_ref(text: &str) -> Option<(String, String)> {
    let (ns, name) = text.split_once('/')?;
    (!ns.is_empty() && !name.is_empty() && !name.contains('/'))
        .then(|| (ns.to_owned(), name.to_owned()))
}

/// A cluster with its defaults applied.
#[derive(Clone, Debug, PartialEq)]
pub struct ResolvedCluster {
    /// Name.
    pub name: String,
    /// Strict or relaxed.
    pub policy: Policy,
    /// Spread over zones.
    pub zones: bool,
    /// Flux Kustomization defaults.
    pub flux: FluxSettings,
    /// Image automation, when enabled.
    pub images: Option<ImageAutomation>,
    /// Slack notifications, when set.
    pub slack: Option<Slack>,
    /// Scope of the SealedSecrets (default strict).
    pub sealing_scope: SealingScope,
    /// Istio settings, when `mesh.istio` is on.
    pub mesh: Option<MeshSettings>,
    /// IngressClass for plain Ingresses, when there is no mesh.
    pub ingress_class: Option<String>,
    /// TLS Secret of plain Ingresses.
    pub ingress_tls: Option<String>,
    /// Gateway API routing, when `gatewayApi` is set (routes render as Gateway API then).
    pub gateway_api: Option<GatewayApiSettings>,
    /// Domain relative route hosts are suffixed with.
    pub domain: Option<String>,
    /// Flux Kustomizations the platform provides (outside the generated tree).
    pub infrastructure: Vec<String>,
    /// NetworkPolicy egress is restricted.
    pub egress_restricted: bool,
    /// Node shape, for capacity planning.
    pub nodes: Option<Nodes>,
    /// Fixed monthly costs, for capacity planning.
    pub costs: Costs,
    /// The GitOps repository of the cluster.
    pub git: Option<Git>,
    /// The cluster's image policy defaults, which each service's policy falls back to.
    pub(super) image_defaults: Option<ClusterImages>,
    /// The sealing controller's certificate file, once fetched (`sealing.cert`).
    pub sealing_cert: Option<String>,
    /// Display path of the cluster file.
    pub file: String,
}

impl ResolvedCluster {
    /// The cluster file with its defaults applied (checked by [`super::project::clusters`]).
    pub(super) fn new(cluster: &Cluster, file: &str) -> Self {
        let flux = cluster.flux.clone().unwrap_or_default();
        let branch = cluster
            .git
            .as_ref()
            .and_then(|g| g.branch.clone())
            .unwrap_or_else(|| "main".into());
        let images = cluster.images.as_ref().map(|i| {
            let automation = i.automation.unwrap_or(Automation::Review);
            ImageAutomation {
                automation,
                interval: i
                    .interval
                    .as_ref()
                    .map_or_else(|| "5m".into(), |d| d.0.clone()),
                registry_secret: i.registry_secret.clone(),
                // The default the Flux CLI uses for image update automation commits.
                author: i.author.clone().unwrap_or_else(|| Author {
                    name: "fluxcdbot".into(),
                    email: "fluxcdbot@users.noreply.github.com".into(),
                }),
                push_branch: match automation {
                    Automation::Review => format!("fluxprint/images-{}", cluster.name),
                    _ => branch.clone(),
                },
                checkout_branch: branch.clone(),
            }
        });
        ResolvedCluster {
            name: cluster.name.clone(),
            policy: cluster.policy.unwrap_or_default(),
            zones: cluster.zones.unwrap_or(false),
            flux: FluxSettings {
                interval: flux.interval.map_or_else(|| "10m".into(), |d| d.0),
                retry_interval: flux.retry_interval.map_or_else(|| "2m".into(), |d| d.0),
                timeout: flux.timeout.map_or_else(|| "5m".into(), |d| d.0),
                prune: flux.prune.unwrap_or(true),
            },
            images,
            slack: cluster.alerts.as_ref().and_then(|a| a.slack.clone()),
            sealing_scope: cluster
                .sealing
                .as_ref()
                .and_then(|s| s.scope)
                .unwrap_or_default(),
            mesh: cluster
                .mesh
                .as_ref()
                .filter(|m| m.istio == Some(true))
                .map(|m| MeshSettings {
                    gateway: m
                        .gateway
                        .as_deref()
                        .and_then(split_ref)
                        .unwrap_or_else(|| ("istio-ingress".into(), "public".into())),
                    gateway_service_account: m
                        .gateway_service_account
                        .as_deref()
                        .and_then(split_ref),
                    mtls_strict: m.mtls != Some(crate::blueprint::cluster::MtlsMode::Permissive),
                    create_gateway: m.create_gateway.as_ref().map(|g| g.tls_secret.clone()),
                    ambient: super::gateway_api::ambient(cluster),
                }),
            ingress_class: cluster.ingress.as_ref().map(|i| i.class_name.clone()),
            ingress_tls: cluster.ingress.as_ref().and_then(|i| i.tls_secret.clone()),
            gateway_api: cluster.gateway_api.as_ref().map(GatewayApiSettings::new),
            domain: cluster.domain.clone(),
            infrastructure: cluster.infrastructure.clone().unwrap_or_default(),
            egress_restricted: cluster.network_policy.as_ref().and_then(|n| n.egress)
                == Some(Egress::Restricted),
            nodes: cluster.nodes.clone(),
            costs: cluster.costs.clone().unwrap_or_default(),
            git: cluster.git.clone(),
            image_defaults: cluster.images.clone(),
            sealing_cert: cluster.sealing.as_ref().and_then(|s| s.cert.clone()),
            file: file.to_owned(),
        }
    }

    /// The provider Flagger routes a canary's traffic with: Gateway API (`gatewayapi:v1`) on
    /// a sidecar mesh with `gatewayApi`, Istio on a sidecar mesh without it. Flagger's built-in
    /// metrics for both are queries on Istio's sidecar telemetry (`istio_requests_total` with
    /// `reporter="destination"`), so Gateway API without the mesh has none, and an ambient
    /// mesh has none either: its waypoints report `reporter="waypoint"`, and an analysis that
    /// finds no values fails and rolls every release back.
    pub fn routing_provider(&self) -> Option<RoutingProvider> {
        match (&self.mesh, &self.gateway_api) {
            (Some(m), _) if m.ambient => None,
            (Some(_), Some(_)) => Some(RoutingProvider::GatewayApi),
            (Some(_), None) => Some(RoutingProvider::Istio),
            _ => None,
        }
    }

    /// True for production rules. The one place "strict" is decided.
    pub fn strict(&self) -> bool {
        self.policy == Policy::Strict
    }
}
