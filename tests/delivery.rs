//! Progressive delivery: a service released by Flagger gets a Canary (validated against
//! Flagger's CRD by `schema.rs` and by the render's own output validation), and the objects
//! Flagger owns for it are not rendered.

use std::path::Path;

use fluxprint::source::yaml::parse_documents;
use serde_json::Value;

use crate::util::{edit, example, fluxprint, stderr};

fn object(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    parse_documents(&text).expect("parses")[0].to_json()
}

fn objects_of(root: &Path, kind: &str) -> Vec<Value> {
    crate::util::tree(root)
        .into_iter()
        .flat_map(|(_, text)| {
            parse_documents(&text)
                .expect("parses")
                .into_iter()
                .map(|d| d.to_json())
        })
        .filter(|o| o["kind"] == kind)
        .collect()
}

#[test]
fn the_prod_payment_service_is_a_canary_and_flagger_owns_its_service_and_routes() {
    let dir = example();
    let out = fluxprint(dir.path(), &["render"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let prod = dir.path().join("gitops/prod");
    let app = prod.join("apps/payment");
    let canary = object(&app.join("canary.yaml"));
    assert_eq!(canary["apiVersion"], "flagger.app/v1beta1");
    let spec = &canary["spec"];
    assert_eq!(spec["provider"], "istio");
    assert_eq!(
        spec["targetRef"],
        serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment", "name": "payment"})
    );
    assert_eq!(spec["autoscalerRef"]["kind"], "HorizontalPodAutoscaler");
    assert_eq!(spec["service"]["port"], 8080);
    assert_eq!(spec["service"]["timeout"], "12s", "mesh.timeout moves here");
    assert_eq!(
        spec["service"]["trafficPolicy"]["tls"]["mode"], "ISTIO_MUTUAL",
        "the DestinationRule's policy moves here"
    );
    let analysis = &spec["analysis"];
    assert_eq!(
        (
            &analysis["interval"],
            &analysis["threshold"],
            &analysis["stepWeight"],
            &analysis["maxWeight"]
        ),
        (&"1m".into(), &5.into(), &10.into(), &50.into())
    );
    assert!(analysis["iterations"].is_null());
    assert_eq!(analysis["metrics"][0]["name"], "request-success-rate");
    assert_eq!(analysis["metrics"][0]["thresholdRange"]["min"], 99);
    assert_eq!(analysis["metrics"][1]["name"], "request-duration");
    assert_eq!(analysis["metrics"][1]["thresholdRange"]["max"], 500);
    assert_eq!(analysis["alerts"][0]["providerRef"]["name"], "slack");
    let provider = object(&prod.join("infrastructure/alertprovider-slack.yaml"));
    assert_eq!(provider["kind"], "AlertProvider");
    assert_eq!(provider["spec"]["secretRef"]["name"], "slack-webhook");
    // Flagger creates the Services, its VirtualService and its DestinationRules.
    for owned in [
        "service.yaml",
        "destinationrule.yaml",
        "virtualservice.yaml",
    ] {
        assert!(!app.join(owned).exists(), "prod payment has no {owned}");
    }
    // Selectors reach the primary's pods too (Flagger renames their app.kubernetes.io/name).
    let pod_labels =
        &object(&app.join("deployment.yaml"))["spec"]["template"]["metadata"]["labels"];
    assert_eq!(pod_labels["fluxprint.io/service"], "payment");
    for (file, pointer) in [
        ("pdb.yaml", "/spec/selector/matchLabels"),
        ("networkpolicy.yaml", "/spec/podSelector/matchLabels"),
        ("authorizationpolicy.yaml", "/spec/selector/matchLabels"),
        ("servicemonitor.yaml", "/spec/selector/matchLabels"),
    ] {
        assert_eq!(
            object(&app.join(file)).pointer(pointer),
            Some(&serde_json::json!({"fluxprint.io/service": "payment"})),
            "{file}"
        );
    }
    // The Kustomization waits for the Canary through the longest promoting analysis.
    let ks = object(&prod.join("clusters/prod/apps/payment.yaml"));
    assert_eq!(ks["spec"]["timeout"], "10m", "1m × (5 steps + threshold 5)");
    // In dev it is a rolling update, as before.
    let dev = dir.path().join("gitops/dev/apps/payment");
    assert!(!dev.join("canary.yaml").exists());
    assert!(dev.join("service.yaml").exists() && dev.join("destinationrule.yaml").exists());
    assert!(!dir
        .path()
        .join("gitops/dev/infrastructure/alertprovider-slack.yaml")
        .exists());
    // `infrastructure`, and so every service, waits for the chart with Flagger's CRDs.
    let infrastructure = object(&prod.join("clusters/prod/infrastructure.yaml"));
    assert!(infrastructure["spec"]["dependsOn"]
        .as_array()
        .is_some_and(|d| d.contains(&serde_json::json!({"name": "flagger"}))));
}

#[test]
fn a_routed_blue_green_service_takes_its_host_out_of_the_edge_virtual_services() {
    let dir = example();
    edit(
        &dir.path().join("blueprints/rider.yaml"),
        "  prod:\n    autoscaling: {min: 4, max: 32}",
        "  prod:\n    autoscaling: {min: 4, max: 32}\n    delivery:\n      strategy: blue-green\n      analysis: {interval: 30s, iterations: 6}\n      webhooks:\n        - {name: smoke, type: pre-rollout, url: \"http://flagger-loadtester.test/\", timeout: 30s, metadata: {type: bash, cmd: \"curl -sf http://rider-canary.logistics:9090/\"}}",
    );
    let out = fluxprint(dir.path(), &["render"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let prod = dir.path().join("gitops/prod");
    let spec = object(&prod.join("apps/rider/canary.yaml"))["spec"].clone();
    assert_eq!(spec["analysis"]["iterations"], 6);
    assert!(spec["analysis"]["stepWeight"].is_null());
    assert_eq!(
        spec["analysis"]["metrics"][0]["interval"], "1m",
        "a window of at least a minute"
    );
    assert_eq!(spec["analysis"]["webhooks"][0]["type"], "pre-rollout");
    let service = &spec["service"];
    assert_eq!(
        service["hosts"],
        serde_json::json!(["track.foodbuzz.com.bd"])
    );
    assert_eq!(
        service["gateways"],
        serde_json::json!(["istio-ingress/public", "mesh"])
    );
    assert!(service["match"].is_null(), "the route is the whole host");
    assert_eq!(service["timeout"], "3600s");
    assert_eq!(
        service["portDiscovery"], true,
        "the metrics port stays reachable"
    );
    let hosts: Vec<Value> = objects_of(&prod.join("infrastructure"), "VirtualService")
        .iter()
        .flat_map(|vs| vs["spec"]["hosts"].as_array().cloned().unwrap_or_default())
        .collect();
    assert!(
        !hosts.contains(&"track.foodbuzz.com.bd".into()),
        "Flagger routes the host: {hosts:?}"
    );
    assert!(hosts.contains(&"api.foodbuzz.com.bd".into()));
    // The Gateway still serves the host, for Flagger's VirtualService to bind.
    let gateway = object(&prod.join("infrastructure/gateway.yaml"));
    assert!(gateway["spec"]["servers"][0]["hosts"]
        .as_array()
        .is_some_and(|h| h.contains(&"track.foodbuzz.com.bd".into())));
}

/// Orbit's dev cluster: Istio sidecars with Gateway API routes, `edge-api` a canary there.
fn orbit() -> tempfile::TempDir {
    crate::util::system("orbit")
}

#[test]
fn a_gateway_api_canary_gets_gateway_refs_and_no_routes_of_its_own() {
    let dir = orbit();
    let out = fluxprint(dir.path(), &["render"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let dev = dir.path().join("gitops/dev");
    let app = dev.join("apps/edge-api");
    let spec = object(&app.join("canary.yaml"))["spec"].clone();
    assert_eq!(spec["provider"], "gatewayapi:v1");
    let service = &spec["service"];
    // The listener of the route's host, then the apex Service for in-mesh calls (GAMMA).
    assert_eq!(
        service["gatewayRefs"],
        serde_json::json!([
            {"name": "orbit", "namespace": "istio-ingress", "sectionName": "https-api.dev.orbit.example.io"},
            {"group": "", "kind": "Service", "name": "edge-api", "port": 8080}
        ])
    );
    assert_eq!(
        service["hosts"],
        serde_json::json!(["api.dev.orbit.example.io"])
    );
    assert_eq!(service["timeout"], "15s");
    for istio_only in ["gateways", "retries", "trafficPolicy", "match"] {
        assert!(service[istio_only].is_null(), "no {istio_only}: {service}");
    }
    // Flagger writes the HTTPRoute and the Services.
    for owned in [
        "service.yaml",
        "httproute-api-dev-orbit-example-io.yaml",
        "httproute-mesh.yaml",
        "destinationrule.yaml",
    ] {
        assert!(!app.join(owned).exists(), "edge-api has no {owned}");
    }
    // Sidecars apply the in-mesh weights: no waypoint, a selector-based AuthorizationPolicy.
    assert!(!dev.join("infrastructure/waypoint-edge.yaml").exists());
    let policy = object(&app.join("authorizationpolicy.yaml"));
    assert!(policy["spec"]["targetRefs"].is_null(), "{policy}");
    assert!(policy["spec"]["selector"].is_object(), "{policy}");
    // The Gateway still lists the host, for Flagger's HTTPRoute to attach to.
    let gateway = object(&dev.join("infrastructure/gateway-orbit.yaml"));
    assert_eq!(
        gateway["spec"]["listeners"][0]["hostname"],
        "api.dev.orbit.example.io"
    );
    // Prod keeps its Istio Gateway and rolls.
    assert!(!dir
        .path()
        .join("gitops/prod/apps/edge-api/canary.yaml")
        .exists());
}

#[test]
fn blue_green_on_the_gateway_api_switches_with_iterations() {
    let dir = orbit();
    edit(
        &dir.path().join("blueprints/edge-api.yaml"),
        "delivery: {strategy: canary, analysis: {interval: 30s, stepWeight: 20, maxWeight: 60}}",
        "delivery: {strategy: blue-green, analysis: {interval: 1m, iterations: 4}}",
    );
    let out = fluxprint(dir.path(), &["render"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let dev = dir.path().join("gitops/dev");
    let spec = object(&dev.join("apps/edge-api/canary.yaml"))["spec"].clone();
    assert_eq!(spec["provider"], "gatewayapi:v1");
    assert_eq!(spec["analysis"]["iterations"], 4);
    assert!(spec["analysis"]["stepWeight"].is_null());
    assert_eq!(spec["service"]["gatewayRefs"][1]["kind"], "Service");
    // 1m × (4 iterations + threshold 5), above the cluster's 5m.
    let ks = object(&dev.join("clusters/dev/apps/edge-api.yaml"));
    assert_eq!(ks["spec"]["timeout"], "9m");
}

#[test]
fn a_gateway_api_canary_sharing_its_host_is_refused() {
    let dir = orbit();
    edit(
        &dir.path().join("blueprints/billing.yaml"),
        "overrides:\n  dev:\n",
        "overrides:\n  dev:\n    routes: [{host: api, path: /billing}]\n",
    );
    let out = fluxprint(dir.path(), &["render"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("BP154"), "{}", stderr(&out));
}
