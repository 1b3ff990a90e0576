//! `fluxprint validate` end to end: the rendered example is clean under strict policy, with
//! and without the upstream CRDs; the upstream CRD files themselves raise nothing; report
//! formats parse; ignores, exit codes and `explain` behave; docs/rules.md is current.

use std::fs;

use crate::util::{example, fluxprint, fluxprint_within, root, shared, stderr, stdout};

fn rendered() -> tempfile::TempDir {
    let dir = example();
    let out = fluxprint(dir.path(), &["render"]);
    assert!(out.status.success(), "{}", stderr(&out));
    dir
}

/// `fluxprint validate` with `args`, then `--crds ../shared/crds/<family>` for each family.
fn validate_with_crds(
    dir: &std::path::Path,
    args: &[&str],
    families: &[&str],
) -> std::process::Output {
    let crds: Vec<String> = families
        .iter()
        .map(|f| shared().join("crds").join(f).display().to_string())
        .collect();
    let mut all = args.to_vec();
    for path in &crds {
        all.extend(["--crds", path.as_str()]);
    }
    fluxprint(dir, &all)
}

#[test]
fn the_rendered_example_is_clean_under_strict_policy() {
    let dir = rendered();
    for cluster in ["dev", "prod"] {
        let path = format!("gitops/{cluster}");
        // Built-in knowledge only; the cluster file gives the external Kustomizations. Dev
        // applies the Gateway API CRDs from their upstream repository, which validate notes
        // as not built (GO314, asserted below); that note is all it says.
        let out = fluxprint(
            dir.path(),
            &[
                "validate",
                &path,
                "--policy",
                "strict",
                "--fail-on",
                "warning",
                "--ignore",
                "GO314",
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{cluster}:\n{}", stderr(&out));
        // With the upstream CRDs every custom resource is validated strictly, too.
        let out = validate_with_crds(
            dir.path(),
            &[
                "validate",
                &path,
                "--policy",
                "strict",
                "--fail-on",
                "warning",
                "--ignore",
                "GO314",
            ],
            &[
                "flux",
                "sealed-secrets",
                "istio",
                "gateway-api",
                "prometheus-operator",
            ],
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{cluster} with CRDs:\n{}",
            stderr(&out)
        );
        assert!(
            stderr(&out).contains("no problems found"),
            "{}",
            stderr(&out)
        );
    }
    let out = fluxprint(dir.path(), &["validate", "gitops/dev", "--format", "json"]);
    let findings: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    let codes: Vec<&str> = findings
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert_eq!(codes, ["GO314"], "{findings:#}");
}

#[test]
fn the_output_directory_is_validated_one_cluster_repository_at_a_time() {
    let dir = rendered();
    // `gitops` (the default path) holds both repositories: each is validated on its own,
    // so Flux paths resolve, and graded by its own cluster's policy.
    let out = fluxprint(dir.path(), &["validate"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("validated 370 objects"),
        "{}",
        stderr(&out)
    );
    for cluster in ["dev", "prod"] {
        let file = dir
            .path()
            .join(format!("gitops/{cluster}/apps/order/deployment.yaml"));
        let text = fs::read_to_string(&file).expect("read");
        fs::write(
            &file,
            text.replace(
                "readOnlyRootFilesystem: true",
                "readOnlyRootFilesystem: false",
            ),
        )
        .expect("write");
    }
    let out = fluxprint(dir.path(), &["validate"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("warning[GO104]: container `order` of Deployment orders/order lacks readOnlyRootFilesystem: true\n  --> gitops/dev/apps/order/deployment.yaml:"), "{err}");
    assert!(err.contains("error[GO104]: container `order` of Deployment orders/order lacks readOnlyRootFilesystem: true\n  --> gitops/prod/apps/order/deployment.yaml:"), "{err}");
}

#[test]
fn the_upstream_crd_files_raise_nothing() {
    for family in ["flux", "istio", "sealed-secrets", "prometheus-operator"] {
        let path = shared().join("crds").join(family);
        let out = fluxprint(
            &root(),
            &[
                "validate",
                path.to_str().expect("utf-8"),
                "--policy",
                "strict",
                "--fail-on",
                "warning",
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{family}:\n{}", stderr(&out));
    }
}

fn broken_tree() -> tempfile::TempDir {
    let dir = rendered();
    let svc = dir.path().join("gitops/prod/apps/order/service.yaml");
    let text = fs::read_to_string(&svc).expect("read");
    fs::write(
        &svc,
        text.replace(
            "    app.kubernetes.io/name: order\n  type:",
            "    app.kubernetes.io/name: ordr\n  type:",
        ),
    )
    .expect("write");
    fs::write(dir.path().join("gitops/prod/apps/order/secret.yaml"), "apiVersion: v1\nkind: Secret\nmetadata: {name: leaked, namespace: orders}\nstringData: {password: hunter2}\n").expect("write");
    dir
}

#[test]
fn findings_fail_the_run_with_positions() {
    let dir = broken_tree();
    let out = fluxprint(dir.path(), &["validate", "gitops/prod"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stderr(&out);
    assert!(
        text.contains("error[GO201]: Service orders/order selects no pods"),
        "{text}"
    );
    assert!(text.contains("--> apps/order/service.yaml:"), "{text}");
    assert!(
        text.contains("error[GO501]: Secret orders/leaked holds unencrypted stringData in git"),
        "{text}"
    );
    assert!(
        text.contains("warning[GO302]") || text.contains("error[GO302]"),
        "the unlisted secret.yaml: {text}"
    );
}

#[test]
fn ignores_by_flag_and_by_annotation() {
    let dir = broken_tree();
    let out = fluxprint(
        dir.path(),
        &[
            "validate",
            "gitops/prod",
            "--ignore",
            "GO201",
            "--ignore",
            "go501",
            "--ignore",
            "GO302",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let secret = dir.path().join("gitops/prod/apps/order/secret.yaml");
    fs::write(&secret, "apiVersion: v1\nkind: Secret\nmetadata:\n  name: leaked\n  namespace: orders\n  annotations: {fluxprint.io/ignore: \"GO501\"}\nstringData: {password: hunter2}\n").expect("write");
    let out = fluxprint(
        dir.path(),
        &[
            "validate",
            "gitops/prod",
            "--ignore",
            "GO201",
            "--ignore",
            "GO302",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = fluxprint(
        dir.path(),
        &["validate", "gitops/prod", "--ignore", "GO999"],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn machine_formats_parse() {
    let dir = broken_tree();
    for format in ["json", "codequality", "sarif", "junit"] {
        let out = fluxprint(dir.path(), &["validate", "gitops/prod", "--format", format]);
        assert_eq!(out.status.code(), Some(1), "{format}");
        let text = stdout(&out);
        match format {
            "junit" => {
                assert!(
                    text.starts_with("<?xml") && text.contains("<failure type=\"GO201\""),
                    "{text}"
                );
                assert_eq!(
                    text.matches("<testcase").count(),
                    text.matches("</testcase>").count()
                );
            }
            _ => {
                let v: serde_json::Value =
                    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{format}: {e}"));
                match format {
                    "json" => assert!(v
                        .as_array()
                        .is_some_and(|a| a.iter().any(|d| d["code"] == "GO201"))),
                    "codequality" => assert!(v.as_array().is_some_and(|a| a
                        .iter()
                        .all(|d| d["fingerprint"].as_str().is_some_and(|f| f.len() == 64)))),
                    _ => assert_eq!(
                        v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
                            ["artifactLocation"]["uri"]
                            .as_str()
                            .map(|u| u.starts_with("apps/")),
                        Some(true)
                    ),
                }
            }
        }
    }
    // Fingerprints are stable across runs.
    let a = stdout(&fluxprint(
        dir.path(),
        &["validate", "gitops/prod", "--format", "codequality"],
    ));
    let b = stdout(&fluxprint(
        dir.path(),
        &["validate", "gitops/prod", "--format", "codequality"],
    ));
    assert_eq!(a, b);
    // --output writes the report to a file.
    let out = fluxprint(
        dir.path(),
        &[
            "validate",
            "gitops/prod",
            "--format",
            "junit",
            "--output",
            "report.xml",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(fs::read_to_string(dir.path().join("report.xml"))
        .expect("written")
        .contains("<testsuites"));
}

#[test]
fn explain_prints_the_rule_and_docs_rules_md_is_current() {
    let out = fluxprint(&root(), &["explain", "go201"]);
    assert!(out.status.success());
    assert!(
        stdout(&out).starts_with("# GO201 service-selects-nothing\n"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        fluxprint(&root(), &["explain", "GO999"]).status.code(),
        Some(2)
    );
    let committed =
        fs::read_to_string(root().join("docs/rules.md")).expect("docs/rules.md is committed");
    assert!(
        committed == fluxprint::validate::registry::rules_markdown(),
        "docs/rules.md is stale: run `cargo run -- explain --markdown > docs/rules.md`"
    );
}

#[test]
fn unsupported_kubernetes_versions_are_usage_errors() {
    let out = fluxprint(
        &root(),
        &["validate", "blueprints", "--kubernetes-version", "1.30"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("only 1.35"), "{}", stderr(&out));
}

/// The lines of `file` GO011 reports with `flags`, and the lines marked `# GO011`.
fn go011_lines(file: &str, flags: &[&str]) -> (Vec<u64>, Vec<u64>) {
    let dir = root().join("tests/fixtures/rules/GO011/settings");
    let mut args = vec!["validate", file, "--format", "json"];
    args.extend(flags);
    let out = fluxprint(&dir, &args);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    let found = report
        .as_array()
        .expect("array")
        .iter()
        .filter(|d| d["code"] == "GO011")
        .filter_map(|d| d["line"].as_u64())
        .collect();
    let text = fs::read_to_string(dir.join(file)).expect("fixture");
    let marked = (1..)
        .zip(text.lines())
        .filter(|(_, l)| l.contains("# GO011"))
        .map(|(n, _)| n)
        .collect();
    (found, marked)
}

#[test]
fn the_target_api_servers_settings_change_the_verdicts_they_decide() {
    // Cluster IPs: judged only against a range the user gives.
    let (found, marked) = go011_lines(
        "cluster-ips.yaml",
        &[
            "--service-cluster-ip-range",
            "10.96.0.0/16,fd00:10:96::/112",
        ],
    );
    assert!(marked.len() >= 4);
    assert_eq!(found, marked);
    assert_eq!(go011_lines("cluster-ips.yaml", &[]).0, Vec::<u64>::new());
    // Scale to zero: refused where the gate is said to be off, else accepted.
    let (found, marked) = go011_lines(
        "scale-to-zero.yaml",
        &["--feature-gates", "HPAScaleToZero=false"],
    );
    assert_eq!((found.len(), found), (1, marked));
    for flags in [&[][..], &["--feature-gates", "HPAScaleToZero=true"]] {
        assert_eq!(
            go011_lines("scale-to-zero.yaml", flags).0,
            Vec::<u64>::new()
        );
    }
    // Malformed settings are usage errors naming the flag.
    for bad in [
        ["--service-cluster-ip-range", "10.96.0.0"],
        ["--feature-gates", "HPAScaleToZero"],
        ["--feature-gates", "hpaScaleToZero=true"],
    ] {
        let mut args = vec!["validate", "scale-to-zero.yaml"];
        args.extend(bad);
        let out = fluxprint(&root().join("tests/fixtures/rules/GO011/settings"), &args);
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert!(stderr(&out).contains(bad[0]), "{}", stderr(&out));
    }
}

#[test]
fn upstream_crd_validation_rules_are_evaluated() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(
        dir.path().join("objects.yaml"),
        "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: order, namespace: orders}\nspec:\n  host: order.orders.svc.cluster.local\n  trafficPolicy:\n    outlierDetection:\n      interval: 0.5ms\n---\napiVersion: image.toolkit.fluxcd.io/v1\nkind: ImagePolicy\nmetadata: {name: order, namespace: flux-system}\nspec:\n  imageRepositoryRef: {name: order}\n  interval: 5m\n  policy: {semver: {range: \">=1.0.0\"}}\n",
    )
    .expect("write");
    let out = validate_with_crds(
        dir.path(),
        &["validate", ".", "--format", "json"],
        &["istio", "flux"],
    );
    assert_eq!(out.status.code(), Some(1));
    let findings: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    let cel: Vec<(u64, String)> = findings
        .as_array()
        .expect("array")
        .iter()
        .filter(|d| d["code"] == "GO007")
        .map(|d| {
            (
                d["line"].as_u64().unwrap_or(0),
                d["message"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    // Istio: durations of at least 1ms; Flux: interval only with digest reflection.
    assert_eq!(
        cel,
        vec![
            (8, "must be a valid duration greater than 1ms".to_owned()),
            (13, "spec.interval is only accepted when spec.digestReflectionPolicy is set to 'Always'".to_owned()),
        ],
        "{findings:#}"
    );
}

/// A tree with one valid ConfigMap, for the unreadable-file cases.
fn small_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::create_dir_all(dir.path().join("tree/apps")).expect("mkdir");
    fs::write(
        dir.path().join("tree/apps/config.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: b}\ndata: {k: v}\n",
    )
    .expect("write");
    dir
}

fn mkfifo(path: &std::path::Path) {
    rustix::fs::mknodat(
        rustix::fs::CWD,
        path,
        rustix::fs::FileType::Fifo,
        rustix::fs::Mode::from_raw_mode(0o600),
        0,
    )
    .expect("mkfifo");
}

#[test]
fn special_files_in_a_tree_are_io_errors_naming_the_file_without_blocking() {
    // A FIFO (no writer: reading it would block forever) and a link to /dev/zero (reading it
    // would never end), both named like manifests.
    let fifo = small_tree();
    mkfifo(&fifo.path().join("tree/apps/x.yaml"));
    let zero = small_tree();
    std::os::unix::fs::symlink("/dev/zero", zero.path().join("tree/apps/x.yaml")).expect("link");
    for (dir, what) in [(&fifo, "a FIFO"), (&zero, "a character device")] {
        for format in ["human", "json"] {
            let out = within_20s(dir.path(), &["validate", "tree", "--format", format]);
            assert_eq!(out.status.code(), Some(2), "{what}: {}", stderr(&out));
            let err = stderr(&out);
            assert!(
                err.contains("failed to read tree/apps/x.yaml") && err.contains(what),
                "{what}: {err}"
            );
            assert!(!err.contains("GO001"), "an I/O error, not a finding: {err}");
            if format == "json" {
                let v: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
                assert_eq!(v[0]["code"], "IO", "{v:#}");
                assert_eq!(v[0]["file"], "tree/apps/x.yaml", "{v:#}");
            }
        }
    }
}

#[test]
fn an_oversized_manifest_is_an_io_error() {
    let dir = small_tree();
    let big = "# padding\n".repeat(900_000);
    fs::write(dir.path().join("tree/apps/big.yaml"), big).expect("write");
    let out = within_20s(dir.path(), &["validate", "tree"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("failed to read tree/apps/big.yaml: larger than 8388608 bytes"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn links_to_regular_manifests_are_read() {
    let dir = small_tree();
    std::os::unix::fs::symlink("config.yaml", dir.path().join("tree/apps/linked.yaml"))
        .expect("link");
    let out = within_20s(dir.path(), &["validate", "tree"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("validated 2 objects in 2 files"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn special_crd_files_and_cluster_files_do_not_block() {
    let dir = small_tree();
    fs::create_dir_all(dir.path().join("crds")).expect("mkdir");
    mkfifo(&dir.path().join("crds/x.yaml"));
    let out = within_20s(dir.path(), &["validate", "tree", "--crds", "crds"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("failed to read crds/x.yaml: not a regular file (a FIFO)"),
        "{}",
        stderr(&out)
    );
    // A FIFO among the cluster files is refused like any special input, not waited on.
    fs::create_dir_all(dir.path().join("clusters")).expect("mkdir");
    mkfifo(&dir.path().join("clusters/tree.yaml"));
    let out = within_20s(dir.path(), &["validate", "tree"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("clusters/tree.yaml: not a regular file (a FIFO)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_invalid_cluster_file_is_an_error_and_other_tools_files_are_left_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::create_dir_all(dir.path().join("tree")).expect("mkdir");
    fs::create_dir_all(dir.path().join("clusters")).expect("mkdir");
    fs::write(
        dir.path().join("tree/config.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: b}\ndata: {k: v}\n",
    )
    .expect("write");
    // A Flux manifest beside the cluster files is not a fluxprint file: ignored.
    fs::write(
        dir.path().join("clusters/flux.yaml"),
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: apps}\n",
    )
    .expect("write");
    let out = fluxprint(dir.path(), &["validate", "tree"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // A fluxprint cluster file with a typo is reported, not dropped.
    fs::write(
        dir.path().join("clusters/tree.yaml"),
        "apiVersion: fluxprint/v1alpha1\nkind: Cluster\nname: tree\npolcy: strict\n",
    )
    .expect("write");
    let out = fluxprint(dir.path(), &["validate", "tree"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("error[BP003]: unknown field `polcy`")
            && stderr(&out).contains("clusters/tree.yaml:4:1"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn each_validated_path_is_its_own_repository_root_for_kustomize_entries() {
    let dir = tempfile::tempdir().expect("tempdir");
    for repo in ["a", "b"] {
        fs::create_dir_all(dir.path().join(repo).join("apps")).expect("mkdir");
        fs::write(
            dir.path().join(repo).join("apps/config.yaml"),
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: b}\ndata: {k: v}\n",
        )
        .expect("write");
    }
    // Inside `a`, `../b` is another repository, though both are validated in one run.
    fs::write(
        dir.path().join("a/apps/kustomization.yaml"),
        "resources:\n- config.yaml\n- ../../b/apps/config.yaml\n",
    )
    .expect("write");
    fs::write(
        dir.path().join("b/apps/kustomization.yaml"),
        "resources:\n- config.yaml\n- ../apps/config.yaml\n",
    )
    .expect("write");
    let out = fluxprint(dir.path(), &["validate", "a", "b", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let findings: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    let found: Vec<(String, u64)> = findings
        .as_array()
        .expect("array")
        .iter()
        .filter(|d| d["code"] == "GO312")
        .map(|d| {
            (
                d["file"].as_str().unwrap_or("").to_owned(),
                d["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![("a/apps/kustomization.yaml".to_owned(), 3)],
        "{findings:#}"
    );
    // GO301 does not look the escaping entry up (it exists, but outside `a`).
    assert!(
        !findings
            .as_array()
            .expect("array")
            .iter()
            .any(|d| d["code"] == "GO301"),
        "{findings:#}"
    );
}

#[test]
fn a_patch_path_above_the_root_does_not_exempt_a_file_of_the_tree() {
    // `../apps/evil.yaml` from the root is outside the repository; collapsing the `..` would
    // name `apps/evil.yaml`, and a file taken for a patch is not validated as an object.
    let dir = tempfile::tempdir().expect("tempdir");
    fs::create_dir_all(dir.path().join("tree/apps")).expect("mkdir");
    fs::write(
        dir.path().join("tree/kustomization.yaml"),
        "resources:\n- apps/evil.yaml\npatches:\n- path: ../apps/evil.yaml\n",
    )
    .expect("write");
    fs::write(
        dir.path().join("tree/apps/evil.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: b}\nbogus: field\n",
    )
    .expect("write");
    let out = fluxprint(dir.path(), &["validate", "tree", "--format", "json"]);
    let findings: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    let codes: Vec<&str> = findings
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert!(codes.contains(&"GO003"), "{findings:#}");
    assert!(codes.contains(&"GO312"), "{findings:#}");
}

#[test]
fn validate_finds_the_project_of_a_tree_from_any_working_directory() {
    let parent = tempfile::tempdir().expect("tempdir");
    let project = parent.path().join("shop");
    crate::util::copy_dir(&root().join("blueprints"), &project.join("blueprints"));
    crate::util::copy_dir(&root().join("clusters"), &project.join("clusters"));
    crate::util::copy_dir(&root().join("platform"), &project.join("platform"));
    assert!(fluxprint(&project, &["render"]).status.success());
    // (GO314, dev's note on the upstream Gateway API CRDs, is at a path as typed too.)
    let inside = fluxprint(
        &project,
        &[
            "validate", "gitops", "--format", "json", "--ignore", "GO314",
        ],
    );
    let outside = fluxprint(
        parent.path(),
        &[
            "validate",
            "shop/gitops",
            "--format",
            "json",
            "--ignore",
            "GO314",
        ],
    );
    assert_eq!(inside.status.code(), Some(0), "{}", stderr(&inside));
    assert_eq!(outside.status.code(), Some(0), "{}", stderr(&outside));
    // The same verdict, found with the same cluster files (prod strict, dev relaxed): a run
    // without them would grade prod as relaxed and judge gitops/ as one repository.
    assert_eq!(stdout(&inside), stdout(&outside));
    // Strict prod still finds what strict finds: break a probe in prod and both runs agree.
    let deployment = project.join("gitops/prod/apps/order/deployment.yaml");
    let text = fs::read_to_string(&deployment).expect("read");
    fs::write(
        &deployment,
        text.replacen("livenessProbe:", "livenessProbeX:", 1),
    )
    .expect("write");
    let outside = fluxprint(
        parent.path(),
        &[
            "validate",
            "shop/gitops",
            "--format",
            "json",
            "--ignore",
            "GO314",
        ],
    );
    let findings: serde_json::Value = serde_json::from_str(&stdout(&outside)).expect("json");
    let files: Vec<&str> = findings
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|f| f["file"].as_str())
        .collect();
    assert!(
        files.iter().all(|f| f.starts_with("shop/gitops/prod/")),
        "paths as typed: {files:?}"
    );
    assert_eq!(outside.status.code(), Some(1), "{}", stderr(&outside));
}

/// `fluxprint` in `cwd`, failing the test instead of hanging when it does not finish in 20 s.
fn within_20s(cwd: &std::path::Path, args: &[&str]) -> std::process::Output {
    fluxprint_within(cwd, args, std::time::Duration::from_secs(20))
}

/// A reference to something the tree does not hold is a "not in this tree" warning (another
/// repository may hold it), an error when the tree is declared self-contained.
#[test]
fn self_contained_makes_references_out_of_the_tree_errors() {
    let fixture = root().join("tests/fixtures/rules/GO317/fail");
    let path = fixture.to_str().expect("utf-8");
    // (The fixture's plaintext Secret is GO501's business.)
    let out = fluxprint(&root(), &["validate", path, "--ignore", "GO501"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("warning[GO317]"), "{}", stderr(&out));
    let out = fluxprint(
        &root(),
        &["validate", path, "--ignore", "GO501", "--self-contained"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // Two references to nothing, and one that misses its generator's hash suffix.
    assert_eq!(
        stderr(&out).matches("error[GO317]").count(),
        3,
        "{}",
        stderr(&out)
    );
}

/// GO412 compares routes within one cluster: two clusters of one repository routing the same
/// host through gateways of the same name is no conflict, and neither is one route applied
/// twice (that is GO307's finding).
#[test]
fn route_conflicts_are_judged_per_cluster() {
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |path: &str, text: &str| {
        let p = dir.path().join(path);
        fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        fs::write(p, text).expect("write");
    };
    for cluster in ["main", "staging"] {
        write(
            &format!("clusters/{cluster}/flux-system/gotk-sync.yaml"),
            &format!("apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {{name: flux-system, namespace: flux-system}}\nspec: {{interval: 1m, url: \"https://example.com/repo.git\", ref: {{branch: main}}}}\n---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {{name: flux-system, namespace: flux-system}}\nspec: {{interval: 10m, path: ./clusters/{cluster}, prune: true, sourceRef: {{kind: GitRepository, name: flux-system}}}}\n"),
        );
        write(
            &format!("clusters/{cluster}/apps.yaml"),
            &format!("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {{name: apps, namespace: flux-system}}\nspec: {{interval: 10m, path: ./apps/{cluster}, prune: true, sourceRef: {{kind: GitRepository, name: flux-system}}}}\n"),
        );
        write(
            &format!("apps/{cluster}/gateway.yaml"),
            "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: internal, namespace: network}\nspec:\n  gatewayClassName: envoy\n  listeners:\n    - {name: http, protocol: HTTP, port: 80, allowedRoutes: {namespaces: {from: Same}}}\n",
        );
        write(
            &format!("apps/{cluster}/redirect.yaml"),
            "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: redirect, namespace: network}\nspec:\n  parentRefs: [{name: internal, sectionName: http}]\n  rules:\n    - filters: [{type: RequestRedirect, requestRedirect: {scheme: https, statusCode: 301}}]\n",
        );
    }
    let out = fluxprint(dir.path(), &["validate", "."]);
    assert!(!stderr(&out).contains("GO412"), "{}", stderr(&out));
    // A second route with the same match in one cluster is a conflict.
    write(
        "apps/main/redirect-2.yaml",
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: redirect-2, namespace: network}\nspec:\n  parentRefs: [{name: internal, sectionName: http}]\n  rules:\n    - filters: [{type: RequestRedirect, requestRedirect: {scheme: https, statusCode: 301}}]\n",
    );
    let out = fluxprint(dir.path(), &["validate", "."]);
    assert_eq!(
        stderr(&out).matches("error[GO412]").count(),
        1,
        "{}",
        stderr(&out)
    );
}

/// A `${var}` that no post-build substitution reaches is applied as written: judged where the
/// field has a format (a host, a name), with the Kustomization named; where a substitution
/// does reach it (or could: a cluster root), it is left to GO308.
#[test]
fn a_variable_no_substitution_reaches_is_judged_as_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |rel: &str, text: &str| {
        let path = dir.path().join(rel);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, text).expect("write");
    };
    let ks = |name: &str, path: &str, post: &str| {
        format!(
            "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: {name}\n  namespace: flux-system\nspec:\n  interval: 10m\n  path: {path}\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n{post}"
        )
    };
    let ingress = |name: &str, extra: &str| {
        format!(
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {name}\n  namespace: shop\n{extra}spec:\n  rules:\n    - host: {name}.${{DOMAIN}}\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n            backend: {{service: {{name: web, port: {{number: 80}}}}}}\n"
        )
    };
    write(
        "clusters/dev/apps.yaml",
        &format!(
            "{}---\n{}",
            ks("plain", "./apps/plain", ""),
            ks(
                "substituted",
                "./apps/substituted",
                "  postBuild:\n    substitute:\n      DOMAIN: example.org\n"
            )
        ),
    );
    write("apps/plain/ingress.yaml", &ingress("plain", ""));
    write(
        "apps/substituted/ingress.yaml",
        &format!(
            "{}---\n{}",
            ingress("replaced", ""),
            ingress(
                "kept",
                "  annotations:\n    kustomize.toolkit.fluxcd.io/substitute: disabled\n"
            )
        ),
    );
    let out = fluxprint(dir.path(), &["validate", "."]);
    let err = stderr(&out);
    assert!(!out.status.success(), "{err}");
    let findings: Vec<&str> = err.lines().filter(|l| l.starts_with("error[")).collect();
    assert_eq!(findings.len(), 2, "{err}");
    assert!(
        findings[0].contains("host `plain.${DOMAIN}`")
            && findings[0].contains("Kustomization flux-system/plain applies `${…}` as written"),
        "{err}"
    );
    assert!(
        findings[1].contains("host `kept.${DOMAIN}`")
            && findings[1].contains("Kustomization flux-system/substituted"),
        "{err}"
    );
    assert!(err.contains("apps/plain/ingress.yaml:8:13"), "{err}");
    assert!(!err.contains("replaced"), "{err}");
}

/// References print as the kind's scope: `name` where no namespace is known, never `/name`;
/// a dependency listed twice is one finding.
#[test]
fn references_without_a_namespace_print_without_a_slash_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::write(
        dir.path().join("hr.yaml"),
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: podinfo\n\
         spec:\n  interval: 10m\n  chart:\n    spec:\n      chart: podinfo\n      version: 6.5.0\n\
         \x20     sourceRef: {kind: HelmRepository, name: podinfo}\n  dependsOn:\n    - name: redis\n    - name: redis\n",
    )
    .expect("write");
    let out = fluxprint(dir.path(), &["validate", "."]);
    let err = stderr(&out);
    assert!(
        err.contains("takes its chart from HelmRepository podinfo, which"),
        "{err}"
    );
    assert_eq!(
        err.matches("depends on HelmRelease redis, which").count(),
        1,
        "{err}"
    );
    assert!(!err.contains(" /"), "{err}");
}

#[test]
fn verdicts_reached_ahead_change_no_report_of_any_rule_fixture() {
    // Every rule fixture tree judged twice from the same documents in memory: once with every
    // object judged against its schema ahead of time (as a run does while the Flux units are
    // built, here without stopping), once without. Fixtures include schema violations, CRDs
    // learned from the tree, builds that patch objects and SOPS-encrypted files.
    use fluxprint::kustomize::Documents;
    use fluxprint::validate::rule::Options;
    use fluxprint::validate::schema::SchemaStore;
    use fluxprint::validate::tree::Known;
    use std::sync::atomic::AtomicBool;
    use std::sync::Arc;
    // A tree whose own CRD replaces a compiled-in one, so that a verdict reached ahead
    // against the compiled-in schema must give way: here `interval` must be an integer.
    let replaced = tempfile::tempdir().expect("tempdir");
    fs::write(
        replaced.path().join("crd.yaml"),
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  \
         name: gitrepositories.source.toolkit.fluxcd.io\nspec:\n  group: source.toolkit.fluxcd.io\n  \
         scope: Namespaced\n  names: {kind: GitRepository, plural: gitrepositories}\n  versions:\n  \
         - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        \
         type: object\n        properties:\n          spec:\n            type: object\n            \
         properties:\n              interval: {type: integer}\n",
    )
    .expect("write");
    fs::write(
        replaced.path().join("source.yaml"),
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: a\n  \
         namespace: flux-system\nspec:\n  interval: 1m\n",
    )
    .expect("write");
    let mut dirs = vec![replaced.path().to_owned()];
    for rule in fs::read_dir(root().join("tests/fixtures/rules")).expect("fixtures") {
        for side in ["fail", "pass"] {
            dirs.push(rule.as_ref().expect("entry").path().join(side));
        }
    }
    let mut trees = 0;
    let mut ahead_total = 0;
    let mut replaced_found = false;
    {
        for dir in dirs {
            if !dir.is_dir() {
                continue;
            }
            let mut files: Vec<(std::path::PathBuf, String, Documents)> = Vec::new();
            for entry in walk(&dir) {
                let text = fs::read_to_string(&entry).expect("read");
                let Ok(docs) = fluxprint::source::yaml::parse_json_documents(&text, |_| false)
                else {
                    continue;
                };
                let values: Vec<Arc<serde_json::Value>> =
                    docs.into_iter().map(|d| Arc::new(d.value)).collect();
                files.push((entry, text, Arc::new(values)));
            }
            let mut known = Known::default();
            for (path, text, docs) in &files {
                known.insert(path.clone(), text, Some(docs));
            }
            let written: Vec<Arc<serde_json::Value>> = files
                .iter()
                .flat_map(|(_, _, d)| d.iter().cloned())
                .collect();
            ahead_total += written.len();
            let mut ahead = SchemaStore::with_builtins();
            ahead.prejudge(&written, &AtomicBool::new(false));
            let options = Options::default();
            let paths = [dir.clone()];
            let (with, _) =
                fluxprint::validate::run_known(&paths, ahead, &options, &known).expect("runs");
            let (without, _) = fluxprint::validate::run_known(
                &paths,
                SchemaStore::with_builtins(),
                &options,
                &known,
            )
            .expect("runs");
            assert_eq!(
                format!("{:#?}", with.diagnostics),
                format!("{:#?}", without.diagnostics),
                "{}",
                dir.display()
            );
            if dir == replaced.path() {
                // Judged by the tree's CRD, not the compiled-in one (which wants a `url`).
                let by_tree_crd = |report: &fluxprint::validate::Report| {
                    report.diagnostics.iter().any(|d| {
                        d.code == "GO003"
                            && d.file == "source.yaml"
                            && d.message.contains("integer")
                    }) && !report.diagnostics.iter().any(|d| d.message.contains("url"))
                };
                replaced_found = by_tree_crd(&with) && by_tree_crd(&without);
            }
            trees += 1;
        }
    }
    assert!(
        trees > 100 && ahead_total > 500,
        "{trees} trees, {ahead_total} objects"
    );
    assert!(
        replaced_found,
        "the tree's own CRD judges the GitRepository"
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).expect("list") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
    out.sort();
    out
}
