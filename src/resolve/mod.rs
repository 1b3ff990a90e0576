//! Resolution: a checked blueprint × a cluster → a complete service model.
//!
//! Every default is applied here, once, so that renderers never see an `Option` that stands
//! for "use the default" and never need to know the policy rules. Input is assumed checked by
//! [`crate::blueprint::check`]; resolution itself cannot fail.

pub mod monitoring;
pub mod routes;

use std::collections::BTreeMap;

use crate::blueprint::cluster::{
    Author, Automation, Cluster, ClusterImages, Costs, Egress, Git, ImagePolicyKind, Nodes, Policy,
    SealingScope, Slack,
};
use crate::blueprint::common::PortRef;
use crate::blueprint::names::app_protocol;
use crate::blueprint::service::{self, Blueprint, WorkloadKind};

/// Label keys used on every object.
pub mod labels {
    /// `app.kubernetes.io/name`
    pub const NAME: &str = "app.kubernetes.io/name";
    /// `app.kubernetes.io/part-of`
    pub const PART_OF: &str = "app.kubernetes.io/part-of";
    /// `app.kubernetes.io/managed-by`
    pub const MANAGED_BY: &str = "app.kubernetes.io/managed-by";
    /// `app.kubernetes.io/version`
    pub const VERSION: &str = "app.kubernetes.io/version";
    /// `fluxprint.io/team`
    pub const TEAM: &str = "fluxprint.io/team";
}

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
    /// Ambient (true) or sidecar data plane.
    pub ambient: bool,
}

/// Splits `namespace/name`.
pub fn split_ref(text: &str) -> Option<(String, String)> {
    let (ns, name) = text.split_once('/')?;
    (!ns.is_empty() && !name.is_empty() && !name.contains('/'))
        .then(|| (ns.to_owned(), name.to_owned()))
}

/// How the newest image of a service is chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TagPolicy {
    /// Newest version in a semver range.
    Semver(String),
    /// Newest build by the `ts` group of a tag pattern.
    Build(String),
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
    image_defaults: Option<ClusterImages>,
    /// Display path of the cluster file.
    pub file: String,
}

impl ResolvedCluster {
    /// Resolves a cluster file.
    pub fn new(cluster: &Cluster, file: &str) -> Self {
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
                    ambient: m.injection == Some(crate::blueprint::cluster::Injection::Ambient),
                }),
            ingress_class: cluster.ingress.as_ref().map(|i| i.class_name.clone()),
            ingress_tls: cluster.ingress.as_ref().and_then(|i| i.tls_secret.clone()),
            domain: cluster.domain.clone(),
            infrastructure: cluster.infrastructure.clone().unwrap_or_default(),
            egress_restricted: cluster.network_policy.as_ref().and_then(|n| n.egress)
                == Some(Egress::Restricted),
            nodes: cluster.nodes.clone(),
            costs: cluster.costs.clone().unwrap_or_default(),
            git: cluster.git.clone(),
            image_defaults: cluster.images.clone(),
            file: file.to_owned(),
        }
    }

    /// True for production rules.
    pub fn strict(&self) -> bool {
        self.policy == Policy::Strict
    }
}

/// One container port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedPort {
    /// Port name.
    pub name: String,
    /// Port number.
    pub port: u16,
    /// Service `appProtocol` derived from the name prefix.
    pub app_protocol: Option<String>,
}

/// Where a probe connects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProbeAction {
    /// HTTP GET of a path.
    Http {
        /// Path.
        path: String,
        /// Port name or number.
        port: PortRef,
    },
    /// TCP connect.
    Tcp {
        /// Port name or number.
        port: PortRef,
    },
    /// gRPC health check (needs a number).
    Grpc {
        /// Port number.
        port: u16,
    },
}

/// A probe with its timings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedProbe {
    /// What it does.
    pub action: ProbeAction,
    /// Seconds before the first probe.
    pub initial_delay_seconds: Option<u32>,
    /// Seconds between probes.
    pub period_seconds: Option<u32>,
    /// Timeout seconds.
    pub timeout_seconds: Option<u32>,
    /// Failures in a row.
    pub failure_threshold: Option<u32>,
}

/// Requests and limits as strings ready for the API.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResolvedResources {
    /// CPU request.
    pub cpu: Option<String>,
    /// Memory request.
    pub memory: Option<String>,
    /// CPU limit.
    pub cpu_limit: Option<String>,
    /// Memory limit (defaults to the memory request).
    pub memory_limit: Option<String>,
}

