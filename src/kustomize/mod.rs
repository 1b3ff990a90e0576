//! A native kustomize build: a directory with a `kustomization.yaml` → the objects
//! `kustomize build` would print, each field knowing the file, document and JSON pointer it
//! came from ([`Origin`]), so that a finding on a built object points at the line a person
//! edits — the resource, or the patch, generator or Flux setting that changed it.
//!
//! The build reads through a [`Source`] (the validator's parsed tree, or the disk for
//! `fluxprint build --kustomize`), never runs a plugin and never fetches: remote resources
//! and `helmCharts` are reported as *not built* ([`Build::notes`]), which is never an error.
//!
//! Paths are repository-relative and `/`-separated; nothing outside the source's root can be
//! named (kustomize's load restrictions are off, as in Flux, but the repository is the root).

mod build;
mod config;
mod crds;
pub mod disk;
mod fieldspecs;
mod generators;
mod hash;
mod item;
mod merge;
mod order;
mod origin;
mod plugins;
#[cfg(test)]
mod provenance_tests;
mod target;
mod transform;

use crate::source::Lookup as _;
use std::collections::BTreeSet;
use std::sync::Arc;

use serde_json::Value;

/// The documents of a file as JSON, shared: a build takes an object from here without
/// copying it, and copies it only when a transformation changes it ([`Arc::make_mut`]).
pub type Documents = Arc<Vec<Arc<Value>>>;

pub use build::build;
pub use origin::Origin;

/// The files a build may read. Implementations are shared across threads.
pub trait Source: Sync {
    /// The YAML documents of the file at `path` as JSON (empty documents included as
    /// `null`, so that document indexes match the file); `None` when there is no such file,
    /// `Some(Err(why))` when it exists but cannot be read or parsed.
    fn documents(&self, path: &str) -> Option<Result<Documents, String>>;
    /// The text of the file at `path` (generator sources: `.env`, `.properties`, any file).
    fn text(&self, path: &str) -> Option<Result<Arc<str>, String>>;
    /// The bytes of the file at `path` (generator `files`, which may be binary).
    fn bytes(&self, path: &str) -> Option<Result<Arc<[u8]>, String>> {
        self.text(path)
            .map(|r| r.map(|t| Arc::<[u8]>::from(t.as_bytes())))
    }
    /// True when `path` is a directory.
    fn is_dir(&self, path: &str) -> bool;
    /// The entries of directory `dir`: `(name, is_dir)`, sorted by name; hidden ones
    /// included (the caller decides).
    fn entries(&self, dir: &str) -> Vec<(String, bool)>;
}

/// A built object.
#[derive(Clone, Debug)]
pub struct Resource {
    /// The object as it would be applied (shared with the document it was read from until
    /// the build changes it).
    pub value: Arc<Value>,
    /// Where the object was read from (a resource document, or a generator entry).
    pub origin: Origin,
    /// Fields set or changed after reading: a pointer prefix in `value` → where that value
    /// came from. Later entries win over earlier ones with the same prefix.
    pub fields: Vec<(String, Origin)>,
}

impl Resource {
    /// Where the value at `pointer` (in [`Resource::value`]) came from: the origin of the
    /// longest recorded prefix (the latest of equals), with the rest of the pointer appended;
    /// else the object's own origin.
    pub fn origin_of(&self, pointer: &str) -> Origin {
        let mut best: Option<&(String, Origin)> = None;
        for entry in &self.fields {
            let (prefix, _) = entry;
            let is_prefix = pointer == prefix
                || (pointer.starts_with(prefix.as_str())
                    && pointer[prefix.len()..].starts_with('/'))
                || prefix.is_empty();
            if is_prefix && best.is_none_or(|(b, _)| prefix.len() >= b.len()) {
                best = Some(entry);
            }
        }
        match best {
            Some((prefix, origin)) => origin.join(&pointer[prefix.len()..]),
            None => self.origin.join(pointer),
        }
    }

    /// Records that the value at `pointer` now comes from `origin`.
    pub fn set_origin(&mut self, pointer: impl Into<String>, origin: Origin) {
        self.fields.push((pointer.into(), origin));
    }

    /// `kind`.
    pub fn kind(&self) -> &str {
        self.value.get("kind").and_then(Value::as_str).unwrap_or("")
    }

