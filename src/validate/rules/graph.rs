//! Cycles in `dependsOn` graphs (Flux Kustomizations, HelmReleases).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::ns;
use crate::validate::rule::Findings;
use crate::validate::tree::Object;

/// A node: `(namespace, name)`.
pub type Key = (String, String);

/// Every cycle of the graph `edges` (node → its object index and what it depends on), each
/// once, rotated to start at its smallest member; edges to unknown nodes are ignored.
pub fn cycles(edges: &BTreeMap<Key, (usize, Vec<Key>)>) -> Vec<Vec<Key>> {
    let mut found = Vec::new();
    let mut done: BTreeSet<Key> = BTreeSet::new();
    let mut reported: BTreeSet<Vec<Key>> = BTreeSet::new();
    // Iterative depth-first search: deep graphs must not exhaust the stack.
    for start in edges.keys() {
        if done.contains(start) {
            continue;
        }
        let mut path: Vec<Key> = vec![start.clone()];
        let mut iters: Vec<usize> = vec![0];
        while let Some(top) = path.last().cloned() {
            let next_index = iters.last().copied().unwrap_or(0);
            let deps = edges.get(&top).map(|(_, d)| d.as_slice()).unwrap_or(&[]);
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
                    found.push(cycle);
                }
            } else if edges.contains_key(&dep) && !done.contains(&dep) {
                path.push(dep);
                iters.push(0);
            }
        }
    }
    found
}

/// Reports every cycle of the `spec.dependsOn` graph of `objects` (entries `{name,
/// namespace}`, the namespace defaulting to the object's) once, at the entry of its first
/// member that closes it; `what` names the kind in the message.
pub fn report_dependency_cycles<'a>(
    objects: impl Iterator<Item = (usize, &'a Object)>,
    what: &str,
    out: &mut Findings<'_>,
) {
    let mut edges: BTreeMap<Key, (usize, Vec<Key>)> = BTreeMap::new();
    for (i, o) in objects {
        let deps = o
            .at("/spec/dependsOn")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|d| {
                let name = d.get("name")?.as_str()?;
                let namespace = d.get("namespace").and_then(Value::as_str).unwrap_or(ns(o));
                Some((namespace.to_owned(), name.to_owned()))
            })
            .collect();
        edges.insert((ns(o).to_owned(), o.name().to_owned()), (i, deps));
    }
    for cycle in cycles(&edges) {
        let Some((i, deps)) = edges.get(&cycle[0]) else {
            continue;
        };
        // At the entry that closes the cycle: the one to remove or correct.
        let next = cycle.get(1).unwrap_or(&cycle[0]);
        let j = deps.iter().position(|d| d == next).unwrap_or(0);
        let mut shown: Vec<String> = cycle.iter().map(|(_, n)| n.clone()).collect();
        shown.push(cycle[0].1.clone());
        out.object(
            *i,
            &format!("/spec/dependsOn/{j}"),
            format!("{what}dependsOn forms a cycle: {}", shown.join(" → ")),
            Some("remove one edge".into()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: &str) -> Key {
        ("ns".into(), n.into())
    }

    #[test]
    fn finds_each_cycle_once_from_its_smallest_member() {
        let mut edges = BTreeMap::new();
        edges.insert(key("b"), (0, vec![key("c")]));
        edges.insert(key("c"), (1, vec![key("b"), key("x")]));
        edges.insert(key("a"), (2, vec![key("b")]));
        edges.insert(key("d"), (3, vec![key("d")]));
        assert_eq!(
            cycles(&edges),
            vec![vec![key("b"), key("c")], vec![key("d")]]
        );
    }
}
