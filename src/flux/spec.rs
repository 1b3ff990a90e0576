//! The fields of a Flux `Kustomization` that decide what it applies.

use crate::source::Lookup as _;
use serde_json::{json, Map, Value};

/// `kustomize.toolkit.fluxcd.io` Kustomization, as far as the build needs it.
#[derive(Clone, Debug, PartialEq)]
pub struct FluxSpec {
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace` (`flux-system` when unset, as `flux bootstrap` writes it).
    pub namespace: String,
    /// `spec.path`, `./`-less and `/`-separated (`""` is the source root).
    pub path: String,
    /// `spec.sourceRef`: kind, name, namespace (defaults to the Kustomization's).
    pub source: (String, String, String),
    /// The settings kustomize-controller writes into the kustomization before building.
    pub overlay: Value,
    /// `spec.commonMetadata`.
    pub common_metadata: Option<Value>,
    /// `spec.postBuild`.
    pub post_build: Option<Value>,
}

/// True for a Flux Kustomization object.
pub fn is_flux_kustomization(v: &Value) -> bool {
    crate::source::get(v, "kind").and_then(Value::as_str) == Some("Kustomization")
        && crate::source::get(v, "apiVersion")
            .and_then(Value::as_str)
            .is_some_and(|a| a.starts_with("kustomize.toolkit.fluxcd.io/"))
}

fn text<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.lookup(pointer).and_then(Value::as_str)
}

impl FluxSpec {
    /// Reads a Flux Kustomization; `None` for other objects.
    pub fn read(v: &Value) -> Option<FluxSpec> {
        if !is_flux_kustomization(v) {
            return None;
        }
        let namespace = text(v, "/metadata/namespace")
            .unwrap_or("flux-system")
            .to_owned();
        let path = text(v, "/spec/path").unwrap_or("");
        let source = (
            text(v, "/spec/sourceRef/kind")
                .unwrap_or("GitRepository")
                .to_owned(),
            text(v, "/spec/sourceRef/name").unwrap_or("").to_owned(),
            text(v, "/spec/sourceRef/namespace")
                .unwrap_or(&namespace)
                .to_owned(),
        );
        let mut overlay = Map::new();
        let spec = v.get("spec");
        for (flux, kustomize) in [
            ("targetNamespace", "namespace"),
            ("patches", "patches"),
            ("images", "images"),
            ("components", "components"),
            ("namePrefix", "namePrefix"),
            ("nameSuffix", "nameSuffix"),
        ] {
            if let Some(value) = spec.and_then(|s| s.get(flux)).filter(|v| !v.is_null()) {
                overlay.insert(kustomize.to_owned(), value.clone());
            }
        }
        Some(FluxSpec {
            name: text(v, "/metadata/name").unwrap_or("").to_owned(),
            namespace,
            path: super::clean_path(path),
            source,
            overlay: if overlay.is_empty() {
                json!({})
            } else {
                Value::Object(overlay)
            },
            common_metadata: spec.and_then(|s| s.get("commonMetadata")).cloned(),
            post_build: spec
                .and_then(|s| s.get("postBuild"))
                .filter(|p| !p.is_null())
                .cloned(),
        })
    }

    /// `namespace/name`.
    pub fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}
