//! Workload objects: Deployment or StatefulSet (with its hardened pod), Service(s),
//! ServiceAccount and the ConfigMap of plain variables. The hardened pod and container are
//! shared with the service's Jobs and CronJobs ([`super::jobs`]).

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{
    Deployment, DeploymentSpec, DeploymentStrategy, RollingUpdateDeployment, StatefulSet,
    StatefulSetSpec,
};
use k8s_openapi::api::core::v1::{
    Capabilities, ConfigMap, ConfigMapEnvSource, Container, ContainerPort, EmptyDirVolumeSource,
    EnvFromSource, EnvVar, EnvVarSource, ExecAction, GRPCAction, HTTPGetAction,
    PersistentVolumeClaim, PersistentVolumeClaimSpec, PodSecurityContext, PodSpec, PodTemplateSpec,
    Probe, ResourceRequirements, SeccompProfile, SecretKeySelector, SecurityContext, Service,
    ServiceAccount, ServicePort, ServiceSpec, TCPSocketAction, TopologySpreadConstraint, Volume,
    VolumeMount, VolumeResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use sha2::{Digest, Sha256};

use crate::blueprint::common::PortRef;
use crate::blueprint::service::WorkloadKind;
use crate::resolve::{
    ProbeAction, ResolvedCluster, ResolvedPort, ResolvedProbe, ResolvedResources, ResolvedService,
    Scaling,
};

/// UID and GID the pods run as: non-root, and above the range images commonly use for
/// real users, so a file owned by a host user is never writable by accident.
pub const RUN_AS: i64 = 10001;

/// Metadata for an object of `svc` named `name`.
pub fn metadata(svc: &ResolvedService, name: &str) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_owned()),
        namespace: Some(svc.namespace.clone()),
        labels: Some(svc.labels()),
        ..ObjectMeta::default()
    }
}

/// Metadata of the Deployment or StatefulSet (with the version label).
fn workload_metadata(svc: &ResolvedService) -> ObjectMeta {
    ObjectMeta {
        labels: Some(svc.workload_labels()),
        ..metadata(svc, &svc.name)
    }
}

fn selector(svc: &ResolvedService) -> LabelSelector {
    LabelSelector {
        match_labels: Some(svc.selector()),
        ..LabelSelector::default()
    }
}

/// The ServiceAccount; its token is not mounted (services do not talk to the API server).
pub fn service_account(svc: &ResolvedService) -> ServiceAccount {
    ServiceAccount {
        metadata: metadata(svc, &svc.name),
        automount_service_account_token: Some(false),
        ..ServiceAccount::default()
    }
}

/// The ConfigMap of plain variables, when there are any.
pub fn config_map(svc: &ResolvedService) -> Option<ConfigMap> {
    (!svc.env.is_empty()).then(|| ConfigMap {
        metadata: metadata(svc, &svc.env_config_map()),
        data: Some(svc.env.clone()),
        ..ConfigMap::default()
    })
}

/// The Service in front of the pods, when the service has ports and is not a worker.
pub fn service(svc: &ResolvedService) -> Option<Service> {
    let ports = service_ports(svc);
    (!ports.is_empty() && svc.workload.serves()).then(|| Service {
        metadata: metadata(svc, &svc.name),
        spec: Some(ServiceSpec {
            type_: Some("ClusterIP".into()),
            selector: Some(svc.selector()),
            ports: Some(ports),
            ..ServiceSpec::default()
        }),
        ..Service::default()
    })
}

/// The headless Service a StatefulSet needs for stable pod DNS names.
pub fn headless_service(svc: &ResolvedService) -> Option<Service> {
    (svc.workload == WorkloadKind::Statefulset).then(|| Service {
        metadata: metadata(svc, &svc.headless_name()),
        spec: Some(ServiceSpec {
            cluster_ip: Some("None".into()),
            selector: Some(svc.selector()),
            ports: Some(service_ports(svc)),
            ..ServiceSpec::default()
        }),
        ..Service::default()
    })
}

fn service_ports(svc: &ResolvedService) -> Vec<ServicePort> {
    svc.ports
        .iter()
        .chain(svc.sidecars.iter().flat_map(|s| s.ports.iter()))
        .map(|p| ServicePort {
            name: Some(p.name.clone()),
            port: i32::from(p.port),
            target_port: Some(IntOrString::String(p.name.clone())),
            protocol: Some("TCP".into()),
            app_protocol: p.app_protocol.clone(),
            ..ServicePort::default()
        })
        .collect()
}

