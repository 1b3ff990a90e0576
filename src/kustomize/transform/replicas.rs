//! `replicas`: the count of the named Deployments, ReplicaSets, ReplicationControllers and
//! StatefulSets.

use serde_json::Value;
use std::sync::Arc;

use crate::kustomize::fieldspecs::{visit, FieldSpec};
use crate::kustomize::item::Item;
use crate::kustomize::Origin;

/// Applies replicas entry `entry` (`name`, `count`; written at `at`) at `specs`; `Err`
/// when no object of their kinds has that name.
pub(crate) fn apply(
    items: &mut [Item],
    entry: &Value,
    specs: &[FieldSpec],
    at: &Origin,
) -> Result<(), String> {
    let name = entry.get("name").and_then(Value::as_str).unwrap_or("");
    let count = entry.get("count").cloned().unwrap_or(Value::from(0));
    let mut found = false;
    for spec in specs {
        for item in items.iter_mut() {
            let matched = std::iter::once(item.id())
                .chain(item.prev.iter().cloned())
                .any(|id| id.name == name && spec.selects(&id));
            if !matched {
                continue;
            }
            found = true;
            let segs = spec.segments();
            let make = || Value::from(0);
            let mut touched = Vec::new();
            visit(
                Arc::make_mut(&mut item.r.value),
                segs,
                spec.create.then_some(&make as &dyn Fn() -> Value),
                &mut String::new(),
                &mut |v, p| {
                    *v = count.clone();
                    touched.push(p.to_owned());
                },
            );
            for p in touched {
                item.r.set_origin(p, at.join("/count"));
            }
        }
    }
    if found {
        Ok(())
    } else {
        let kinds: Vec<&str> = specs.iter().filter_map(|s| s.kind.as_deref()).collect();
        if kinds.is_empty() {
            return Err(format!(
                "no object of the replica field specs' kinds is named `{name}`"
            ));
        }
        Err(format!("no {} is named `{name}`", kinds.join(", ")))
    }
}
