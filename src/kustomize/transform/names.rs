//! `namePrefix` and `nameSuffix` (not on CRDs, APIServices and Namespaces, as kustomize),
//! and the content-hash suffix of generated ConfigMaps and Secrets.

use serde_json::Value;
use std::sync::Arc;

use crate::kustomize::fieldspecs::{visit, FieldSpec};
use crate::kustomize::hash;
use crate::kustomize::item::Item;
use crate::kustomize::Origin;

fn skipped(item: &Item) -> bool {
    let id = item.org_id();
    id.kind == "CustomResourceDefinition"
        || id.kind == "Namespace"
        || (id.kind == "APIService" && id.group == "apiregistration.k8s.io")
}

/// Adds `affix` as a prefix (or, with `suffix`, a suffix) at `specs` (kustomize's
/// `namePrefix`/`nameSuffix` field specs, `metadata/name` by default); written at `at`.
pub(crate) fn apply(
    items: &mut [Item],
    affix: &str,
    suffix: bool,
    specs: &[FieldSpec],
    at: &Origin,
) {
    for item in items.iter_mut() {
        if skipped(item) {
            continue;
        }
        let org = item.org_id();
        for spec in specs.iter().filter(|s| s.selects(&org)) {
            if spec.path == "metadata/name" {
                // kustomize records even an empty affix (name references compare them).
                if suffix {
                    item.suffixes.push(affix.to_owned());
                } else {
                    item.prefixes.push(affix.to_owned());
                }
                if !affix.is_empty() {
                    item.store_previous_id();
                }
            }
            let mut touched = Vec::new();
            visit(
                Arc::make_mut(&mut item.r.value),
                spec.segments(),
                None,
                &mut String::new(),
                &mut |v, p| {
                    if let Value::String(name) = v {
                        *name = if suffix {
                            format!("{name}{affix}")
                        } else {
                            format!("{affix}{name}")
                        };
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

/// Appends the content hash to the names of generated objects that want it.
pub(crate) fn add_hashes(items: &mut [Item]) {
    for item in items.iter_mut() {
        if !item.generated.as_ref().is_some_and(|g| g.hash) {
            continue;
        }
        let h = hash::suffix(&item.r.value);
        item.store_previous_id();
        let name = format!("{}-{h}", item.r.name());
        if let Some(meta) = item.metadata_mut() {
            meta.insert("name".into(), Value::String(name));
        }
    }
}
