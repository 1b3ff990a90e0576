//! The Flux layer of the example: Kustomization paths build, dependsOn resolves, every image
//! setter marker names a policy of the right repository, automation updates survive a render.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use fluxprint::source::yaml::parse_documents;
use serde_json::Value;

use crate::util::{example, fluxprint, stderr, stdout, tool, tree};

/// Every object of a rendered cluster tree, with the file it came from.
fn objects(root: &Path) -> Vec<(String, Value)> {
    tree(root)
        .into_iter()
        .flat_map(|(path, text)| {
            parse_documents(&text)
                .expect("rendered YAML parses")
                .into_iter()
                .map(move |d| (path.clone(), d.to_json()))
        })
        .collect()
}

fn of_kind<'a>(objects: &'a [(String, Value)], kind: &str) -> Vec<&'a Value> {
    objects
        .iter()
        .filter(|(_, o)| o["kind"] == kind)
        .map(|(_, o)| o)
        .collect()
}

#[test]
fn kustomization_paths_build_and_depends_on_resolves() {
    let kubectl = tool("kubectl");
    let dir = example();
    assert!(fluxprint(dir.path(), &["render"]).status.success());
    for cluster in ["dev", "prod"] {
        let root = dir.path().join("gitops").join(cluster);
        let objs = objects(&root);
        let kustomizations: Vec<&Value> = of_kind(&objs, "Kustomization")
            .into_iter()
            .filter(|k| k["apiVersion"] == "kustomize.toolkit.fluxcd.io/v1")
            .collect();
        let names: BTreeSet<&str> = kustomizations
            .iter()
            .filter_map(|k| k["metadata"]["name"].as_str())
            .collect();
        // infrastructure, one per service, the platform namespaces and one per component
        // part (kube-prometheus-stack has two: its chart, then its PrometheusRule).
        // Flagger only in prod (its canary); dev's ambient data plane and the Gateway API
        // CRDs (their component and the Kustomization of the upstream repository) only in dev.
        let mut platform = vec![
            "platform-namespaces",
            "istio-base",
            "istiod",
            "istio-ingressgateway",
            "kafka",
            "kube-prometheus-stack-controllers",
            "kube-prometheus-stack",
            "rabbitmq",
            "redis",
            "sealed-secrets",
        ];
        if cluster == "prod" {
            platform.push("flagger");
        } else {
            platform.extend([
                "gateway-api-crds",
                "gateway-api-crds-standard",
                "istio-cni",
                "ztunnel",
            ]);
        }
        assert_eq!(kustomizations.len(), 1 + 8 + platform.len(), "{names:?}");
        for p in platform {
            assert!(names.contains(p), "no Kustomization `{p}`: {names:?}");
        }
        // Every dependsOn resolves inside the tree: the clusters list no external names.
        let infrastructure: [&str; 0] = [];
        for k in &kustomizations {
            let path = k["spec"]["path"].as_str().expect("path");
            // The Gateway API CRDs' Kustomization builds a path of the upstream repository.
            if k["spec"]["sourceRef"]["name"] != "flux-system" {
                assert_eq!(k["metadata"]["name"], "gateway-api-crds-standard");
                continue;
            }
            assert!(
                path.starts_with("./") && !path.starts_with("./clusters/"),
                "{path}: never under the bootstrap path"
            );
            assert!(
                root.join(path).join("kustomization.yaml").is_file(),
                "{path} has no kustomization.yaml"
            );
            for dep in k["spec"]["dependsOn"].as_array().into_iter().flatten() {
                let dep = dep["name"].as_str().expect("name");
                assert!(
                    names.contains(dep) || infrastructure.contains(&dep),
                    "dependsOn `{dep}` resolves to nothing"
                );
            }
            if let Some(kubectl) = &kubectl {
                let out = std::process::Command::new(kubectl)
                    .arg("kustomize")
                    .arg(root.join(path))
                    .output()
                    .expect("kubectl");
                assert!(out.status.success(), "{path}: {}", stderr(&out));
            }
        }
        // The bootstrap Kustomization builds `clusters/<cluster>` as Flux does when there is
        // no kustomization.yaml: every manifest below it. Simulate that and build it.
        if let Some(kubectl) = &kubectl {
            let base = root.join("clusters").join(cluster);
            let files: Vec<String> = tree(&base).into_iter().map(|(p, _)| p).collect();
            let generated = format!(
                "resources:\n{}",
                files.iter().map(|f| format!("- {f}\n")).collect::<String>()
            );
            fs::write(base.join("kustomization.yaml"), generated).expect("write");
            let out = std::process::Command::new(kubectl)
                .arg("kustomize")
                .arg(&base)
                .output()
                .expect("kubectl");
            fs::remove_file(base.join("kustomization.yaml")).expect("rm");
            assert!(out.status.success(), "clusters/{cluster}: {}", stderr(&out));
        }
    }
}

