//! JSON Schemas of the input files, generated from the typed model.
//!
//! The same schema serves two purposes: `fluxprint schema` prints it for editors
//! (`# yaml-language-server: $schema=...`), and the loader validates every input against it,
//! so all structural problems of a file are reported at once with their positions, before the
//! typed model is built.

use schemars::generate::SchemaSettings;
use serde_json::{json, Map, Value};

use super::cluster::Cluster;
use super::component::{Component, NOT_OVERRIDABLE as COMPONENT_NOT_OVERRIDABLE};
use super::service::{Blueprint, NOT_OVERRIDABLE};

/// The JSON Schema (draft 2020-12) of a blueprint file.
pub fn blueprint_schema() -> Value {
    let generator = settings().into_generator();
    let mut schema = generator.into_root_schema_for::<Blueprint>().to_value();
    strip_null(&mut schema);
    add_override_layer(
        &mut schema,
        "BlueprintOverride",
        NOT_OVERRIDABLE,
        "Per-cluster changes, merged over the blueprint: maps merge, lists replace.",
    );
    schema["$id"] = json!("https://fluxprint.dev/schemas/blueprint.schema.json");
    schema
}

/// The JSON Schema (draft 2020-12) of a platform component file.
pub fn component_schema() -> Value {
    let generator = settings().into_generator();
    let mut schema = generator.into_root_schema_for::<Component>().to_value();
    strip_null(&mut schema);
    add_override_layer(
        &mut schema,
        "ComponentOverride",
        COMPONENT_NOT_OVERRIDABLE,
        "Per-cluster changes, merged over the component: maps merge, lists replace.",
    );
    schema["$id"] = json!("https://fluxprint.dev/schemas/component.schema.json");
    schema
}

/// Adds the definition `name`: the document's own schema made partial (nothing required,
/// list items whole) without the fields `not_overridable`, which `overrides` layers refer to.
fn add_override_layer(schema: &mut Value, name: &str, not_overridable: &[&str], about: &str) {
    let mut layer = Map::new();
    for key in ["type", "properties", "additionalProperties"] {
        if let Some(v) = schema.get(key) {
            layer.insert(key.to_owned(), v.clone());
        }
    }
    if let Some(Value::Object(props)) = layer.get_mut("properties") {
        for key in not_overridable {
            props.remove(*key);
        }
    }
    let mut layer = Value::Object(layer);
    let mut partial_defs = Map::new();
    if let Some(Value::Object(defs)) = schema.get("$defs") {
        partialize(&mut layer, defs, &mut partial_defs);
    }
    layer["description"] = json!(about);
    if let Some(Value::Object(defs)) = schema.get_mut("$defs") {
        defs.insert(name.into(), layer);
        defs.extend(partial_defs);
    }
}

/// The JSON Schema (draft 2020-12) of a cluster file.
pub fn cluster_schema() -> Value {
    let generator = settings().into_generator();
    let mut schema = generator.into_root_schema_for::<Cluster>().to_value();
    strip_null(&mut schema);
    schema["$id"] = json!("https://fluxprint.dev/schemas/cluster.schema.json");
    schema
}

/// Draft 2020-12 settings.
fn settings() -> SchemaSettings {
    SchemaSettings::draft2020_12()
}

/// Optional fields are simply not required: the `null` alternative schemars adds for an
/// `Option` is removed, so that a problem inside an optional mapping is reported at its
/// field rather than as "matches no option", and `null` is not accepted for a missing value.
fn strip_null(schema: &mut Value) {
    match schema {
        Value::Object(obj) => {
            if let Some(Value::Array(types)) = obj.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    obj.insert("type".into(), only);
                }
            }
            if let Some(Value::Array(options)) = obj.get("anyOf") {
                let non_null: Vec<Value> = options
                    .iter()
                    .filter(|o| o.get("type").and_then(Value::as_str) != Some("null"))
                    .cloned()
                    .collect();
                if non_null.len() == 1 && options.len() == 2 {
                    obj.remove("anyOf");
                    if let Value::Object(inner) = &non_null[0] {
                        for (k, v) in inner {
                            obj.entry(k.clone()).or_insert_with(|| v.clone());
                        }
                    }
                }
            }
            if let Some(Value::Array(values)) = obj.get_mut("enum") {
                values.retain(|v| !v.is_null());
            }
            for v in obj.values_mut() {
                strip_null(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip_null),
        _ => {}
    }
}

/// Makes a schema "partial" for an override layer: objects reached through properties lose
/// `required` (an override names only what it changes), while list items stay complete
/// (lists replace, so each item must be whole). Referenced definitions are copied as
/// `Partial<Name>`.
fn partialize(schema: &mut Value, defs: &Map<String, Value>, out: &mut Map<String, Value>) {
    let Value::Object(obj) = schema else { return };
    obj.remove("required");
    if let Some(Value::String(reference)) = obj.get("$ref").cloned() {
        if let Some(name) = reference.strip_prefix("#/$defs/") {
            let partial = format!("Partial{name}");
            if !out.contains_key(&partial) {
                if let Some(def) = defs.get(name) {
                    // Insert first so recursive definitions terminate.
                    out.insert(partial.clone(), Value::Null);
                    let mut copy = def.clone();
                    partialize(&mut copy, defs, out);
                    out.insert(partial.clone(), copy);
                }
            }
            obj.insert("$ref".into(), Value::String(format!("#/$defs/{partial}")));
        }
    }
    if let Some(Value::Object(props)) = obj.get_mut("properties") {
        for value in props.values_mut() {
            partialize(value, defs, out);
        }
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(options)) = obj.get_mut(key) {
            for option in options {
                partialize(option, defs, out);
            }
        }
    }
}

/// A schema as the pretty-printed JSON text of `schemas/*.schema.json`, ending in a newline.
pub fn schema_text(schema: &Value) -> String {
    let mut text = serde_json::to_string_pretty(schema).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn override_layer_is_partial_but_list_items_are_whole() {
        let schema = blueprint_schema();
        let layer = &schema["$defs"]["BlueprintOverride"];
        assert!(layer.get("required").is_none());
        assert!(layer["properties"].get("name").is_none());
        assert!(layer["properties"].get("autoscaling").is_some());
        let partial = &schema["$defs"]["PartialAutoscaling"];
        assert!(partial.get("required").is_none(), "{partial}");
        // The full definition keeps its required fields.
        assert!(schema["$defs"]["Autoscaling"]["required"].is_array());
    }

    #[test]
    fn optional_fields_have_no_null_alternative() {
        let text = blueprint_schema().to_string() + &cluster_schema().to_string();
        assert!(!text.contains("\"null\""), "a null alternative is left");
    }

    #[test]
    fn schemas_compile() {
        for schema in [blueprint_schema(), cluster_schema(), component_schema()] {
            assert!(jsonschema::validator_for(&schema).is_ok());
        }
    }
}
