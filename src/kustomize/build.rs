//! The build of one kustomization directory, recursively.

use serde_json::{Map, Value};

use super::{kustomization_file, resolve_path, Build, Origin, Overlay, Problem, Resource, Source};

/// Kinds that have no namespace (kustomize leaves their namespace alone).
const CLUSTER_SCOPED: &[&str] = &[
    "APIService",
    "CSIDriver",
    "CSINode",
    "CertificateSigningRequest",
    "ClusterRole",
    "ClusterRoleBinding",
    "ComponentStatus",
    "CustomResourceDefinition",
    "FlowSchema",
    "IngressClass",
    "MutatingWebhookConfiguration",
    "Namespace",
    "Node",
    "PersistentVolume",
    "PriorityClass",
    "PriorityLevelConfiguration",
    "RuntimeClass",
    "StorageClass",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "ValidatingWebhookConfiguration",
    "VolumeAttachment",
];

/// True for kinds kustomize treats as cluster-scoped.
pub fn is_cluster_scoped(kind: &str) -> bool {
    CLUSTER_SCOPED.contains(&kind)
}

/// Builds directory `dir` (repository-relative) of `src`, with Flux's `overlay` on top.
pub fn build(src: &dyn Source, dir: &str, overlay: Option<&Overlay>) -> Build {
    let mut out = Build::default();
    let mut visiting = Vec::new();
    let resources = build_dir(src, dir, overlay, &mut out, &mut visiting);
    out.resources = resources;
    out
}

/// A kustomization with the origin of each of its fields.
struct Kustomization {
    value: Map<String, Value>,
    /// Where the kustomization's fields are written.
    origin: Origin,
    /// Where the overlay's fields are written, for the fields it set.
    overlay: Option<Origin>,
}

impl Kustomization {
    /// Where field `key` (and `rest` below it) is written.
    fn at(&self, key: &str, from_overlay: bool, rest: &str) -> Origin {
        match (&self.overlay, from_overlay) {
            (Some(o), true) => o.join(&format!("/{key}{rest}")),
            _ => self.origin.join(&format!("/{key}{rest}")),
        }
    }
}

fn problem(out: &mut Build, origin: Origin, message: impl Into<String>) {
    out.errors.push(Problem {
        origin,
        message: message.into(),
    });
}

fn read_kustomization(
    src: &dyn Source,
    dir: &str,
    overlay: Option<&Overlay>,
    out: &mut Build,
) -> Option<Kustomization> {
    if let Some(file) = kustomization_file(src, dir) {
        out.files.insert(file.clone());
        let origin = Origin::new(&file, 0, "");
        let docs = match src.documents(&file)? {
            Ok(docs) => docs,
            Err(why) => {
                problem(out, origin, format!("`{file}` does not parse: {why}"));
                return None;
            }
        };
        let value = match docs.first() {
            Some(Value::Object(map)) => map.clone(),
            Some(Value::Null) | None => Map::new(),
            Some(_) => {
                problem(out, origin, "a kustomization must be a mapping");
                return None;
            }
        };
        return Some(Kustomization {
            value,
            origin,
            overlay: None,
        });
    }
    let overlay = overlay?;
    let listed = overlay.generated_resources.as_ref()?;
    let mut value = Map::new();
    value.insert(
        "resources".into(),
        Value::Array(listed.iter().cloned().map(Value::String).collect()),
    );
    Some(Kustomization {
        value,
        origin: overlay.origin.clone(),
        overlay: None,
    })
}

/// Merges Flux's overlay into the directory's kustomization, as kustomize-controller does
/// when it rewrites the kustomization file before building.
fn merge_overlay(k: &mut Kustomization, overlay: &Overlay) -> Vec<String> {
    let mut set = Vec::new();
    let Value::Object(extra) = &overlay.value else {
        return set;
    };
    for (key, value) in extra {
        match key.as_str() {
            "namespace" | "namePrefix" | "nameSuffix" => {
                k.value.insert(key.clone(), value.clone());
                set.push(key.clone());
            }
            _ => {}
        }
    }
    k.overlay = Some(overlay.origin.clone());
    set
}

