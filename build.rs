//! Compiles the upstream schemas into the binary (see "Schemas" in docs/validate.md).
//!
//! Reads the directory named by `FLUXPRINT_SCHEMAS_DIR` (default `../shared/crds` beside this
//! package): every CustomResourceDefinition in its `.yaml`/`.yml` files, except the Flux
//! Operator's (AGPL-3.0: never compiled in, see `crds/README.md`), and the Kubernetes OpenAPI
//! v3 documents of `kubernetes/v1.35/`. Writes to `OUT_DIR`:
//!
//! - `schemas.bin`: deflate-compressed JSON chunks, back to back: one per CRD (its served
//!   versions' `openAPIV3Schema`, CEL rules included) and one per Kubernetes group-version
//!   (its `components.schemas`), plus one of the Kubernetes definitions that several
//!   group-versions share (`ObjectMeta`, `PodSpec`, …), so each is stored once;
//! - `schemas.rs`: the index `src/validate/schema.rs` includes: the chunks' places and the
//!   `(apiVersion, kind)` each one defines, sorted for binary search.
//!
//! Descriptions are dropped (nothing reads them, and they are most of the bytes). Nothing
//! else is changed: `SchemaStore` converts the schemas exactly as it converts `--crds` files,
//! and a test compares the two.
//!
//! Without the directory the build still succeeds with no built-in schemas (and a warning),
//! except under `CI`, where that is an error.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

/// The served versions of a CRD (shared with `SchemaStore`).
#[path = "src/validate/crd_versions.rs"]
mod crd_versions;
/// Enum values of built-in fields from their descriptions (shared with `SchemaStore`).
#[path = "src/validate/enums.rs"]
#[allow(dead_code)]
mod enums;

/// The group of the Flux Operator's CRDs, which must never be compiled in, wherever the files
/// are.
const FLUX_OPERATOR_GROUP: &str = "fluxcd.controlplane.io";
/// Kubernetes OpenAPI documents, below the schemas directory.
const KUBERNETES_DIR: &str = "kubernetes/v1.35";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/validate/enums.rs");
    println!("cargo:rerun-if-changed=src/validate/crd_versions.rs");
    println!("cargo:rerun-if-env-changed=FLUXPRINT_SCHEMAS_DIR");
    println!("cargo:rerun-if-env-changed=CI");
    let manifest = PathBuf::from(env("CARGO_MANIFEST_DIR"));
    let dir = std::env::var_os("FLUXPRINT_SCHEMAS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../shared/crds"));
    let out = PathBuf::from(env("OUT_DIR"));
    // Cargo scans a directory given here recursively for changes.
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut chunks = Chunks::default();
    if dir.is_dir() {
        crds(&dir, &mut chunks);
        kubernetes(&dir.join(KUBERNETES_DIR), &mut chunks);
    } else if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
        panic!(
            "the upstream schemas directory {} does not exist (set FLUXPRINT_SCHEMAS_DIR); \
             under CI a build without them is refused",
            dir.display()
        );
    } else {
        println!(
            "cargo:warning=no upstream schemas at {} (set FLUXPRINT_SCHEMAS_DIR): this build of \
             fluxprint validates only against CRDs given with --crds or found in the tree",
            dir.display()
        );
    }
    chunks.write(&out);
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("cargo sets {name}"))
}

/// Compressed chunks and the kinds each defines.
#[derive(Default)]
struct Chunks {
    blob: Vec<u8>,
    /// `(offset, length)` in `blob`.
    places: Vec<(usize, usize)>,
    /// `(apiVersion, kind)` → `(chunk, Kubernetes definition name or "" for a CRD)`.
    kinds: BTreeMap<(String, String), (usize, String)>,
    /// The chunk of the shared Kubernetes definitions.
    common: Option<usize>,
    /// Where each kind came from, for the duplicate check.
    origin: BTreeMap<(String, String), PathBuf>,
}

impl Chunks {
    fn add(&mut self, value: &Value) -> usize {
        let json = serde_json::to_vec(value).unwrap_or_else(|e| panic!("serialize: {e}"));
        let packed = miniz_oxide::deflate::compress_to_vec(&json, 9);
        self.places.push((self.blob.len(), packed.len()));
        self.blob.extend_from_slice(&packed);
        self.places.len() - 1
    }

