//! Capacity and cost planning (`fluxprint plan`): pods needed at the peak load, requests at
//! the fewest and the most replicas, nodes needed (a first-fit-decreasing bin-packing over the
//! cluster's node shape) and the monthly and yearly cost. The formulas are in
//! `docs/planning.md`; this module is pure arithmetic over a resolved [`Project`].

pub mod report;

use crate::resolve::scaling::ceil_count;

use serde::Serialize;

use crate::blueprint::names::parse_quantity;
use crate::blueprint::service::WorkloadKind;
use crate::project::Project;
use crate::resolve::{ResolvedCluster, ResolvedComponent, ResolvedResources, ResolvedService};
use serde_json::Value;

/// Hours in an average month (365 × 24 / 12), the unit cloud price lists use.
pub const HOURS_PER_MONTH: f64 = 730.0;
/// CPU request of Istio's injected proxy (its default `global.proxy.resources.requests.cpu`).
pub const ISTIO_PROXY_CPU_MILLIS: f64 = 100.0;
/// Memory request of Istio's injected proxy (default `global.proxy.resources.requests.memory`).
pub const ISTIO_PROXY_MEMORY: f64 = 128.0 * 1024.0 * 1024.0;
/// CPU request of an Istio waypoint proxy: the istiod chart's default
/// `global.waypoint.resources.requests.cpu` (`manifests/charts/istio-control/istio-discovery/
/// values.yaml` in istio/istio); one replica per waypoint Deployment.
pub const WAYPOINT_CPU_MILLIS: f64 = 100.0;
/// Memory request of a waypoint proxy (`global.waypoint.resources.requests.memory`).
pub const WAYPOINT_MEMORY: f64 = 128.0 * 1024.0 * 1024.0;

/// CPU (millicores), memory (bytes), pods and storage (GiB).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Usage {
    /// Pods.
    pub pods: u32,
    /// CPU requested, millicores.
    pub cpu_millis: f64,
    /// Memory requested, bytes.
    pub memory_bytes: f64,
    /// Persistent volume size, GiB.
    pub storage_gib: f64,
}

impl Usage {
    fn times(self, replicas: u32) -> Usage {
        let n = f64::from(replicas);
        Usage {
            pods: replicas,
            cpu_millis: self.cpu_millis * n,
            memory_bytes: self.memory_bytes * n,
            storage_gib: self.storage_gib * n,
        }
    }

    /// `times` for a sum of `pods_each` pods: `times(n)` counts `n` pods, this `n × pods_each`.
    fn scaled(self, pods_each: u32) -> Usage {
        Usage {
            pods: self.pods * pods_each,
            ..self
        }
    }

    fn add(&mut self, other: Usage) {
        self.pods += other.pods;
        self.cpu_millis += other.cpu_millis;
        self.memory_bytes += other.memory_bytes;
        self.storage_gib += other.storage_gib;
    }
}

/// The plan of one service in one cluster.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePlan {
    /// Service name.
    pub name: String,
    /// Namespace.
    pub namespace: String,
    /// Peak requests per second (from `capacity`).
    pub peak_rps: Option<f64>,
    /// Pods needed at the peak (from `capacity`).
    pub pods_at_peak: Option<u32>,
    /// Fewest replicas (autoscaling.min or replicas).
    pub min_replicas: u32,
    /// Most replicas (autoscaling.max or replicas).
    pub max_replicas: u32,
    /// `max_replicas < pods_at_peak`: the peak cannot be served.
    pub max_below_peak: bool,
    /// Requests of one pod (all containers, plus the mesh proxy when injected).
    pub per_pod: Usage,
    /// Requests at the fewest replicas.
    pub at_min: Usage,
    /// Requests at the most replicas.
    pub at_max: Usage,
    /// Containers without a CPU or memory request (counted as 0).
    pub missing_requests: Vec<String>,
    /// Released by Flagger: `at_min` and `at_max` count the primary and the canary
    /// Deployment, both at that many replicas, as during an analysis.
    pub with_canary: bool,
}

