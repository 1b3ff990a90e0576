//! GO319: HelmReleases that depend on each other in a cycle.

use std::collections::BTreeMap;

use serde_json::Value;

use super::graph::{cycles, Key};
use super::helm::helm_releases;
use super::ns;
use crate::validate::rule::{Context, Findings, Rule};

/// GO319
pub struct HelmReleaseDependencyCycle;

impl Rule for HelmReleaseDependencyCycle {
    fn code(&self) -> &'static str {
        "GO319"
    }
    fn name(&self) -> &'static str {
        "helm-release-dependency-cycle"
    }
    fn summary(&self) -> &'static str {
        "The dependsOn graph of the tree's HelmReleases has a cycle."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nFollowing `spec.dependsOn` from HelmRelease to HelmRelease never \
         comes back to where it started. The cycle is reported once, at the `dependsOn` \
         entry of its first member (by namespace and name) that closes it.\n\n\
         ## Why it matters\nEach release waits for the other to be ready: none is ever \
         installed.\n\n\
         ## Example\n```yaml\n# redis dependsOn app, app dependsOn redis\ndependsOn:\n  - name: app   # GO319\n```\n\n\
         ## Fix\nRemove one of the edges."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        let mut edges: BTreeMap<Key, (usize, Vec<Key>)> = BTreeMap::new();
        for (i, hr) in helm_releases(ctx) {
            let deps = hr
                .at("/spec/dependsOn")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|d| {
                    let name = d.get("name")?.as_str()?;
                    let namespace = d.get("namespace").and_then(Value::as_str).unwrap_or(ns(hr));
                    Some((namespace.to_owned(), name.to_owned()))
                })
                .collect();
            edges.insert((ns(hr).to_owned(), hr.name().to_owned()), (i, deps));
        }
        for cycle in cycles(&edges) {
            let Some((i, deps)) = edges.get(&cycle[0]) else {
                continue;
            };
            let next = cycle.get(1).unwrap_or(&cycle[0]);
            let j = deps.iter().position(|d| d == next).unwrap_or(0);
            let mut shown: Vec<String> = cycle.iter().map(|(_, n)| n.clone()).collect();
            shown.push(cycle[0].1.clone());
            out.object(
                *i,
                &format!("/spec/dependsOn/{j}"),
                format!("HelmRelease dependsOn forms a cycle: {}", shown.join(" → ")),
                Some("remove one edge".into()),
            );
        }
    }
}
