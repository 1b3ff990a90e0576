//! One service in one cluster: every section of its blueprint resolved, and the names
//! derived from it that several renderers share.

use std::collections::BTreeMap;

use super::alerts::{self, ResolvedAlert};
use super::delivery::{self, Progressive};
use super::images::{self, TagPolicy};
use super::jobs::{self, ResolvedJob};
use super::mesh::{self, MeshTraffic};
use super::monitoring::{self, ResolvedMonitoring};
use super::ports::{self, ResolvedPort};
use super::probes::{self, ResolvedProbe};
use super::resolver::Resolver;
use super::resources::{self, ResolvedResources};
use super::routes::{self, ResolvedRoute};
use super::scaling::{self, ResolvedCapacity, Scaling};
use super::sidecars::{self, ResolvedSidecar};
use super::storage::{self, ResolvedVolume};
use super::{depends_on, env, image, names, workload};
use crate::blueprint::service::WorkloadKind;
use crate::blueprint::Blueprint;

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
    /// `fluxprint.io/service`: on the pods of a service that Flagger releases, whose
    /// `app.kubernetes.io/name` Flagger changes to `<name>-primary` on the primary's pods.
    pub const SERVICE: &str = "fluxprint.io/service";
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
    /// Deployment, StatefulSet or worker.
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
    pub routes: Vec<ResolvedRoute>,
    /// Services allowed to call this one in the mesh (`mesh.callers`; empty when none).
    pub callers: Vec<String>,
    /// In-mesh traffic policy.
    pub mesh: MeshTraffic,
    /// Monitoring, resolved.
    pub monitoring: Option<ResolvedMonitoring>,
    /// Alerting rules, resolved.
    pub alerts: Vec<ResolvedAlert>,
    /// The declared peak load, for planning.
    pub capacity: Option<ResolvedCapacity>,
    /// Jobs and CronJobs.
    pub jobs: Vec<ResolvedJob>,
    /// A release by Flagger (`canary` or `blue-green`); `None` for a rolling update.
    pub delivery: Option<Progressive>,
}

/// Resolves a blueprint as merged for the resolver's cluster: `None` when any section has an
/// error. Every section is checked, whatever the others found, so that all problems are
/// reported at once.
pub fn resolve(bp: &Blueprint, r: &mut Resolver<'_>) -> Option<ResolvedService> {
    let main_ports: Vec<_> = bp.ports.iter().flatten().collect();
    let workload = workload::resolve(bp, r);
    let names = names::resolve(bp, r);
    let image = image::resolve(bp, r);
    let ports = ports::resolve(bp, r);
    let env = env::resolve(bp, r);
    let resources = resources::resolve(bp.resources.as_ref(), "/resources", r);
    let probes = probes::resolve(bp.probes.as_ref(), "/probes", &main_ports, r);
    let serves = bp.workload.unwrap_or_default().serves();
    probes::require(
        bp.probes.as_ref(),
        "",
        "the main container",
        serves && !main_ports.is_empty(),
        r,
    );
    let sidecars = sidecars::resolve(bp, r);
    let jobs = jobs::resolve(
        bp,
        image.as_ref().map(|i| (i.image.as_str(), i.tag.as_str())),
        resources.as_ref(),
        r,
    );
    let scaling = scaling::resolve(bp, r);
    let storage = storage::resolve(bp, bp.workload.unwrap_or_default(), r);
    let image_policy = images::resolve(bp, r);
    let depends_on = depends_on::resolve(bp, r);
    let routes = routes::resolve(bp, r);
    let mesh = mesh::resolve(bp, r);
    let monitoring = monitoring::resolve(bp, r);
    let alerts = alerts::resolve(bp, r);
    let delivery = delivery::resolve(bp, r);
    let (workload, names, image, env, probes, (scaling, capacity), mesh) =
        (workload?, names?, image?, env?, probes?, scaling?, mesh?);
    Some(ResolvedService {
        name: names.name,
        team: names.team,
        namespace: names.namespace,
        image: image.image,
        tag: image.tag,
        workload,
        ports: ports?,
        command: bp.command.clone().unwrap_or_default(),
        args: bp.args.clone().unwrap_or_default(),
        env: env.env,
        secret_env: env.secret_env,
        sealed: BTreeMap::new(),
        resources: resources?,
        liveness: probes.liveness,
        readiness: probes.readiness,
        startup: probes.startup,
        scaling,
        storage: storage?,
        sidecars: sidecars?,
        depends_on: depends_on?,
        zones: r.cluster().zones,
        image_policy: image_policy?,
        source: r.file().to_owned(),
        routes: routes?,
        callers: mesh.callers,
        mesh: mesh.traffic,
        monitoring: monitoring?,
        alerts: alerts?,
        capacity,
        jobs: jobs?,
        delivery: delivery?,
    })
}

impl ResolvedService {
    /// Labels that select this service's pods (never change: selectors are immutable).
    pub fn selector(&self) -> BTreeMap<String, String> {
        BTreeMap::from([(labels::NAME.to_owned(), self.name.clone())])
    }

    /// Labels that select every pod of the service: [`Self::selector`], or, when Flagger
    /// releases it, `fluxprint.io/service`, which Flagger copies unchanged to the primary's
    /// pods (it rewrites only the selector label, to `<name>-primary`). PodDisruptionBudgets,
    /// NetworkPolicies, AuthorizationPolicies and ServiceMonitors use these.
    pub fn pods(&self) -> BTreeMap<String, String> {
        match self.delivery {
            Some(_) => BTreeMap::from([(labels::SERVICE.to_owned(), self.name.clone())]),
            None => self.selector(),
        }
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
        l.extend(self.pods());
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

    /// Every port the Service exposes (main and sidecars).
    pub fn all_ports(&self) -> Vec<&ResolvedPort> {
        self.ports
            .iter()
            .chain(self.sidecars.iter().flat_map(|s| s.ports.iter()))
            .collect()
    }

    /// The jobs that run before each rollout, in the order written.
    pub fn before_rollout(&self) -> impl Iterator<Item = &ResolvedJob> {
        self.jobs.iter().filter(|j| j.before_rollout())
    }

    /// Name of the headless Service of a statefulset.
    pub fn headless_name(&self) -> String {
        format!("{}-headless", self.name)
    }
}