/// How the replica count is decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scaling {
    /// A fixed count.
    Fixed(u32),
    /// An autoscaler between `min` and `max`.
    Auto {
        /// Fewest.
        min: u32,
        /// Most.
        max: u32,
        /// CPU utilization target.
        cpu: Option<u8>,
        /// Memory utilization target.
        memory: Option<u8>,
    },
}

impl Scaling {
    /// The fewest replicas that will run.
    pub fn min(&self) -> u32 {
        match self {
            Scaling::Fixed(n) => *n,
            Scaling::Auto { min, .. } => *min,
        }
    }

    /// The most replicas that may run.
    pub fn max(&self) -> u32 {
        match self {
            Scaling::Fixed(n) => *n,
            Scaling::Auto { max, .. } => *max,
        }
    }
}

/// A sidecar container.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedSidecar {
    /// Container name.
    pub name: String,
    /// `image:tag`.
    pub image: String,
    /// Ports.
    pub ports: Vec<ResolvedPort>,
    /// Requests and limits.
    pub resources: ResolvedResources,
    /// Entrypoint.
    pub command: Vec<String>,
    /// Arguments.
    pub args: Vec<String>,
    /// Liveness probe.
    pub liveness: Option<ResolvedProbe>,
    /// Readiness probe.
    pub readiness: Option<ResolvedProbe>,
    /// Startup probe.
    pub startup: Option<ResolvedProbe>,
}

/// A persistent volume claim template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedVolume {
    /// Name.
    pub name: String,
    /// Mount path.
    pub path: String,
    /// Size.
    pub size: String,
    /// Storage class.
    pub storage_class: Option<String>,
}

/// One service as it runs in one cluster: complete, defaults applied.
#[derive(Clone, Debug, PartialEq)]
pub struct ResolvedService {
    /// Service name.
    pub name: String,
    /// Team.
    pub team: String,
    /// Namespace.
    pub namespace: String,
    /// Image repository.
    pub image: String,
    /// Image tag.
    pub tag: String,
    /// Deployment or StatefulSet.
    pub workload: WorkloadKind,
    /// Main container ports; the first is the primary.
    pub ports: Vec<ResolvedPort>,
    /// Entrypoint.
    pub command: Vec<String>,
    /// Arguments.
    pub args: Vec<String>,
    /// Plain variables (ConfigMap).
    pub env: BTreeMap<String, String>,
    /// Secret variable names (keys of `<name>-secrets`).
    pub secret_env: Vec<String>,
    /// Sealed values for this cluster, by variable name (only those in `secret_env`).
    pub sealed: BTreeMap<String, String>,
    /// Requests and limits.
    pub resources: ResolvedResources,
    /// Liveness probe.
    pub liveness: Option<ResolvedProbe>,
    /// Readiness probe.
    pub readiness: Option<ResolvedProbe>,
    /// Startup probe.
    pub startup: Option<ResolvedProbe>,
    /// Replica policy.
    pub scaling: Scaling,
    /// Volumes (statefulsets).
    pub storage: Vec<ResolvedVolume>,
    /// Sidecars.
    pub sidecars: Vec<ResolvedSidecar>,
    /// Kustomization names this service waits for.
    pub depends_on: Vec<String>,
    /// Spread over zones.
    pub zones: bool,
    /// How new images are chosen, when the cluster automates images.
    pub image_policy: Option<TagPolicy>,
    /// Display path of the blueprint (for the file header).
    pub source: String,
    /// Routes, resolved.
    pub routes: Vec<routes::ResolvedRoute>,
    /// Services allowed to call this one in the mesh (`mesh.callers`; empty when none).
    pub callers: Vec<String>,
    /// In-mesh traffic policy, as written (its fields have no defaults to apply).
    pub mesh: Option<service::MeshPolicy>,
    /// Monitoring, resolved.
    pub monitoring: Option<monitoring::ResolvedMonitoring>,
    /// Alerting rules, as written.
    pub alerts: Vec<service::AlertRule>,
    /// Capacity figures, for planning.
    pub capacity: Option<service::Capacity>,
}

