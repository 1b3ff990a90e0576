//! `namespace`: sets `metadata.namespace` of every namespaced object, renames `Namespace`
//! objects, and sets the namespace of RoleBinding subjects named `default`, of APIService
//! and CRD conversion webhook services (kustomize's defaults).

use crate::source::Lookup as _;
use serde_json::Value;
use std::sync::Arc;

use crate::kustomize::build::is_cluster_scoped;
use crate::kustomize::fieldspecs::{visit, FieldSpec};
use crate::kustomize::item::Item;
use crate::kustomize::Origin;

/// Which RoleBinding subjects get the namespace (a NamespaceTransformer's
/// `setRoleBindingSubjects`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Subjects {
    /// Subjects named `default` (kustomize's default).
    Default,
    /// Every ServiceAccount subject.
    ServiceAccounts,
    /// None.
    None,
}

/// How a namespace is set: the field specs beyond `metadata/namespace`, whether only unset
/// namespaces change, and which RoleBinding subjects follow.
pub(crate) struct Mode<'a> {
    pub specs: &'a [FieldSpec],
    pub unset_only: bool,
    pub subjects: Subjects,
}

/// Applies namespace `ns` (written at `at`) to `items`.
pub(crate) fn apply(items: &mut [Item], ns: &str, mode: &Mode<'_>, at: &Origin) {
    let specs = mode.specs;
    // kustomize sets these itself, whatever the field specs say.
    let specs: Vec<&FieldSpec> = specs
        .iter()
        .filter(|s| {
            s.path != "metadata/namespace"
                && !(s.path == "subjects/namespace"
                    && matches!(
                        s.kind.as_deref(),
                        Some("RoleBinding" | "ClusterRoleBinding")
                    ))
        })
        .collect();
    let settable = |v: &Value| match v {
        Value::Null => true,
        Value::String(s) => !mode.unset_only || s.is_empty(),
        _ => !mode.unset_only,
    };
    for item in items.iter_mut() {
        if item
            .r
            .value
            .lookup("/metadata/annotations/kustomize.config.k8s.io~1helm-generated")
            == Some(&Value::String("true".into()))
        {
            continue;
        }
        item.store_previous_id();
        let id = item.id();
        if !is_cluster_scoped(&id.kind) {
            if let Some(meta) = item.metadata_mut() {
                if settable(meta.get("namespace").unwrap_or(&Value::Null)) {
                    meta.insert("namespace".into(), Value::String(ns.to_owned()));
                    item.r.set_origin("/metadata/namespace", at.clone());
                }
            }
        }
        if matches!(id.kind.as_str(), "RoleBinding" | "ClusterRoleBinding") {
            let mut set = Vec::new();
            if let Some(Value::Array(subjects)) =
                Arc::make_mut(&mut item.r.value).get_mut("subjects")
            {
                for (i, s) in subjects.iter_mut().enumerate() {
                    let takes = match mode.subjects {
                        Subjects::Default => {
                            s.get("name").and_then(Value::as_str) == Some("default")
                        }
                        Subjects::ServiceAccounts => {
                            s.get("kind").and_then(Value::as_str) == Some("ServiceAccount")
                        }
                        Subjects::None => false,
                    };
                    if takes {
                        if let Some(m) = s.as_object_mut() {
                            if settable(m.get("namespace").unwrap_or(&Value::Null)) {
                                m.insert("namespace".into(), Value::String(ns.to_owned()));
                                set.push(format!("/subjects/{i}/namespace"));
                            }
                        }
                    }
                }
            }
            for p in set {
                item.r.set_origin(p, at.clone());
            }
        }
        let core = item.r.value.get("apiVersion").and_then(Value::as_str) == Some("v1");
        for spec in &specs {
            if !spec.selects(&id) || (spec.path == "metadata/name" && !core) {
                continue;
            }
            let segs = spec.segments();
            let make = || Value::String(String::new());
            let mut touched = Vec::new();
            visit(
                Arc::make_mut(&mut item.r.value),
                segs,
                spec.create.then_some(&make as &dyn Fn() -> Value),
                &mut String::new(),
                &mut |v, p| {
                    if (v.is_string() || v.is_null()) && settable(v) {
                        *v = Value::String(ns.to_owned());
                        touched.push(p.to_owned());
                    }
                },
            );
            for p in touched {
                item.r.set_origin(p, at.clone());
            }
        }
    }
}
