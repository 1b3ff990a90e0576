//! The served versions of a CRD. Shared with the build script (`build.rs` includes this
//! file), which compiles the same schemas into the binary: one reading for both.

use serde_json::Value;

/// `(version name, openAPIV3Schema)` of every version `crd` serves, in its order.
pub fn served_versions(crd: &Value) -> Vec<(&str, &Value)> {
    crd.pointer("/spec/versions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|v| v.get("served").and_then(Value::as_bool) != Some(false))
        .filter_map(|v| {
            Some((
                v.get("name").and_then(Value::as_str)?,
                v.pointer("/schema/openAPIV3Schema")?,
            ))
        })
        .collect()
}