/// Allocatable capacity of one node and its price.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeShape {
    /// CPU per node minus the reserved CPU, millicores.
    pub cpu_millis: f64,
    /// Memory per node minus the reserved memory, bytes.
    pub memory_bytes: f64,
    /// Pods per node (`u32::MAX` when the cluster does not say).
    pub max_pods: u32,
    /// Price per node-hour (0 when the cluster does not say).
    pub price_per_hour: f64,
}

/// A resource that can bound the node count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Resource {
    /// CPU requests.
    Cpu,
    /// Memory requests.
    Memory,
    /// Pods per node.
    Pods,
}

impl Resource {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Resource::Cpu => "cpu",
            Resource::Memory => "memory",
            Resource::Pods => "pods",
        }
    }
}

/// Nodes needed for a set of pods.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeCount {
    /// Nodes the first-fit-decreasing packing uses.
    pub nodes: u32,
    /// Lower bound per resource: `ceil(total / allocatable per node)`.
    pub by_cpu: u32,
    /// See `by_cpu`.
    pub by_memory: u32,
    /// See `by_cpu`.
    pub by_pods: u32,
    /// The resource with the highest lower bound.
    pub binding: Resource,
    /// Services with a pod larger than a node (left out of the packing).
    pub unschedulable: Vec<String>,
}

/// Monthly cost in the cluster's currency.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Cost {
    /// nodes × pricePerHour × 730.
    pub nodes: f64,
    /// loadBalancerPerHour × 730, when any service has routes.
    pub load_balancer: f64,
    /// databasesPerHour × 730.
    pub databases: f64,
    /// storage GiB × storagePerGiBMonth.
    pub storage: f64,
    /// The sum.
    pub monthly: f64,
    /// monthly × 12.
    pub yearly: f64,
}

/// Totals, nodes and cost at one replica level (all services at min, or all at max).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Level {
    /// Sum of the services' requests.
    pub usage: Usage,
    /// Nodes needed, when the cluster has `nodes`.
    pub nodes: Option<NodeCount>,
    /// Cost, when the cluster has `nodes`.
    pub cost: Option<Cost>,
}

/// A workload of a platform component, as its chart values declare it: a map of the values
/// with `resources.requests` (see docs/planning.md).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ComponentWorkload {
    /// JSON pointer of the map in the values (`""` for the top level).
    pub path: String,
    /// Its `replicaCount` or `replicas`, else 1 (per node, for a DaemonSet).
    pub replicas: u32,
    /// The requests of one pod.
    pub per_pod: Usage,
    /// One pod on every node (the DaemonSets of Istio's `ztunnel` and `cni` charts): counted
    /// per node of the level, not in `total`.
    pub per_node: bool,
}

/// What a platform component's values declare; the same at the fewest and the most replicas
/// (charts' own autoscaling is not modelled).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ComponentPlan {
    /// Component name.
    pub name: String,
    /// Its namespace.
    pub namespace: String,
    /// The workloads its values declare requests for.
    pub workloads: Vec<ComponentWorkload>,
    /// Their sum over replicas (without the per-node workloads).
    pub total: Usage,
}

/// The plan of one cluster.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterPlan {
    /// Cluster name.
    pub cluster: String,
    /// The cluster file.
    pub file: String,
    /// Allocatable node shape, when the cluster has `nodes` with cpu and memory.
    pub node: Option<NodeShape>,
    /// Services, sorted by name.
    pub services: Vec<ServicePlan>,
    /// Platform components, sorted by name (none without `platform/`).
    pub components: Vec<ComponentPlan>,
    /// The proxies Istio runs for objects fluxprint renders: a waypoint Deployment per
    /// ambient namespace that has one (`waypoint/<namespace>`).
    pub mesh: Vec<ComponentPlan>,
    /// Every service at its fewest replicas, and the components.
    pub at_min: Level,
    /// Every service at its most replicas, and the components.
    pub at_max: Level,
}

