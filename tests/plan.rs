//! `fluxprint plan`: figures checked against numbers computed by hand, the strict-cluster
//! finding, and snapshots of the three formats on the example.

use std::fs;

use serde_json::Value;

use crate::snapshot_settings;
use crate::util::{example, fluxprint, stderr, stdout};

const CLUSTER: &str = r#"apiVersion: fluxprint/v1alpha1
kind: Cluster
name: lab
policy: relaxed
nodes: {cpu: "4", memory: 8Gi, maxPods: 30, pricePerHour: 0.1, reservedCpu: 500m, reservedMemory: 1Gi}
costs: {loadBalancerPerHour: 0.02, databasesPerHour: 0.05, storagePerGiBMonth: 0.1}
"#;

const API: &str = r#"apiVersion: fluxprint/v1alpha1
kind: Blueprint
name: api
team: lab
image: registry.example.com/api
tag: "1.0.0"
ports: [{name: http, port: 8080}]
resources: {cpu: 500m, memory: 1Gi}
autoscaling: {min: 2, max: 20, cpu: 70}
capacity: {peakRps: 1000, rpsPerPod: 100, complexity: 1.5}
"#;

const STORE: &str = r#"apiVersion: fluxprint/v1alpha1
kind: Blueprint
name: store
team: lab
image: registry.example.com/store
tag: "1.0.0"
workload: statefulset
ports: [{name: tcp-store, port: 7000}]
resources: {cpu: "1", memory: 512Mi}
replicas: 3
storage: [{name: data, path: /data, size: 10Gi}]
"#;

fn project(cluster: &str, api: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::create_dir_all(dir.path().join("blueprints")).expect("mkdir");
    fs::create_dir_all(dir.path().join("clusters")).expect("mkdir");
    fs::write(dir.path().join("clusters/lab.yaml"), cluster).expect("write");
    fs::write(dir.path().join("blueprints/api.yaml"), api).expect("write");
    fs::write(dir.path().join("blueprints/store.yaml"), STORE).expect("write");
    dir
}