fn build_dir(
    src: &dyn Source,
    dir: &str,
    overlay: Option<&Overlay>,
    out: &mut Build,
    visiting: &mut Vec<String>,
) -> Vec<Resource> {
    if visiting.iter().any(|d| d == dir) {
        // Reported by the caller at the entry that closes the cycle.
        return Vec::new();
    }
    let Some(mut k) = read_kustomization(src, dir, overlay, out) else {
        return Vec::new();
    };
    let from_overlay = match overlay {
        Some(o) => merge_overlay(&mut k, o),
        None => Vec::new(),
    };
    visiting.push(dir.to_owned());
    let mut resources = Vec::new();
    let entries: Vec<Value> = k
        .value
        .get("resources")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for (i, entry) in entries.iter().enumerate() {
        let at = k.at("resources", false, &format!("/{i}"));
        let Some(name) = entry.as_str() else {
            problem(out, at, "a resource entry must be a string");
            continue;
        };
        if is_remote(name) {
            out.notes.push(Problem {
                origin: at,
                message: format!("remote resource `{name}` is not built"),
            });
            continue;
        }
        let Some(path) = resolve_path(dir, name) else {
            problem(out, at, format!("`{name}` is outside the repository"));
            continue;
        };
        if src.is_dir(&path) {
            if visiting.contains(&path) {
                problem(out, at, format!("`{name}` includes itself (a cycle)"));
                continue;
            }
            if kustomization_file(src, &path).is_none() {
                problem(
                    out,
                    at,
                    format!("directory `{name}` has no kustomization.yaml"),
                );
                continue;
            }
            resources.extend(build_dir(src, &path, None, out, visiting));
            continue;
        }
        match src.documents(&path) {
            None => problem(out, at, format!("`{name}` does not exist")),
            Some(Err(why)) => problem(out, at, format!("`{name}` does not parse: {why}")),
            Some(Ok(docs)) => {
                out.files.insert(path.clone());
                for (doc, value) in docs.iter().enumerate() {
                    if value.is_null() {
                        continue;
                    }
                    resources.push(Resource {
                        value: value.clone(),
                        origin: Origin::new(&path, doc, ""),
                        fields: Vec::new(),
                    });
                }
            }
        }
    }
    if let Some(ns) = k.value.get("namespace").and_then(Value::as_str) {
        let at = k.at(
            "namespace",
            from_overlay.iter().any(|f| f == "namespace"),
            "",
        );
        for r in &mut resources {
            if is_cluster_scoped(r.kind()) {
                continue;
            }
            if let Some(meta) = r.value.get_mut("metadata").and_then(Value::as_object_mut) {
                meta.insert("namespace".into(), Value::String(ns.to_owned()));
                r.set_origin("/metadata/namespace", at.clone());
            }
        }
    }
    for key in ["namePrefix", "nameSuffix"] {
        let Some(text) = k.value.get(key).and_then(Value::as_str) else {
            continue;
        };
        let at = k.at(key, from_overlay.iter().any(|f| f == key), "");
        for r in &mut resources {
            if matches!(r.kind(), "Namespace" | "CustomResourceDefinition") {
                continue;
            }
            let name = r.name().to_owned();
            let renamed = if key == "namePrefix" {
                format!("{text}{name}")
            } else {
                format!("{name}{text}")
            };
            if let Some(meta) = r.value.get_mut("metadata").and_then(Value::as_object_mut) {
                meta.insert("name".into(), Value::String(renamed));
                r.set_origin("/metadata/name", at.clone());
            }
        }
    }
    visiting.pop();
    resources
}

/// True for resources kustomize would fetch (git or HTTP).
fn is_remote(name: &str) -> bool {
    name.contains("://") && !name.starts_with("file://")
        || name.starts_with("github.com/")
        || name.starts_with("git@")
}
