//! `fluxprint diff` and `fluxprint graph` on the example.

use std::fs;

use serde_json::Value;

use crate::snapshot_settings;
use crate::util::{edit, example, fluxprint, stderr, stdout};

#[test]
fn diff_groups_changes_by_object() {
    let dir = example();
    let out = fluxprint(dir.path(), &["render"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = fluxprint(dir.path(), &["diff"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("gitops is up to date"));

    // A new release of order for prod, and user stops exposing metrics.
    let bp = dir.path().join("blueprints");
    edit(&bp.join("order.yaml"), "tag: \"1.4.2\"", "tag: \"1.5.0\"");
    edit(&bp.join("user.yaml"), "\nmonitoring:", "\n# monitoring:");
    let out = fluxprint(dir.path(), &["diff", "--cluster", "prod"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    snapshot_settings!().bind(|| insta::assert_snapshot!("workflow__diff_human", stdout(&out)));

    let out = fluxprint(dir.path(), &["diff", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let changes: Value = serde_json::from_str(&stdout(&out)).expect("json");
    let titles: Vec<String> = changes
        .as_array()
        .expect("array")
        .iter()
        .map(|c| {
            format!(
                "{} {} {} {}/{}",
                c["cluster"].as_str().unwrap_or_default(),
                c["change"].as_str().unwrap_or_default(),
                c["kind"].as_str().unwrap_or_default(),
                c["namespace"].as_str().unwrap_or("-"),
                c["name"].as_str().unwrap_or_default()
            )
        })
        .collect();
    for want in [
        "prod update Deployment orders/order",
        "prod delete ServiceMonitor identity/user",
        "dev delete ServiceMonitor identity/user",
        "prod update AuthorizationPolicy identity/user",
        "prod update NetworkPolicy identity/user",
    ] {
        assert!(
            titles.iter().any(|t| t == want),
            "{want} not in {titles:#?}"
        );
    }
    // dev deploys builds, not the base tag: its order Deployment does not change.
    assert!(
        !titles
            .iter()
            .any(|t| t == "dev update Deployment orders/order"),
        "{titles:#?}"
    );
    let deployment = changes
        .as_array()
        .expect("array")
        .iter()
        .find(|c| c["kind"] == "Deployment" && c["cluster"] == "prod")
        .expect("deployment");
    let diff = deployment["diff"].as_str().expect("diff");
    assert!(
        diff.contains("+        image: registry.digitalocean.com/foodbuzz/order:1.5.0"),
        "{diff}"
    );
}

#[test]
fn graph_shows_flux_order_and_calls() {
    let dir = example();
    let out = fluxprint(dir.path(), &["graph"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mermaid = stdout(&out);
    // Flux: order waits for payment and for the platform's kafka component, infrastructure for
    // the components whose CRDs it uses; calls: routes and callers.
    for line in [
        "  k_order --> k_payment",
        "  k_order --> k_kafka",
        "  k_kafka[(\"kafka\")]",
        "  k_infrastructure --> k_sealed_secrets",
        "  k_istiod --> k_istio_base",
        "  s_order --> s_payment",
        ">\"api.foodbuzz.com.bd/orders\"]",
    ] {
        assert!(mermaid.contains(line), "{line}\n{mermaid}");
    }
    let out = fluxprint(
        dir.path(),
        &["graph", "--cluster", "prod", "--format", "dot"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let dot = stdout(&out);
    assert!(dot.starts_with("digraph \"prod\" {"), "{dot}");
    assert_eq!(dot.matches('{').count(), dot.matches('}').count());
    snapshot_settings!().bind(|| {
        insta::assert_snapshot!("workflow__graph_mermaid", mermaid);
        insta::assert_snapshot!("workflow__graph_dot_prod", dot);
    });
}

#[test]
fn promote_pins_the_tag_and_keeps_the_file() {
    let dir = example();
    assert!(fluxprint(dir.path(), &["render"]).status.success());
    let file = dir.path().join("blueprints/order.yaml");
    let before = fs::read_to_string(&file).expect("read");

    // dev runs builds (`main-<sha>-<ts>`): not a release prod's semver policy accepts.
    let out = fluxprint(
        dir.path(),
        &["promote", "order", "--from", "dev", "--to", "prod"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("is not a semver version"),
        "{}",
        stderr(&out)
    );
    // Outside prod's range `>=1.0.0 <2.0.0`, or not a tag at all: refused.
    for tag in ["2.0.0", "latest", "1.5.0:x"] {
        let out = fluxprint(
            dir.path(),
            &[
                "promote", "order", "--from", "dev", "--to", "prod", "--tag", tag,
            ],
        );
        assert_eq!(out.status.code(), Some(2), "{tag}: {}", stderr(&out));
    }
    assert_eq!(
        fs::read_to_string(&file).expect("read"),
        before,
        "refusals write nothing"
    );

    let out = fluxprint(
        dir.path(),
        &[
            "promote", "order", "--from", "dev", "--to", "prod", "--tag", "1.5.0",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    snapshot_settings!().bind(|| insta::assert_snapshot!("workflow__promote", stdout(&out)));
    let after = fs::read_to_string(&file).expect("read");
    // Exactly one line added, under `prod:`; every comment and line of the file is kept.
    let added: Vec<&str> = after
        .lines()
        .filter(|l| !before.lines().any(|b| b == *l))
        .collect();
    assert_eq!(added, vec!["    tag: \"1.5.0\""]);
    assert_eq!(after.lines().count(), before.lines().count() + 1);
    assert!(after.contains("  prod:\n    tag: \"1.5.0\"\n"), "{after}");

    // Rendering applies it to prod only; a second promote of the same tag changes nothing
    // (with --tag, --from is not needed).
    assert!(fluxprint(dir.path(), &["render"]).status.success());
    let prod = fs::read_to_string(dir.path().join("gitops/prod/apps/order/deployment.yaml"))
        .expect("prod");
    assert!(prod.contains("order:1.5.0 # {\"$imagepolicy\""), "{prod}");
    let out = fluxprint(
        dir.path(),
        &["promote", "order", "--to", "prod", "--tag", "1.5.0"],
    );
    assert!(
        out.status.success() && stderr(&out).contains("already pins"),
        "{}",
        stderr(&out)
    );

    // Promote what runs in a tree: say dev's automation deployed release 1.6.0.
    edit(
        &dir.path().join("gitops/dev/apps/order/deployment.yaml"),
        "order:main-7e6f5a4-1763859600 #",
        "order:1.6.0 #",
    );
    let out = fluxprint(
        dir.path(),
        &["promote", "order", "--from", "dev", "--to", "prod"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let again = fs::read_to_string(&file).expect("read");
    assert!(again.contains("  prod:\n    tag: \"1.6.0\"\n"), "{again}");
    assert_eq!(
        again.lines().count(),
        after.lines().count(),
        "replaced, not added"
    );
}
