//! The production security baseline: every pod of both clusters satisfies the `restricted`
//! Pod Security Standard field by field, namespaces carry the PSS labels, NetworkPolicies
//! allow exactly what the AuthorizationPolicies allow, and checkov finds nothing in the prod
//! tree outside the justified skip list (`security/checkov-skip.txt`, see docs/security.md).

use std::collections::BTreeSet;
use std::fs;

use fluxprint::source::yaml::parse_documents;
use serde_json::Value;

use crate::util::{example, fluxprint, root, stderr, tool, tree};

fn objects(root: &std::path::Path) -> Vec<(String, Value)> {
    tree(root)
        .into_iter()
        .flat_map(|(path, text)| {
            parse_documents(&text)
                .expect("parses")
                .into_iter()
                .map(move |d| (path.clone(), d.to_json()))
        })
        .collect()
}

/// Every rule of the restricted profile (Kubernetes Pod Security Standards, v1.35), checked
/// on one pod spec; returns the violations.
fn restricted_violations(pod: &Value) -> Vec<String> {
    let mut v = Vec::new();
    for key in ["hostNetwork", "hostPID", "hostIPC"] {
        if pod.get(key) == Some(&Value::Bool(true)) {
            v.push(format!("{key} is set"));
        }
    }
    let allowed_volumes = [
        "configMap",
        "csi",
        "downwardAPI",
        "emptyDir",
        "ephemeral",
        "persistentVolumeClaim",
        "projected",
        "secret",
    ];
    for vol in pod
        .get("volumes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let kinds: Vec<&String> = vol
            .as_object()
            .map(|m| m.keys().filter(|k| *k != "name").collect())
            .unwrap_or_default();
        if kinds.iter().any(|k| !allowed_volumes.contains(&k.as_str())) {
            v.push(format!("volume type {kinds:?} is not allowed"));
        }
    }
    let pod_sc = pod.get("securityContext").cloned().unwrap_or(Value::Null);
    if pod_sc
        .get("sysctls")
        .is_some_and(|s| s.as_array().is_some_and(|a| !a.is_empty()))
    {
        v.push("sysctls are set".into());
    }
    let containers = ["containers", "initContainers", "ephemeralContainers"]
        .iter()
        .flat_map(|k| {
            pod.get(*k)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        });
    for c in containers {
        let name = c["name"].as_str().unwrap_or("?").to_owned();
        let sc = c.get("securityContext").cloned().unwrap_or(Value::Null);
        let either = |f: &str| sc.get(f).or_else(|| pod_sc.get(f)).cloned();
        if sc.get("privileged") == Some(&Value::Bool(true)) {
            v.push(format!("{name}: privileged"));
        }
        if sc.get("allowPrivilegeEscalation") != Some(&Value::Bool(false)) {
            v.push(format!("{name}: allowPrivilegeEscalation is not false"));
        }
        if either("runAsNonRoot") != Some(Value::Bool(true)) {
            v.push(format!("{name}: runAsNonRoot is not true"));
        }
        if either("runAsUser").and_then(|u| u.as_i64()) == Some(0) {
            v.push(format!("{name}: runs as UID 0"));
        }
        let seccomp = either("seccompProfile")
            .and_then(|s| s.get("type").and_then(Value::as_str).map(str::to_owned));
        if !matches!(seccomp.as_deref(), Some("RuntimeDefault" | "Localhost")) {
            v.push(format!(
                "{name}: seccompProfile is not RuntimeDefault or Localhost"
            ));
        }
        let drops = sc
            .pointer("/capabilities/drop")
            .and_then(Value::as_array)
            .is_some_and(|d| d.iter().any(|x| x == "ALL"));
        if !drops {
            v.push(format!("{name}: capabilities do not drop ALL"));
        }
        for add in sc
            .pointer("/capabilities/add")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if add != "NET_BIND_SERVICE" {
                v.push(format!("{name}: adds capability {add}"));
            }
        }
        for p in c
            .get("ports")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if p.get("hostPort")
                .and_then(Value::as_i64)
                .is_some_and(|h| h != 0)
            {
                v.push(format!("{name}: hostPort"));
            }
        }
        if sc.get("procMount").is_some_and(|p| p != "Default") {
            v.push(format!("{name}: procMount"));
        }
    }
    v
}

