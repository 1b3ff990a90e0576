//! Command-line behaviour: exit codes, `schema`, `new`.

use std::fs;

use crate::util::{example, fluxprint, root, stderr, stdout};

#[test]
fn schema_files_in_the_repo_are_current() {
    for which in ["blueprint", "cluster", "component"] {
        let out = fluxprint(&root(), &["schema", which]);
        assert!(out.status.success());
        let committed = fs::read_to_string(root().join(format!("schemas/{which}.schema.json")))
            .expect("schemas/ is committed");
        assert_eq!(
            stdout(&out),
            committed,
            "run `fluxprint schema --write schemas`"
        );
    }
}

#[test]
fn example_files_carry_the_schema_modeline() {
    for dir in ["blueprints", "clusters", "platform"] {
        for entry in fs::read_dir(root().join(dir)).expect("dir") {
            let path = entry.expect("entry").path();
            if path.is_file()
                && path.extension().is_some_and(|e| e == "yaml")
                && !path.to_string_lossy().ends_with(".sealed.yaml")
            {
                let text = fs::read_to_string(&path).expect("read");
                assert!(
                    text.starts_with("# yaml-language-server: $schema=../schemas/"),
                    "{} lacks the modeline",
                    path.display()
                );
            }
        }
    }
}

#[test]
fn new_writes_a_valid_blueprint_and_refuses_to_overwrite() {
    let dir = example();
    let out = fluxprint(
        dir.path(),
        &[
            "new",
            "coupon",
            "--team",
            "growth",
            "--image",
            "registry.digitalocean.com/foodbuzz/coupon",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = fs::read_to_string(dir.path().join("blueprints/coupon.yaml")).expect("written");
    assert!(
        text.contains("name: coupon") && text.contains("team: growth"),
        "{text}"
    );
    // The starter blueprint renders in both clusters as it is.
    let render = fluxprint(dir.path(), &["render"]);
    assert!(render.status.success(), "{}", stderr(&render));
    assert!(dir
        .path()
        .join("gitops/prod/apps/coupon/deployment.yaml")
        .is_file());
    let again = fluxprint(
        dir.path(),
        &["new", "coupon", "--team", "growth", "--image", "x/y"],
    );
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).contains("refusing to overwrite"),
        "{}",
        stderr(&again)
    );
}

