//! The built-in transformers, one per file, in the order kustomize runs them (see
//! `build.rs`): namespace, prefix and suffix, labels and annotations, replicas, images,
//! replacements, and — once, at the top — hash suffixes and name references.

pub(crate) mod images;
pub(crate) mod labels;
pub(crate) mod nameref;
pub(crate) mod names;
pub(crate) mod namespace;
pub(crate) mod replacements;
pub(crate) mod replicas;

use serde_json::Value;

/// A scalar as the string kustomize reads it into (`1` → "1").
pub(crate) fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}