/// Plans every selected cluster of a project.
pub fn plan(project: &Project, clusters: &[&ResolvedCluster]) -> Vec<ClusterPlan> {
    clusters
        .iter()
        .map(|c| {
            plan_cluster(
                c,
                project.services_of(&c.name),
                project.components_of(&c.name),
            )
        })
        .collect()
}

/// Plans one cluster.
pub fn plan_cluster(
    cluster: &ResolvedCluster,
    services: &[ResolvedService],
    components: &[ResolvedComponent],
) -> ClusterPlan {
    let plans: Vec<ServicePlan> = services.iter().map(|s| plan_service(cluster, s)).collect();
    let platform: Vec<ComponentPlan> = components.iter().map(plan_component).collect();
    let mesh: Vec<ComponentPlan> =
        crate::render::gateway_api::waypoint_namespaces(cluster, services)
            .into_iter()
            .map(waypoint)
            .collect();
    let workload_names: Vec<Vec<String>> = platform
        .iter()
        .chain(&mesh)
        .map(|c| {
            c.workloads
                .iter()
                .map(|w| format!("{}{}", c.name, w.path))
                .collect()
        })
        .collect();
    let node = node_shape(cluster);
    let routed = services.iter().any(|s| !s.routes.is_empty());
    let level = |replicas: fn(&ServicePlan) -> Usage| {
        let mut usage = Usage::default();
        let mut pods = Vec::new();
        // What one pod per node takes from every node before the others are packed.
        let mut per_node = Usage::default();
        for p in &plans {
            let u = replicas(p);
            usage.add(u);
            pods.push((p.name.as_str(), p.per_pod, u.pods));
        }
        for (c, names) in platform.iter().chain(&mesh).zip(&workload_names) {
            usage.add(c.total);
            for (w, name) in c.workloads.iter().zip(names) {
                if w.per_node {
                    per_node.add(w.per_pod);
                } else {
                    pods.push((name.as_str(), w.per_pod, w.replicas));
                }
            }
        }
        let nodes = node.map(|shape| {
            let left = NodeShape {
                cpu_millis: (shape.cpu_millis - per_node.cpu_millis).max(0.0),
                memory_bytes: (shape.memory_bytes - per_node.memory_bytes).max(0.0),
                max_pods: shape.max_pods.saturating_sub(per_node.pods),
                ..shape
            };
            let mut n = pack(left, &pods);
            // A cluster of no other pods still runs the node agents on its one node.
            if n.nodes == 0 && per_node.pods > 0 {
                n.nodes = 1;
            }
            usage.add(per_node.times(n.nodes).scaled(per_node.pods));
            n
        });
        let cost = node
            .zip(nodes.as_ref())
            .map(|(shape, n)| cost(cluster, shape, n.nodes, usage.storage_gib, routed));
        Level { usage, nodes, cost }
    };
    ClusterPlan {
        cluster: cluster.name.clone(),
        file: cluster.file.clone(),
        node,
        at_min: level(|p| p.at_min),
        at_max: level(|p| p.at_max),
        services: plans,
        components: platform,
        mesh,
    }
}

