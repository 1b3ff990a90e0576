//! `fluxprint diff` and `fluxprint graph` on the example.

use std::fs;

use serde_json::Value;

use crate::snapshot_settings;
use crate::util::{example, fluxprint, stderr, stdout};

fn edit(path: &std::path::Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{from} not in {}", path.display());
    fs::write(path, text.replacen(from, to, 1)).expect("write");
}

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
    // Flux: order waits for payment and for the platform's kafka; calls: routes and callers.
    for line in [
        "  k_order --> k_payment",
        "  k_order --> k_kafka",
        "  k_kafka([\"kafka\"])",
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