#[test]
fn every_pod_satisfies_the_restricted_standard_and_namespaces_say_so() {
    let dir = example();
    assert!(fluxprint(dir.path(), &["render"]).status.success());
    let mut pods = 0;
    for cluster in ["dev", "prod"] {
        for (path, o) in objects(&dir.path().join("gitops").join(cluster)) {
            if matches!(o["kind"].as_str(), Some("Deployment" | "StatefulSet")) {
                let violations = restricted_violations(&o["spec"]["template"]["spec"]);
                assert!(violations.is_empty(), "{cluster}/{path}: {violations:?}");
                pods += 1;
            }
            // The platform's namespaces (infrastructure/namespaces/) run charts that bring
            // their own pod settings; docs/platform.md says why they get no Pod Security labels.
            if o["kind"] == "Namespace" && !path.starts_with("infrastructure/namespaces/") {
                let l = &o["metadata"]["labels"];
                if cluster == "prod" {
                    assert_eq!(
                        l["pod-security.kubernetes.io/enforce"], "restricted",
                        "{path}"
                    );
                } else {
                    assert_eq!(
                        l["pod-security.kubernetes.io/enforce"], "baseline",
                        "{path}"
                    );
                    assert_eq!(l["pod-security.kubernetes.io/warn"], "restricted", "{path}");
                }
            }
        }
    }
    assert_eq!(pods, 16);
    // The checker itself catches what it must.
    let bad = serde_json::json!({"hostNetwork": true, "containers": [{"name": "x", "securityContext": {"privileged": true}}]});
    assert!(restricted_violations(&bad).len() >= 5);
}