/// The Deployment, for deployment and worker workloads.
pub fn deployment(svc: &ResolvedService, cluster: &ResolvedCluster) -> Option<Deployment> {
    (svc.workload.kind() == "Deployment").then(|| Deployment {
        metadata: workload_metadata(svc),
        spec: Some(DeploymentSpec {
            replicas: fixed_replicas(svc),
            selector: selector(svc),
            strategy: Some(DeploymentStrategy {
                type_: Some("RollingUpdate".into()),
                rolling_update: Some(RollingUpdateDeployment {
                    // Never drop below the desired count during a rollout.
                    max_unavailable: Some(IntOrString::Int(0)),
                    max_surge: Some(IntOrString::String("25%".into())),
                }),
            }),
            template: pod_template(svc, cluster),
            ..DeploymentSpec::default()
        }),
        ..Deployment::default()
    })
}

/// The StatefulSet, for statefulset workloads.
pub fn stateful_set(svc: &ResolvedService, cluster: &ResolvedCluster) -> Option<StatefulSet> {
    (svc.workload == WorkloadKind::Statefulset).then(|| StatefulSet {
        metadata: workload_metadata(svc),
        spec: Some(StatefulSetSpec {
            replicas: fixed_replicas(svc),
            selector: selector(svc),
            service_name: Some(svc.headless_name()),
            template: pod_template(svc, cluster),
            volume_claim_templates: (!svc.storage.is_empty()).then(|| {
                svc.storage
                    .iter()
                    .map(|v| PersistentVolumeClaim {
                        metadata: ObjectMeta {
                            name: Some(v.name.clone()),
                            labels: Some(svc.selector()),
                            ..ObjectMeta::default()
                        },
                        spec: Some(PersistentVolumeClaimSpec {
                            access_modes: Some(vec!["ReadWriteOnce".into()]),
                            storage_class_name: v.storage_class.clone(),
                            resources: Some(VolumeResourceRequirements {
                                requests: Some(BTreeMap::from([(
                                    "storage".into(),
                                    Quantity(v.size.clone()),
                                )])),
                                ..VolumeResourceRequirements::default()
                            }),
                            ..PersistentVolumeClaimSpec::default()
                        }),
                        ..PersistentVolumeClaim::default()
                    })
                    .collect()
            }),
            ..StatefulSetSpec::default()
        }),
        ..StatefulSet::default()
    })
}

/// `spec.replicas`, left out when an autoscaler owns the scale (otherwise every Flux
/// reconciliation would reset what the autoscaler decided).
fn fixed_replicas(svc: &ResolvedService) -> Option<i32> {
    match svc.scaling {
        Scaling::Fixed(n) => Some(i32::try_from(n).unwrap_or(i32::MAX)),
        Scaling::Auto { .. } => None,
    }
}

/// The annotations that roll a pod when the service's plain or sealed values change (a
/// ConfigMap or Secret change alone restarts nothing).
pub(super) fn config_annotations(svc: &ResolvedService) -> BTreeMap<String, String> {
    let mut annotations = BTreeMap::new();
    if !svc.env.is_empty() {
        annotations.insert("fluxprint.io/config-hash".to_owned(), config_hash(&svc.env));
    }
    if !svc.sealed.is_empty() {
        annotations.insert(
            "fluxprint.io/secrets-hash".to_owned(),
            config_hash(&svc.sealed),
        );
    }
    annotations
}

/// A pod of the service with `containers`, hardened: the service's ServiceAccount without a
/// token, a non-root UID and GID, the runtime's seccomp profile, and `/tmp` as the one
/// writable volume.
pub(super) fn hardened_pod(svc: &ResolvedService, containers: Vec<Container>) -> PodSpec {
    PodSpec {
        service_account_name: Some(svc.name.clone()),
        automount_service_account_token: Some(false),
        security_context: Some(PodSecurityContext {
            run_as_non_root: Some(true),
            run_as_user: Some(RUN_AS),
            run_as_group: Some(RUN_AS),
            fs_group: Some(RUN_AS),
            seccomp_profile: Some(SeccompProfile {
                type_: "RuntimeDefault".into(),
                ..SeccompProfile::default()
            }),
            ..PodSecurityContext::default()
        }),
        containers,
        volumes: Some(vec![Volume {
            name: "tmp".into(),
            empty_dir: Some(EmptyDirVolumeSource::default()),
            ..Volume::default()
        }]),
        ..PodSpec::default()
    }
}

