//! `replicas`: the count of the named Deployments, ReplicaSets, ReplicationControllers and
//! StatefulSets.

use serde_json::Value;

use crate::kustomize::fieldspecs::{defaults, segments, visit};
use crate::kustomize::item::Item;
use crate::kustomize::Origin;

/// Applies replicas entry `entry` (written at `at`); `Err` when no object has that name.
pub(crate) fn apply(items: &mut [Item], entry: &Value, at: &Origin) -> Result<(), String> {
    let name = entry.get("name").and_then(Value::as_str).unwrap_or("");
    let count = entry.get("count").cloned().unwrap_or(Value::from(0));
    let mut found = false;
    for spec in &defaults().replicas {
        for item in items.iter_mut() {
            let matched = std::iter::once(item.id())
                .chain(item.prev.iter().cloned())
                .any(|id| id.name == name && spec.selects(&id));
            if !matched {
                continue;
            }
            found = true;
            let segs = segments(&spec.path);
            let make = || Value::from(0);
            let mut touched = false;
            visit(
                &mut item.r.value,
                &segs,
                Some(&make),
                &mut String::new(),
                &mut |v, _| {
                    *v = count.clone();
                    touched = true;
                },
            );
            if touched {
                item.r.set_origin("/spec/replicas", at.join("/count"));
            }
        }
    }
    if found {
        Ok(())
    } else {
        Err(format!(
            "no Deployment, ReplicaSet, ReplicationController or StatefulSet is named `{name}`"
        ))
    }
}
