//! GO307: an object that two Flux Kustomizations apply.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::go303_flux_source_missing::flux_kustomizations;
use super::ns;
use crate::validate::rule::{Context, Findings, Rule};
use crate::validate::tree::normalize;

/// GO307
pub struct ObjectAppliedTwice;

impl Rule for ObjectAppliedTwice {
    fn code(&self) -> &'static str {
        "GO307"
    }
    fn name(&self) -> &'static str {
        "object-applied-twice"
    }
    fn summary(&self) -> &'static str {
        "The same object (kind, namespace, name) is applied by two Flux Kustomizations."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nEach object under the path of a Flux Kustomization of this repository \
         is reached by one Kustomization only, and no two objects with the same kind, namespace \
         and name are applied by different ones to the same cluster (a Kustomization with \
         `spec.kubeConfig` applies to another cluster, and so do the Kustomizations it \
         applies there).\n\n## Why it matters\nThe two Kustomizations \
         overwrite each other on every reconciliation, and pruning one deletes the other's \
         object.\n\n## Example\n`./apps` and `./apps/order` both applied → every object of \
         `apps/order` twice (GO307).\n\n## Fix\nMake the paths disjoint."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        if !ctx.tree.applied.units.is_empty() {
            return built(ctx, out);
        }
        let paths: Vec<(String, String)> = flux_kustomizations(ctx)
            .filter(|(_, k)| {
                k.at("/spec/sourceRef/name").and_then(Value::as_str) == Some("flux-system")
            })
            .filter_map(|(_, k)| {
                Some((
                    k.name().to_owned(),
                    normalize("", k.at("/spec/path")?.as_str()?),
                ))
            })
            .collect();
        let mut by_path: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (name, path) in &paths {
            by_path
                .entry(path.as_str())
                .or_default()
                .push(name.as_str());
        }
        let mut owners: BTreeMap<(String, String, String), Vec<(String, usize)>> = BTreeMap::new();
        for (i, o) in ctx.tree.objects.iter().enumerate() {
            let file = &ctx.tree.file(o.file).display;
            // The Kustomizations whose path is an ancestor directory of the file (or the root).
            let mut ancestors: Vec<&str> = vec![""];
            ancestors.extend(file.match_indices('/').map(|(i, _)| &file[..i]));
            for name in ancestors.iter().filter_map(|a| by_path.get(a)).flatten() {
                {
                    owners
                        .entry((
                            o.kind().to_owned(),
                            o.namespace().unwrap_or("").to_owned(),
                            o.name().to_owned(),
                        ))
                        .or_default()
                        .push(((*name).to_owned(), i));
                }
            }
        }
        for ((kind, namespace, name), list) in owners {
            let mut kustomizations: Vec<&str> = list.iter().map(|(k, _)| k.as_str()).collect();
            kustomizations.sort_unstable();
            kustomizations.dedup();
            if kustomizations.len() > 1 {
                let (_, first) = list[0];
                out.object(
                    first,
                    "/metadata/name",
                    format!(
                        "{kind} {namespace}/{name} is applied by the Kustomizations {}",
                        kustomizations.join(" and ")
                    ),
                    Some("make their paths disjoint".into()),
                );
            }
        }
    }
}

/// On built trees: the same object from two Flux Kustomizations of one cluster.
/// The cluster each unit applies to, as a path of `spec.kubeConfig` references from the
/// entry point (empty: the cluster Flux runs in). A Kustomization with a kubeConfig applies
/// to that remote cluster, and so do the Kustomizations it applies there.
fn targets(ctx: &Context<'_>) -> Vec<String> {
    let units = &ctx.tree.applied.units;
    // The kubeConfig of each Kustomization object, by the unit that applies it and its id.
    let mut by_id: BTreeMap<(usize, String), String> = BTreeMap::new();
    for (_, k) in flux_kustomizations(ctx) {
        let (Some(parent), Some(kc)) = (k.unit, k.at("/spec/kubeConfig")) else {
            continue;
        };
        let name = ["/secretRef/name", "/configMapRef/name"]
            .iter()
            .find_map(|p| kc.pointer(p).and_then(Value::as_str))
            .unwrap_or("");
        let id = format!("{}/{}", ns(k), k.name());
        by_id.insert((parent, id), format!("{}/{name}", ns(k)));
    }
    let own: Vec<Option<String>> = units
        .iter()
        .map(|unit| {
            let parent = unit.parent?;
            by_id.get(&(parent, unit.id.clone())).cloned()
        })
        .collect();
    (0..units.len())
        .map(|u| {
            let mut chain = Vec::new();
            let mut at = Some(u);
            // Parents come before their children, so the walk ends.
            while let Some(x) = at {
                chain.extend(own[x].clone());
                at = units[x].parent.filter(|p| *p < x);
            }
            chain.reverse();
            chain.join(" > ")
        })
        .collect()
}

fn built(ctx: &Context<'_>, out: &mut Findings<'_>) {
    let units = &ctx.tree.applied.units;
    let targets = targets(ctx);
    // (cluster, target cluster, kind, namespace, name) → (unit, object)
    type Key<'a> = (usize, &'a str, &'a str, &'a str, &'a str);
    // Hashed, not ordered: every object of the tree goes in, few come out (sorted below).
    let mut owners: HashMap<Key<'_>, Vec<(usize, usize)>> = HashMap::new();
    for (i, o) in ctx.tree.objects.iter().enumerate() {
        let Some(u) = o.unit.filter(|&u| units[u].origin.is_some()) else {
            continue;
        };
        owners
            .entry((
                units[u].cluster,
                targets[u].as_str(),
                o.kind(),
                o.namespace().unwrap_or(""),
                o.name(),
            ))
            .or_default()
            .push((u, i));
    }
    let mut twice: Vec<(Key<'_>, Vec<(usize, usize)>)> = owners
        .into_iter()
        .filter(|(_, list)| list.len() > 1)
        .collect();
    twice.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    for ((_, _, kind, namespace, name), list) in twice {
        let mut ids: Vec<&str> = list.iter().map(|(u, _)| units[*u].id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.len() > 1 {
            out.object(
                list[0].1,
                "/metadata/name",
                format!(
                    "{kind} {namespace}/{name} is applied by the Kustomizations {}",
                    ids.join(" and ")
                ),
                Some(
                    "apply it from one Kustomization only (make their paths or resources disjoint)"
                        .into(),
                ),
            );
        }
    }
}
