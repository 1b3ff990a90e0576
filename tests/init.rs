//! `fluxprint init`: the scaffold renders, validates and passes its own drift gate; the
//! `.gitlab-ci.yml` validates against GitLab's CI schema (check-jsonschema's vendored copy);
//! nothing is overwritten.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::snapshot_settings;
use crate::util::{example, fluxprint, stderr, tool, tree};

/// Validates a `.gitlab-ci.yml` with GitLab's schema.
fn assert_gitlab_ci_valid(file: &Path) {
    let Some(checker) = tool("check-jsonschema") else {
        return;
    };
    let out = Command::new(checker)
        .args([
            "--builtin-schema",
            "vendor.gitlab-ci",
            "--data-transform",
            "gitlab-ci",
        ])
        .arg(file)
        .output()
        .expect("run check-jsonschema");
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_new_repository_is_complete_and_current() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = dir.path().join("platform");
    let out = fluxprint(
        dir.path(),
        &[
            "init",
            "platform",
            "--git-group",
            "foodbuzz",
            "--fluxprint-image",
            "registry.gitlab.com/foodbuzz/fluxprint:0.1.0",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_gitlab_ci_valid(&repo.join(".gitlab-ci.yml"));

    // The scaffold passes the jobs its CI runs.
    for args in [&["check"][..], &["validate"], &["plan"]] {
        let out = fluxprint(&repo, args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    }
    let files: Vec<String> = tree(&repo).into_iter().map(|(p, _)| p).collect();
    let ci = fs::read_to_string(repo.join(".gitlab-ci.yml")).expect("ci");
    snapshot_settings!().bind(|| {
        insta::assert_snapshot!("init__files", files.join("\n"));
        insta::assert_snapshot!("init__gitlab_ci", ci);
    });
    // The example blueprint carries the schema modeline the scaffold's schemas/ serve.
    let hello = fs::read_to_string(repo.join("blueprints/hello.yaml")).expect("hello");
    assert!(hello.starts_with("# yaml-language-server: $schema=../schemas/blueprint.schema.json"));
    assert!(repo.join("schemas/blueprint.schema.json").is_file());
}

#[test]
fn init_refuses_to_overwrite_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::create_dir_all(dir.path().join("clusters")).expect("mkdir");
    fs::write(dir.path().join("clusters/dev.yaml"), "# mine\n").expect("write");
    let out = fluxprint(dir.path(), &["init"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("refusing to overwrite") && err.contains("dev.yaml"),
        "{err}"
    );
    let files: Vec<String> = tree(dir.path()).into_iter().map(|(p, _)| p).collect();
    assert_eq!(files, vec!["clusters/dev.yaml".to_owned()]);
    assert_eq!(
        fs::read_to_string(dir.path().join("clusters/dev.yaml")).expect("read"),
        "# mine\n"
    );
}

#[test]
fn ci_only_publishes_every_cluster_of_an_existing_repository() {
    let dir = example();
    let out = fluxprint(dir.path(), &["init", "--ci-only"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let file = dir.path().join(".gitlab-ci.yml");
    assert_gitlab_ci_valid(&file);
    let ci = fs::read_to_string(&file).expect("ci");
    // URLs and branches from the cluster files; the strict cluster publishes by hand.
    assert!(
        ci.contains("GITOPS_REPO: \"gitlab.com/foodbuzz/gitops-dev.git\""),
        "{ci}"
    );
    let prod = &ci[ci.find("publish-prod:").expect("prod job")..];
    assert!(
        prod.contains("when: manual") && prod.contains("$GITOPS_PROD_TOKEN"),
        "{prod}"
    );
    let dev =
        &ci[ci.find("publish-dev:").expect("dev job")..ci.find("publish-prod:").expect("prod")];
    assert!(!dev.contains("when: manual"), "{dev}");
    // Run again: refused.
    let out = fluxprint(dir.path(), &["init", "--ci-only"]);
    assert_eq!(out.status.code(), Some(2));
}
