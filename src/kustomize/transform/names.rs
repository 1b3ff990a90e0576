//! `namePrefix` and `nameSuffix` (not on CRDs, APIServices and Namespaces, as kustomize),
//! and the content-hash suffix of generated ConfigMaps and Secrets.

use serde_json::Value;

use crate::kustomize::hash;
use crate::kustomize::item::Item;
use crate::kustomize::Origin;

fn skipped(item: &Item) -> bool {
    let id = item.org_id();
    id.kind == "CustomResourceDefinition"
        || id.kind == "Namespace"
        || (id.kind == "APIService" && id.group == "apiregistration.k8s.io")
}

/// Adds `prefix` (or, with `suffix`, appends) to every name; written at `at`.
pub(crate) fn apply(items: &mut [Item], affix: &str, suffix: bool, at: &Origin) {
    for item in items.iter_mut() {
        if skipped(item) {
            continue;
        }
        let name = item.r.name().to_owned();
        if suffix {
            item.suffixes.push(affix.to_owned());
        } else {
            item.prefixes.push(affix.to_owned());
        }
        item.store_previous_id();
        let new = if suffix {
            format!("{name}{affix}")
        } else {
            format!("{affix}{name}")
        };
        item.set_name(new);
        item.r.set_origin("/metadata/name", at.clone());
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
