//! Flux semantics of `validate` and `build`: a repository laid out like real Flux fleets
//! (a bootstrap Kustomization, a parent that patches its children, per-app `ks.yaml`,
//! ConfigMap-driven substitution, generators, non-Kubernetes YAML beside the manifests) must
//! validate without a single error, build to what Flux would apply, and report real
//! problems at the line that caused them.

use std::fs;

use crate::util::{copy_dir, fluxprint, report_codes, root, stderr, stdout};

fn clean() -> std::path::PathBuf {
    root().join("tests/fixtures/flux/clean")
}

#[test]
fn a_fleet_written_like_real_ones_has_no_false_errors() {
    let out = fluxprint(&clean(), &["validate", ".", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json report");
    let errors: Vec<&serde_json::Value> = report
        .as_array()
        .expect("array")
        .iter()
        .filter(|d| d["severity"] == "error")
        .collect();
    assert!(errors.is_empty(), "false errors: {errors:#?}");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The classes of false findings of the file model, each absent by name.
    let codes: Vec<&str> = report
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    for code in [
        "GO002", "GO003", "GO303", "GO305", "GO307", "GO308", "GO201",
    ] {
        assert!(!codes.contains(&code), "{code} raised: {codes:?}");
    }
    // A generator's sources are used, listed in `resources` or not.
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("shop/web/app/values.yaml"), "{text}");
    assert!(!text.contains("settings.toml"), "{text}");
}

#[test]
fn build_prints_what_flux_applies() {
    let out = fluxprint(&clean(), &["build", "."]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let again = stdout(&fluxprint(&clean(), &["build", "."]));
    assert_eq!(text, again, "the build is deterministic");
    let docs: Vec<serde_json::Value> = text
        .split("\n---\n")
        .map(|d| d.trim_start_matches("---\n"))
        .filter(|d| !d.trim().is_empty())
        .map(|d| serde_saphyr::from_str(d).expect("YAML document"))
        .collect();
    let find = |kind: &str, ns: &str, name: &str| {
        docs.iter()
            .find(|d| {
                d["kind"] == kind
                    && d["metadata"]["name"] == name
                    && d["metadata"]["namespace"].as_str().unwrap_or("") == ns
            })
            .unwrap_or_else(|| panic!("{kind} {ns}/{name} not built:\n{text}"))
    };
    // The parent's patches give every child its source and substitution.
    let echo_ks = find("Kustomization", "default", "echo");
    assert_eq!(echo_ks["spec"]["sourceRef"]["name"], "flux-system");
    assert_eq!(echo_ks["spec"]["interval"], "1h");
    // Substitution from the child's own values and the cluster settings.
    let echo = find("Deployment", "default", "echo");
    let env = &echo["spec"]["template"]["spec"]["containers"][0]["env"];
    assert_eq!(env[0]["value"], "https://echo.fleet.example.org");
    assert_eq!(env[1]["value"], "Europe/Berlin");
    // Disabled substitution leaves shell variables alone.
    let script = find("ConfigMap", "default", "echo-script");
    assert!(script["data"]["run.sh"]
        .as_str()
        .is_some_and(|s| s.contains("${UNSET_IN_FLUX}")));
    // A generated ConfigMap gets kustomize's hash suffix and the Deployment refers to it.
    let web = find("Deployment", "shop", "web");
    let volume = web["spec"]["template"]["spec"]["volumes"][0]["configMap"]["name"]
        .as_str()
        .expect("volume");
    assert!(volume.starts_with("web-config-") && volume.len() == "web-config-".len() + 10);
    find("ConfigMap", "shop", volume);
    // Non-Kubernetes YAML is not applied.
    assert!(!text.contains("replicaCount"), "{text}");
    assert!(!text.contains("tasks:"), "{text}");
    // One Kustomization alone, with origins.
    let one = stdout(&fluxprint(
        &clean(),
        &["build", ".", "--kustomization", "shop/web", "--show-origin"],
    ));
    assert!(
        one.contains("# from apps/shop/web/app/deployment.yaml:1\n"),
        "{one}"
    );
    assert!(
        one.contains("# from apps/shop/web/app/kustomization.yaml:"),
        "{one}"
    );
    assert!(!one.contains("kind: Namespace"), "{one}");
}

#[test]
fn findings_point_at_the_patch_or_setting_that_made_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(&clean(), dir.path());
    let app = dir.path().join("apps/shop/web/app");
    fs::write(
        app.join("replicas.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: two\n",
    )
    .expect("write");
    let k = app.join("kustomization.yaml");
    let text = fs::read_to_string(&k).expect("read");
    fs::write(&k, format!("{text}patches:\n  - path: replicas.yaml\n")).expect("write");
    // An undefined variable in the parent-patched child: reported at its line.
    let ks = dir.path().join("apps/shop/web/app/deployment.yaml");
    let text = fs::read_to_string(&ks).expect("read");
    fs::write(&ks, text.replace("shop-web:2.0.1", "shop-web:${WEB_TAG}")).expect("write");
    let out = fluxprint(dir.path(), &["validate", "."]);
    let report = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(
        report.contains("error[GO003]")
            && report.contains("--> apps/shop/web/app/replicas.yaml:6:"),
        "the schema error is at the patch's line:\n{report}"
    );
    assert!(
        report.contains(
            "`${WEB_TAG}` is not defined by the postBuild substitution of Kustomization shop/web"
        ) && report.contains("--> apps/shop/web/app/deployment.yaml:17:"),
        "{report}"
    );
}

#[test]
fn yaml11_lookalikes_that_flux_applies_are_warnings() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(&clean(), dir.path());
    let cm = dir
        .path()
        .join("apps/default/certs/app/issuer-settings.yaml");
    let text = fs::read_to_string(&cm).expect("read");
    fs::write(&cm, format!("{text}  staging: on\n")).expect("write");
    let out = fluxprint(dir.path(), &["validate", "."]);
    let report = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{report}");
    assert!(
        report.contains("warning[GO006]: `on` is a string in YAML 1.2"),
        "{report}"
    );
    // Outside any Flux build the same file is an error.
    let loose = tempfile::tempdir().expect("tempdir");
    fs::copy(&cm, loose.path().join("settings.yaml")).expect("copy");
    let out = fluxprint(loose.path(), &["validate", "."]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("error[GO006]"), "{}", stderr(&out));
}

/// `build --kustomize` of an overlay whose base lies beside it (`../base`): the build may
/// read the whole enclosing repository, from any working directory, as kustomize does.
#[test]
fn build_kustomize_reads_an_overlays_base_beside_it() {
    let repo = tempfile::tempdir().expect("tempdir");
    copy_dir(
        &root().join("tests/fixtures/kustomize/crds-openapi-base-overlay"),
        repo.path(),
    );
    fs::create_dir(repo.path().join(".git")).expect(".git");
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let overlay = repo.path().join("infrastructure/backup/production");
    let overlay = overlay.to_string_lossy();
    for cwd in [repo.path(), elsewhere.path()] {
        let out = fluxprint(cwd, &["build", "--kustomize", &overlay]);
        assert!(out.status.success(), "{}", stderr(&out));
        let text = stdout(&out);
        // Both schedules name the generated Secret by its final name (the base's `crds`
        // file taught the name reference).
        assert_eq!(
            text.matches("secretName: prod-s3-credentials-").count(),
            2,
            "{text}"
        );
    }
}

/// A fleet synced by the Flux Operator (a FluxInstance whose `spec.sync` names the source
/// and Kustomization it creates): the source and the Kustomization that nothing in git
/// defines are known, so no GO303 or GO305, even self-contained, and the child builds with
/// the runtime ConfigMap's variables.
#[test]
fn a_flux_operator_fleet_knows_what_the_instance_creates() {
    let fleet = root().join("tests/fixtures/flux/operator");
    let out = fluxprint(
        &fleet,
        &["validate", ".", "--self-contained", "--format", "json"],
    );
    let codes = report_codes(&out, false);
    for code in ["GO303", "GO305", "GO308", "GO314"] {
        assert!(!codes.iter().any(|c| c == code), "{code} raised: {codes:?}");
    }
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let built = fluxprint(&fleet, &["build", "."]);
    assert!(built.status.success(), "{}", stderr(&built));
    let text = stdout(&built);
    assert!(text.contains("cluster: staging"), "{text}");
    assert!(text.contains("value: web.staging.example.com"), "{text}");
}

/// A hub that applies the same apps to two clusters through their kubeconfigs (Flux's
/// hub-and-spoke layout): each object reaches a different cluster, so GO307 stays quiet; the
/// same Kustomizations without `kubeConfig` apply twice to the hub, and GO307 says so.
#[test]
fn the_same_objects_applied_to_two_remote_clusters_are_not_applied_twice() {
    let codes = |dir: &std::path::Path| {
        let out = fluxprint(
            dir,
            &["validate", ".", "--self-contained", "--format", "json"],
        );
        report_codes(&out, true)
    };
    let hub = root().join("tests/fixtures/flux/hub-spoke");
    assert!(codes(&hub).is_empty(), "{:?}", codes(&hub));
    let local = tempfile::tempdir().expect("tempdir");
    copy_dir(&hub, local.path());
    for cluster in ["staging", "production"] {
        let file = local.path().join(format!("hub/{cluster}.yaml"));
        let text = fs::read_to_string(&file).expect("read");
        let text = text.replace(
            "  kubeConfig:\n    secretRef:\n      name: cluster-kubeconfig\n",
            "",
        );
        fs::write(&file, text).expect("write");
    }
    let found = codes(local.path());
    assert!(found.iter().any(|c| c == "GO307"), "{found:?}");
}
