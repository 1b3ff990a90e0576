//! Name references: fields that name another object of the build (a ConfigMap in a pod
//! spec, a Service in an Ingress, a ServiceAccount in a RoleBinding…) follow that object's
//! renames (prefix, suffix, hash, namespace), chosen as kustomize's `nameref` filter does.

use crate::source::Lookup as _;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde_json::Value;

use crate::kustomize::build::is_cluster_scoped;
use crate::kustomize::fieldspecs::{visit, NameRef};
use crate::kustomize::item::{Id, Item};

/// What the selection needs to know of a possible referral.
struct Cand {
    cur: Id,
    prev: Vec<Id>,
    prefixes: Vec<String>,
    suffixes: Vec<String>,
}

/// kustomize's `SameEndingSubSlice`.
fn same_ending(a: &[String], b: &[String]) -> bool {
    let (short, long) = if a.len() > b.len() { (b, a) } else { (a, b) };
    let diff = long.len() - short.len();
    if short.is_empty() {
        return diff == 0;
    }
    (0..short.len()).all(|i| long[i + diff] == short[i])
}

fn ps_equals(c: &Cand, r: &Cand, allow_empty: bool) -> bool {
    if allow_empty {
        let p =
            c.prefixes.is_empty() || r.prefixes.is_empty() || same_ending(&c.prefixes, &r.prefixes);
        let s =
            c.suffixes.is_empty() || r.suffixes.is_empty() || same_ending(&c.suffixes, &r.suffixes);
        p && s
    } else {
        same_ending(&c.prefixes, &r.prefixes) && same_ending(&c.suffixes, &r.suffixes)
    }
}

struct Ctx<'a> {
    cands: &'a [Cand],
    /// Candidates by each name they had before a rename.
    by_name: &'a HashMap<String, Vec<usize>>,
    /// The original namespaces of all candidates.
    org_namespaces: &'a HashSet<String>,
    referrer: &'a Cand,
    /// Namespaces of the referrer's subjects (RoleBindings may name objects there).
    subject_namespaces: Vec<String>,
    target: &'a NameRef,
    role_ref: Option<(String, String)>,
}

impl Ctx<'_> {
    /// kustomize's `SubsetThatCouldBeReferencedByResource`.
    fn in_scope(&self, i: usize) -> bool {
        let c = &self.cands[i].cur;
        is_cluster_scoped(&self.referrer.cur.kind)
            || is_cluster_scoped(&c.kind)
            || c.ns_equals(&self.referrer.cur)
            || self.subject_namespaces.contains(&c.namespace)
    }

    fn select(&self, old: &str, ns: Option<&str>, same: fn(&Cand, &Cand) -> bool) -> Option<usize> {
        let by_org = ns.is_some_and(|ns| self.org_namespaces.contains(ns));
        let mut c: Vec<usize> = self
            .by_name
            .get(old)
            .map(Vec::as_slice)
            .unwrap_or(&[])
            .iter()
            .copied()
            .filter(|&i| {
                let cand = &self.cands[i];
                self.in_scope(i)
                    && ns.is_none_or(|ns| {
                        if by_org {
                            cand.prev.first().unwrap_or(&cand.cur).namespace == ns
                        } else {
                            cand.cur.namespace == ns
                        }
                    })
                    && cand.prev.iter().any(|p| {
                        p.selected_by(
                            self.target.group.as_deref(),
                            self.target.version.as_deref(),
                            Some(&self.target.kind),
                        )
                    })
                    && self.role_ref.as_ref().is_none_or(|(g, k)| {
                        cand.prev.iter().any(|p| p.group == *g && p.kind == *k)
                    })
                    && (is_cluster_scoped(&self.referrer.cur.kind)
                        || is_cluster_scoped(&cand.cur.kind)
                        || cand.cur.kind == "ServiceAccount"
                        || self.referrer.cur.ns_equals(&cand.cur))
            })
            .collect();
        if c.len() == 1 {
            return c.first().copied();
        }
        c.retain(|&i| ps_equals(&self.cands[i], self.referrer, true));
        if c.len() > 1 {
            c.retain(|&i| ps_equals(&self.cands[i], self.referrer, false));
        }
        match c.len() {
            0 => None,
            1 => c.first().copied(),
            _ => {
                let first = &self.cands[c[0]];
                c.iter()
                    .all(|&i| same(first, &self.cands[i]))
                    .then_some(c[0])
            }
        }
    }

    fn set(&self, v: &mut Value) {
        match v {
            Value::String(old) => {
                if let Some(i) = self.select(old, None, |a, b| a.cur.name == b.cur.name) {
                    let name = &self.cands[i].cur.name;
                    if name != old {
                        *old = name.clone();
                    }
                }
            }
            Value::Object(m) => {
                let Some(old) = m.get("name").and_then(Value::as_str).map(str::to_owned) else {
                    return;
                };
                let ns = m
                    .get("namespace")
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                let same = |a: &Cand, b: &Cand| {
                    a.cur.name == b.cur.name && a.cur.namespace == b.cur.namespace
                };
                if let Some(i) = self.select(&old, ns.as_deref(), same) {
                    let c = &self.cands[i];
                    if c.cur.name == old && c.cur.namespace.is_empty() {
                        return;
                    }
                    m.insert("name".into(), Value::String(c.cur.name.clone()));
                    if !c.cur.namespace.is_empty() {
                        m.insert("namespace".into(), Value::String(c.cur.namespace.clone()));
                    }
                }
            }
            Value::Array(a) => {
                for e in a {
                    if e.is_string() || e.is_object() {
                        self.set(e);
                    }
                }
            }
            _ => {}
        }
    }
}

