//! NetworkPolicies (`networking.k8s.io/v1`): every namespace denies ingress by default, and
//! each service allows exactly its callers (the same `mesh.callers` its AuthorizationPolicy
//! allows), the edge (Istio gateway or ingress controller namespace) when it is routed, and
//! the monitoring namespace on its metrics port. Egress stays open unless the cluster sets
//! `networkPolicy.egress: restricted`: then DNS, the mesh control plane and the services it
//! `dependsOn` are allowed.

use std::collections::BTreeMap;

use k8s_openapi::api::networking::v1::{
    NetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPeer,
    NetworkPolicyPort, NetworkPolicySpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::workload::metadata;
use crate::resolve::{labels, ResolvedCluster, ResolvedService};

/// Namespace Prometheus scrapes from.
pub const MONITORING_NAMESPACE: &str = "monitoring";
/// Namespace of the ingress controller when there is no mesh.
pub const INGRESS_NAMESPACE: &str = "ingress-nginx";
/// Namespace of the Istio control plane.
pub const ISTIO_NAMESPACE: &str = "istio-system";

fn namespace_selector(ns: &str) -> LabelSelector {
    LabelSelector {
        match_labels: Some(BTreeMap::from([(
            "kubernetes.io/metadata.name".to_owned(),
            ns.to_owned(),
        )])),
        ..LabelSelector::default()
    }
}

fn port(number: u16, protocol: &str) -> NetworkPolicyPort {
    NetworkPolicyPort {
        port: Some(IntOrString::Int(i32::from(number))),
        protocol: Some(protocol.to_owned()),
        ..NetworkPolicyPort::default()
    }
}

/// The namespace-wide default: no ingress unless a policy allows it.
pub fn default_deny(namespace: &str) -> NetworkPolicy {
    NetworkPolicy {
        metadata: ObjectMeta {
            name: Some("default-deny-ingress".into()),
            namespace: Some(namespace.to_owned()),
            labels: Some(BTreeMap::from([(
                labels::MANAGED_BY.to_owned(),
                "fluxprint".to_owned(),
            )])),
            ..ObjectMeta::default()
        },
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(LabelSelector::default()),
            policy_types: Some(vec!["Ingress".into()]),
            ..NetworkPolicySpec::default()
        }),
    }
}

/// The NetworkPolicy of one service. `services` are all services of the cluster (for the
/// callers' and dependencies' namespaces and ports).
pub fn service_policy(
    cluster: &ResolvedCluster,
    svc: &ResolvedService,
    services: &[ResolvedService],
) -> NetworkPolicy {
    let by_name: BTreeMap<&str, &ResolvedService> =
        services.iter().map(|s| (s.name.as_str(), s)).collect();
    let all_ports: Vec<NetworkPolicyPort> = svc
        .all_ports()
        .iter()
        .map(|p| port(p.port, "TCP"))
        .collect();
    let mut ingress = Vec::new();
    let callers: Vec<NetworkPolicyPeer> = svc
        .callers
        .iter()
        .filter_map(|c| by_name.get(c.as_str()))
        .map(|caller| NetworkPolicyPeer {
            namespace_selector: Some(namespace_selector(&caller.namespace)),
            pod_selector: Some(LabelSelector {
                match_labels: Some(caller.pods()),
                ..LabelSelector::default()
            }),
            ..NetworkPolicyPeer::default()
        })
        .collect();
    if !callers.is_empty() && !all_ports.is_empty() {
        ingress.push(NetworkPolicyIngressRule {
            from: Some(callers),
            ports: Some(all_ports.clone()),
        });
    }
    if !svc.routes.is_empty() {
        let edge = cluster
            .mesh
            .as_ref()
            .map_or(INGRESS_NAMESPACE, |m| m.gateway.0.as_str());
        ingress.push(NetworkPolicyIngressRule {
            from: Some(vec![NetworkPolicyPeer {
                namespace_selector: Some(namespace_selector(edge)),
                ..NetworkPolicyPeer::default()
            }]),
            ports: Some(all_ports.clone()),
        });
    }
    if let Some(m) = &svc.monitoring {
        ingress.push(NetworkPolicyIngressRule {
            from: Some(vec![NetworkPolicyPeer {
                namespace_selector: Some(namespace_selector(MONITORING_NAMESPACE)),
                ..NetworkPolicyPeer::default()
            }]),
            ports: Some(vec![port(m.port_number, "TCP")]),
        });
    }
    let (types, egress) = egress(cluster, svc, &by_name);
    NetworkPolicy {
        metadata: metadata(svc, &svc.name),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(LabelSelector {
                match_labels: Some(svc.pods()),
                ..LabelSelector::default()
            }),
            policy_types: Some(types),
            ingress: Some(ingress),
            egress,
        }),
    }
}