    fn kind(&mut self, api_version: &str, kind: &str, chunk: usize, def: &str, from: &Path) {
        let key = (api_version.to_owned(), kind.to_owned());
        if let Some(before) = self.origin.insert(key.clone(), from.to_owned()) {
            panic!(
                "{api_version} {kind} is defined twice: in {} and {}",
                before.display(),
                from.display()
            );
        }
        self.kinds.insert(key, (chunk, def.to_owned()));
    }

    fn write(&self, out: &Path) {
        let write = |name: &str, bytes: &[u8]| {
            let path = out.join(name);
            std::fs::write(&path, bytes)
                .unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        };
        write("schemas.bin", &self.blob);
        let mut rs = String::from("// Generated by build.rs from the upstream schemas.\n");
        rs.push_str(
            "pub(super) static BLOB: &[u8] = include_bytes!(concat!(env!(\"OUT_DIR\"), \"/schemas.bin\"));\n",
        );
        rs.push_str("pub(super) static CHUNKS: &[(usize, usize)] = &[\n");
        for (offset, len) in &self.places {
            let _ = writeln!(rs, "    ({offset}, {len}),");
        }
        rs.push_str("];\n");
        let _ = writeln!(
            rs,
            "pub(super) static COMMON: Option<usize> = {:?};",
            self.common
        );
        rs.push_str("pub(super) static KINDS: &[(&str, &str, usize, &str)] = &[\n");
        for ((api_version, kind), (chunk, def)) in &self.kinds {
            let _ = writeln!(rs, "    ({api_version:?}, {kind:?}, {chunk}, {def:?}),");
        }
        rs.push_str("];\n");
        write("schemas.rs", rs.as_bytes());
    }
}

