//! kustomize's output order: `legacy` (the default of `kustomize build` and `kubectl
//! kustomize`: Namespaces, CRDs, RBAC… first, webhooks last, then by kind and id) or
//! `fifo` (as accumulated), from the top kustomization's `sortOptions`.

use serde_json::Value;

use super::item::{Id, Item};

const FIRST: &[&str] = &[
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
];
const LAST: &[&str] = &[
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

fn or(s: &str, none: &'static str) -> String {
    if s.is_empty() {
        none.to_owned()
    } else {
        s.to_owned()
    }
}

fn gvk_string(id: &Id) -> String {
    format!(
        "{}_{}_{}",
        or(&id.group, "~G"),
        or(&id.version, "~V"),
        or(&id.kind, "~K")
    )
}

fn strings(v: Option<&Value>) -> Option<Vec<String>> {
    v.and_then(Value::as_array).map(|a| {
        a.iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect()
    })
}

/// Sorts `items` as `sort_options` (the top kustomization's `sortOptions`) asks.
pub(crate) fn sort(items: &mut Vec<Item>, sort_options: Option<&Value>) {
    let order = sort_options
        .and_then(|o| o.get("order"))
        .and_then(Value::as_str);
    if order == Some("fifo") {
        return;
    }
    let legacy = sort_options.and_then(|o| o.get("legacySortOptions"));
    let first = strings(legacy.and_then(|l| l.get("orderFirst")))
        .unwrap_or_else(|| FIRST.iter().map(|s| (*s).to_owned()).collect());
    let last = strings(legacy.and_then(|l| l.get("orderLast")))
        .unwrap_or_else(|| LAST.iter().map(|s| (*s).to_owned()).collect());
    let rank = |kind: &str| -> i64 {
        if let Some(i) = first.iter().position(|k| k == kind) {
            return i as i64 - first.len() as i64;
        }
        if let Some(i) = last.iter().position(|k| k == kind) {
            return 1 + i as i64;
        }
        0
    };
    let mut keyed: Vec<((i64, String, String), Item)> = items
        .drain(..)
        .map(|item| {
            let id = item.id();
            let gvk = gvk_string(&id);
            // Namespaces of the core group sort before those of other groups.
            let gvk_key = if id.kind == "Namespace" && id.group.is_empty() {
                format!("\u{0}{gvk}")
            } else {
                gvk.clone()
            };
            let idkey = format!("{gvk}|{}|{}", or(&id.namespace, "~X"), or(&id.name, "~N"));
            ((rank(&id.kind), gvk_key, idkey), item)
        })
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    items.extend(keyed.into_iter().map(|(_, i)| i));
}