fn plan_json(dir: &std::path::Path) -> Value {
    let out = fluxprint(dir, &["plan", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).expect("plan JSON")
}

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

#[test]
fn figures_match_the_hand_computed_plan() {
    let dir = project(CLUSTER, API);
    let plan = plan_json(dir.path());
    let lab = &plan[0];
    assert_eq!(lab["cluster"], "lab");
    // Allocatable: 4 − 0.5 = 3.5 CPU, 8 − 1 = 7 GiB, 30 pods.
    assert_eq!(lab["node"]["cpuMillis"], 3500.0);
    assert_eq!(lab["node"]["memoryBytes"], 7.0 * GIB);

    // api: ceil(1000 / (100 / 1.5)) = ceil(15) = 15 pods at peak; max 20 is enough.
    let api = &lab["services"][0];
    assert_eq!(api["name"], "api");
    assert_eq!(api["podsAtPeak"], 15);
    assert_eq!(api["maxBelowPeak"], false);
    assert_eq!(api["atMin"]["cpuMillis"], 1000.0); // 2 × 500m
    assert_eq!(api["atMax"]["cpuMillis"], 10000.0); // 20 × 500m
    assert_eq!(api["atMax"]["memoryBytes"], 20.0 * GIB);
    // store: 3 fixed replicas of 1 CPU, 512Mi and a 10Gi volume each.
    let store = &lab["services"][1];
    assert_eq!(store["podsAtPeak"], Value::Null);
    assert_eq!(store["atMax"]["cpuMillis"], 3000.0);
    assert_eq!(store["atMax"]["storageGib"], 30.0);

    // At max: 13 CPU / 3.5 → 4 nodes, 21.5 GiB / 7 → 4, 23 pods / 30 → 1; CPU binds (tie
    // with memory, CPU named first). First fit decreasing: node 1 takes the three store pods
    // and one api pod (3.5 CPU), nodes 2 and 3 seven api pods each, node 4 the last five.
    let max = &lab["atMax"];
    assert_eq!(max["usage"]["pods"], 23);
    assert_eq!(max["nodes"]["nodes"], 4);
    assert_eq!(max["nodes"]["byCpu"], 4);
    assert_eq!(max["nodes"]["byMemory"], 4);
    assert_eq!(max["nodes"]["byPods"], 1);
    assert_eq!(max["nodes"]["binding"], "cpu");
    // Cost: 4 × 0.1 × 730 = 292; no routes, no load balancer; databases 0.05 × 730 = 36.5;
    // storage 30 GiB × 0.1 = 3. Monthly 331.5, yearly 3978.
    assert_eq!(max["cost"]["nodes"], 292.0);
    assert_eq!(max["cost"]["loadBalancer"], 0.0);
    assert_eq!(max["cost"]["databases"], 36.5);
    assert_eq!(max["cost"]["storage"], 3.0);
    assert_eq!(max["cost"]["monthly"], 331.5);
    assert_eq!(max["cost"]["yearly"], 3978.0);

    // At min: 4 CPU / 3.5 → 2 nodes (store ×3 and one api on the first, one api on the
    // second); 2 × 0.1 × 730 = 146, + 36.5 + 3 = 185.5 a month.
    let min = &lab["atMin"];
    assert_eq!(min["usage"]["pods"], 5);
    assert_eq!(min["nodes"]["nodes"], 2);
    assert_eq!(min["nodes"]["byMemory"], 1);
    assert_eq!(min["cost"]["monthly"], 185.5);
    assert_eq!(min["cost"]["yearly"], 2226.0);
}

#[test]
fn max_below_peak_is_reported_and_refused_on_strict_clusters() {
    let api = API.replace("max: 20", "max: 10");
    let dir = project(CLUSTER, &api);
    let plan = plan_json(dir.path());
    assert_eq!(plan[0]["services"][0]["maxBelowPeak"], true);
    let human = stdout(&fluxprint(dir.path(), &["plan"]));
    assert!(
        human.contains("note: api: at most 10 replicas, but 15 pods are needed at the peak"),
        "{human}"
    );

    let strict = project(&CLUSTER.replace("relaxed", "strict"), &api);
    let out = fluxprint(strict.path(), &["plan"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(
            "error[BP123]: at most 10 replicas run in strict cluster `lab`, but 15 pods are needed"
        ),
        "{err}"
    );
    assert!(err.contains("blueprints/api.yaml:9:"), "{err}");
}

#[test]
fn mesh_proxies_count_and_missing_nodes_are_said() {
    let mesh = format!("{CLUSTER}mesh: {{istio: true}}\n");
    let dir = project(&mesh, API);
    let plan = plan_json(dir.path());
    // Istio's injected proxy requests 100m and 128Mi per pod.
    assert_eq!(plan[0]["services"][0]["perPod"]["cpuMillis"], 600.0);
    assert_eq!(
        plan[0]["services"][0]["perPod"]["memoryBytes"],
        GIB + 128.0 * 1024.0 * 1024.0
    );

    let bare = project(&CLUSTER.lines().take(4).collect::<Vec<_>>().join("\n"), API);
    let human = stdout(&fluxprint(bare.path(), &["plan"]));
    assert!(
        human.contains("no `nodes` (cpu and memory) in the cluster file"),
        "{human}"
    );
}

#[test]
fn example_plan_in_every_format() {
    let dir = example();
    for format in ["human", "markdown", "json"] {
        let out = fluxprint(dir.path(), &["plan", "--format", format]);
        assert!(out.status.success(), "{}", stderr(&out));
        snapshot_settings!()
            .bind(|| insta::assert_snapshot!(format!("plan__{format}"), stdout(&out)));
    }
}

#[test]
fn a_components_declared_requests_count_in_both_levels() {
    let dir = project(CLUSTER, API);
    let without = plan_json(dir.path());
    fs::create_dir_all(dir.path().join("platform")).expect("mkdir");
    // Two workloads (2 × 250m/512Mi and 1 × 1/2Gi); the volume claim, the disabled metrics
    // exporter and a component without requests count as nothing.
    fs::write(
        dir.path().join("platform/cache.yaml"),
        r#"apiVersion: fluxprint/v1alpha1
kind: Component
name: cache
chart: {repository: "https://charts.example.com", name: cache, version: "1.2.3"}
values:
  replica:
    replicaCount: 2
    resources: {requests: {cpu: 250m, memory: 512Mi}}
    persistence: {volumeClaimTemplate: {spec: {resources: {requests: {storage: 8Gi}}}}}
  primary:
    resources: {requests: {cpu: 1, memory: 2Gi}}
  metrics:
    enabled: false
    resources: {requests: {cpu: 4, memory: 4Gi}}
"#,
    )
    .expect("write");
    fs::write(
        dir.path().join("platform/crds.yaml"),
        "apiVersion: fluxprint/v1alpha1\nkind: Component\nname: crds\nchart: {repository: \"https://charts.example.com\", name: crds, version: \"0.1.0\"}\n",
    )
    .expect("write");
    let with = plan_json(dir.path());
    let components = with[0]["components"].as_array().expect("components");
    assert_eq!(components.len(), 2);
    let cache = &components[0];
    assert_eq!(cache["name"], "cache");
    let workloads: Vec<(String, u64)> = cache["workloads"]
        .as_array()
        .expect("workloads")
        .iter()
        .map(|w| {
            (
                w["path"].as_str().expect("path").to_owned(),
                w["replicas"].as_u64().expect("replicas"),
            )
        })
        .collect();
    assert_eq!(
        workloads,
        [("/primary".to_owned(), 1), ("/replica".to_owned(), 2)]
    );
    assert_eq!(cache["total"]["pods"], 3);
    assert_eq!(cache["total"]["cpuMillis"], 1500.0);
    assert_eq!(cache["total"]["memoryBytes"], 3.0 * GIB);
    assert!(components[1]["workloads"]
        .as_array()
        .expect("list")
        .is_empty());
    for level in ["atMin", "atMax"] {
        let before = &without[0][level]["usage"];
        let after = &with[0][level]["usage"];
        assert_eq!(after["pods"], before["pods"].as_u64().expect("pods") + 3);
        assert_eq!(
            after["cpuMillis"],
            before["cpuMillis"].as_f64().expect("cpu") + 1500.0
        );
    }
    let out = fluxprint(dir.path(), &["plan"]);
    let text = stdout(&out);
    assert!(
        text.contains("note: crds: the values declare no `resources.requests` (not counted)"),
        "{text}"
    );
    assert!(
        text.contains("cache      /replica         2  0.50  1.00Gi"),
        "{text}"
    );
}

#[test]
fn a_canary_counts_as_primary_and_canary() {
    let sidecar = format!(
        "{CLUSTER}mesh: {{istio: true}}\n\
         gatewayApi: {{className: istio, gateways: [{{name: internal, namespace: edge, internal: true}}]}}\n"
    );
    let rolling = plan_json(project(&sidecar, API).path());
    let canary = format!("{API}delivery: {{strategy: canary}}\n");
    let dir = project(&sidecar, &canary);
    let plan = plan_json(dir.path());
    let (one, two) = (&rolling[0]["services"][0], &plan[0]["services"][0]);
    assert_eq!(one["withCanary"], false);
    assert_eq!(two["withCanary"], true);
    // Flagger runs the primary at the blueprint's replicas and scales the canary up to the
    // same during an analysis: twice the pods and requests of a rolling release, per pod alike.
    assert_eq!(one["perPod"], two["perPod"]);
    for level in ["atMin", "atMax"] {
        for what in ["pods", "cpuMillis", "memoryBytes"] {
            let (a, b) = (
                one[level][what].as_f64().expect("number"),
                two[level][what].as_f64().expect("number"),
            );
            assert_eq!(b, 2.0 * a, "{level}.{what}");
        }
    }
    assert_eq!(two["atMin"]["pods"], 4);
    let text = stdout(&fluxprint(dir.path(), &["plan"]));
    for expected in [
        "api (+canary)",
        "note: api: released by Flagger, counted as primary and canary",
    ] {
        assert!(text.contains(expected), "{expected}: {text}");
    }
}

#[test]
fn waypoints_and_ztunnel_count_on_an_ambient_cluster() {
    let ambient = format!(
        "{CLUSTER}mesh: {{istio: true, mode: ambient}}\n\
         gatewayApi: {{className: istio, gateways: [{{name: internal, namespace: edge, internal: true}}]}}\n"
    );
    // A DestinationRule traffic policy needs L7 processing: a waypoint in ambient mode.
    let pooled =
        format!("{API}mesh: {{callers: [store], connectionPool: {{maxConnections: 100}}}}\n");
    let dir = project(&ambient, &pooled);
    fs::create_dir_all(dir.path().join("platform")).expect("mkdir");
    fs::write(
        dir.path().join("platform/ztunnel.yaml"),
        r#"apiVersion: fluxprint/v1alpha1
kind: Component
name: ztunnel
namespace: istio-system
chart: {repository: "https://istio-release.storage.googleapis.com/charts", name: ztunnel, version: "1.30.3"}
values:
  resources: {requests: {cpu: 200m, memory: 512Mi}}
"#,
    )
    .expect("write");
    let plan = plan_json(dir.path());
    let lab = &plan[0];
    // api: 2..20 replicas of 500m and 1Gi (no sidecar in ambient).
    let api = &lab["services"][0];
    assert_eq!(api["withCanary"], false);
    assert_eq!(api["perPod"]["cpuMillis"], 500.0);
    assert_eq!(api["atMin"]["pods"], 2);
    assert_eq!(api["atMax"]["pods"], 20);
    // The namespace gets a waypoint: one pod of Istio's default 100m and 128Mi.
    let mesh = lab["mesh"].as_array().expect("mesh");
    assert_eq!(mesh.len(), 1);
    assert_eq!(mesh[0]["name"], "waypoint/lab");
    assert_eq!(mesh[0]["total"]["cpuMillis"], 100.0);
    assert_eq!(mesh[0]["total"]["memoryBytes"], 128.0 * 1024.0 * 1024.0);
    // ztunnel: one pod per node, taken from each node first (3300m, 6.5Gi, 29 pods left).
    let ztunnel = &lab["components"][0];
    assert_eq!(ztunnel["workloads"][0]["perNode"], true);
    assert_eq!(ztunnel["total"]["pods"], 0);
    // At min: store 3 × 1 CPU and the waypoint on node 1, api 2 × 500m on node 2; then a
    // ztunnel pod on each of the 2 nodes.
    let min = &lab["atMin"];
    assert_eq!(min["nodes"]["nodes"], 2);
    assert_eq!(min["usage"]["pods"], 2 + 3 + 1 + 2);
    assert_eq!(
        min["usage"]["cpuMillis"],
        1000.0 + 3000.0 + 100.0 + 2.0 * 200.0
    );
    let max = &lab["atMax"];
    let nodes = max["nodes"]["nodes"].as_u64().expect("nodes");
    assert_eq!(
        max["usage"]["cpuMillis"],
        10000.0 + 3000.0 + 100.0 + 200.0 * nodes as f64
    );
    let text = stdout(&fluxprint(dir.path(), &["plan"]));
    for expected in [
        "waypoint/lab",
        "1 per node",
        "note: per-node workloads (DaemonSets) take their requests from every node",
    ] {
        assert!(text.contains(expected), "{expected}: {text}");
    }
}
