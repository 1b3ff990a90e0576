//! Gateway API routing and Istio ambient mode: the example's dev cluster routes through
//! Gateway API Gateways implemented by Istio, in ambient mode; every route attaches to a
//! rendered listener that admits it, every backend is a rendered Service port, and nothing
//! sidecar-only is left.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;

use fluxprint::source::yaml::parse_documents;
use serde_json::Value;

use crate::util::{example, fluxprint, stderr, tree};

fn objects(root: &std::path::Path) -> Vec<Value> {
    tree(root)
        .into_iter()
        .flat_map(|(_, text)| {
            parse_documents(&text)
                .expect("parses")
                .into_iter()
                .map(|d| d.to_json())
        })
        .collect()
}

fn of<'a>(objs: &'a [Value], kind: &str) -> Vec<&'a Value> {
    objs.iter().filter(|o| o["kind"] == kind).collect()
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array().into_iter().flatten().map(s).collect()
}

fn ns_name(o: &Value) -> (String, String) {
    (
        s(&o["metadata"]["namespace"]).to_owned(),
        s(&o["metadata"]["name"]).to_owned(),
    )
}

#[test]
fn dev_routes_attach_to_rendered_listeners_that_admit_them() {
    let dir = example();
    let out = fluxprint(dir.path(), &["render"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let objs = objects(&dir.path().join("gitops/dev"));
    assert!(of(&objs, "VirtualService").is_empty(), "no VirtualService");
    assert!(of(&objs, "Ingress").is_empty(), "no Ingress");
    let gateways: BTreeMap<(String, String), &Value> = of(&objs, "Gateway")
        .into_iter()
        .filter(|g| g["spec"]["gatewayClassName"] == "istio")
        .map(|g| (ns_name(g), g))
        .collect();
    assert_eq!(
        gateways.keys().cloned().collect::<Vec<_>>(),
        vec![
            ("istio-ingress".to_owned(), "internal".to_owned()),
            ("istio-ingress".to_owned(), "public".to_owned()),
        ]
    );
    let public = gateways[&("istio-ingress".to_owned(), "public".to_owned())];
    for l in public["spec"]["listeners"].as_array().into_iter().flatten() {
        if l["name"] == "http" {
            assert_eq!(l["port"], 80);
            assert!(l["hostname"].is_null(), "the redirect serves every host");
        } else {
            assert_eq!(l["protocol"], "HTTPS");
            assert_eq!(l["port"], 443);
            assert_eq!(l["tls"]["mode"], "Terminate");
            assert_eq!(l["tls"]["certificateRefs"][0]["name"], "foodbuzz-dev-tls");
            assert_eq!(l["name"], format!("https-{}", s(&l["hostname"])));
        }
    }
    let internal = gateways[&("istio-ingress".to_owned(), "internal".to_owned())];
    for l in internal["spec"]["listeners"]
        .as_array()
        .into_iter()
        .flatten()
    {
        assert_eq!(l["protocol"], "HTTP", "internal without tls: plain HTTP");
        assert!(l["tls"].is_null());
    }
    // The redirect route of the public gateway.
    let redirect = of(&objs, "HTTPRoute")
        .into_iter()
        .find(|r| r["metadata"]["name"] == "public-https-redirect")
        .expect("redirect route");
    assert_eq!(redirect["spec"]["parentRefs"][0]["sectionName"], "http");
    let filter = &redirect["spec"]["rules"][0]["filters"][0];
    assert_eq!(filter["requestRedirect"]["scheme"], "https");
    assert_eq!(filter["requestRedirect"]["statusCode"], 301);
    assert!(redirect["spec"]["rules"][0]["backendRefs"].is_null());

    let services: BTreeSet<(String, String, u64)> = of(&objs, "Service")
        .iter()
        .flat_map(|svc| {
            let (ns, name) = ns_name(svc);
            svc["spec"]["ports"]
                .as_array()
                .into_iter()
                .flatten()
                .map(move |p| (ns.clone(), name.clone(), p["port"].as_u64().unwrap_or(0)))
        })
        .collect();
    let mut edge_routes = 0;
    let mut grpc = 0;
    for route in of(&objs, "HTTPRoute")
        .into_iter()
        .chain(of(&objs, "GRPCRoute"))
    {
        let (ns, name) = ns_name(route);
        for b in route["spec"]["rules"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|r| r["backendRefs"].as_array().into_iter().flatten())
        {
            let target = (
                ns.clone(),
                s(&b["name"]).to_owned(),
                b["port"].as_u64().unwrap_or(0),
            );
            assert!(services.contains(&target), "{name}: backend {target:?}");
        }
        for p in route["spec"]["parentRefs"].as_array().into_iter().flatten() {
            if p["kind"] == "Service" {
                // GAMMA: the in-mesh route of the service itself.
                assert_eq!(p["group"], "");
                assert_eq!(name, format!("{}-mesh", s(&p["name"])));
                continue;
            }
            let parent_ns = p["namespace"].as_str().unwrap_or(&ns).to_owned();
            let gw = gateways
                .get(&(parent_ns, s(&p["name"]).to_owned()))
                .unwrap_or_else(|| panic!("{name}: parent {p}"));
            let listener = gw["spec"]["listeners"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|l| l["name"] == p["sectionName"])
                .unwrap_or_else(|| panic!("{name}: listener {}", p["sectionName"]));
            let admitted = &listener["allowedRoutes"]["namespaces"];
            if admitted["from"] == "Same" {
                assert_eq!(ns, "istio-ingress", "{name}");
            } else {
                assert_eq!(admitted["from"], "Selector");
                let expr = &admitted["selector"]["matchExpressions"][0];
                assert_eq!(expr["key"], "kubernetes.io/metadata.name");
                assert!(strings(&expr["values"]).contains(&ns.as_str()), "{name}");
                let hostnames = strings(&route["spec"]["hostnames"]);
                assert!(hostnames.contains(&s(&listener["hostname"])), "{name}");
                edge_routes += 1;
                if route["kind"] == "GRPCRoute" {
                    grpc += 1;
                }
            }
        }
    }
    assert_eq!(edge_routes, 5, "one per routed service and host");
    assert_eq!(grpc, 1, "rider's gRPC route");
    // The in-mesh timeouts of order, payment, restaurant and user are GAMMA routes.
    let mesh_routes: BTreeSet<String> = of(&objs, "HTTPRoute")
        .into_iter()
        .filter(|r| r["spec"]["parentRefs"][0]["kind"] == "Service")
        .map(|r| ns_name(r).1)
        .collect();
    assert_eq!(
        mesh_routes,
        BTreeSet::from(
            ["order-mesh", "payment-mesh", "restaurant-mesh", "user-mesh"].map(str::to_owned)
        )
    );
    let order = of(&objs, "HTTPRoute")
        .into_iter()
        .find(|r| r["metadata"]["name"] == "order-api-dev-foodbuzz-com-bd")
        .expect("order's route");
    let rule = &order["spec"]["rules"][0];
    assert_eq!(rule["matches"][0]["path"]["type"], "PathPrefix");
    assert_eq!(rule["matches"][0]["path"]["value"], "/orders");
    assert_eq!(rule["timeouts"]["request"], "5s");
    assert!(rule["retry"].is_null(), "no retry in the standard channel");
}

#[test]
fn dev_is_ambient_with_waypoints_where_l7_is_needed() {
    let dir = example();
    let out = fluxprint(dir.path(), &["render"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let root = dir.path().join("gitops/dev");
    for (file, text) in tree(&root) {
        assert!(!text.contains("sidecar.istio.io/"), "{file}: sidecar-only");
        assert!(!text.contains("istio-injection"), "{file}: injection label");
    }
    let objs = objects(&root);
    let waypoints: BTreeSet<String> = of(&objs, "Gateway")
        .into_iter()
        .filter(|g| g["spec"]["gatewayClassName"] == "istio-waypoint")
        .map(|g| {
            assert_eq!(g["metadata"]["name"], "waypoint");
            assert_eq!(g["metadata"]["labels"]["istio.io/waypoint-for"], "service");
            let l = &g["spec"]["listeners"][0];
            assert_eq!(
                (&l["name"], &l["port"], &l["protocol"]),
                (&"mesh".into(), &15008.into(), &"HBONE".into())
            );
            ns_name(g).0
        })
        .collect();
    assert!(waypoints.contains("orders"), "order has an in-mesh timeout");
    assert!(
        !waypoints.contains("engagement"),
        "the notification worker needs no L7"
    );
    for ns in of(&objs, "Namespace") {
        let name = s(&ns["metadata"]["name"]);
        let labels = &ns["metadata"]["labels"];
        if labels["istio.io/dataplane-mode"] == "ambient" {
            assert_eq!(
                labels["istio.io/use-waypoint"] == "waypoint",
                waypoints.contains(name),
                "{name}"
            );
        }
    }
    for ap in of(&objs, "AuthorizationPolicy") {
        let (ns, name) = ns_name(ap);
        let spec = &ap["spec"];
        if waypoints.contains(&ns) {
            assert!(
                spec["selector"].is_null(),
                "{name}: attached, not selecting"
            );
            assert_eq!(spec["targetRefs"][0]["kind"], "Service");
            assert_eq!(spec["targetRefs"][0]["group"], "");
            assert_eq!(spec["targetRefs"][0]["name"], name.as_str());
        } else {
            assert!(spec["targetRefs"].is_null(), "{name}");
            assert!(spec["selector"]["matchLabels"].is_object(), "{name}");
        }
    }
    // Ambient mesh traffic arrives on the HBONE port: every caller rule admits it.
    let np = of(&objs, "NetworkPolicy")
        .into_iter()
        .find(|p| ns_name(p) == ("orders".to_owned(), "order".to_owned()))
        .expect("order's policy");
    let rules = np["spec"]["ingress"].as_array().expect("rules");
    assert!(rules.iter().any(|r| {
        r["from"][0]["podSelector"]["matchLabels"]["gateway.networking.k8s.io/gateway-name"]
            == "waypoint"
    }));
    assert!(rules[0]["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|p| p["port"] == 15008));
    // No client TLS in ambient (HBONE is always mutual TLS).
    for dr in of(&objs, "DestinationRule") {
        assert!(dr["spec"]["trafficPolicy"]["tls"].is_null());
    }
}

/// A one-service project on a Gateway API cluster without a mesh.
fn project(cluster: &str, routes: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::create_dir_all(dir.path().join("blueprints")).expect("mkdir");
    fs::create_dir_all(dir.path().join("clusters")).expect("mkdir");
    fs::write(
        dir.path().join("clusters/edge.yaml"),
        format!(
            "apiVersion: fluxprint/v1alpha1\nkind: Cluster\nname: edge\ndomain: example.com\n{}",
            if cluster.starts_with("policy:") {
                cluster.to_owned()
            } else {
                format!("policy: relaxed\n{cluster}")
            }
        ),
    )
    .expect("write");
    fs::write(
        dir.path().join("blueprints/menu.yaml"),
        format!("apiVersion: fluxprint/v1alpha1\nkind: Blueprint\nname: menu\nteam: catalog\nimage: registry.example.com/menu\ntag: \"1.0.0\"\nports: [{{name: http, port: 8080}}, {{name: grpc, port: 9090}}]\nroutes:\n{routes}"),
    )
    .expect("write");
    dir
}

#[test]
fn rewrites_grpc_services_and_other_classes_render_without_a_mesh() {
    let dir = project(
        "gatewayApi:\n  className: envoy-gateway\n  gateways:\n    - {name: web, namespace: edge, tls: {certificateRef: web-tls}}\n",
        "  - {host: api, path: /menu/, rewrite: /v2}\n  - {host: api, path: /carte}\n  - {host: rpc, port: grpc, path: /menu.v1.Menu}\n",
    );
    let out = fluxprint(dir.path(), &["render"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("warning[BP"), "{}", stderr(&out));
    let objs = objects(&dir.path().join("gitops/edge"));
    assert!(objs
        .iter()
        .all(|o| !s(&o["apiVersion"]).contains("istio.io")));
    let gw = of(&objs, "Gateway")[0];
    assert_eq!(gw["spec"]["gatewayClassName"], "envoy-gateway");
    let http = of(&objs, "HTTPRoute")
        .into_iter()
        .find(|r| r["metadata"]["name"] == "menu-api-example-com")
        .expect("route");
    let rules = http["spec"]["rules"].as_array().expect("rules");
    let menu = rules
        .iter()
        .find(|r| r["matches"][0]["path"]["value"] == "/menu/")
        .expect("/menu/");
    let rewrite = &menu["filters"][0];
    assert_eq!(rewrite["type"], "URLRewrite");
    assert_eq!(rewrite["urlRewrite"]["path"]["type"], "ReplacePrefixMatch");
    assert_eq!(rewrite["urlRewrite"]["path"]["replacePrefixMatch"], "/v2");
    let carte = rules
        .iter()
        .find(|r| r["matches"][0]["path"]["value"] == "/carte")
        .expect("/carte");
    assert!(carte["filters"].is_null());
    let grpc = of(&objs, "GRPCRoute")[0];
    assert_eq!(grpc["spec"]["hostnames"][0], "rpc.example.com");
    let m = &grpc["spec"]["rules"][0]["matches"][0]["method"];
    assert_eq!((s(&m["type"]), s(&m["service"])), ("Exact", "menu.v1.Menu"));
    assert_eq!(grpc["spec"]["rules"][0]["backendRefs"][0]["port"], 9090);
    // The edge namespace is admitted by the service's NetworkPolicy.
    let np = of(&objs, "NetworkPolicy")
        .into_iter()
        .find(|p| p["metadata"]["name"] == "menu")
        .expect("policy");
    assert_eq!(
        np["spec"]["ingress"][0]["from"][0]["namespaceSelector"]["matchLabels"]
            ["kubernetes.io/metadata.name"],
        "edge"
    );
    let validate = fluxprint(
        dir.path(),
        &["validate", "gitops/edge", "--fail-on", "error"],
    );
    assert_eq!(validate.status.code(), Some(0), "{}", stderr(&validate));
}

#[test]
fn retries_under_gateway_api_warn_bp143_on_strict_clusters() {
    let dir = project(
        "policy: strict\ngatewayApi:\n  className: cilium\n  gateways:\n    - {name: lan, namespace: edge, internal: true}\n",
        "  - {host: api, retries: {attempts: 2}}\n",
    );
    // The small blueprint breaks strict rules too (resources, probes): only BP143 matters.
    let out = fluxprint(dir.path(), &["render"]);
    assert!(
        stderr(&out).contains("warning[BP143]: route retries are not rendered in cluster `edge`"),
        "{}",
        stderr(&out)
    );
    // A relaxed cluster goes without retries quietly.
    let dir = project(
        "gatewayApi:\n  className: cilium\n  gateways:\n    - {name: lan, namespace: edge, internal: true}\n",
        "  - {host: api, retries: {attempts: 2}}\n",
    );
    let out = fluxprint(dir.path(), &["render"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("BP143"), "{}", stderr(&out));
}

#[test]
fn a_host_routed_through_two_gateways_gets_a_route_per_gateway() {
    let dir = project(
        "gatewayApi:\n  className: istio\n  gateways:\n    - {name: web, namespace: edge, tls: {certificateRef: web-tls}}\n    - {name: lan, namespace: edge, internal: true}\n",
        "  - {host: api, path: /menu}\n  - {host: api, path: /admin, gateway: lan}\n",
    );
    let out = fluxprint(dir.path(), &["render"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let objs = objects(&dir.path().join("gitops/edge"));
    let routes: BTreeMap<&str, &Value> = of(&objs, "HTTPRoute")
        .into_iter()
        .map(|r| (s(&r["metadata"]["name"]), r))
        .collect();
    let web = routes["menu-web-api-example-com"];
    let lan = routes["menu-lan-api-example-com"];
    assert_eq!(
        web["spec"]["parentRefs"][0]["sectionName"],
        "https-api.example.com"
    );
    assert_eq!(
        web["spec"]["rules"][0]["matches"][0]["path"]["value"],
        "/menu"
    );
    assert_eq!(
        lan["spec"]["parentRefs"][0]["sectionName"],
        "http-api.example.com"
    );
    assert_eq!(
        lan["spec"]["rules"][0]["matches"][0]["path"]["value"],
        "/admin"
    );
    assert_eq!(lan["spec"]["rules"].as_array().map(Vec::len), Some(1));
}

#[test]
fn another_gateway_class_on_a_mesh_without_its_identity_warns_bp146() {
    let cluster = "mesh: {istio: true}\ngatewayApi:\n  className: envoy-gateway\n  gateways:\n    - {name: web, namespace: edge, tls: {certificateRef: web-tls}}\n";
    let dir = project(cluster, "  - {host: api}\n");
    let out = fluxprint(dir.path(), &["render"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "warning[BP146]: the `envoy-gateway` gateways' identity in the mesh is unknown"
        ),
        "{}",
        stderr(&out)
    );
    // Naming the proxies' service account silences it and allows them.
    let dir = project(
        &cluster.replace(
            "{istio: true}",
            "{istio: true, gatewayServiceAccount: envoy-gateway-system/envoy-web}",
        ),
        "  - {host: api}\n",
    );
    let out = fluxprint(dir.path(), &["render"]);
    assert!(!stderr(&out).contains("BP146"), "{}", stderr(&out));
    let objs = objects(&dir.path().join("gitops/edge"));
    let ap = of(&objs, "AuthorizationPolicy")[0];
    assert_eq!(
        ap["spec"]["rules"][0]["from"][0]["source"]["principals"][0],
        "cluster.local/ns/envoy-gateway-system/sa/envoy-web"
    );
}

/// On an ambient mesh a canary is refused (BP151): Flagger's built-in metrics read the
/// sidecars' `reporter="destination"` telemetry, which waypoints do not report, so every
/// analysis would roll back. Orbit's dev cluster releases `edge-api` by canary on sidecars.
#[test]
fn a_canary_on_an_ambient_mesh_is_refused() {
    let dir = crate::util::system("orbit");
    crate::util::edit(
        &dir.path().join("clusters/dev.yaml"),
        "mode: sidecar",
        "mode: ambient",
    );
    let out = fluxprint(dir.path(), &["render"]);
    assert!(!out.status.success(), "rendered an ambient canary");
    let err = stderr(&out);
    assert!(err.contains("error[BP151]"), "{err}");
    assert!(err.contains("reporter=\"waypoint\""), "{err}");
    assert!(!dir.path().join("gitops").exists(), "nothing half-written");
}