    /// `metadata.name`.
    pub fn name(&self) -> &str {
        self.value
            .lookup("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// `metadata.namespace`, if set.
    pub fn namespace(&self) -> Option<&str> {
        self.value
            .lookup("/metadata/namespace")
            .and_then(Value::as_str)
    }
}

/// Something the build could not do, at the entry that asked for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The entry (a kustomization field, a patch, a resource document).
    pub origin: Origin,
    /// What went wrong, in kustomize's terms but plain words.
    pub message: String,
}

/// The outcome of building one directory.
#[derive(Clone, Debug, Default)]
pub struct Build {
    /// The objects, in kustomize's output order.
    pub resources: Vec<Resource>,
    /// What kustomize would fail on: the directory does not build.
    pub errors: Vec<Problem>,
    /// What was not built and why (remote resources, `helmCharts`): never errors.
    pub notes: Vec<Problem>,
    /// Every file the build read (kustomizations, resources, patches, generator sources,
    /// configurations), repository-relative.
    pub files: BTreeSet<String>,
}

/// kustomize settings added on top of a directory's own kustomization, as Flux's
/// kustomize-controller does for a Flux `Kustomization` (`spec.targetNamespace`,
/// `spec.patches`, `spec.images`, `spec.components`, `spec.namePrefix`/`nameSuffix`).
#[derive(Clone, Debug)]
pub struct Overlay {
    /// A kustomization-shaped mapping: `namespace`, `patches`, `images`, `components`,
    /// `namePrefix`, `nameSuffix`. `namespace`, `namePrefix` and `nameSuffix` replace the
    /// directory's own; `patches` and `components` are appended; an image replaces the
    /// directory's entry of the same `name`, else is appended.
    pub value: Value,
    /// Where `value` is written (a Flux Kustomization's `spec`): origins of what the
    /// overlay sets are this origin joined with the entry's pointer in `value`.
    pub origin: Origin,
    /// The resources to build when the directory has no kustomization file (Flux generates
    /// one listing every manifest below it); `None` makes a missing kustomization an error.
    pub generated_resources: Option<Vec<String>>,
}

/// The file names kustomize recognizes, in the order it looks for them.
pub const KUSTOMIZATION_FILES: [&str; 3] =
    ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// The kustomization file of `dir`, if it has one.
pub fn kustomization_file(src: &dyn Source, dir: &str) -> Option<String> {
    KUSTOMIZATION_FILES
        .iter()
        .map(|name| join(dir, name))
        .find(|path| !src.is_dir(path) && src.documents(path).is_some())
}

/// `dir` joined with the relative `path`, `.` and `..` resolved, `/`-separated; `None` when
/// the path is absolute or climbs above the root.
pub fn resolve_path(dir: &str, path: &str) -> Option<String> {
    let path = path.strip_prefix("file://").unwrap_or(path);
    if path.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = dir
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_inside_the_root_only() {
        assert_eq!(
            resolve_path("apps/a", "../b/x.yaml").as_deref(),
            Some("apps/b/x.yaml")
        );
        assert_eq!(resolve_path("", "./infra").as_deref(), Some("infra"));
        assert_eq!(resolve_path("apps", "../../x"), None);
        assert_eq!(resolve_path("apps", "/etc/passwd"), None);
        assert_eq!(resolve_path("apps", "a/../../../x"), None);
    }

    #[test]
    fn field_origins_take_the_longest_prefix() {
        let at = |file: &str, pointer: &str| Origin::new(file, 0, pointer);
        let mut r = Resource {
            value: Arc::new(Value::Null),
            origin: at("base.yaml", ""),
            fields: Vec::new(),
        };
        r.set_origin("/spec/replicas", at("patch.yaml", "/spec/replicas"));
        r.set_origin("/spec/template", at("patch.yaml", "/spec/template"));
        assert_eq!(
            r.origin_of("/spec/replicas"),
            at("patch.yaml", "/spec/replicas")
        );
        assert_eq!(
            r.origin_of("/spec/template/spec"),
            at("patch.yaml", "/spec/template/spec")
        );
        assert_eq!(
            r.origin_of("/spec/replicasX"),
            at("base.yaml", "/spec/replicasX")
        );
        assert_eq!(r.origin_of("/metadata"), at("base.yaml", "/metadata"));
    }
}
