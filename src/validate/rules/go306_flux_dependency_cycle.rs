//! GO306: Flux Kustomizations whose dependsOn form a cycle.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::go303_flux_source_missing::flux_kustomizations;
use super::ns;
use crate::validate::rule::{Context, Findings, Rule};

/// `(namespace, name)` of a Kustomization.
type Key = (String, String);

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
         cycle.\n\n## Why it matters\nEvery Kustomization of the cycle waits for another: none \
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
        // Iterative colouring; each cycle reported once, at its smallest member.
        let mut done: BTreeSet<(String, String)> = BTreeSet::new();
        let mut reported: BTreeSet<Vec<(String, String)>> = BTreeSet::new();
        for start in edges.keys() {
            if done.contains(start) {
                continue;
            }
            let mut path: Vec<(String, String)> = vec![start.clone()];
            let mut iters: Vec<usize> = vec![0];
            while let Some(top) = path.last().cloned() {
                let next_index = iters.last().copied().unwrap_or(0);
                let deps = edges.get(&top).map(|(_, d)| d.clone()).unwrap_or_default();
                if next_index >= deps.len() {
                    done.insert(top);
                    path.pop();
                    iters.pop();
                    continue;
                }
                if let Some(last) = iters.last_mut() {
                    *last += 1;
                }
                let dep = deps[next_index].clone();
                if let Some(pos) = path.iter().position(|p| *p == dep) {
                    let mut cycle = path[pos..].to_vec();
                    let min = cycle
                        .iter()
                        .enumerate()
                        .min_by_key(|(_, n)| (*n).clone())
                        .map_or(0, |(i, _)| i);
                    cycle.rotate_left(min);
                    if reported.insert(cycle.clone()) {
                        if let Some((i, _)) = edges.get(&cycle[0]) {
                            let mut shown: Vec<String> =
                                cycle.iter().map(|(_, n)| n.clone()).collect();
                            shown.push(cycle[0].1.clone());
                            out.object(
                                *i,
                                "/spec/dependsOn",
                                format!("dependsOn forms a cycle: {}", shown.join(" → ")),
                                Some("remove one edge".into()),
                            );
                        }
                    }
                } else if edges.contains_key(&dep) && !done.contains(&dep) {
                    path.push(dep);
                    iters.push(0);
                }
            }
        }
    }
}
