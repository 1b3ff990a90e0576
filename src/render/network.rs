//! NetworkPolicies (`networking.k8s.io/v1`): every namespace denies ingress by default, and
//! each service allows exactly its callers (the same `mesh.callers` its AuthorizationPolicy
//! allows), the edge (the namespaces of its Gateway API gateways, the Istio gateway's or the
//! ingress controller's) when it is routed, its namespace's waypoint in ambient mode, and
//! the monitoring namespace on its metrics port. Egress stays open unless the cluster sets
//! `networkPolicy.egress: restricted`: then DNS, the mesh control plane and the services it
//! `dependsOn` are allowed.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::networking::v1::{
    IPBlock, NetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPeer,
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
/// The HBONE tunnel port of Istio's ambient mode.
pub const HBONE_PORT: u16 = 15008;
/// The source istio-cni gives the kubelet's probes of ambient pods.
pub const PROBE_SOURCE: &str = "169.254.7.127/32";
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

/// The ingress of a namespace's waypoint (ambient mode): HBONE on 15008 from anywhere, as
/// the default deny would otherwise cut it off; the waypoint enforces the services'
/// AuthorizationPolicies, and each service's own policy admits only the waypoint and its
/// callers.
pub fn waypoint_policy(namespace: &str) -> NetworkPolicy {
    NetworkPolicy {
        metadata: ObjectMeta {
            name: Some(super::gateway_api::WAYPOINT.into()),
            namespace: Some(namespace.to_owned()),
            labels: Some(BTreeMap::from([(
                labels::MANAGED_BY.to_owned(),
                "fluxprint".to_owned(),
            )])),
            ..ObjectMeta::default()
        },
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(LabelSelector {
                match_labels: Some(BTreeMap::from([(
                    "gateway.networking.k8s.io/gateway-name".to_owned(),
                    super::gateway_api::WAYPOINT.to_owned(),
                )])),
                ..LabelSelector::default()
            }),
            policy_types: Some(vec!["Ingress".into()]),
            ingress: Some(vec![NetworkPolicyIngressRule {
                from: None,
                ports: Some(vec![port(HBONE_PORT, "TCP")]),
            }]),
            ..NetworkPolicySpec::default()
        }),
    }
}

/// The NetworkPolicy of one service. `services` are all services of the cluster (for the
/// callers' and dependencies' namespaces and ports).
/// In ambient mode every rule also admits the HBONE port; with `waypoint` (the namespace
/// has one) the waypoint's pods are admitted too.
pub fn service_policy(
    cluster: &ResolvedCluster,
    svc: &ResolvedService,
    by_name: &ByName<'_>,
    waypoint: bool,
) -> NetworkPolicy {
    let ambient = cluster.mesh.as_ref().is_some_and(|m| m.ambient);
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
        // The namespaces of the gateways the routes go through.
        let edge: BTreeSet<&str> = match (&cluster.gateway_api, &cluster.mesh) {
            (Some(api), _) => svc
                .routes
                .iter()
                .filter_map(|r| api.gateway(r.gateway.as_deref()))
                .map(|g| g.namespace.as_str())
                .collect(),
            (None, Some(m)) => BTreeSet::from([m.gateway.0.as_str()]),
            (None, None) => BTreeSet::from([INGRESS_NAMESPACE]),
        };
        ingress.push(NetworkPolicyIngressRule {
            from: Some(
                edge.into_iter()
                    .map(|ns| NetworkPolicyPeer {
                        namespace_selector: Some(namespace_selector(ns)),
                        ..NetworkPolicyPeer::default()
                    })
                    .collect(),
            ),
            ports: Some(all_ports.clone()),
        });
    }
    if waypoint {
        // Behind a waypoint every caller's traffic arrives from the waypoint's pods.
        ingress.push(NetworkPolicyIngressRule {
            from: Some(vec![NetworkPolicyPeer {
                pod_selector: Some(LabelSelector {
                    match_labels: Some(BTreeMap::from([(
                        "gateway.networking.k8s.io/gateway-name".to_owned(),
                        super::gateway_api::WAYPOINT.to_owned(),
                    )])),
                    ..LabelSelector::default()
                }),
                ..NetworkPolicyPeer::default()
            }]),
            ports: Some(all_ports.clone()),
        });
    }
    if ambient {
        // Ambient mesh traffic reaches the pod through the HBONE tunnel on 15008 (and is
        // handed to the original port inside the pod), so every mesh peer needs that port.
        for rule in &mut ingress {
            if let Some(ports) = rule.ports.as_mut() {
                ports.push(port(HBONE_PORT, "TCP"));
            }
        }
        // The kubelet's probes arrive from the link-local address istio-cni rewrites them
        // to; CNIs that do not exempt node traffic would drop them under the default deny.
        ingress.push(NetworkPolicyIngressRule {
            from: Some(vec![NetworkPolicyPeer {
                ip_block: Some(IPBlock {
                    cidr: PROBE_SOURCE.into(),
                    except: None,
                }),
                ..NetworkPolicyPeer::default()
            }]),
            ports: None,
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
    let (types, egress) = egress(cluster, svc, by_name);
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

/// A cluster's services by name, built once per cluster (each policy looks up its callers
/// and dependencies there).
pub type ByName<'a> = BTreeMap<&'a str, &'a ResolvedService>;

/// [`ByName`] of `services`.
pub fn by_name(services: &[ResolvedService]) -> ByName<'_> {
    services.iter().map(|s| (s.name.as_str(), s)).collect()
}

/// The NetworkPolicy of a job's pods (`object` is the job's `<service>-<job>`): nothing may
/// reach them, and they may reach what the service may.
pub fn job_policy(
    cluster: &ResolvedCluster,
    svc: &ResolvedService,
    object: &str,
    by_name: &ByName<'_>,
) -> NetworkPolicy {
    let (types, egress) = egress(cluster, svc, by_name);
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
    by_name: &ByName<'_>,
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
        let ambient = cluster.mesh.as_ref().is_some_and(|m| m.ambient);
        for dep in svc
            .depends_on
            .iter()
            .filter_map(|d| by_name.get(d.as_str()))
        {
            let mut ports: Vec<NetworkPolicyPort> = dep
                .all_ports()
                .iter()
                .map(|p| port(p.port, "TCP"))
                .collect();
            if ambient {
                ports.push(port(HBONE_PORT, "TCP"));
            }
            let mut to = vec![NetworkPolicyPeer {
                namespace_selector: Some(namespace_selector(&dep.namespace)),
                pod_selector: Some(LabelSelector {
                    match_labels: Some(dep.pods()),
                    ..LabelSelector::default()
                }),
                ..NetworkPolicyPeer::default()
            }];
            // Calls to a service behind a waypoint go to the waypoint's pods.
            let waypoint = ambient
                && by_name
                    .values()
                    .any(|s| s.namespace == dep.namespace && super::gateway_api::needs_l7(s));
            if waypoint {
                to.push(NetworkPolicyPeer {
                    namespace_selector: Some(namespace_selector(&dep.namespace)),
                    pod_selector: Some(LabelSelector {
                        match_labels: Some(BTreeMap::from([(
                            "gateway.networking.k8s.io/gateway-name".to_owned(),
                            super::gateway_api::WAYPOINT.to_owned(),
                        )])),
                        ..LabelSelector::default()
                    }),
                    ..NetworkPolicyPeer::default()
                });
            }
            rules.push(NetworkPolicyEgressRule {
                to: Some(to),
                ports: Some(ports),
            });
        }
        rules
    });
    (types, egress)
}
