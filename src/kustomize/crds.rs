//! The `crds` field: files of OpenAPI definitions whose `x-kubernetes-*` extensions teach
//! the transformers about fields of custom kinds, read as kustomize's
//! `LoadConfigFromCRDs` reads them.
//!
//! A file maps type names (`group.version.Kind`, dot-separated) to definitions
//! (`{Schema: {properties: …}, Dependencies: […]}`, keys matched without case as Go's JSON
//! decoder does). A definition whose properties include `kind`, `apiVersion` and `metadata`
//! is a kind; its properties, followed through `$ref` into other definitions of the file,
//! add field specs for that kind (any group and version):
//! - `x-kubernetes-annotation` → `commonAnnotations`;
//! - `x-kubernetes-label-selector` → `commonLabels`;
//! - `x-kubernetes-identity` → `namePrefix` (kustomize adds no suffix spec);
//! - `x-kubernetes-object-ref-api-version` with `x-kubernetes-object-ref-kind` → a name
//!   reference to that kind, at `<property>/<x-kubernetes-object-ref-name-key or name>`.
//!
//! Only string-valued extensions count, as in kustomize. A CustomResourceDefinition object
//! is not such a file: kustomize refuses it, and so does this reader.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::fieldspecs::{merge_specs, Config, FieldSpec, NameRef};

/// `$ref` chains deeper than this are not followed (kustomize would recurse forever on a
/// cycle; a file that deep teaches nothing more).
const MAX_DEPTH: usize = 32;

/// The transformer configuration one `crds` file teaches; `Err` says why kustomize refuses
/// the file.
pub(crate) fn config_from_openapi(doc: &Value) -> Result<Config, String> {
    let defs = match doc {
        Value::Object(m) => m,
        Value::Null => return Ok(Config::default()),
        _ => return Err("it must map type names to OpenAPI definitions".into()),
    };
    let mut schemas = Map::new();
    for (name, def) in defs {
        if def.is_null() {
            continue;
        }
        let Value::Object(def) = def else {
            return Err(format!(
                "`{name}` is not an OpenAPI definition (a CustomResourceDefinition object \
                 belongs in `resources`, not `crds`)"
            ));
        };
        // Go's decoder matches the `Schema` field without regard to case.
        let schema = def
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("schema"))
            .map(|(_, v)| v.clone())
            .unwrap_or(Value::Null);
        schemas.insert(name.clone(), schema);
    }
    let mut out = Config {
        extended: true,
        ..Config::default()
    };
    let mut acc = Learned::default();
    for (name, schema) in &schemas {
        let props = properties(schema)?;
        let is_kind = ["kind", "apiVersion", "metadata"]
            .iter()
            .all(|k| props.is_some_and(|p| p.contains_key(*k)));
        if !is_kind {
            continue;
        }
        if name.split('.').count() < 3 {
            return Err(format!(
                "`{name}`: `api` should be specified in dot notation: group.version.kind"
            ));
        }
        let kind = name.rsplit('.').next().unwrap_or(name);
        learn(&schemas, kind, name, &mut Vec::new(), &mut acc, 0)?;
    }
    for (mine, theirs) in [
        (&mut out.common_annotations, &acc.annotations),
        (&mut out.common_labels, &acc.labels),
        (&mut out.name_prefix, &acc.prefix),
    ] {
        let mut specs = Vec::new();
        merge_specs(&mut specs, theirs)?;
        *mine = Arc::new(specs);
    }
    let mut refs: Vec<NameRef> = Vec::new();
    for (kind, version, spec) in acc.refs {
        match refs
            .iter_mut()
            .find(|r| r.kind == kind && r.version.as_deref() == Some(version.as_str()))
        {
            Some(r) => {
                merge_specs(&mut r.referrers, &[spec])?;
            }
            None => refs.push(NameRef {
                group: None,
                version: Some(version).filter(|v| !v.is_empty()),
                kind,
                referrers: vec![spec],
            }),
        }
    }
    out.name_reference = Arc::new(refs);
    Ok(out)
}

#[derive(Default)]
struct Learned {
    annotations: Vec<FieldSpec>,
    labels: Vec<FieldSpec>,
    prefix: Vec<FieldSpec>,
    /// (referenced kind, its version, the referring field).
    refs: Vec<(String, String, FieldSpec)>,
}

/// The `properties` of a schema, if it has any.
fn properties(schema: &Value) -> Result<Option<&Map<String, Value>>, String> {
    match schema.get("properties") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(p)) => Ok(Some(p)),
        Some(_) => Err("`properties` must be a mapping".into()),
    }
}