/// The NetworkPolicy of a job's pods (`object` is the job's `<service>-<job>`): nothing may
/// reach them, and they may reach what the service may.
pub fn job_policy(
    cluster: &ResolvedCluster,
    svc: &ResolvedService,
    object: &str,
    services: &[ResolvedService],
) -> NetworkPolicy {
    let by_name: BTreeMap<&str, &ResolvedService> =
        services.iter().map(|s| (s.name.as_str(), s)).collect();
    let (types, egress) = egress(cluster, svc, &by_name);
    NetworkPolicy {
        metadata: metadata(svc, object),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(LabelSelector {
                match_labels: Some(BTreeMap::from([(
                    labels::NAME.to_owned(),
                    object.to_owned(),
                )])),
                ..LabelSelector::default()
            }),
            policy_types: Some(types),
            ingress: Some(Vec::new()),
            egress,
        }),
    }
}

/// The policy types and, when the cluster restricts egress, the egress rules of the pods of
/// `svc` (its jobs' included): DNS, the mesh control plane, the services it depends on.
fn egress(
    cluster: &ResolvedCluster,
    svc: &ResolvedService,
    by_name: &BTreeMap<&str, &ResolvedService>,
) -> (Vec<String>, Option<Vec<NetworkPolicyEgressRule>>) {
    let restricted = cluster.egress_restricted;
    let mut types = vec!["Ingress".to_owned()];
    let egress = restricted.then(|| {
        types.push("Egress".into());
        let mut rules = vec![NetworkPolicyEgressRule {
            to: Some(vec![NetworkPolicyPeer {
                namespace_selector: Some(namespace_selector("kube-system")),
                pod_selector: Some(LabelSelector {
                    match_labels: Some(BTreeMap::from([(
                        "k8s-app".to_owned(),
                        "kube-dns".to_owned(),
                    )])),
                    ..LabelSelector::default()
                }),
                ..NetworkPolicyPeer::default()
            }]),
            ports: Some(vec![port(53, "UDP"), port(53, "TCP")]),
        }];
        if cluster.mesh.is_some() {
            rules.push(NetworkPolicyEgressRule {
                to: Some(vec![NetworkPolicyPeer {
                    namespace_selector: Some(namespace_selector(ISTIO_NAMESPACE)),
                    ..NetworkPolicyPeer::default()
                }]),
                ports: None,
            });
        }
        for dep in svc
            .depends_on
            .iter()
            .filter_map(|d| by_name.get(d.as_str()))
        {
            rules.push(NetworkPolicyEgressRule {
                to: Some(vec![NetworkPolicyPeer {
                    namespace_selector: Some(namespace_selector(&dep.namespace)),
                    pod_selector: Some(LabelSelector {
                        match_labels: Some(dep.pods()),
                        ..LabelSelector::default()
                    }),
                    ..NetworkPolicyPeer::default()
                }]),
                ports: Some(
                    dep.all_ports()
                        .iter()
                        .map(|p| port(p.port, "TCP"))
                        .collect(),
                ),
            });
        }
        rules
    });
    (types, egress)
}
