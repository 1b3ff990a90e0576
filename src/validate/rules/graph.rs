//! Cycles in `dependsOn` graphs (Flux Kustomizations, HelmReleases).

use std::collections::{BTreeMap, BTreeSet};

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