fn learn(
    schemas: &Map<String, Value>,
    kind: &str,
    type_name: &str,
    path: &mut Vec<String>,
    acc: &mut Learned,
    depth: usize,
) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    let Some(schema) = schemas.get(type_name) else {
        return Ok(());
    };
    let Some(props) = properties(schema)? else {
        return Ok(());
    };
    for (prop, p) in props {
        path.push(prop.clone());
        let spec = |path: &[String]| FieldSpec {
            group: None,
            version: None,
            kind: Some(kind.to_owned()),
            path: path.join("/"),
            create: false,
            segs: Default::default(),
        };
        if extension(p, "x-kubernetes-annotation").is_some() {
            acc.annotations.push(spec(path));
        }
        if extension(p, "x-kubernetes-label-selector").is_some() {
            acc.labels.push(spec(path));
        }
        if extension(p, "x-kubernetes-identity").is_some() {
            acc.prefix.push(spec(path));
        }
        if let (Some(version), Some(target)) = (
            extension(p, "x-kubernetes-object-ref-api-version"),
            extension(p, "x-kubernetes-object-ref-kind"),
        ) {
            let key = extension(p, "x-kubernetes-object-ref-name-key").unwrap_or("name");
            let mut at = path.clone();
            at.push(key.to_owned());
            acc.refs
                .push((target.to_owned(), version.to_owned(), spec(&at)));
        }
        if let Some(Value::String(r)) = p.get("$ref") {
            if !r.is_empty() {
                learn(schemas, kind, r, path, acc, depth + 1)?;
            }
        }
        path.pop();
    }
    Ok(())
}

/// A string-valued vendor extension (kustomize looks extensions up in lower case).
fn extension<'a>(p: &'a Value, key: &str) -> Option<&'a str> {
    p.as_object()?
        .iter()
        .find(|(k, _)| k.to_ascii_lowercase() == key)
        .and_then(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn paths(specs: &[FieldSpec]) -> Vec<String> {
        specs
            .iter()
            .map(|s| format!("{}:{}", s.kind.as_deref().unwrap_or("-"), s.path))
            .collect()
    }

    #[test]
    fn extensions_become_field_specs_through_refs() {
        let doc = json!({
            "example.com/apis/v1.Bee": {"Schema": {"properties": {
                "apiVersion": {}, "kind": {}, "metadata": {},
                "spec": {"$ref": "example.com/apis/v1.BeeSpec"}
            }}},
            "example.com/apis/v1.BeeSpec": {"schema": {"properties": {
                "secretRef": {"x-kubernetes-object-ref-api-version": "v1",
                              "x-kubernetes-object-ref-kind": "Secret"},
                "configName": {"x-kubernetes-object-ref-api-version": "v1",
                               "x-kubernetes-object-ref-kind": "ConfigMap",
                               "x-kubernetes-object-ref-name-key": "ref"},
                "podAnnotations": {"x-kubernetes-annotation": ""},
                "selector": {"x-kubernetes-label-selector": ""},
                "instance": {"x-kubernetes-identity": ""},
                "ignored": {"x-kubernetes-annotation": true}
            }}}
        });
        let c = config_from_openapi(&doc).expect("config");
        assert_eq!(paths(&c.common_annotations), ["Bee:spec/podAnnotations"]);
        assert_eq!(paths(&c.common_labels), ["Bee:spec/selector"]);
        assert_eq!(paths(&c.name_prefix), ["Bee:spec/instance"]);
        assert!(c.name_suffix.is_empty());
        let refs: Vec<String> = c
            .name_reference
            .iter()
            .map(|r| format!("{} {:?} {}", r.kind, r.version, paths(&r.referrers)[0]))
            .collect();
        assert_eq!(
            refs,
            [
                "ConfigMap Some(\"v1\") Bee:spec/configName/ref",
                "Secret Some(\"v1\") Bee:spec/secretRef/name"
            ]
        );
    }

    #[test]
    fn a_crd_object_and_undotted_kinds_are_refused() {
        let crd =
            json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition"});
        let e = config_from_openapi(&crd).expect_err("refused");
        assert!(e.contains("belongs in `resources`"), "{e}");
        let undotted = json!({"Bee": {"Schema": {"properties": {
            "apiVersion": {}, "kind": {}, "metadata": {}}}}});
        let e = config_from_openapi(&undotted).expect_err("refused");
        assert!(e.contains("dot notation"), "{e}");
    }
}