impl ResolvedService {
    /// Resolves a checked blueprint for a cluster.
    pub fn new(bp: &Blueprint, cluster: &ResolvedCluster, source: &str) -> Self {
        let strict = cluster.strict();
        let ports: Vec<ResolvedPort> = bp.ports.iter().flatten().map(resolve_port).collect();
        let probe = |p: &Option<service::Probe>| resolve_probe(p.as_ref(), &ports);
        let probes = bp.probes.clone().unwrap_or_default();
        let scaling = match &bp.autoscaling {
            Some(a) => Scaling::Auto {
                min: a.min,
                max: a.max,
                cpu: a.cpu,
                memory: a.memory,
            },
            None => Scaling::Fixed(bp.replicas.unwrap_or(if strict { 2 } else { 1 })),
        };
        let image_policy = cluster.image_defaults.as_ref().and_then(|ci| {
            let own = bp.images.clone().unwrap_or_default();
            let policy = own.policy.or(ci.policy)?;
            Some(match policy {
                ImagePolicyKind::Semver => {
                    TagPolicy::Semver(own.semver.or_else(|| ci.semver.clone())?)
                }
                ImagePolicyKind::Build => TagPolicy::Build(
                    own.build_tag_pattern
                        .or_else(|| ci.build_tag_pattern.clone())?,
                ),
                ImagePolicyKind::Pinned => return None,
            })
        });
        let mut service = ResolvedService {
            image_policy,
            name: bp.name.clone(),
            team: bp.team.clone(),
            namespace: bp.namespace.clone().unwrap_or_else(|| bp.team.clone()),
            image: bp.image.clone(),
            tag: bp.tag.clone().unwrap_or_else(|| "latest".into()),
            workload: bp.workload.unwrap_or_default(),
            command: bp.command.clone().unwrap_or_default(),
            args: bp.args.clone().unwrap_or_default(),
            env: bp.env.clone().unwrap_or_default(),
            secret_env: bp.secret_env.clone().unwrap_or_default(),
            sealed: BTreeMap::new(),
            resources: resolve_resources(bp.resources.as_ref()),
            liveness: probe(&probes.liveness),
            readiness: probe(&probes.readiness),
            startup: probe(&probes.startup),
            scaling,
            storage: bp
                .storage
                .iter()
                .flatten()
                .map(|s| ResolvedVolume {
                    name: s.name.clone(),
                    path: s.path.clone(),
                    size: s.size.0.clone(),
                    storage_class: s.storage_class.clone(),
                })
                .collect(),
            sidecars: bp
                .sidecars
                .iter()
                .flatten()
                .map(|s| {
                    let ports: Vec<ResolvedPort> =
                        s.ports.iter().flatten().map(resolve_port).collect();
                    let probes = s.probes.clone().unwrap_or_default();
                    ResolvedSidecar {
                        name: s.name.clone(),
                        image: format!("{}:{}", s.image, s.tag),
                        liveness: resolve_probe(probes.liveness.as_ref(), &ports),
                        readiness: resolve_probe(probes.readiness.as_ref(), &ports),
                        startup: resolve_probe(probes.startup.as_ref(), &ports),
                        ports,
                        resources: resolve_resources(s.resources.as_ref()),
                        command: s.command.clone().unwrap_or_default(),
                        args: s.args.clone().unwrap_or_default(),
                    }
                })
                .collect(),
            depends_on: bp.depends_on.clone().unwrap_or_default(),
            zones: cluster.zones,
            ports,
            source: source.to_owned(),
            routes: Vec::new(),
            callers: bp
                .mesh
                .iter()
                .flat_map(|m| m.callers.iter().flatten().cloned())
                .collect(),
            mesh: bp.mesh.clone(),
            monitoring: None,
            alerts: bp.alerts.clone().unwrap_or_default(),
            capacity: bp.capacity.clone(),
        };
        // Both need the resolved ports.
        let routes = routes::resolve(
            bp.routes.as_deref().unwrap_or_default(),
            cluster.domain.as_deref(),
            |p| service.port_number(p),
        );
        let monitoring = bp.monitoring.as_ref().map(|m| {
            monitoring::resolve(m, |name| {
                service
                    .all_ports()
                    .into_iter()
                    .find(|p| p.name == name)
                    .map(|p| p.port)
            })
        });
        service.routes = routes;
        service.monitoring = monitoring;
        service
    }

    /// Labels that select this service's pods (never change: selectors are immutable).
    pub fn selector(&self) -> BTreeMap<String, String> {
        BTreeMap::from([(labels::NAME.to_owned(), self.name.clone())])
    }