/// Every file below `dir` ending in one of `extensions`, sorted; `skip` names directories
/// (relative to `dir`) not to enter.
fn files_below(dir: &Path, extensions: &[&str], skip: &[&str]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).unwrap_or_else(|e| panic!("read {}: {e}", d.display()));
        for entry in entries {
            let path = entry
                .unwrap_or_else(|e| panic!("read {}: {e}", d.display()))
                .path();
            if path.is_dir() {
                let rel = path.strip_prefix(dir).unwrap_or(&path);
                if !skip.iter().any(|s| rel == Path::new(s)) {
                    stack.push(path);
                }
            } else if path
                .extension()
                .is_some_and(|e| extensions.iter().any(|x| e == *x))
            {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Drops `description`s (strings: a property named `description` is an object and stays),
/// in schema nodes only, not inside values such as defaults and enums.
fn strip(v: &mut Value) {
    match v {
        Value::Object(obj) => {
            if obj.get("description").is_some_and(Value::is_string) {
                obj.remove("description");
            }
            for (k, child) in obj.iter_mut() {
                if !matches!(k.as_str(), "default" | "enum" | "example" | "const") {
                    strip(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip),
        _ => {}
    }
}

/// One chunk per CRD: `{"versions": [[name, openAPIV3Schema], …]}`, served versions only.
fn crds(dir: &Path, chunks: &mut Chunks) {
    for path in files_below(dir, &["yaml", "yml"], &["flux-operator", KUBERNETES_DIR]) {
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        let docs: Vec<Value> = serde_saphyr::from_multiple(&text)
            .unwrap_or_else(|e| panic!("parse {}: {e}", path.display()));
        for crd in docs {
            if crd.get("kind").and_then(Value::as_str) != Some("CustomResourceDefinition") {
                continue;
            }
            let (Some(group), Some(kind)) = (
                crd.pointer("/spec/group").and_then(Value::as_str),
                crd.pointer("/spec/names/kind").and_then(Value::as_str),
            ) else {
                panic!("{}: a CRD without spec.group or kind", path.display());
            };
            if group == FLUX_OPERATOR_GROUP {
                continue;
            }
            let mut versions = Vec::new();
            for (name, schema) in crd_versions::served_versions(&crd) {
                let mut schema = schema.clone();
                strip(&mut schema);
                versions.push((name.to_owned(), schema));
            }
            if versions.is_empty() {
                continue;
            }
            let chunk = chunks.add(&serde_json::json!({ "versions": versions }));
            for (name, _) in &versions {
                chunks.kind(&format!("{group}/{name}"), kind, chunk, "", &path);
            }
        }
    }
}

/// One chunk per group-version document (its own definitions), one of the definitions that
/// are the same in several documents, and the kinds each document defines.
fn kubernetes(dir: &Path, chunks: &mut Chunks) {
    if !dir.is_dir() {
        println!(
            "cargo:warning=no Kubernetes OpenAPI documents at {}: built-in kinds have no schema",
            dir.display()
        );
        return;
    }
    let mut docs: Vec<(PathBuf, Map<String, Value>)> = Vec::new();
    for path in files_below(dir, &["json"], &[]) {
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        let doc: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("parse {}: {e}", path.display()));
        let Some(Value::Object(mut schemas)) = doc.pointer("/components/schemas").cloned() else {
            panic!("{}: no components.schemas", path.display());
        };
        let problems = enums::apply(&mut schemas);
        if !problems.is_empty() {
            panic!(
                "{}: the enum values of src/validate/enums.rs were not found: {}",
                path.display(),
                problems.join("; ")
            );
        }
        schemas.values_mut().for_each(strip);
        docs.push((path, schemas));
    }
    // A definition goes to the common chunk when every document that has it has the same
    // one, and more than one document has it (or it is apimachinery's, as ObjectMeta is,
    // which CRD roots need whichever documents there are).
    let mut seen: BTreeMap<&str, (usize, bool)> = BTreeMap::new();
    for (_, schemas) in &docs {
        for (name, def) in schemas {
            let first = docs.iter().find_map(|(_, s)| s.get(name)).unwrap_or(def);
            let e = seen.entry(name.as_str()).or_insert((0, true));
            e.0 += 1;
            e.1 &= first == def;
        }
    }
    let shared = |name: &str| {
        seen.get(name).is_some_and(|&(count, same)| {
            same && (count > 1 || name.starts_with("io.k8s.apimachinery."))
        })
    };
    let mut common = Map::new();
    for (_, schemas) in &docs {
        for (name, def) in schemas {
            if shared(name) {
                common.entry(name.clone()).or_insert_with(|| def.clone());
            }
        }
    }
    chunks.common = Some(chunks.add(&Value::Object(common)));
    for (path, schemas) in &docs {
        let own: Map<String, Value> = schemas
            .iter()
            .filter(|(name, _)| !shared(name))
            .map(|(n, d)| (n.clone(), d.clone()))
            .collect();
        let chunk = chunks.add(&Value::Object(own));
        // The document's group-version, from its path: `api/v1.json`, `apis/apps/v1.json`.
        let rel = path.strip_prefix(dir).unwrap_or(path);
        let parts: Vec<String> = rel
            .with_extension("")
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let own_version = match parts.as_slice() {
            [api, v] if api == "api" => v.clone(),
            [apis, g, v] if apis == "apis" => format!("{g}/{v}"),
            _ => panic!("{}: not api/V.json or apis/G/V.json", path.display()),
        };
        for (name, def) in schemas {
            for gvk in def
                .get("x-kubernetes-group-version-kind")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let (Some(group), Some(version), Some(kind)) = (
                    gvk.get("group").and_then(Value::as_str),
                    gvk.get("version").and_then(Value::as_str),
                    gvk.get("kind").and_then(Value::as_str),
                ) else {
                    continue;
                };
                let api_version = if group.is_empty() {
                    version.to_owned()
                } else {
                    format!("{group}/{version}")
                };
                // The document's own objects, not the List kinds or the option kinds
                // (DeleteOptions, WatchEvent…) that every document repeats.
                if api_version != own_version
                    || kind.ends_with("List")
                    || def.pointer("/properties/metadata").is_none()
                {
                    continue;
                }
                chunks.kind(&api_version, kind, chunk, name, path);
            }
        }
    }
}