/// The CRDs load while the tree does, yet a missing `--crds` path is reported before a
/// missing tree, as when they loaded first; the operating system's cause is worded once.
#[test]
fn a_missing_crds_path_is_reported_before_a_missing_tree() {
    let dir = example();
    let out = fluxprint(
        dir.path(),
        &[
            "validate",
            "no-tree",
            "--crds",
            "no-crds",
            "--clusters",
            "clusters",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("failed to read no-crds"), "{err}");
    assert!(!err.contains("no-tree"), "{err}");
    assert_eq!(err.matches("(os error").count(), 1, "{err}");
    let out = fluxprint(
        dir.path(),
        &[
            "validate",
            "no-tree",
            "--crds",
            "clusters",
            "--clusters",
            "clusters",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no-tree does not exist"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn usage_errors_exit_2() {
    let dir = example();
    let out = fluxprint(dir.path(), &["render", "--cluster", "staging"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown cluster `staging`; clusters: dev, prod"),
        "{}",
        stderr(&out)
    );
    let out = fluxprint(
        dir.path(),
        &["new", "Bad_Name", "--team", "t", "--image", "i"],
    );
    assert_eq!(out.status.code(), Some(2));
    let out = fluxprint(dir.path(), &["render", "--bogus"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn json_diagnostics_go_to_stdout() {
    let dir = example();
    fs::write(dir.path().join("blueprints/broken.yaml"), "apiVersion: fluxprint/v1alpha1\nkind: Blueprint\nname: broken\nteam: x\nimage: a/b\nreplica: 2\n").expect("write");
    let out = fluxprint(dir.path(), &["render", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json on stdout");
    let first = &v[0];
    assert_eq!(first["file"], "blueprints/broken.yaml");
    assert_eq!(first["code"], "BP003");
    assert_eq!(first["line"], 6);
    assert_eq!(first["help"], "did you mean `replicas`?");
}

/// Standard output of a failed `--format json` run: one error object in an array.
fn json_error(out: &std::process::Output) -> serde_json::Value {
    assert_eq!(out.status.code(), Some(2), "{}", stderr(out));
    let v: serde_json::Value = serde_json::from_str(&stdout(out))
        .unwrap_or_else(|e| panic!("JSON on stdout ({e}): {:?}\n{}", stdout(out), stderr(out)));
    let items = v.as_array().expect("an array");
    assert_eq!(items.len(), 1, "{v:#}");
    assert_eq!(items[0]["severity"], "error", "{v:#}");
    items[0].clone()
}

#[test]
fn io_and_usage_errors_are_json_under_format_json() {
    let dir = example();
    let cases: &[(&[&str], &str, &str)] = &[
        (
            &["render", "--format", "json", "--cluster", "staging"],
            "USAGE",
            "unknown cluster `staging`",
        ),
        (
            &["check", "--format", "json", "--clusters", "none"],
            "IO",
            "none",
        ),
        (
            &["validate", "missing", "--format", "json"],
            "USAGE",
            "missing does not exist",
        ),
        (
            &[
                "validate",
                "blueprints",
                "--format",
                "json",
                "--ignore",
                "GO999",
            ],
            "USAGE",
            "GO999",
        ),
        (
            &["diff", "--format", "json", "--clusters", "none"],
            "IO",
            "none",
        ),
        (
            &["plan", "--format", "json", "--clusters", "none"],
            "IO",
            "none",
        ),
        (
            &[
                "secrets",
                "status",
                "--format",
                "json",
                "--clusters",
                "none",
            ],
            "IO",
            "none",
        ),
        // A command line that does not parse, `--format json` given.
        (
            &["validate", "--format", "json", "--bogus"],
            "USAGE",
            "--bogus",
        ),
        (&["plan", "--format=json", "--bogus"], "USAGE", "--bogus"),
    ];
    for (args, code, needle) in cases {
        let out = fluxprint(dir.path(), args);
        let e = json_error(&out);
        assert_eq!(e["code"], *code, "{args:?}: {e:#}");
        assert!(
            e["message"].as_str().is_some_and(|m| m.contains(needle)),
            "{args:?}: {e:#}"
        );
        // The human text stays on standard error.
        assert!(
            stderr(&out).contains("error:"),
            "{args:?}: {}",
            stderr(&out)
        );
        if *code == "IO" {
            assert_eq!(e["file"], "none", "{args:?}: {e:#}");
        }
    }
    // Without --format json, standard output stays empty.
    let out = fluxprint(dir.path(), &["validate", "missing"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
}

#[test]
fn explain_knows_blueprint_codes_too() {
    let out = fluxprint(&root(), &["explain", "bp118"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("# BP118 sealed-value-missing"), "{text}");
    assert!(text.contains("kubeseal --fetch-cert"), "{text}");
    let out = fluxprint(&root(), &["explain", "BP999"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no code `BP999`"), "{}", stderr(&out));
}

/// Every preset writes components that render on strict and relaxed clusters, build with
/// kustomize and validate; an unknown preset is a usage error naming the known ones, and
/// nothing is overwritten.
#[test]
fn new_component_presets_render_and_validate() {
    let dir = tempfile::tempdir().expect("tempdir");
    crate::util::copy_dir(&root().join("clusters"), &dir.path().join("clusters"));
    fs::create_dir_all(dir.path().join("blueprints")).expect("mkdir");
    let presets = fluxprint::render::presets::PRESETS;
    for (preset, _) in presets {
        let name = format!("p-{preset}");
        let out = fluxprint(dir.path(), &["new", "component", &name, "--preset", preset]);
        assert!(out.status.success(), "{preset}: {}", stderr(&out));
        assert!(
            dir.path()
                .join("platform")
                .join(format!("{name}.yaml"))
                .is_file()
                || dir
                    .path()
                    .join("platform")
                    .join(format!("{name}-base.yaml"))
                    .is_file()
        );
    }
    let again = fluxprint(
        dir.path(),
        &["new", "component", "p-redis", "--preset", "redis"],
    );
    assert_eq!(again.status.code(), Some(2), "{}", stderr(&again));
    assert!(stderr(&again).contains("refusing to overwrite"));
    let unknown = fluxprint(
        dir.path(),
        &["new", "component", "docs", "--preset", "mongo"],
    );
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("unknown preset `mongo`; presets: cert-manager"),
        "{}",
        stderr(&unknown)
    );
    let out = fluxprint(dir.path(), &["render"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = fluxprint(dir.path(), &["validate"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    if let Some(kubectl) = crate::util::tool("kubectl") {
        for cluster in ["dev", "prod"] {
            for layer in ["controllers", "configs"] {
                let base = dir
                    .path()
                    .join("gitops")
                    .join(cluster)
                    .join("infrastructure")
                    .join(layer);
                for entry in fs::read_dir(&base).expect("layer") {
                    let d = entry.expect("entry").path();
                    let out = std::process::Command::new(&kubectl)
                        .arg("kustomize")
                        .arg(&d)
                        .output()
                        .expect("kubectl");
                    assert!(out.status.success(), "{}: {}", d.display(), stderr(&out));
                }
            }
        }
    }
}

/// Component values are validated against a chart schema where one exists; `--verbose` names
/// each component and chart version whose values were not, once (not once per cluster).
#[test]
fn component_values_meet_the_chart_schema_or_verbose_says_they_were_not_checked() {
    let dir = example();
    let out = fluxprint(dir.path(), &["render", "--dry-run", "--verbose"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let note = "note: values of component `redis` (chart `redis` 23.2.3) not checked: no chart schema `redis/23.2.3/values.schema.json` in charts, ../shared/charts\n";
    assert_eq!(stderr(&out).matches(note).count(), 1, "{}", stderr(&out));
    let out = fluxprint(dir.path(), &["render", "--dry-run"]);
    assert!(!stderr(&out).contains("not checked"), "{}", stderr(&out));
    // A schema the example's values (replication in prod, standalone in dev) meet.
    let schema = dir.path().join("charts/redis/23.2.3/values.schema.json");
    fs::create_dir_all(schema.parent().expect("parent")).expect("mkdir");
    fs::write(
        &schema,
        r#"{"type": "object", "properties": {"architecture": {"enum": ["standalone", "replication"]}, "replica": {"type": "object", "properties": {"replicaCount": {"type": "integer", "minimum": 1}}}}}"#,
    )
    .expect("write");
    let out = fluxprint(dir.path(), &["render", "--dry-run", "--verbose"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        !stderr(&out).contains("component `redis`"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("component `rabbitmq`"),
        "{}",
        stderr(&out)
    );
    // A prod-only override that breaks it is an error at that override, in prod only.
    crate::util::edit(
        &dir.path().join("platform/redis.yaml"),
        "  dev:\n",
        "  prod:\n    values: {replica: {replicaCount: 0}}\n  dev:\n",
    );
    let out = fluxprint(dir.path(), &["render", "--dry-run"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("error[BP160]: values of chart `redis` 23.2.3 fail its schema at `/replica/replicaCount`: 0 is less than the minimum of 1"),
        "{err}"
    );
    assert!(err.contains("platform/redis.yaml:"), "{err}");
    // A schema that does not parse is not a finding: verbose says why it was not used.
    fs::write(&schema, "{").expect("write");
    let out = fluxprint(dir.path(), &["render", "--dry-run", "--verbose"]);
    assert!(
        stderr(&out).contains("values of component `redis` (chart `redis` 23.2.3) not checked: charts/redis/23.2.3/values.schema.json cannot be used:"),
        "{}",
        stderr(&out)
    );
}

/// The `gateway-api-crds` preset has no chart: its Flux GitRepository of the upstream
/// repository stands for the Gateway API CRDs (`presets/crds.yaml`), so a Gateway in another
/// component must wait for it (BP137), and with `dependsOn` it renders and validates.
#[test]
fn gateway_api_crds_preset_orders_gateway_api_objects_after_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    crate::util::copy_dir(&root().join("clusters"), &dir.path().join("clusters"));
    fs::create_dir_all(dir.path().join("blueprints")).expect("mkdir");
    let out = fluxprint(
        dir.path(),
        &["new", "component", "gwapi", "--preset", "gateway-api-crds"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let platform = dir.path().join("platform");
    fs::create_dir_all(platform.join("edge")).expect("mkdir");
    fs::write(
        platform.join("edge/gateway.yaml"),
        "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: public\n\
         spec:\n  gatewayClassName: istio\n  listeners:\n    - {name: http, port: 80, protocol: HTTP}\n",
    )
    .expect("write");
    let component = "apiVersion: fluxprint/v1alpha1\nkind: Component\nname: edge\nresources: [edge/gateway.yaml]\n";
    fs::write(platform.join("edge.yaml"), component).expect("write");
    let out = fluxprint(dir.path(), &["render"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("BP137") && stderr(&out).contains("CRDs of component `gwapi`"),
        "{}",
        stderr(&out)
    );
    fs::write(
        platform.join("edge.yaml"),
        format!("{component}dependsOn: [gwapi]\n"),
    )
    .expect("write");
    let out = fluxprint(dir.path(), &["render"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let gitops = dir.path().join("gitops/prod");
    let flux = fs::read_to_string(gitops.join("clusters/prod/infrastructure/gwapi.yaml"))
        .expect("the component's Kustomization");
    assert!(
        flux.contains("path: ./infrastructure/configs/gwapi"),
        "{flux}"
    );
    let inner = fs::read_to_string(
        gitops.join("infrastructure/configs/gwapi/kustomization-gwapi-standard.yaml"),
    )
    .expect("the upstream Kustomization");
    assert!(inner.contains("path: ./config/crd/standard"), "{inner}");
    assert!(inner.contains("namespace: flux-system"), "{inner}");
    let source =
        fs::read_to_string(gitops.join("infrastructure/configs/gwapi/gitrepository-gwapi.yaml"))
            .expect("the upstream GitRepository");
    assert!(source.contains("tag: v1.5.1"), "{source}");
    let edge = fs::read_to_string(gitops.join("clusters/prod/infrastructure/edge.yaml"))
        .expect("edge Kustomization");
    assert!(edge.contains("- name: gwapi"), "{edge}");
    let out = fluxprint(dir.path(), &["validate"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}
