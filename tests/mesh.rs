//! The mesh layer of the example: every Istio reference resolves to something rendered; a
//! cluster without a mesh gets plain Ingresses and no Istio object at all.

use std::collections::BTreeSet;
use std::fs;

use fluxprint::source::yaml::parse_documents;
use serde_json::Value;

use crate::util::{example, fluxprint, stderr, tool, tree};

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

#[test]
fn every_istio_reference_resolves_to_a_rendered_object() {
    let dir = example();
    assert!(fluxprint(dir.path(), &["render"]).status.success());
    for cluster in ["dev", "prod"] {
        let objs = objects(&dir.path().join("gitops").join(cluster));
        let services: BTreeSet<(String, u64)> = of(&objs, "Service")
            .iter()
            .flat_map(|svc| {
                let fqdn = format!(
                    "{}.{}.svc.cluster.local",
                    s(&svc["metadata"]["name"]),
                    s(&svc["metadata"]["namespace"])
                );
                svc["spec"]["ports"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(move |p| (fqdn.clone(), p["port"].as_u64().unwrap_or(0)))
            })
            .collect();
        let hosts: BTreeSet<&str> = services.iter().map(|(h, _)| h.as_str()).collect();
        let vss = of(&objs, "VirtualService");
        // dev routes through Gateway API (tests/gateway_api.rs): no VirtualService there.
        assert_eq!(
            vss.len() >= 3,
            cluster == "prod",
            "{cluster}: edge and in-mesh VirtualServices in prod only"
        );
        for vs in vss {
            for route in vs["spec"]["http"].as_array().into_iter().flatten() {
                for d in route["route"].as_array().into_iter().flatten() {
                    let target = (
                        s(&d["destination"]["host"]).to_owned(),
                        d["destination"]["port"]["number"].as_u64().unwrap_or(0),
                    );
                    assert!(
                        services.contains(&target),
                        "{cluster}: {target:?} is no rendered Service port"
                    );
                }
            }
        }
        let drs = of(&objs, "DestinationRule");
        // Flagger writes the DestinationRules of a service it releases (prod payment).
        let canaries = of(&objs, "Canary").len();
        assert_eq!(drs.len() + canaries, 8, "one per service, or its Canary's");
        for dr in drs {
            assert!(
                hosts.contains(s(&dr["spec"]["host"])),
                "{cluster}: DestinationRule host {}",
                dr["spec"]["host"]
            );
            assert_eq!(
                dr["spec"]["trafficPolicy"]["tls"]["mode"] == "ISTIO_MUTUAL",
                cluster == "prod",
                "mTLS strict only in prod"
            );
        }
        let accounts: BTreeSet<String> = of(&objs, "ServiceAccount")
            .iter()
            .map(|sa| {
                format!(
                    "cluster.local/ns/{}/sa/{}",
                    s(&sa["metadata"]["namespace"]),
                    s(&sa["metadata"]["name"])
                )
            })
            .collect();
        let aps = of(&objs, "AuthorizationPolicy");
        assert_eq!(aps.len(), 8);
        for ap in aps {
            for rule in ap["spec"]["rules"].as_array().into_iter().flatten() {
                for p in rule["from"][0]["source"]["principals"]
                    .as_array()
                    .into_iter()
                    .flatten()
                {
                    let p = s(p);
                    // The edge gateway's pods: the platform's Helm release in prod, the ones
                    // Istio deploys for the Gateway API Gateways `public` and `internal` in
                    // dev.
                    let edge = if cluster == "prod" {
                        "cluster.local/ns/istio-ingress/sa/istio-ingressgateway"
                    } else {
                        "cluster.local/ns/istio-ingress/sa/public-istio"
                    };
                    let internal =
                        cluster == "dev" && p == "cluster.local/ns/istio-ingress/sa/internal-istio";
                    assert!(
                        accounts.contains(p) || p == edge || internal,
                        "{cluster}: principal {p}"
                    );
                }
            }
        }
        let modes: BTreeSet<&str> = of(&objs, "PeerAuthentication")
            .iter()
            .map(|pa| s(&pa["spec"]["mtls"]["mode"]))
            .collect();
        assert_eq!(
            modes,
            BTreeSet::from([if cluster == "prod" {
                "STRICT"
            } else {
                "PERMISSIVE"
            }])
        );
        let istio_gateways = of(&objs, "Gateway")
            .into_iter()
            .filter(|g| s(&g["apiVersion"]).starts_with("networking.istio.io/"))
            .count();
        assert_eq!(
            istio_gateways,
            usize::from(cluster == "prod"),
            "only prod creates its Istio gateway"
        );
        // Service namespaces join the mesh; the platform's (Istio's own, data, monitoring)
        // do not.
        for ns in of(&objs, "Namespace") {
            let platform = ["data", "istio-ingress", "istio-system", "monitoring"]
                .contains(&ns["metadata"]["name"].as_str().unwrap_or(""));
            let labels = &ns["metadata"]["labels"];
            let (label, other) = if cluster == "prod" {
                ("istio-injection", "istio.io/dataplane-mode")
            } else {
                ("istio.io/dataplane-mode", "istio-injection")
            };
            assert!(labels[other].is_null(), "{ns}");
            if platform {
                assert!(labels[label].is_null(), "{ns}");
            } else {
                let want = if cluster == "prod" {
                    "enabled"
                } else {
                    "ambient"
                };
                assert_eq!(labels[label], want, "{ns}");
            }
        }
    }
}

#[test]
fn a_cluster_without_mesh_gets_ingresses_and_no_istio_objects() {
    let dir = example();
    for cluster in ["dev", "prod"] {
        let path = dir.path().join(format!("clusters/{cluster}.yaml"));
        let text = fs::read_to_string(&path).expect("read");
        let start = text.find("mesh:\n").expect("mesh block");
        let end = text[start..].find("\nimages:").expect("images after mesh") + start + 1;
        let replaced = format!(
            "{}ingress: {{className: nginx, tlsSecret: foodbuzz-tls}}\n{}",
            &text[..start],
            &text[end..]
        );
        fs::write(&path, replaced).expect("write");
    }
    // Mesh settings make no sense without a mesh, canaries without a traffic provider, nor
    // gateway names without Gateway API: drop them (and their nested lines, also in
    // overrides) from the blueprints.
    for (file, text) in tree(&dir.path().join("blueprints")) {
        if file.ends_with(".sealed.yaml") {
            continue;
        }
        let mut out = String::new();
        let mut skipping: Option<usize> = None;
        for line in text.lines() {
            let indent = line.len() - line.trim_start().len();
            if skipping.is_some_and(|at| indent > at) {
                continue;
            }
            skipping = None;
            let key = line.trim_start();
            if key.starts_with("mesh:") || key.starts_with("delivery:") {
                skipping = Some(indent);
                continue;
            }
            out.push_str(&line.replace(", gateway: internal", ""));
            out.push('\n');
        }
        fs::write(dir.path().join("blueprints").join(&file), out).expect("write");
    }
    let out = fluxprint(dir.path(), &["render"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let root = dir.path().join("gitops/prod");
    let objs = objects(&root);
    assert!(
        objs.iter()
            .all(|o| !s(&o["apiVersion"]).contains("istio.io")),
        "no Istio object without a mesh"
    );
    let ingresses = of(&objs, "Ingress");
    let names: BTreeSet<&str> = ingresses
        .iter()
        .map(|i| s(&i["metadata"]["name"]))
        .collect();
    assert_eq!(
        names,
        BTreeSet::from(["gateway", "order", "restaurant", "rider", "search"]),
        "one per routed service"
    );
    let order = ingresses
        .iter()
        .find(|i| i["metadata"]["name"] == "order")
        .expect("order");
    assert_eq!(order["spec"]["ingressClassName"], "nginx");
    assert_eq!(order["spec"]["rules"][0]["host"], "api.foodbuzz.com.bd");
    assert_eq!(
        order["spec"]["rules"][0]["http"]["paths"][0]["pathType"],
        "Prefix"
    );
    assert_eq!(order["spec"]["tls"][0]["secretName"], "foodbuzz-tls");
    // Istio's 3 retries are nginx's 4 tries (nginx counts the first).
    let annotations = &order["metadata"]["annotations"];
    assert_eq!(
        annotations["nginx.ingress.kubernetes.io/proxy-next-upstream-tries"],
        "4"
    );
    assert_eq!(
        annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"],
        "5"
    );
    assert_eq!(
        annotations["nginx.ingress.kubernetes.io/backend-protocol"],
        Value::Null
    );
    // rider serves gRPC: nginx must speak HTTP/2 to it.
    let rider = ingresses
        .iter()
        .find(|i| i["metadata"]["name"] == "rider")
        .expect("rider");
    assert_eq!(
        rider["metadata"]["annotations"]["nginx.ingress.kubernetes.io/backend-protocol"],
        "GRPC"
    );
    let validate = fluxprint(
        dir.path(),
        &[
            "validate",
            "gitops/prod",
            "--policy",
            "strict",
            "--fail-on",
            "warning",
        ],
    );
    assert_eq!(validate.status.code(), Some(0), "{}", stderr(&validate));
    if let Some(kubectl) = tool("kubectl") {
        let out = std::process::Command::new(kubectl)
            .arg("kustomize")
            .arg(root.join("apps/order"))
            .output()
            .expect("kubectl");
        assert!(out.status.success(), "{}", stderr(&out));
    }
}

/// A one-service project on a cluster with an Ingress class and no mesh.
fn ingress_project(class: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::create_dir_all(dir.path().join("blueprints")).expect("mkdir");
    fs::create_dir_all(dir.path().join("clusters")).expect("mkdir");
    fs::write(
        dir.path().join("clusters/edge.yaml"),
        format!("apiVersion: fluxprint/v1alpha1\nkind: Cluster\nname: edge\npolicy: relaxed\ndomain: example.com\ningress: {{className: {class}}}\n"),
    )
    .expect("write");
    fs::write(
        dir.path().join("blueprints/menu.yaml"),
        "apiVersion: fluxprint/v1alpha1\nkind: Blueprint\nname: menu\nteam: catalog\nimage: registry.example.com/menu\ntag: \"1.0.0\"\nports: [{name: http, port: 8080}]\nroutes:\n  - {host: api, path: /menu/, rewrite: /v2}\n  - {host: api, path: /carte}\n",
    )
    .expect("write");
    dir
}

#[test]
fn nginx_rewrites_replace_the_prefix_like_istio() {
    let dir = ingress_project("nginx");
    let out = fluxprint(dir.path(), &["render"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let root = dir.path().join("gitops/edge");
    let objs = objects(&root);
    let ingress = of(&objs, "Ingress")[0];
    let a = &ingress["metadata"]["annotations"];
    // `/menu/x` → `/v2/x`: the prefix is captured and replaced, the rest kept.
    assert_eq!(a["nginx.ingress.kubernetes.io/rewrite-target"], "/v2/$2");
    assert_eq!(a["nginx.ingress.kubernetes.io/use-regex"], "true");
    let paths = &ingress["spec"]["rules"][0]["http"]["paths"];
    assert_eq!(paths[0]["path"], "/menu(/|$)(.*)");
    assert_eq!(paths[0]["pathType"], "ImplementationSpecific");
    assert_eq!(paths[1]["path"], "/carte");
    assert_eq!(paths[1]["pathType"], "Prefix");
    if let Some(kubectl) = tool("kubectl") {
        let out = std::process::Command::new(kubectl)
            .arg("kustomize")
            .arg(root.join("apps/menu"))
            .output()
            .expect("kubectl");
        assert!(out.status.success(), "{}", stderr(&out));
    }

    // Another class has no portable rewrite: refused where it is written.
    let dir = ingress_project("traefik");
    let out = fluxprint(dir.path(), &["render"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("error[BP126]: ingress class `traefik` of cluster `edge` has no portable prefix rewrite")
            && err.contains("blueprints/menu.yaml:9:"),
        "{err}"
    );
}

#[test]
fn a_mesh_service_nothing_may_call_warns_bp121_and_callers_empty_silences_it() {
    let dir = example();
    let bp = dir.path().join("blueprints/notification.yaml");
    let text = fs::read_to_string(&bp).expect("read");
    assert!(
        text.contains("mesh: {callers: []}\n"),
        "the example marks the worker"
    );
    fs::write(&bp, text.replace("mesh: {callers: []}\n", "")).expect("write");
    let out = fluxprint(dir.path(), &["render"]);
    assert!(
        out.status.success(),
        "a warning does not stop the render: {}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("warning[BP121]: `notification` has no routes and no `mesh.callers`"),
        "{}",
        stderr(&out)
    );
    fs::write(&bp, text).expect("write");
    let out = fluxprint(dir.path(), &["render"]);
    assert!(!stderr(&out).contains("BP121"), "{}", stderr(&out));
}

#[test]
fn retries_that_outlast_the_route_timeout_warn_bp129() {
    let dir = example();
    crate::util::edit(
        &dir.path().join("blueprints/order.yaml"),
        "retries: {attempts: 3, perTryTimeout: 1500ms,",
        "retries: {attempts: 3, perTryTimeout: 2s,",
    );
    let out = fluxprint(dir.path(), &["render"]);
    assert!(
        out.status.success(),
        "a warning does not stop the render: {}",
        stderr(&out)
    );
    assert!(
        stderr(&out)
            .contains("warning[BP129]: 3 attempts × perTryTimeout 2s exceed the route timeout 5s"),
        "{}",
        stderr(&out)
    );
}