/// A container named `name` running `image`, hardened, with its pull policy, command,
/// arguments, resources and `/tmp`.
pub(super) fn hardened_container(
    cluster: &ResolvedCluster,
    name: &str,
    image: String,
    (command, args): (&[String], &[String]),
    res: &ResolvedResources,
) -> Container {
    Container {
        name: name.to_owned(),
        image: Some(image),
        image_pull_policy: Some(pull_policy(cluster).into()),
        command: (!command.is_empty()).then(|| command.to_vec()),
        args: (!args.is_empty()).then(|| args.to_vec()),
        resources: resources(res),
        security_context: Some(container_security()),
        volume_mounts: Some(vec![tmp_mount()]),
        ..Container::default()
    }
}

/// The service's variables on a container: the ConfigMap of plain ones, and each secret one
/// from the service's Secret, sorted by name.
pub(super) fn with_env(svc: &ResolvedService, container: Container) -> Container {
    Container {
        env_from: (!svc.env.is_empty()).then(|| {
            vec![EnvFromSource {
                config_map_ref: Some(ConfigMapEnvSource {
                    name: svc.env_config_map(),
                    optional: None,
                }),
                ..EnvFromSource::default()
            }]
        }),
        env: (!svc.secret_env.is_empty()).then(|| {
            let mut keys = svc.secret_env.clone();
            keys.sort();
            keys.into_iter()
                .map(|key| EnvVar {
                    name: key.clone(),
                    value_from: Some(EnvVarSource {
                        secret_key_ref: Some(SecretKeySelector {
                            name: svc.secret_name(),
                            key,
                            optional: None,
                        }),
                        ..EnvVarSource::default()
                    }),
                    ..EnvVar::default()
                })
                .collect()
        }),
        ..container
    }
}

fn pod_template(svc: &ResolvedService, cluster: &ResolvedCluster) -> PodTemplateSpec {
    let annotations = config_annotations(svc);
    let mut containers = vec![main_container(svc, cluster)];
    containers.extend(svc.sidecars.iter().map(|s| Container {
        ports: container_ports(&s.ports),
        liveness_probe: s.liveness.as_ref().map(probe),
        readiness_probe: s.readiness.as_ref().map(probe),
        startup_probe: s.startup.as_ref().map(probe),
        ..hardened_container(
            cluster,
            &s.name,
            s.image.clone(),
            (&s.command, &s.args),
            &s.resources,
        )
    }));
    PodTemplateSpec {
        metadata: Some(ObjectMeta {
            labels: Some(svc.workload_labels()),
            annotations: (!annotations.is_empty()).then_some(annotations),
            ..ObjectMeta::default()
        }),
        spec: Some(PodSpec {
            topology_spread_constraints: spread(svc),
            ..hardened_pod(svc, containers)
        }),
    }
}

/// Always pull on strict clusters, so a re-pushed tag cannot serve a stale image from a
/// node's cache; development clusters save the pulls.
fn pull_policy(cluster: &ResolvedCluster) -> &'static str {
    if cluster.strict() {
        "Always"
    } else {
        "IfNotPresent"
    }
}

fn main_container(svc: &ResolvedService, cluster: &ResolvedCluster) -> Container {
    let mut mounts = vec![tmp_mount()];
    mounts.extend(svc.storage.iter().map(|v| VolumeMount {
        name: v.name.clone(),
        mount_path: v.path.clone(),
        ..VolumeMount::default()
    }));
    let container = hardened_container(
        cluster,
        &svc.name,
        svc.image_ref(),
        (&svc.command, &svc.args),
        &svc.resources,
    );
    with_env(
        svc,
        Container {
            ports: container_ports(&svc.ports),
            liveness_probe: svc.liveness.as_ref().map(probe),
            readiness_probe: svc.readiness.as_ref().map(probe),
            startup_probe: svc.startup.as_ref().map(probe),
            volume_mounts: Some(mounts),
            ..container
        },
    )
}

fn tmp_mount() -> VolumeMount {
    VolumeMount {
        name: "tmp".into(),
        mount_path: "/tmp".into(),
        ..VolumeMount::default()
    }
}