fn role_binding_namespaces(v: &Value) -> Vec<String> {
    v.get("subjects")
        .and_then(Value::as_array)
        .map(|s| {
            s.iter()
                .filter_map(|x| {
                    x.get("namespace")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Rewrites every name reference in `items`, at the referrer fields of `refs`.
pub(crate) fn apply(items: &mut [Item], refs: &[NameRef]) {
    let cands: Vec<Cand> = items
        .iter()
        .map(|i| Cand {
            cur: i.id(),
            prev: i.prev.clone(),
            prefixes: i.prefixes.clone(),
            suffixes: i.suffixes.clone(),
        })
        .collect();
    // Only renamed objects can be referrals worth rewriting to; index them by old name.
    let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
    let mut org_namespaces = HashSet::new();
    for (i, c) in cands.iter().enumerate() {
        let mut names: Vec<&str> = c.prev.iter().map(|p| p.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        for n in names {
            by_name.entry(n.to_owned()).or_default().push(i);
        }
        org_namespaces.insert(c.prev.first().unwrap_or(&c.cur).namespace.clone());
    }
    if by_name.is_empty() {
        return;
    }
    for (ri, item) in items.iter_mut().enumerate() {
        let org = item.org_id();
        for target in refs {
            for spec in target.referrers.iter().filter(|s| s.selects(&org)) {
                let ctx = Ctx {
                    cands: &cands,
                    by_name: &by_name,
                    org_namespaces: &org_namespaces,
                    referrer: &cands[ri],
                    subject_namespaces: role_binding_namespaces(&item.r.value),
                    target,
                    role_ref: spec.path.ends_with("roleRef/name").then(|| {
                        let s = |p: &str| {
                            item.r
                                .value
                                .lookup(p)
                                .and_then(Value::as_str)
                                .unwrap_or("")
                                .to_owned()
                        };
                        (s("/roleRef/apiGroup"), s("/roleRef/kind"))
                    }),
                };
                let segs = spec.segments();
                visit(
                    Arc::make_mut(&mut item.r.value),
                    segs,
                    None,
                    &mut String::new(),
                    &mut |v, _| ctx.set(v),
                );
            }
        }
    }
}
