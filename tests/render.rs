//! Rendering the example: whole-tree snapshots, determinism, idempotence, drift detection,
//! ownership and pruning.

use std::fs;

use crate::snapshot_settings;
use crate::util::{example, fluxprint, stderr, stdout, tree};

fn rendered_tree(cluster: &str) -> String {
    let dir = example();
    let out = fluxprint(dir.path(), &["render"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut text = String::new();
    for (path, content) in tree(&dir.path().join("gitops").join(cluster)) {
        text.push_str(&format!("=== {path}\n{content}"));
    }
    text
}

#[test]
fn dev_tree_snapshot() {
    snapshot_settings!().bind(|| insta::assert_snapshot!("render__dev_tree", rendered_tree("dev")));
}

#[test]
fn prod_tree_snapshot() {
    snapshot_settings!()
        .bind(|| insta::assert_snapshot!("render__prod_tree", rendered_tree("prod")));
}

#[test]
fn output_is_identical_across_runs_and_directories() {
    let a = example();
    let b = example();
    assert!(fluxprint(a.path(), &["render"]).status.success());
    // Another working directory and absolute input paths must not change a byte.
    let blueprints = b.path().join("blueprints");
    let clusters = b.path().join("clusters");
    let platform = b.path().join("platform");
    let out_dir = b.path().join("elsewhere");
    let out = fluxprint(
        std::env::temp_dir().as_path(),
        &[
            "render",
            "--blueprints",
            blueprints.to_str().expect("utf-8"),
            "--clusters",
            clusters.to_str().expect("utf-8"),
            "--platform",
            platform.to_str().expect("utf-8"),
            "--out",
            out_dir.to_str().expect("utf-8"),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(tree(&a.path().join("gitops")), tree(&out_dir));
}

#[test]
fn second_render_changes_nothing_and_check_passes() {
    let dir = example();
    assert!(fluxprint(dir.path(), &["render"]).status.success());
    let file = dir.path().join("gitops/prod/apps/order/deployment.yaml");
    let before = fs::metadata(&file)
        .expect("meta")
        .modified()
        .expect("mtime");
    let snapshot = tree(&dir.path().join("gitops"));
    std::thread::sleep(std::time::Duration::from_millis(20));
    let again = fluxprint(dir.path(), &["render"]);
    assert!(again.status.success());
    assert!(
        stderr(&again).contains("0 created, 0 updated, 0 deleted"),
        "{}",
        stderr(&again)
    );
    assert_eq!(tree(&dir.path().join("gitops")), snapshot);
    let after = fs::metadata(&file)
        .expect("meta")
        .modified()
        .expect("mtime");
    assert_eq!(before, after, "an unchanged file was rewritten");
    let check = fluxprint(dir.path(), &["check"]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
}

#[test]
fn check_reports_a_hand_edit_with_a_diff() {
    let dir = example();
    assert!(fluxprint(dir.path(), &["render"]).status.success());
    let file = dir.path().join("gitops/prod/apps/order/hpa.yaml");
    let text = fs::read_to_string(&file).expect("read");
    fs::write(&file, text.replace("maxReplicas: 40", "maxReplicas: 4")).expect("write");
    fs::remove_file(dir.path().join("gitops/dev/apps/user/service.yaml")).expect("rm");
    let check = fluxprint(dir.path(), &["check"]);
    assert_eq!(check.status.code(), Some(1));
    let diff = stdout(&check);
    assert!(
        diff.contains("--- a/prod/apps/order/hpa.yaml\n+++ b/prod/apps/order/hpa.yaml"),
        "{diff}"
    );
    assert!(
        diff.contains("-  maxReplicas: 4\n+  maxReplicas: 40"),
        "{diff}"
    );
    assert!(diff.contains("+++ b/dev/apps/user/service.yaml"), "{diff}");
    assert!(
        stderr(&check).contains("2 file(s) differ"),
        "{}",
        stderr(&check)
    );
}

#[test]
fn hand_written_files_survive_and_stale_owned_files_are_pruned() {
    let dir = example();
    let gitops = dir.path().join("gitops");
    fs::create_dir_all(gitops.join("prod/clusters/prod/flux-system")).expect("mkdir");
    let bootstrap = gitops.join("prod/clusters/prod/flux-system/gotk-sync.yaml");
    fs::write(
        &bootstrap,
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {name: flux-system, namespace: flux-system}\nspec: {interval: 1m, url: \"ssh://git@example.com/gitops.git\"}\n",
    )
    .expect("write");
    let hand = gitops.join("prod/platform/limits.yaml");
    fs::create_dir_all(hand.parent().expect("parent")).expect("mkdir");
    let hand_text = "# hand-written\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: limits, namespace: orders}\n";
    fs::write(&hand, hand_text).expect("write");
    let notes = gitops.join("prod/apps/order/NOTES.md");
    fs::create_dir_all(notes.parent().expect("parent")).expect("mkdir");
    fs::write(&notes, "Owned by the checkout team.\n").expect("write");
    assert!(fluxprint(dir.path(), &["render"]).status.success());
    // Remove a service: its owned files go, hand-written files stay.
    fs::remove_file(dir.path().join("blueprints/notification.yaml")).expect("rm");
    let user = dir.path().join("blueprints/user.yaml");
    let text = fs::read_to_string(&user).expect("read");
    fs::write(&user, text.replace(", notification]", "]")).expect("write");
    let out = fluxprint(dir.path(), &["render"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!gitops.join("prod/apps/notification").exists());
    assert!(!gitops
        .join("prod/infrastructure/namespace-engagement.yaml")
        .exists());
    assert_eq!(fs::read_to_string(&hand).expect("kept"), hand_text);
    assert!(
        notes.is_file(),
        "a hand-written file in a generated directory is kept"
    );
    assert!(bootstrap.is_file());
}

#[test]
fn refuses_to_overwrite_a_hand_written_file_and_writes_nothing() {
    let dir = example();
    let target = dir.path().join("gitops/prod/apps/order/deployment.yaml");
    fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
    fs::write(&target, "kind: Deployment # mine\n").expect("write");
    let out = fluxprint(dir.path(), &["render"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("refusing to overwrite"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("deployment.yaml"), "{}", stderr(&out));
    assert_eq!(
        fs::read_to_string(&target).expect("kept"),
        "kind: Deployment # mine\n"
    );
    assert!(
        !dir.path().join("gitops/dev").exists(),
        "nothing else may be written"
    );
}

#[test]
fn dry_run_lists_and_writes_nothing() {
    let dir = example();
    let out = fluxprint(dir.path(), &["render", "--dry-run", "--cluster", "dev"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let listing = stdout(&out);
    assert!(
        listing.lines().all(|l| l.starts_with("create gitops/dev/")),
        "{listing}"
    );
    assert!(
        listing.contains("create gitops/dev/apps/order/deployment.yaml"),
        "{listing}"
    );
    assert!(!dir.path().join("gitops").exists());
}

#[test]
fn rendered_strings_round_trip_as_strings() {
    // Values that YAML 1.1 reads as booleans or numbers must come back as the same strings.
    let dir = example();
    assert!(fluxprint(dir.path(), &["render"]).status.success());
    let cm = fs::read_to_string(dir.path().join("gitops/dev/apps/restaurant/configmap.yaml"))
        .expect("read");
    assert!(cm.contains("DEBUG: \"on\""), "{cm}");
    assert!(cm.contains("MENU_CACHE_TTL: \"300\""), "{cm}");
    let user =
        fs::read_to_string(dir.path().join("gitops/prod/apps/user/configmap.yaml")).expect("read");
    assert!(user.contains("SIGNUP_ENABLED: \"yes\""), "{user}");
}

#[test]
fn a_clean_verdict_is_remembered_only_for_the_same_tree() {
    let dir = example();
    let out = fluxprint(dir.path(), &["render"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let verdicts = dir.path().join(".fluxprint-cache/output-validation");
    let text = fs::read_to_string(&verdicts).expect("the clean trees are remembered");
    let clusters: Vec<&str> = text
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(c, _)| c)
        .collect();
    assert_eq!(clusters, ["dev", "prod"]);
    assert_eq!(
        fs::read_to_string(dir.path().join(".fluxprint-cache/.gitignore")).expect("ignored"),
        "# fluxprint's cache: not for version control.\n*\n"
    );
    // A file a person adds to the tree is another tree: validated again, and the finding is
    // at that file (it is theirs), not an internal error at a blueprint.
    let broken = dir.path().join("gitops/dev/apps/broken.yaml");
    fs::write(&broken, "a: [\n").expect("write");
    for args in [&["check"][..], &["render"], &["check", "--no-cache"]] {
        let out = fluxprint(dir.path(), args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains("GO001") && err.contains("gitops/dev/apps/broken.yaml"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("internal"), "{args:?}: {err}");
    }
    assert_eq!(fs::read_to_string(&verdicts).expect("kept"), text);
    fs::remove_file(&broken).expect("rm");
    let out = fluxprint(dir.path(), &["check"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(fs::read_to_string(&verdicts).expect("kept"), text);
}