/// The workloads a component's values declare: every map with `resources.requests` of cpu
/// or memory, with its `replicaCount` or `replicas` (1 without), skipping maps with
/// `enabled: false`.
fn plan_component(c: &ResolvedComponent) -> ComponentPlan {
    let per_node = c.chart.as_ref().is_some_and(|ch| {
        crate::render::platform::AMBIENT_CHARTS
            .iter()
            .any(|(repo, name)| ch.repository == *repo && ch.name == *name)
    });
    fn walk(v: &Value, path: &str, per_node: bool, out: &mut Vec<ComponentWorkload>) {
        let Value::Object(map) = v else { return };
        if map.get("enabled").and_then(Value::as_bool) == Some(false) {
            return;
        }
        if let Some(requests) = map
            .get("resources")
            .and_then(|r| r.get("requests"))
            .and_then(Value::as_object)
            // A volume claim's `resources.requests` has only `storage`: not a pod.
            .filter(|r| r.contains_key("cpu") || r.contains_key("memory"))
        {
            let quantity = |key: &str| {
                requests.get(key).and_then(|q| match q {
                    Value::String(s) => parse_quantity(s),
                    Value::Number(n) => n.as_f64(),
                    _ => None,
                })
            };
            let replicas = ["replicaCount", "replicas"]
                .iter()
                .find_map(|k| map.get(*k).and_then(Value::as_u64))
                .map_or(1, |n| u32::try_from(n).unwrap_or(u32::MAX));
            out.push(ComponentWorkload {
                path: path.to_owned(),
                replicas: if per_node { 1 } else { replicas },
                per_pod: Usage {
                    pods: 1,
                    cpu_millis: quantity("cpu").unwrap_or(0.0) * 1000.0,
                    memory_bytes: quantity("memory").unwrap_or(0.0),
                    storage_gib: 0.0,
                },
                per_node,
            });
        }
        for (key, child) in map {
            if key != "resources" {
                let escaped = key.replace('~', "~0").replace('/', "~1");
                walk(child, &format!("{path}/{escaped}"), per_node, out);
            }
        }
    }
    let mut workloads = Vec::new();
    if let Some(values) = &c.values {
        walk(values, "", per_node, &mut workloads);
    }
    let mut total = Usage::default();
    for w in workloads.iter().filter(|w| !w.per_node) {
        total.add(w.per_pod.times(w.replicas));
    }
    ComponentPlan {
        name: c.name.clone(),
        namespace: c.namespace.clone(),
        workloads,
        total,
    }
}

/// The waypoint Deployment Istio runs for the Gateway fluxprint renders in `namespace`.
fn waypoint(namespace: &str) -> ComponentPlan {
    let per_pod = Usage {
        pods: 1,
        cpu_millis: WAYPOINT_CPU_MILLIS,
        memory_bytes: WAYPOINT_MEMORY,
        storage_gib: 0.0,
    };
    ComponentPlan {
        name: format!("waypoint/{namespace}"),
        namespace: namespace.to_owned(),
        workloads: vec![ComponentWorkload {
            path: String::new(),
            replicas: 1,
            per_pod,
            per_node: false,
        }],
        total: per_pod,
    }
}

fn request(text: Option<&str>) -> Option<f64> {
    text.and_then(parse_quantity)
}

fn plan_service(cluster: &ResolvedCluster, svc: &ResolvedService) -> ServicePlan {
    let mut per_pod = Usage {
        pods: 1,
        ..Usage::default()
    };
    let mut missing = Vec::new();
    let mut add = |name: &str, r: &ResolvedResources| {
        match request(r.cpu.as_deref()) {
            Some(cpu) => per_pod.cpu_millis += cpu * 1000.0,
            None => missing.push(format!("{name}: cpu")),
        }
        match request(r.memory.as_deref()) {
            Some(mem) => per_pod.memory_bytes += mem,
            None => missing.push(format!("{name}: memory")),
        }
    };
    add(&svc.name, &svc.resources);
    for s in &svc.sidecars {
        add(&s.name, &s.resources);
    }
    if cluster.mesh.as_ref().is_some_and(|m| !m.ambient) {
        per_pod.cpu_millis += ISTIO_PROXY_CPU_MILLIS;
        per_pod.memory_bytes += ISTIO_PROXY_MEMORY;
    }
    if svc.workload == WorkloadKind::Statefulset {
        per_pod.storage_gib = svc
            .storage
            .iter()
            .filter_map(|v| parse_quantity(&v.size))
            .sum::<f64>()
            / 1024f64.powi(3);
    }
    let capacity = svc.capacity.as_ref();
    let pods_at_peak = capacity.map(|c| c.pods_at_peak);
    let (min, max) = (svc.scaling.min(), svc.scaling.max());
    // During an analysis Flagger runs the canary Deployment beside the primary, each scaled
    // by its own autoscaler (or the replica count) between the same bounds.
    let with_canary = svc.delivery.is_some();
    let copies = if with_canary { 2 } else { 1 };
    ServicePlan {
        name: svc.name.clone(),
        namespace: svc.namespace.clone(),
        peak_rps: capacity.map(|c| c.peak_rps),
        pods_at_peak,
        min_replicas: min,
        max_replicas: max,
        max_below_peak: pods_at_peak.is_some_and(|p| max < p),
        per_pod,
        at_min: per_pod.times(min * copies),
        at_max: per_pod.times(max * copies),
        missing_requests: missing,
        with_canary,
    }
}