    /// The standard labels of every object of this service.
    pub fn labels(&self) -> BTreeMap<String, String> {
        let mut l = self.selector();
        l.insert(labels::PART_OF.into(), self.team.clone());
        l.insert(labels::MANAGED_BY.into(), "fluxprint".into());
        l.insert(labels::TEAM.into(), self.team.clone());
        l
    }

    /// The labels of the workload and its pods: the standard ones plus
    /// `app.kubernetes.io/version` (the tag, when it is a valid label value). Only these carry
    /// the version, because only these change with it (image automation updates them too).
    pub fn workload_labels(&self) -> BTreeMap<String, String> {
        let mut l = self.labels();
        if crate::blueprint::names::is_label_value(&self.tag) {
            l.insert(labels::VERSION.into(), self.tag.clone());
        }
        l
    }

    /// `image:tag` of the main container.
    pub fn image_ref(&self) -> String {
        format!("{}:{}", self.image, self.tag)
    }

    /// Name of the ConfigMap with plain variables.
    pub fn env_config_map(&self) -> String {
        format!("{}-env", self.name)
    }

    /// Name of the Secret with secret variables.
    pub fn secret_name(&self) -> String {
        format!("{}-secrets", self.name)
    }

    /// The in-cluster DNS name of the Service.
    pub fn fqdn(&self) -> String {
        format!("{}.{}.svc.cluster.local", self.name, self.namespace)
    }

    /// A port number by reference (main and sidecar ports); the primary port for `None`.
    pub fn port_number(&self, port: Option<&PortRef>) -> Option<u16> {
        let all = || {
            self.ports
                .iter()
                .chain(self.sidecars.iter().flat_map(|s| s.ports.iter()))
        };
        match port {
            None => self.ports.first().map(|p| p.port),
            Some(PortRef::Number(n)) => Some(*n),
            Some(PortRef::Name(name)) => all().find(|p| &p.name == name).map(|p| p.port),
        }
    }

    /// Every port the Service exposes (main and sidecars).
    pub fn all_ports(&self) -> Vec<&ResolvedPort> {
        self.ports
            .iter()
            .chain(self.sidecars.iter().flat_map(|s| s.ports.iter()))
            .collect()
    }

    /// Name of the headless Service of a statefulset.
    pub fn headless_name(&self) -> String {
        format!("{}-headless", self.name)
    }
}

/// A probe, its port defaulting to the first of `ports`; `None` without a port.
fn resolve_probe(p: Option<&service::Probe>, ports: &[ResolvedPort]) -> Option<ResolvedProbe> {
    let p = p?;
    let port = p
        .port
        .clone()
        .or_else(|| ports.first().map(|q| PortRef::Name(q.name.clone())))?;
    let action = if p.tcp == Some(true) {
        ProbeAction::Tcp { port }
    } else if p.grpc == Some(true) {
        // gRPC probes take only a number; resolve a name through the port list.
        let number = match &port {
            PortRef::Number(n) => *n,
            PortRef::Name(n) => ports.iter().find(|q| &q.name == n).map_or(0, |q| q.port),
        };
        ProbeAction::Grpc { port: number }
    } else {
        ProbeAction::Http {
            path: p.path.clone().unwrap_or_else(|| "/".into()),
            port,
        }
    };
    Some(ResolvedProbe {
        action,
        initial_delay_seconds: p.initial_delay_seconds,
        period_seconds: p.period_seconds,
        timeout_seconds: p.timeout_seconds,
        failure_threshold: p.failure_threshold,
    })
}

fn resolve_port(p: &service::Port) -> ResolvedPort {
    ResolvedPort {
        name: p.name.clone(),
        port: p.port,
        app_protocol: app_protocol(&p.name).map(str::to_owned),
    }
}

fn resolve_resources(r: Option<&service::Resources>) -> ResolvedResources {
    let Some(r) = r else {
        return ResolvedResources::default();
    };
    ResolvedResources {
        cpu: r.cpu.as_ref().map(|q| q.0.clone()),
        memory: r.memory.as_ref().map(|q| q.0.clone()),
        cpu_limit: r.cpu_limit.as_ref().map(|q| q.0.clone()),
        memory_limit: r
            .memory_limit
            .as_ref()
            .or(r.memory.as_ref())
            .map(|q| q.0.clone()),
    }
}
