//! GO306: Flux Kustomizations whose dependsOn form a cycle.

use std::collections::BTreeMap;

use serde_json::Value;

use super::go303_flux_source_missing::flux_kustomizations;
use super::ns;
use crate::validate::rule::{Context, Findings, Rule};

use super::graph::Key;

/// GO306
pub struct FluxDependencyCycle;

impl Rule for FluxDependencyCycle {
    fn code(&self) -> &'static str {
        "GO306"
    }
    fn name(&self) -> &'static str {
        "flux-dependency-cycle"
    }
    fn summary(&self) -> &'static str {
        "Flux Kustomizations depend on each other in a cycle."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nThe `dependsOn` graph of the tree's Flux Kustomizations has no \
         cycle. A cycle is reported once, at the `dependsOn` entry of its first member (by \
         namespace and name) that closes it.\n\n## Why it matters\nEvery Kustomization of the cycle waits for another: none \
         is ever applied.\n\n## Example\n`order` depends on `payment`, `payment` on `order` → \
         GO306.\n\n## Fix\nRemove one edge."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        let mut edges: BTreeMap<Key, (usize, Vec<Key>)> = BTreeMap::new();
        for (i, k) in flux_kustomizations(ctx) {
            let deps = k
                .at("/spec/dependsOn")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|d| {
                    let name = d.get("name")?.as_str()?;
                    let namespace = d.get("namespace").and_then(Value::as_str).unwrap_or(ns(k));
                    Some((namespace.to_owned(), name.to_owned()))
                })
                .collect();
            edges.insert((ns(k).to_owned(), k.name().to_owned()), (i, deps));
        }
        // Each cycle reported once, at its smallest member.
        for cycle in super::graph::cycles(&edges) {
            if let Some((i, deps)) = edges.get(&cycle[0]) {
                // At the entry that closes the cycle: the one to remove or correct.
                let next = cycle.get(1).unwrap_or(&cycle[0]);
                let j = deps.iter().position(|d| d == next).unwrap_or(0);
                let mut shown: Vec<String> = cycle.iter().map(|(_, n)| n.clone()).collect();
                shown.push(cycle[0].1.clone());
                out.object(
                    *i,
                    &format!("/spec/dependsOn/{j}"),
                    format!("dependsOn forms a cycle: {}", shown.join(" → ")),
                    Some("remove one edge".into()),
                );
            }
        }
    }
}