/// The allocatable shape of a node; `None` without `nodes.cpu` and `nodes.memory`.
fn node_shape(cluster: &ResolvedCluster) -> Option<NodeShape> {
    let n = cluster.nodes.as_ref()?;
    let q = |v: &Option<crate::blueprint::common::Quantity>| {
        v.as_ref().and_then(|q| parse_quantity(&q.0))
    };
    let cpu = q(&n.cpu)? - q(&n.reserved_cpu).unwrap_or(0.0);
    let memory = q(&n.memory)? - q(&n.reserved_memory).unwrap_or(0.0);
    Some(NodeShape {
        cpu_millis: (cpu * 1000.0).max(0.0),
        memory_bytes: memory.max(0.0),
        max_pods: n.max_pods.unwrap_or(u32::MAX),
        price_per_hour: n.price_per_hour.unwrap_or(0.0),
    })
}

/// `ceil(total / per_node)`, 0 for nothing, and "infinitely many" when a node has none.
fn bound(total: f64, per_node: f64) -> u32 {
    if total <= 0.0 {
        0
    } else if per_node <= 0.0 {
        u32::MAX
    } else {
        ceil_count(total / per_node)
    }
}

/// First-fit decreasing over every pod, largest dominant share first: an upper estimate of the
/// nodes the scheduler needs, never below the per-resource lower bounds.
fn pack(shape: NodeShape, pods: &[(&str, Usage, u32)]) -> NodeCount {
    let share = |u: &Usage| {
        let c = if shape.cpu_millis > 0.0 {
            u.cpu_millis / shape.cpu_millis
        } else {
            0.0
        };
        let m = if shape.memory_bytes > 0.0 {
            u.memory_bytes / shape.memory_bytes
        } else {
            0.0
        };
        c.max(m)
    };
    let mut order: Vec<&(&str, Usage, u32)> = pods.iter().filter(|p| p.2 > 0).collect();
    order.sort_by(|a, b| share(&b.1).total_cmp(&share(&a.1)).then(a.0.cmp(b.0)));
    let mut unschedulable = Vec::new();
    // Free capacity of each open node: (cpu, memory, pods).
    let mut free: Vec<(f64, f64, u32)> = Vec::new();
    let (mut cpu, mut memory, mut count) = (0.0, 0.0, 0u32);
    const SLACK: f64 = 1e-6;
    for (name, pod, n) in order {
        if pod.cpu_millis > shape.cpu_millis + SLACK
            || pod.memory_bytes > shape.memory_bytes + SLACK
            || shape.max_pods == 0
        {
            unschedulable.push((*name).to_owned());
            continue;
        }
        for _ in 0..*n {
            cpu += pod.cpu_millis;
            memory += pod.memory_bytes;
            count += 1;
            let fits = |f: &(f64, f64, u32)| {
                f.0 + SLACK >= pod.cpu_millis && f.1 + SLACK >= pod.memory_bytes && f.2 >= 1
            };
            match free.iter_mut().find(|f| fits(f)) {
                Some(f) => *f = (f.0 - pod.cpu_millis, f.1 - pod.memory_bytes, f.2 - 1),
                None => free.push((
                    shape.cpu_millis - pod.cpu_millis,
                    shape.memory_bytes - pod.memory_bytes,
                    shape.max_pods - 1,
                )),
            }
        }
    }
    let by_cpu = bound(cpu, shape.cpu_millis);
    let by_memory = bound(memory, shape.memory_bytes);
    let by_pods = bound(f64::from(count), f64::from(shape.max_pods));
    let binding = if by_cpu >= by_memory && by_cpu >= by_pods {
        Resource::Cpu
    } else if by_memory >= by_pods {
        Resource::Memory
    } else {
        Resource::Pods
    };
    NodeCount {
        nodes: u32::try_from(free.len()).unwrap_or(u32::MAX),
        by_cpu,
        by_memory,
        by_pods,
        binding,
        unschedulable,
    }
}