#[test]
fn network_policies_allow_exactly_the_authorized_callers() {
    let dir = example();
    assert!(fluxprint(dir.path(), &["render"]).status.success());
    let objs = objects(&dir.path().join("gitops/prod"));
    let mut namespaces = BTreeSet::new();
    let mut denied = BTreeSet::new();
    for (path, o) in &objs {
        // Service namespaces; the platform's charts bring their own policies.
        if o["kind"] == "Namespace" && !path.starts_with("infrastructure/namespaces/") {
            namespaces.insert(o["metadata"]["name"].as_str().unwrap_or("").to_owned());
        }
        if o["kind"] == "NetworkPolicy" && o["metadata"]["name"] == "default-deny-ingress" {
            assert_eq!(o["spec"]["podSelector"], serde_json::json!({}));
            denied.insert(o["metadata"]["namespace"].as_str().unwrap_or("").to_owned());
        }
    }
    assert_eq!(
        namespaces, denied,
        "every namespace denies ingress by default"
    );
    for (_, ap) in objs
        .iter()
        .filter(|(_, o)| o["kind"] == "AuthorizationPolicy")
    {
        let name = ap["metadata"]["name"].as_str().unwrap_or("");
        let ns = ap["metadata"]["namespace"].as_str().unwrap_or("");
        let np = objs
            .iter()
            .find(|(_, o)| {
                o["kind"] == "NetworkPolicy"
                    && o["metadata"]["name"] == name
                    && o["metadata"]["namespace"] == ns
            })
            .map(|(_, o)| o)
            .unwrap_or_else(|| panic!("no NetworkPolicy for {ns}/{name}"));
        // Callers allowed by Istio: `cluster.local/ns/<ns>/sa/<name>`, gateway excluded.
        let allowed: BTreeSet<String> = ap["spec"]["rules"][0]["from"][0]["source"]["principals"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p.as_str())
            .filter(|p| !p.contains("/istio-ingress/"))
            .map(|p| {
                let parts: Vec<&str> = p.split('/').collect();
                format!("{}/{}", parts[2], parts[4])
            })
            .collect();
        let peers: BTreeSet<String> = np["spec"]["ingress"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|r| r["from"].as_array().cloned().unwrap_or_default())
            .filter(|p| p.get("podSelector").is_some())
            .map(|p| {
                format!(
                    "{}/{}",
                    p["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
                        .as_str()
                        .unwrap_or(""),
                    p["podSelector"]["matchLabels"]["app.kubernetes.io/name"]
                        .as_str()
                        .unwrap_or("")
                )
            })
            .collect();
        assert_eq!(
            allowed, peers,
            "{ns}/{name}: Istio and the NetworkPolicy disagree"
        );
    }
}

#[test]
fn checkov_finds_nothing_outside_the_justified_skip_list() {
    let Some(checkov) = tool("checkov") else {
        return;
    };
    let dir = example();
    assert!(fluxprint(dir.path(), &["render", "--cluster", "prod"])
        .status
        .success());
    let skip_text =
        fs::read_to_string(root().join("security/checkov-skip.txt")).expect("skip list");
    let skips: Vec<&str> = skip_text
        .lines()
        .filter_map(|l| l.split('#').next())
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let out = std::process::Command::new(checkov)
        .args([
            "--framework",
            "kubernetes",
            "--skip-download",
            "--output",
            "json",
            "--quiet",
            "--compact",
            "-d",
        ])
        .arg(dir.path().join("gitops/prod"))
        .arg("--skip-check")
        .arg(skips.join(","))
        .env("BC_SKIP_MAPPING", "TRUE")
        .env("CKV_SKIP_PACKAGE_UPDATE_CHECK", "1")
        .output()
        .expect("run checkov");
    let text = String::from_utf8_lossy(&out.stdout);
    let report: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("checkov output is not JSON ({e}): {text}\n{}", stderr(&out)));
    let reports: Vec<Value> = match report {
        Value::Array(a) => a,
        other => vec![other],
    };
    let mut failed = Vec::new();
    let mut passed = 0;
    for r in &reports {
        passed += r["summary"]["passed"].as_u64().unwrap_or(0);
        for f in r["results"]["failed_checks"]
            .as_array()
            .into_iter()
            .flatten()
        {
            failed.push(format!(
                "{} {} {}",
                f["check_id"].as_str().unwrap_or(""),
                f["resource"].as_str().unwrap_or(""),
                f["file_path"].as_str().unwrap_or("")
            ));
        }
    }
    assert!(passed > 100, "checkov checked too little: {passed} passed");
    assert!(
        failed.is_empty(),
        "checkov failures outside security/checkov-skip.txt:\n{}",
        failed.join("\n")
    );
}

#[test]
fn restricted_egress_allows_dns_the_mesh_and_declared_dependencies() {
    let dir = example();
    let cluster = dir.path().join("clusters/prod.yaml");
    let text = fs::read_to_string(&cluster).expect("read");
    fs::write(
        &cluster,
        format!("{text}networkPolicy: {{egress: restricted}}\n"),
    )
    .expect("write");
    let out = fluxprint(dir.path(), &["render", "--cluster", "prod"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let np: Value = parse_documents(
        &fs::read_to_string(dir.path().join("gitops/prod/apps/order/networkpolicy.yaml"))
            .expect("read"),
    )
    .expect("parses")[0]
        .to_json();
    assert_eq!(
        np["spec"]["policyTypes"],
        serde_json::json!(["Ingress", "Egress"])
    );
    let targets: Vec<String> = np["spec"]["egress"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            let peer = &r["to"][0];
            format!(
                "{}/{}",
                peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
                    .as_str()
                    .unwrap_or(""),
                peer["podSelector"]["matchLabels"]
                    .as_object()
                    .and_then(|m| m.values().next())
                    .and_then(Value::as_str)
                    .unwrap_or("*")
            )
        })
        .collect();
    // DNS, the Istio control plane, and `dependsOn: [kafka, payment, restaurant]` minus kafka
    // (platform infrastructure is not modelled).
    assert_eq!(
        targets,
        vec![
            "kube-system/kube-dns",
            "istio-system/*",
            "payments/payment",
            "catalog/restaurant"
        ]
    );
}