fn container_security() -> SecurityContext {
    SecurityContext {
        allow_privilege_escalation: Some(false),
        read_only_root_filesystem: Some(true),
        run_as_non_root: Some(true),
        capabilities: Some(Capabilities {
            drop: Some(vec!["ALL".into()]),
            add: None,
        }),
        ..SecurityContext::default()
    }
}

fn container_ports(ports: &[ResolvedPort]) -> Option<Vec<ContainerPort>> {
    (!ports.is_empty()).then(|| {
        ports
            .iter()
            .map(|p| ContainerPort {
                name: Some(p.name.clone()),
                container_port: i32::from(p.port),
                protocol: Some("TCP".into()),
                ..ContainerPort::default()
            })
            .collect()
    })
}

fn resources(r: &ResolvedResources) -> Option<ResourceRequirements> {
    let pick = |pairs: [(&str, &Option<String>); 2]| -> Option<BTreeMap<String, Quantity>> {
        let map: BTreeMap<String, Quantity> = pairs
            .iter()
            .filter_map(|(k, v)| v.as_ref().map(|v| ((*k).to_owned(), Quantity(v.clone()))))
            .collect();
        (!map.is_empty()).then_some(map)
    };
    let requests = pick([("cpu", &r.cpu), ("memory", &r.memory)]);
    let limits = pick([("cpu", &r.cpu_limit), ("memory", &r.memory_limit)]);
    (requests.is_some() || limits.is_some()).then(|| ResourceRequirements {
        requests,
        limits,
        ..ResourceRequirements::default()
    })
}

fn int_or_name(port: &PortRef) -> IntOrString {
    match port {
        PortRef::Number(n) => IntOrString::Int(i32::from(*n)),
        PortRef::Name(s) => IntOrString::String(s.clone()),
    }
}

fn probe(p: &ResolvedProbe) -> Probe {
    let mut probe = Probe {
        initial_delay_seconds: p.initial_delay_seconds.map(to_i32),
        period_seconds: p.period_seconds.map(to_i32),
        timeout_seconds: p.timeout_seconds.map(to_i32),
        failure_threshold: p.failure_threshold.map(to_i32),
        ..Probe::default()
    };
    match &p.action {
        ProbeAction::Http { path, port } => {
            probe.http_get = Some(HTTPGetAction {
                path: Some(path.clone()),
                port: int_or_name(port),
                ..HTTPGetAction::default()
            });
        }
        ProbeAction::Tcp { port } => {
            probe.tcp_socket = Some(TCPSocketAction {
                port: int_or_name(port),
                ..TCPSocketAction::default()
            });
        }
        ProbeAction::Grpc { port } => {
            probe.grpc = Some(GRPCAction {
                port: i32::from(*port),
                service: None,
            });
        }
        ProbeAction::Exec { command } => {
            probe.exec = Some(ExecAction {
                command: Some(command.clone()),
            });
        }
    }
    probe
}

fn to_i32(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Spread replicas over nodes (always, once more than one may run) and zones (when the
/// cluster has them). Soft constraints: a lost zone or a small node pool must never stop
/// pods from being scheduled.
fn spread(svc: &ResolvedService) -> Option<Vec<TopologySpreadConstraint>> {
    if svc.scaling.max() < 2 {
        return None;
    }
    let mut keys = vec!["kubernetes.io/hostname"];
    if svc.zones {
        keys.insert(0, "topology.kubernetes.io/zone");
    }
    Some(
        keys.into_iter()
            .map(|key| TopologySpreadConstraint {
                max_skew: 1,
                topology_key: key.into(),
                when_unsatisfiable: "ScheduleAnyway".into(),
                // Every pod of the service, the primary's of a Flagger release included
                // (`pod-template-hash` keeps the primary's and the canary's apart).
                label_selector: Some(LabelSelector {
                    match_labels: Some(svc.pods()),
                    ..LabelSelector::default()
                }),
                // Count only pods of the same rollout, so old pods do not skew new ones.
                match_label_keys: (svc.workload.kind() == "Deployment")
                    .then(|| vec!["pod-template-hash".into()]),
                ..TopologySpreadConstraint::default()
            })
            .collect(),
    )
}

/// A short, stable digest of the plain variables.
fn config_hash(env: &BTreeMap<String, String>) -> String {
    let mut h = Sha256::new();
    for (k, v) in env {
        h.update(k.as_bytes());
        h.update([0]);
        h.update(v.as_bytes());
        h.update([0]);
    }
    h.finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}