/// Money rounded to cents, so that reports and JSON never show float noise.
fn cents(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

fn cost(
    cluster: &ResolvedCluster,
    shape: NodeShape,
    nodes: u32,
    storage_gib: f64,
    routed: bool,
) -> Cost {
    let fixed = cluster.costs.clone();
    let nodes = f64::from(nodes) * shape.price_per_hour * HOURS_PER_MONTH;
    let load_balancer = if routed {
        fixed.load_balancer_per_hour.unwrap_or(0.0) * HOURS_PER_MONTH
    } else {
        0.0
    };
    let databases = fixed.databases_per_hour.unwrap_or(0.0) * HOURS_PER_MONTH;
    let storage = storage_gib * fixed.storage_per_gi_b_month.unwrap_or(0.0);
    let monthly = nodes + load_balancer + databases + storage;
    Cost {
        nodes: cents(nodes),
        load_balancer: cents(load_balancer),
        databases: cents(databases),
        storage: cents(storage),
        monthly: cents(monthly),
        yearly: cents(monthly * 12.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(cpu: f64, gib: f64) -> Usage {
        Usage {
            pods: 1,
            cpu_millis: cpu,
            memory_bytes: gib * 1024f64.powi(3),
            storage_gib: 0.0,
        }
    }

    #[test]
    fn packing_fills_nodes_first_fit_decreasing() {
        let shape = NodeShape {
            cpu_millis: 3500.0,
            memory_bytes: 7.0 * 1024f64.powi(3),
            max_pods: 30,
            price_per_hour: 0.1,
        };
        // 3 × 1 CPU first, then 20 × 500m: 1 + 7 + 7 + 5 pods.
        let n = pack(
            shape,
            &[("a", usage(500.0, 1.0), 20), ("b", usage(1000.0, 0.5), 3)],
        );
        assert_eq!((n.nodes, n.by_cpu, n.by_memory, n.by_pods), (4, 4, 4, 1));
        assert_eq!(n.binding, Resource::Cpu);
        // Pods per node bind: 10 tiny pods, 3 per node.
        let tiny = NodeShape {
            max_pods: 3,
            ..shape
        };
        let n = pack(tiny, &[("t", usage(10.0, 0.01), 10)]);
        assert_eq!((n.nodes, n.binding), (4, Resource::Pods));
        // A pod larger than a node is reported, not packed.
        let n = pack(shape, &[("big", usage(8000.0, 1.0), 2)]);
        assert_eq!((n.nodes, n.unschedulable), (0, vec!["big".to_owned()]));
    }

    #[test]
    fn packing_can_need_more_than_the_lower_bound() {
        // Two pods of 60% CPU cannot share a node although 1.2 nodes of CPU would do.
        let shape = NodeShape {
            cpu_millis: 1000.0,
            memory_bytes: 1024f64.powi(3),
            max_pods: 10,
            price_per_hour: 0.0,
        };
        let n = pack(shape, &[("p", usage(600.0, 0.1), 2)]);
        assert_eq!((n.nodes, n.by_cpu), (2, 2));
        let n = pack(shape, &[("p", usage(600.0, 0.1), 3)]);
        assert_eq!((n.nodes, n.by_cpu), (3, 2));
    }
}
