//! Example-style systems other than the repository's own (`tests/fixtures/systems/<name>/`,
//! each with blueprints and a strict `prod` and a relaxed `dev` cluster): each renders on both
//! clusters without a finding, every generated directory builds with kustomize, and
//! `fluxprint validate` finds the trees clean. `scripts/consumers` dry-runs the same systems
//! against a real kube-apiserver.

use std::fs;
use std::path::{Path, PathBuf};

use fluxprint::project::{Inputs, Project};

use crate::util::{copy_dir, edit, fluxprint, root, stderr, tool};

/// Every system of the fixtures, by name.
fn systems() -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = fs::read_dir(root().join("tests/fixtures/systems"))
        .expect("systems")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    found.sort();
    found
}

/// The directories of `tree` that hold a `kustomization.yaml`.
fn kustomize_dirs(tree: &Path) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    let mut stack = vec![tree.to_owned()];
    while let Some(d) = stack.pop() {
        if d.join("kustomization.yaml").is_file() {
            dirs.push(d.clone());
        }
        for entry in fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            }
        }
    }
    dirs.sort();
    dirs
}

#[test]
fn every_system_renders_builds_and_validates_clean_on_strict_and_relaxed_clusters() {
    let systems = systems();
    assert_eq!(systems.len(), 4, "four systems: {systems:?}");
    let kubectl = tool("kubectl");
    for system in systems {
        let name = system
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let dir = tempfile::tempdir().expect("tempdir");
        copy_dir(&system, dir.path());
        let out = fluxprint(dir.path(), &["render"]);
        let text = stderr(&out);
        assert!(out.status.success(), "{name}: render failed\n{text}");
        assert!(
            !text.contains("warning[") && !text.contains("error["),
            "{name}: render reported findings\n{text}"
        );
        for cluster in ["dev", "prod"] {
            let tree = dir.path().join("gitops").join(cluster);
            assert!(tree.join("apps").is_dir(), "{name}: no {cluster} tree");
            let Some(kubectl) = &kubectl else { continue };
            for d in kustomize_dirs(&tree) {
                let built = std::process::Command::new(kubectl)
                    .arg("kustomize")
                    .arg(&d)
                    .output()
                    .expect("run kubectl");
                assert!(
                    built.status.success() && !built.stdout.is_empty(),
                    "{name}: kustomize failed on {}: {}",
                    d.display(),
                    stderr(&built)
                );
            }
        }
        let validated = fluxprint(dir.path(), &["validate", "gitops"]);
        assert!(
            validated.status.success(),
            "{name}: validate found problems\n{}",
            stderr(&validated)
        );
    }
}

/// The output validation of a render reports what it still finds as a bug of fluxprint, at
/// the blueprint the generated file came from, never at a line of the generated file.
#[test]
fn a_finding_of_the_output_validation_is_an_internal_error_at_the_blueprint() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(
        &root().join("tests/fixtures/systems/django-shop"),
        dir.path(),
    );
    let project = Project::load(&Inputs::under(dir.path())).expect("valid");
    let out = dir.path().join("gitops");
    for file in project.render(&[]).expect("render") {
        let path = out.join(&file.path);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(&path, &file.content).expect("write");
    }
    let clean = project.validate_output(&out, &[]).expect("validate");
    assert!(clean.is_empty(), "{clean:#?}");
    // As if rendering had lost the worker's readiness probe.
    let deployment = out.join("prod/apps/celery/deployment.yaml");
    edit(
        &deployment,
        "        readinessProbe:\n",
        "        readinessProbx:\n",
    );
    let found = project
        .validate_output(&out, &["prod".to_owned()])
        .expect("validate");
    assert!(!found.is_empty());
    for d in &found {
        assert_eq!(d.file, "blueprints/celery.yaml", "{d:#?}");
        assert!(
            d.message.starts_with("internal: generated output fails GO"),
            "{d:#?}"
        );
        assert!(d.message.contains("please report"), "{d:#?}");
        assert_eq!(d.span.line, 7, "the blueprint's `name` line: {d:#?}");
    }
}

