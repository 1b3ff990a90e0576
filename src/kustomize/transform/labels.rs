//! `labels`, `commonLabels` and `commonAnnotations`: key/value pairs set at the field specs
//! of kustomize's defaults (metadata only, templates, or selectors too).

use serde_json::{Map, Value};
use std::sync::Arc;

use super::scalar_string;
use crate::kustomize::fieldspecs::{visit, FieldSpec};
use crate::kustomize::item::{esc, Item};
use crate::kustomize::Origin;

/// Sets `pairs` (written at `at`, one entry per key) at `specs` in every object.
pub(crate) fn apply(
    items: &mut [Item],
    pairs: &Map<String, Value>,
    specs: &[FieldSpec],
    at: &Origin,
) {
    let pairs: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.clone(), scalar_string(v).unwrap_or_default()))
        .collect();
    if pairs.is_empty() {
        return;
    }
    for item in items.iter_mut() {
        let id = item.id();
        let before = item.link_values();
        let mut touched = Vec::new();
        // Per key, the places where it is new: one node in kustomize.
        let mut created: Vec<Vec<String>> = vec![Vec::new(); pairs.len()];
        for spec in specs.iter().filter(|s| s.selects(&id)) {
            let segs = spec.segments();
            let make = || Value::Object(Map::new());
            visit(
                Arc::make_mut(&mut item.r.value),
                segs,
                spec.create.then_some(&make as &dyn Fn() -> Value),
                &mut String::new(),
                &mut |v, p| {
                    if v.is_null() {
                        *v = Value::Object(Map::new());
                    }
                    if let Value::Object(m) = v {
                        for (n, (k, val)) in pairs.iter().enumerate() {
                            let at = format!("{p}/{}", esc(k));
                            if m.insert(k.clone(), Value::String(val.clone())).is_none() {
                                created[n].push(at.clone());
                            }
                            touched.push((at, k.clone()));
                        }
                    }
                },
            );
        }
        for (p, k) in touched {
            item.r.set_origin(p, at.join(&format!("/{}", esc(&k))));
        }
        item.sync_links(before);
        item.links
            .extend(created.into_iter().filter(|g| g.len() > 1));
    }
}
