//! `labels`, `commonLabels` and `commonAnnotations`: key/value pairs set at the field specs
//! of kustomize's defaults (metadata only, templates, or selectors too).

use serde_json::{Map, Value};

use super::scalar_string;
use crate::kustomize::fieldspecs::{segments, visit, FieldSpec};
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
        let mut touched = Vec::new();
        for spec in specs.iter().filter(|s| s.selects(&id)) {
            let segs = segments(&spec.path);
            let make = || Value::Object(Map::new());
            visit(
                &mut item.r.value,
                &segs,
                spec.create.then_some(&make as &dyn Fn() -> Value),
                &mut String::new(),
                &mut |v, p| {
                    if v.is_null() {
                        *v = Value::Object(Map::new());
                    }
                    if let Value::Object(m) = v {
                        for (k, val) in &pairs {
                            m.insert(k.clone(), Value::String(val.clone()));
                            touched.push((format!("{p}/{}", esc(k)), k.clone()));
                        }
                    }
                },
            );
        }
        for (p, k) in touched {
            item.r.set_origin(p, at.join(&format!("/{}", esc(&k))));
        }
    }
}