/// The Django shop's jobs and worker as Flux and Kubernetes get them: the migration in its own
/// Kustomization that the service's waits for, re-created on a new image and updated by image
/// automation with the Deployment; a second before-rollout job after the first; a CronJob
/// beside the workload; no Service for a worker.
#[test]
fn before_rollout_jobs_run_in_order_before_the_rollout_and_follow_the_image() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(
        &root().join("tests/fixtures/systems/django-shop"),
        dir.path(),
    );
    edit(
        &dir.path().join("blueprints/storefront.yaml"),
        "  - name: clear-sessions\n",
        "  - {name: collectstatic, command: [python, manage.py, collectstatic, --noinput], when: before-rollout}\n  - name: clear-sessions\n",
    );
    let project = Project::load(&Inputs::under(dir.path())).expect("valid");
    let files = project.render(&["prod".to_owned()]).expect("render");
    let file = |path: &str| -> &str {
        &files
            .iter()
            .find(|f| f.path == format!("prod/{path}"))
            .unwrap_or_else(|| panic!("no {path}"))
            .content
    };
    let service = file("clusters/prod/apps/storefront.yaml");
    assert!(
        service.contains("  - name: storefront-migrate\n  - name: storefront-collectstatic\n"),
        "{service}"
    );
    let migrate = file("clusters/prod/apps/storefront-migrate.yaml");
    assert!(migrate.contains("  force: true\n") && migrate.contains("  wait: true\n"));
    assert!(
        !migrate.contains("name: storefront-collectstatic"),
        "{migrate}"
    );
    let second = file("clusters/prod/apps/storefront-collectstatic.yaml");
    assert!(
        second.contains("  - name: storefront-migrate\n  force: true\n"),
        "{second}"
    );
    let job = file("apps/storefront-migrate/job.yaml");
    assert!(job.contains(
        "image: registry.example.com/kasbah/django:3.2.0 # {\"$imagepolicy\": \"flux-system:storefront\"}"
    ));
    assert!(job.contains("fluxprint.io/blueprint-image: registry.example.com/kasbah/django:3.2.0"));
    // What the Job's pod needs comes with the first before-rollout job, and only there.
    for needed in ["serviceaccount.yaml", "configmap.yaml", "sealedsecret.yaml"] {
        file(&format!("apps/storefront-migrate/{needed}"));
        for elsewhere in ["storefront-collectstatic", "storefront"] {
            let path = format!("prod/apps/{elsewhere}/{needed}");
            assert!(!files.iter().any(|f| f.path == path), "{path}");
        }
    }
    let cron = file("apps/storefront/cronjob-clear-sessions.yaml");
    assert!(cron.contains("concurrencyPolicy: Forbid") && cron.contains("timeZone: Europe/Berlin"));
    assert!(file("apps/storefront/kustomization.yaml").contains("- cronjob-clear-sessions.yaml"));
    assert!(!files
        .iter()
        .any(|f| f.path == "prod/apps/celery/service.yaml"));
    let worker = file("apps/celery/deployment.yaml");
    assert!(worker.contains("exec:") && !worker.contains("containerPort"));
    // `fluxprint graph` reads the order from the rendered Kustomizations: the jobs, one
    // after the other, before the service.
    let prod = project.select(&["prod".to_owned()]).expect("prod")[0];
    let graph = fluxprint::graph::cluster_graph(prod, project.services_of("prod"), &files);
    let mermaid = fluxprint::graph::mermaid(&[graph]);
    for line in [
        "  k_storefront_migrate[/\"storefront-migrate\"/]",
        "  k_storefront_collectstatic[/\"storefront-collectstatic\"/]",
        "  k_storefront --> k_storefront_migrate",
        "  k_storefront --> k_storefront_collectstatic",
        "  k_storefront_collectstatic --> k_storefront_migrate",
        "  k_storefront[\"storefront\"]",
    ] {
        assert!(mermaid.contains(line), "{line}\n{mermaid}");
    }
}

/// The output validation takes each rendered file's document from the value it was written
/// from ([`fluxprint::validate::tree::known_document`]) instead of parsing the text: that is
/// only right if parsing the text gives exactly that document (value, start, and no plain
/// scalar that YAML 1.1 reads otherwise). Checked on every file of the example and of every
/// system, and of a synthetic project with every blueprint shape the benchmarks use.
#[test]
fn every_rendered_value_is_what_its_text_parses_to() {
    let synthetic = tempfile::tempdir().expect("tempdir");
    fluxprint::synthetic::write_project(synthetic.path(), 12).expect("synthetic project");
    let mut projects = systems();
    projects.push(root());
    projects.push(synthetic.path().to_owned());
    let mut checked = 0;
    for dir in projects {
        let project = Project::load(&Inputs::under(&dir)).expect("valid");
        for file in project.render(&[]).expect("renders") {
            let docs = file
                .docs
                .as_ref()
                .expect("every rendered file has its values");
            assert_eq!(docs.len(), 1, "{}: one value", file.path);
            let value = &docs[0];
            let parsed = fluxprint::source::yaml::parse_json_documents(&file.content, |s| {
                fluxprint::source::yaml11::yaml11_meaning(s).is_some()
            })
            .expect("parses");
            let known = fluxprint::validate::tree::known_document(&file.content, value);
            assert_eq!(parsed.len(), 1, "{}: one document", file.path);
            assert_eq!(
                (&parsed[0].value, parsed[0].span, &parsed[0].plain_strings),
                (&known.value, known.span, &known.plain_strings),
                "{} of {}",
                file.path,
                dir.display()
            );
            checked += 1;
        }
    }
    assert!(checked > 1000, "{checked} files");
}