#[test]
fn every_setter_marker_names_a_policy_of_the_marked_repository() {
    let dir = example();
    assert!(fluxprint(dir.path(), &["render"]).status.success());
    for cluster in ["dev", "prod"] {
        let root = dir.path().join("gitops").join(cluster);
        let objs = objects(&root);
        let repositories: BTreeMap<String, String> = of_kind(&objs, "ImageRepository")
            .iter()
            .map(|r| {
                (
                    format!(
                        "{}:{}",
                        r["metadata"]["namespace"].as_str().unwrap_or(""),
                        r["metadata"]["name"].as_str().unwrap_or("")
                    ),
                    r["spec"]["image"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect();
        let policies: BTreeMap<String, String> = of_kind(&objs, "ImagePolicy")
            .iter()
            .map(|p| {
                (
                    format!(
                        "{}:{}",
                        p["metadata"]["namespace"].as_str().unwrap_or(""),
                        p["metadata"]["name"].as_str().unwrap_or("")
                    ),
                    format!(
                        "{}:{}",
                        p["metadata"]["namespace"].as_str().unwrap_or(""),
                        p["spec"]["imageRepositoryRef"]["name"]
                            .as_str()
                            .unwrap_or("")
                    ),
                )
            })
            .collect();
        let automations = of_kind(&objs, "ImageUpdateAutomation");
        assert_eq!(automations.len(), 1);
        let update_path = automations[0]["spec"]["update"]["path"]
            .as_str()
            .expect("path")
            .trim_start_matches("./")
            .to_owned();
        let mut images = 0;
        for (path, text) in tree(&root) {
            for line in text.lines().filter(|l| l.contains("$imagepolicy")) {
                let (value, marker) = line.split_once(" # ").expect("marker after the value");
                let marker: Value = serde_json::from_str(marker).expect("marker is JSON");
                let reference = marker["$imagepolicy"].as_str().expect("string");
                assert!(
                    path.starts_with(&format!("{update_path}/")),
                    "{path}: marker outside update.path"
                );
                let parts: Vec<&str> = reference.split(':').collect();
                assert!(
                    parts.len() == 2
                        || (parts.len() == 3 && ["tag", "name", "digest"].contains(&parts[2])),
                    "{reference}"
                );
                let policy = format!("{}:{}", parts[0], parts[1]);
                let repository = policies
                    .get(&policy)
                    .unwrap_or_else(|| panic!("{path}: no ImagePolicy {policy}"));
                let image = repositories
                    .get(repository)
                    .unwrap_or_else(|| panic!("no ImageRepository {repository}"));
                if parts.len() == 2 {
                    let marked = value.trim().trim_start_matches("image:").trim();
                    let repo = marked.rsplit_once(':').map_or(marked, |(r, _)| r);
                    assert_eq!(
                        repo, image,
                        "{path}: marked image and policy repository differ"
                    );
                    images += 1;
                }
            }
        }
        assert_eq!(images, 8, "one marked image per service in {cluster}");
    }
}

#[test]
fn image_automation_updates_survive_render_and_check_until_the_blueprint_changes() {
    let dir = example();
    assert!(fluxprint(dir.path(), &["render"]).status.success());
    let file = dir.path().join("gitops/dev/apps/order/deployment.yaml");
    let rendered = fs::read_to_string(&file).expect("read");
    // What the image-automation-controller writes after a new build.
    // It rewrites only the marked lines; the blueprint-tag annotation stays.
    let updated: String = rendered
        .split_inclusive('\n')
        .map(|l| {
            if l.contains("$imagepolicy") {
                l.replace("main-7e6f5a4-1763859600", "main-0f0f0f0-1763999999")
            } else {
                l.to_owned()
            }
        })
        .collect();
    assert_ne!(updated, rendered);
    fs::write(&file, &updated).expect("write");
    let render = fluxprint(dir.path(), &["render"]);
    assert!(render.status.success(), "{}", stderr(&render));
    assert_eq!(
        fs::read_to_string(&file).expect("read"),
        updated,
        "render reverted the automation"
    );
    let check = fluxprint(dir.path(), &["check"]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}{}",
        stdout(&check),
        stderr(&check)
    );
    // A new tag in the blueprint (a deliberate pin) wins over the automation.
    let bp = dir.path().join("blueprints/order.yaml");
    let text = fs::read_to_string(&bp).expect("read");
    fs::write(
        &bp,
        text.replace("main-7e6f5a4-1763859600", "main-1111111-1764000000"),
    )
    .expect("write");
    assert!(fluxprint(dir.path(), &["render"]).status.success());
    let now = fs::read_to_string(&file).expect("read");
    assert!(
        now.contains("order:main-1111111-1764000000 # {\"$imagepolicy\""),
        "{now}"
    );
}

#[test]
fn automation_off_writes_no_automation_and_no_markers() {
    let dir = example();
    let cluster = dir.path().join("clusters/prod.yaml");
    let text = fs::read_to_string(&cluster).expect("read");
    fs::write(
        &cluster,
        text.replace("automation: review", "automation: off"),
    )
    .expect("write");
    let out = fluxprint(dir.path(), &["render", "--cluster", "prod"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let root = dir.path().join("gitops/prod");
    assert!(!root.join("clusters/prod/image-automation.yaml").exists());
    assert!(
        root.join("clusters/prod/images/order-policy.yaml").exists(),
        "policies still report new images"
    );
    assert!(tree(&root).iter().all(|(_, t)| !t.contains("$imagepolicy")));
}

#[test]
fn auto_automation_on_a_strict_cluster_is_a_warning() {
    let dir = example();
    let cluster = dir.path().join("clusters/prod.yaml");
    let text = fs::read_to_string(&cluster).expect("read");
    fs::write(
        &cluster,
        text.replace("automation: review", "automation: auto"),
    )
    .expect("write");
    let out = fluxprint(dir.path(), &["render"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("warning[BP116]: automation `auto` deploys every new image to strict cluster `prod` without review"), "{}", stderr(&out));
    let automation = fs::read_to_string(
        dir.path()
            .join("gitops/prod/clusters/prod/image-automation.yaml"),
    )
    .expect("read");
    assert!(
        automation.contains("push:\n      branch: main\n"),
        "{automation}"
    );
}

#[test]
fn image_automation_commits_as_fluxcdbot_when_no_author_is_given() {
    let dir = example();
    let cluster = dir.path().join("clusters/dev.yaml");
    let text = fs::read_to_string(&cluster).expect("read");
    let line = "  author: {name: fluxcdbot, email: fluxcdbot@users.noreply.gitlab.com}\n";
    assert!(text.contains(line), "the example names its author");
    fs::write(&cluster, text.replace(line, "")).expect("write");
    let out = fluxprint(dir.path(), &["render", "--cluster", "dev"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let automation = fs::read_to_string(
        dir.path()
            .join("gitops/dev/clusters/dev/image-automation.yaml"),
    )
    .expect("automation");
    assert!(
        automation.contains("email: fluxcdbot@users.noreply.github.com")
            && automation.contains("name: fluxcdbot"),
        "{automation}"
    );
}

#[test]
fn a_pinned_image_is_never_automated_and_may_sit_outside_the_range() {
    let dir = example();
    let bp = dir.path().join("blueprints/order.yaml");
    let text = fs::read_to_string(&bp).expect("read");
    // A third-party style tag far outside prod's semver range, pinned.
    let pinned = text.replace("tag: \"1.4.2\"", "tag: \"16.4\"\nimages: {policy: pinned}");
    assert_ne!(pinned, text, "the example pins order at 1.4.2");
    fs::write(&bp, &pinned).expect("write");
    let out = fluxprint(dir.path(), &["render"]);
    assert!(out.status.success(), "{}", stderr(&out));
    for cluster in ["dev", "prod"] {
        let images = dir
            .path()
            .join(format!("gitops/{cluster}/clusters/{cluster}/images"));
        assert!(
            !images.join("order-policy.yaml").exists(),
            "{cluster}: no ImagePolicy"
        );
        assert!(
            !images.join("order-repository.yaml").exists(),
            "{cluster}: no ImageRepository"
        );
        assert!(
            images.join("user-policy.yaml").exists(),
            "{cluster}: others keep theirs"
        );
        let deployment = fs::read_to_string(
            dir.path()
                .join(format!("gitops/{cluster}/apps/order/deployment.yaml")),
        )
        .expect("deployment");
        assert!(
            !deployment.contains("$imagepolicy"),
            "{cluster}: no marker\n{deployment}"
        );
    }
    // Pinned with a range is a contradiction.
    fs::write(
        &bp,
        pinned.replace(
            "images: {policy: pinned}",
            "images: {policy: pinned, semver: \"^16\"}",
        ),
    )
    .expect("write");
    let out = fluxprint(dir.path(), &["render"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("error[BP115]: policy `pinned` is never automated"),
        "{}",
        stderr(&out)
    );
}
