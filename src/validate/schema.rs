//! Strict schema validation of Kubernetes objects against the API's own schemas: the
//! Kubernetes 1.35 OpenAPI v3 documents for built-in kinds and CRD `openAPIV3Schema`s for
//! custom resources.
//!
//! The upstream schemas are compiled in ([`SchemaStore::with_builtins`]): `build.rs` packs the
//! CRDs and OpenAPI documents of `../shared/crds` (except the Flux Operator's, whose licence
//! keeps them out of the binary) into compressed chunks, and a chunk is decompressed and
//! converted only when a run meets one of its kinds. CRDs given with `--crds` or found in the
//! tree are added on top and win for the versions they define.
//!
//! Both are OpenAPI "structural schema" dialects, converted here to JSON Schema 2020-12:
//! - objects with `properties` become closed (`additionalProperties: false`) unless marked
//!   `x-kubernetes-preserve-unknown-fields`, so unknown fields are errors, as with
//!   `kubectl --validate=strict`;
//! - `x-kubernetes-int-or-string` becomes integer-or-string, `nullable` admits `null`,
//!   `x-kubernetes-embedded-resource` admits `apiVersion`/`kind`/`metadata`;
//! - OpenAPI 3.0 boolean `exclusiveMinimum`/`exclusiveMaximum` become numbers;
//! - `format` is dropped (annotation only; the API server accepts values a strict format
//!   check would refuse), except that quantities get the Kubernetes quantity grammar;
//! - CRD roots get `apiVersion`/`kind` constants and Kubernetes' own `ObjectMeta` schema
//!   (when the built-in documents are loaded), since most CRDs declare `metadata` only as
//!   `object`.
//!
//! `x-kubernetes-validations` (CEL rules) are collected per kind ([`SchemaStore::cel_rules`])
//! and evaluated by rule GO007 (`super::cel`), not here.
//!
//! Validators are compiled lazily, once per kind, and shared.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use jsonschema::error::ValidationErrorKind;
use jsonschema::Validator;
use serde_json::{json, Map, Value};

use crate::blueprint::common::QUANTITY_PATTERN;
use crate::source::yaml::{escape_pointer_token, parse_documents};

/// Why schemas could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    /// A file could not be read (or is not a regular file, or is too large).
    #[error("failed to read {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: crate::files::ReadError,
    },
    /// A file could not be parsed.
    #[error("failed to parse {}: {message}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A schema did not compile (a bug in the conversion or a broken CRD).
    #[error("schema of {kind} does not compile: {message}")]
    Compile {
        /// `apiVersion/kind`.
        kind: String,
        /// The compiler's message.
        message: String,
    },
}

/// One schema problem of an object.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Violation {
    /// JSON pointer (RFC 6901) to the offending field.
    pub pointer: String,
    /// What is wrong.
    pub message: String,
}

/// The schema of one kind in one version, compiled on first use.
#[derive(Debug)]
pub struct KindSchema {
    schema: Value,
    compiled: OnceLock<Result<Validator, String>>,
    /// The schema as a cluster with the Flux Operator serves it, for the kinds it patches.
    with_operator: OnceLock<Option<Box<KindSchema>>>,
}

impl KindSchema {
    fn new(schema: Value) -> Self {
        KindSchema {
            schema,
            compiled: OnceLock::new(),
            with_operator: OnceLock::new(),
        }
    }

    /// A schema that could not be built: every use reports `message` (GO003).
    fn broken(message: String) -> Self {
        let k = KindSchema::new(Value::Null);
        let _ = k.compiled.set(Err(message));
        k
    }

    /// The JSON Schema (2020-12, before `ObjectMeta` is added to CRD roots).
    pub fn schema(&self) -> &Value {
        &self.schema
    }
}

/// What the cluster has installed beyond Kubernetes and the CRDs themselves that changes how
/// objects are validated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Installed {
    /// The Flux Operator (the tree has a `FluxInstance`): it patches the kind enums of the
    /// notification-controller CRDs so that Alerts and Receivers may name its own kinds.
    pub flux_operator: bool,
}

/// The kinds the Flux Operator adds to the notification-controller CRDs it installs (its
/// "notification" kustomize patch adds them to the enums below).
pub const FLUX_OPERATOR_EVENT_KINDS: [&str; 3] =
    ["FluxInstance", "ResourceSet", "ResourceSetInputProvider"];

/// The enum the Flux Operator patches in `(group, kind)`, as a pointer into the converted
/// schema: Alert `spec.eventSources[].kind` and Receiver `spec.resources[].kind`.
fn flux_operator_enum(group: &str, kind: &str) -> Option<&'static str> {
    match (group, kind) {
        ("notification.toolkit.fluxcd.io", "Alert") => {
            Some("/properties/spec/properties/eventSources/items/properties/kind/enum")
        }
        ("notification.toolkit.fluxcd.io", "Receiver") => {
            Some("/properties/spec/properties/resources/items/properties/kind/enum")
        }
        _ => None,
    }
}

/// What is known about an `apiVersion` + `kind`.
#[derive(Debug)]
pub enum Lookup<'a> {
    /// A schema.
    Found(&'a KindSchema),
    /// The kind exists, but not in this version.
    VersionNotServed {
        /// The versions that are served (`group/version`).
        served: Vec<String>,
    },
    /// Nothing is known of the kind.
    UnknownKind,
}

/// Schemas by `(apiVersion, kind)`: those added to the store, then (with
/// [`SchemaStore::with_builtins`]) the compiled-in upstream ones.
#[derive(Debug, Default)]
pub struct SchemaStore {
    /// Whether the compiled-in schemas are consulted after the store's own.
    upstream: bool,
    /// The store's own schemas, by `apiVersion`, then `kind` (two levels, so that a lookup,
    /// done for every object by many rules, allocates nothing).
    kinds: BTreeMap<String, BTreeMap<String, KindSchema>>,
    /// `(group, kind)` → served `apiVersion`s.
    served: BTreeMap<(String, String), BTreeSet<String>>,
    /// Converted `ObjectMeta` and what it references, for CRD roots.
    object_meta: Option<Map<String, Value>>,
    /// CRD validation rules by `(apiVersion, kind)`.
    cel: BTreeMap<(String, String), Vec<super::cel::CelRule>>,
    /// Verdicts reached ahead of time ([`SchemaStore::prejudge`]), by the address of the
    /// object judged.
    prejudged: std::collections::HashMap<usize, Prejudged>,
}

/// A verdict reached ahead of time for one object.
#[derive(Debug)]
struct Prejudged {
    /// Held so that its address, the key, stays this object's while the verdict is kept (and
    /// shared, so the object cannot change in place).
    _object: Arc<Value>,
    api_version: String,
    kind: String,
    violations: Vec<Violation>,
}

const OBJECT_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
const QUANTITY: &str = "io.k8s.apimachinery.pkg.api.resource.Quantity";

/// Where `object` is in memory: the key of its verdict reached ahead of time.
fn address(object: &Value) -> usize {
    std::ptr::from_ref(object) as usize
}

fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

impl SchemaStore {
    /// An empty store.
    pub fn new() -> Self {
        SchemaStore::default()
    }

    /// A store that knows the upstream schemas compiled into this binary: the Kubernetes
    /// 1.35 built-in kinds and the CRDs of Flux, Istio, the Gateway API and the others named
    /// in docs/validate.md ("Schemas"). Nothing is decompressed until a kind is looked up.
    pub fn with_builtins() -> SchemaStore {
        SchemaStore {
            upstream: true,
            ..SchemaStore::default()
        }
    }

    /// The `(apiVersion, kind)`s compiled into this binary (none when it was built without
    /// the upstream schemas).
    pub fn compiled_in() -> impl Iterator<Item = (&'static str, &'static str)> {
        upstream::KINDS.iter().map(|(a, k, _, _)| (*a, *k))
    }

    /// Number of (apiVersion, kind) pairs known.
    pub fn len(&self) -> usize {
        self.kinds().count()
    }

    /// True when nothing is known.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every known `(apiVersion, kind)`: the store's own, then the compiled-in ones it does
    /// not override.
    pub fn kinds(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        let own = self
            .kinds
            .iter()
            .flat_map(|(a, ks)| ks.keys().map(move |k| (a.as_str(), k.as_str())));
        let upstream = self
            .upstream
            .then(|| SchemaStore::compiled_in().chain(fallback_kinds()))
            .into_iter()
            .flatten()
            .filter(|(a, k)| self.own(a, k).is_none());
        own.chain(upstream.map(|(a, k): (&'static str, &'static str)| -> (&str, &str) { (a, k) }))
    }

    /// True when the built-in Kubernetes kinds have schemas (false for a binary built without
    /// the upstream schemas and no `--crds` of its own).
    pub fn knows_kubernetes(&self) -> bool {
        // Not through `lookup`, which asks this for kinds it does not know.
        self.own("v1", "ConfigMap").is_some() || self.upstream_kind("v1", "ConfigMap").is_some()
    }

    fn insert(&mut self, api_version: String, kind: String, schema: Value) {
        // A verdict reached with the schema this one replaces is no longer the store's.
        self.prejudged
            .retain(|_, p| p.api_version != api_version || p.kind != kind);
        self.served
            .entry((group_of(&api_version).to_owned(), kind.clone()))
            .or_default()
            .insert(api_version.clone());
        self.kinds
            .entry(api_version)
            .or_default()
            .insert(kind, KindSchema::new(schema));
    }

    /// Loads every group-version document below a Kubernetes OpenAPI v3 directory
    /// (`api/v1.json`, `apis/<group>/<version>.json`). Returns the number of kinds learned.
    pub fn add_kubernetes_openapi_dir(&mut self, dir: &Path) -> Result<usize, SchemaError> {
        let files = files_below(dir, &["json"])?;
        let mut learned = 0;
        for path in files {
            let text = std::fs::read_to_string(&path).map_err(|source| SchemaError::Read {
                path: path.clone(),
                source: source.into(),
            })?;
            let doc: Value = serde_json::from_str(&text).map_err(|e| SchemaError::Parse {
                path: path.clone(),
                message: e.to_string(),
            })?;
            learned += self.add_kubernetes_openapi(&doc);
        }
        Ok(learned)
    }

    /// Learns the top-level kinds of one Kubernetes OpenAPI v3 document.
    pub fn add_kubernetes_openapi(&mut self, doc: &Value) -> usize {
        let Some(Value::Object(schemas)) = doc.pointer("/components/schemas") else {
            return 0;
        };
        // The enum values the descriptions list, as build.rs sets them on compiled-in ones.
        let mut schemas = schemas.clone();
        super::enums::apply(&mut schemas);
        let schemas = &schemas;
        let mut converted = Map::new();
        for (name, schema) in schemas {
            let mut s = schema.clone();
            convert(&mut s, name == QUANTITY);
            converted.insert(name.clone(), s);
        }
        if self.object_meta.is_none() && converted.contains_key(OBJECT_META) {
            self.object_meta = Some(closure(&converted, OBJECT_META));
            // Every CRD root takes it from now on.
            self.prejudged.clear();
        }
        let mut learned = 0;
        for (name, schema) in schemas {
            let Some(Value::Array(gvks)) = schema.get("x-kubernetes-group-version-kind") else {
                continue;
            };
            for gvk in gvks {
                let (Some(group), Some(version), Some(kind)) = (
                    gvk.get("group").and_then(Value::as_str),
                    gvk.get("version").and_then(Value::as_str),
                    gvk.get("kind").and_then(Value::as_str),
                ) else {
                    continue;
                };
                // Only kinds of this document's own group-version, not List or option kinds
                // that many documents repeat.
                if kind.ends_with("List") || schema.pointer("/properties/metadata").is_none() {
                    continue;
                }
                let api_version = if group.is_empty() {
                    version.to_owned()
                } else {
                    format!("{group}/{version}")
                };
                let root = kubernetes_root(closure(&converted, name), name, &api_version, kind);
                self.insert(api_version, kind.to_owned(), root);
                learned += 1;
            }
        }
        learned
    }

    /// Learns every served version of a CustomResourceDefinition object.
    pub fn add_crd(&mut self, crd: &Value) -> Vec<(String, String)> {
        let mut learned = Vec::new();
        if crd.get("kind").and_then(Value::as_str) != Some("CustomResourceDefinition") {
            return learned;
        }
        let (Some(group), Some(kind)) = (
            crd.pointer("/spec/group").and_then(Value::as_str),
            crd.pointer("/spec/names/kind").and_then(Value::as_str),
        ) else {
            return learned;
        };
        for (name, schema) in super::crd_versions::served_versions(crd) {
            let api_version = format!("{group}/{name}");
            self.cel.insert(
                (api_version.clone(), kind.to_owned()),
                super::cel::collect(schema),
            );
            let root = crd_root(schema, &api_version, kind);
            self.insert(api_version.clone(), kind.to_owned(), root);
            learned.push((api_version, kind.to_owned()));
        }
        learned
    }

    /// Reads a (multi-document) YAML file and learns every CRD in it.
    pub fn add_crd_file(&mut self, path: &Path) -> Result<Vec<(String, String)>, SchemaError> {
        // CRD files may come from the merge request under review: a FIFO or a link to a
        // device must not hang the run.
        let read = |source| SchemaError::Read {
            path: path.to_owned(),
            source,
        };
        let bytes =
            crate::files::read_regular(path, crate::files::MAX_INPUT_BYTES).map_err(read)?;
        let text = String::from_utf8(bytes).map_err(|_| SchemaError::Parse {
            path: path.to_owned(),
            message: "the file is not UTF-8 text".into(),
        })?;
        let docs = parse_documents(&text).map_err(|e| SchemaError::Parse {
            path: path.to_owned(),
            message: format!("{}: {}", e.span, e.message),
        })?;
        Ok(docs
            .iter()
            .flat_map(|d| self.add_crd(&d.to_json()))
            .collect())
    }

    /// Every `.yaml`/`.yml` file below `dir`, in sorted order.
    pub fn add_crd_dir(&mut self, dir: &Path) -> Result<Vec<(String, String)>, SchemaError> {
        let files = files_below(dir, &["yaml", "yml"])?;
        let mut learned = Vec::new();
        for f in files {
            learned.extend(self.add_crd_file(&f)?);
        }
        Ok(learned)
    }

    /// The CRD validation rules of `apiVersion` + `kind` (none for built-in kinds): those of
    /// the store's own CRD for that version, else the compiled-in CRD's.
    pub fn cel_rules(&self, api_version: &str, kind: &str) -> &[super::cel::CelRule] {
        if self.own(api_version, kind).is_some() {
            let key = (api_version.to_owned(), kind.to_owned());
            return self.cel.get(&key).map_or(&[][..], Vec::as_slice);
        }
        match self.upstream_kind(api_version, kind) {
            Some(built) => &built.cel,
            None => &[],
        }
    }

    /// The compiled-in schema of `apiVersion` + `kind`, built on first use.
    fn upstream_kind(&self, api_version: &str, kind: &str) -> Option<&'static Built> {
        if !self.upstream {
            return None;
        }
        upstream::find(api_version, kind).or_else(|| fallback(api_version, kind))
    }

    /// The store's own schema of `apiVersion` + `kind`.
    fn own(&self, api_version: &str, kind: &str) -> Option<&KindSchema> {
        self.kinds.get(api_version)?.get(kind)
    }

    /// What is known of `apiVersion` + `kind`: the store's own schema for that version wins
    /// over the compiled-in one; the served versions are those of both.
    pub fn lookup(&self, api_version: &str, kind: &str) -> Lookup<'_> {
        if let Some(k) = self.own(api_version, kind) {
            return Lookup::Found(k);
        }
        if let Some(built) = self.upstream_kind(api_version, kind) {
            return Lookup::Found(&built.schema);
        }
        let group = group_of(api_version);
        let mut served: BTreeSet<String> = self
            .served
            .get(&(group.to_owned(), kind.to_owned()))
            .cloned()
            .unwrap_or_default();
        if self.upstream {
            served.extend(
                SchemaStore::compiled_in()
                    .filter(|(a, k)| *k == kind && group_of(a) == group)
                    .map(|(a, _)| a.to_owned()),
            );
        }
        if served.is_empty() && self.upstream && self.built_in_group(group) {
            // kube-apiserver serves these groups itself: a kind it does not serve there is
            // refused ("no matches for kind"), whatever served it once (extensions/v1beta1
            // Ingress) or serves it elsewhere (a Pod in apps/v1). The hint names the versions
            // that serve the kind now.
            let elsewhere = SchemaStore::compiled_in()
                .filter(|(a, k)| *k == kind && (*a == "v1" || self.built_in_group(group_of(a))))
                .map(|(a, _)| a.to_owned());
            return Lookup::VersionNotServed {
                served: elsewhere.collect(),
            };
        }
        if served.is_empty() {
            Lookup::UnknownKind
        } else {
            Lookup::VersionNotServed {
                served: served.into_iter().collect(),
            }
        }
    }

    /// Kubernetes' `ObjectMeta` (and what it references) for CRD roots: the store's own, else
    /// the compiled-in one.
    fn object_meta(&self) -> Option<&Map<String, Value>> {
        self.object_meta.as_ref().or_else(|| {
            if self.upstream {
                upstream::object_meta()
            } else {
                None
            }
        })
    }

    /// True for an API group that kube-apiserver serves itself and whose every kind is
    /// compiled in (its OpenAPI document is), or that it no longer serves at all. The core
    /// group is left out: files that are no Kubernetes object (a kubeconfig's `v1` `Config`)
    /// share its `apiVersion`.
    fn built_in_group(&self, group: &str) -> bool {
        /// Built-in groups whose Kubernetes 1.35 OpenAPI documents are compiled in.
        const COMPILED: &[&str] = &[
            "apps",
            "autoscaling",
            "batch",
            "networking.k8s.io",
            "policy",
            "rbac.authorization.k8s.io",
        ];
        /// Built-in groups that Kubernetes 1.35 serves no version of (removed in 1.22).
        const REMOVED: &[&str] = &["extensions"];
        if !self.knows_kubernetes() {
            return false;
        }
        REMOVED.contains(&group)
            || (COMPILED.contains(&group)
                && SchemaStore::compiled_in().any(|(a, _)| group_of(a) == group))
    }

    fn compiled<'a>(
        &self,
        api_version: &str,
        kind: &str,
        entry: &'a KindSchema,
    ) -> Result<&'a Validator, SchemaError> {
        let result = entry.compiled.get_or_init(|| {
            let mut schema = entry.schema.clone();
            // CRD roots: Kubernetes' own ObjectMeta, when known.
            if let (Some(meta), Some(obj)) = (self.object_meta(), schema.as_object_mut()) {
                if obj.get("$ref").is_none() {
                    if let Some(Value::Object(props)) = obj.get_mut("properties") {
                        props.insert(
                            "metadata".into(),
                            json!({ "$ref": format!("#/$defs/{OBJECT_META}") }),
                        );
                    }
                    let defs = obj.entry("$defs").or_insert_with(|| json!({}));
                    if let Value::Object(d) = defs {
                        d.extend(meta.clone());
                    }
                }
            }
            schema["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
            jsonschema::validator_for(&schema).map_err(|e| e.to_string())
        });
        result.as_ref().map_err(|message| SchemaError::Compile {
            kind: format!("{api_version}/{kind}"),
            message: message.clone(),
        })
    }

    /// Validates one object. `Err` only when a schema does not compile.
    pub fn validate(&self, object: &Value) -> Result<Vec<Violation>, SchemaError> {
        self.validate_on(object, Installed::default())
    }

    /// Judges `objects` ahead of time, in order, until `stop` is set: [`SchemaStore::validate_on`]
    /// of one of these same objects (the same allocation) then returns the verdict reached
    /// here, unless a schema of its kind was added since. Run while the tree's builds leave a
    /// core free; the objects not reached are judged when asked, as without this.
    pub fn prejudge(&mut self, objects: &[Arc<Value>], stop: &AtomicBool) {
        for object in objects {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            let text = |key| crate::source::get(object, key).and_then(Value::as_str);
            let (Some(api_version), Some(kind)) = (text("apiVersion"), text("kind")) else {
                continue;
            };
            // Their verdict depends on what the cluster runs, known only once it is built.
            if flux_operator_enum(group_of(api_version), kind).is_some() {
                continue;
            }
            let Lookup::Found(_) = self.lookup(api_version, kind) else {
                continue;
            };
            // An error is not kept: it is reached again, and reported, when asked.
            let Ok(violations) = self.validate_on(object, Installed::default()) else {
                continue;
            };
            let judged = Prejudged {
                _object: Arc::clone(object),
                api_version: api_version.to_owned(),
                kind: kind.to_owned(),
                violations,
            };
            self.prejudged.insert(address(object), judged);
        }
    }

    /// [`SchemaStore::validate`] on a cluster with `installed`.
    pub fn validate_on(
        &self,
        object: &Value,
        installed: Installed,
    ) -> Result<Vec<Violation>, SchemaError> {
        if let Some(judged) = self.prejudged.get(&address(object)) {
            return Ok(judged.violations.clone());
        }
        let api_version = object.get("apiVersion").and_then(Value::as_str);
        let kind = object.get("kind").and_then(Value::as_str);
        let (Some(api_version), Some(kind)) = (api_version, kind) else {
            let missing = if api_version.is_none() {
                "apiVersion"
            } else {
                "kind"
            };
            return Ok(vec![Violation {
                pointer: format!("/{missing}"),
                message: format!("missing `{missing}`"),
            }]);
        };
        let entry = match self.lookup(api_version, kind) {
            Lookup::Found(entry) => entry,
            Lookup::VersionNotServed { served } => {
                return Ok(vec![Violation {
                    pointer: "/apiVersion".into(),
                    message: format!(
                        "{kind} is not served in {api_version}; served: {}",
                        served.join(", ")
                    ),
                }])
            }
            Lookup::UnknownKind => {
                return Ok(vec![Violation {
                    pointer: "/kind".into(),
                    message: format!("no schema is known for {kind} in {api_version}"),
                }])
            }
        };
        let entry = match flux_operator_enum(group_of(api_version), kind) {
            Some(pointer) if installed.flux_operator => with_operator(entry, pointer),
            _ => entry,
        };
        let validator = self.compiled(api_version, kind, entry)?;
        // The API server decodes a built-in object into its Go type, where an explicit
        // `null` is the field's zero value, the same as an absent field: drop them first, so
        // that `replicas: null` passes and `containers: null` is a missing required field.
        // CRD fields keep their nulls: the API server judges them by the CRD's schema.
        let dropped;
        let object = if is_builtin(entry) && has_null_field(object) {
            dropped = without_null_fields(object);
            &dropped
        } else {
            object
        };
        // Most objects are valid: the yes/no walk stops at nothing and allocates nothing,
        // several times cheaper than collecting errors.
        if validator.is_valid(object) {
            return Ok(Vec::new());
        }
        let mut out = BTreeSet::new();
        for error in validator.iter_errors(object) {
            let pointer = error.instance_path().as_str().to_owned();
            match error.kind() {
                ValidationErrorKind::AdditionalProperties { unexpected } => {
                    for key in unexpected {
                        out.insert(Violation {
                            pointer: format!("{pointer}/{}", escape_pointer_token(key)),
                            message: format!("unknown field `{key}`"),
                        });
                    }
                }
                ValidationErrorKind::Required { property } => {
                    out.insert(Violation {
                        pointer,
                        message: format!(
                            "missing required field `{}`",
                            property.as_str().unwrap_or_default()
                        ),
                    });
                }
                kind => {
                    out.insert(Violation {
                        pointer,
                        message: describe(kind, error.instance()),
                    });
                }
            }
        }
        Ok(out.into_iter().collect())
    }
}

/// True for the schema of a built-in kind (a reference into the Kubernetes definitions), false
/// for a CRD's.
fn is_builtin(entry: &KindSchema) -> bool {
    entry
        .schema
        .get("$ref")
        .and_then(Value::as_str)
        .is_some_and(|r| r.starts_with("#/$defs/io.k8s."))
}

/// True when some object field of `v`, at any depth, is `null`.
fn has_null_field(v: &Value) -> bool {
    match v {
        Value::Object(map) => map.values().any(|x| x.is_null() || has_null_field(x)),
        Value::Array(items) => items.iter().any(has_null_field),
        _ => false,
    }
}

/// `v` without its `null` object fields, at every depth (list items stay: a `null` item is
/// not an absent one).
fn without_null_fields(v: &Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, x)| !x.is_null())
                .map(|(k, x)| (k.clone(), without_null_fields(x)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_null_fields).collect()),
        other => other.clone(),
    }
}

/// A schema problem in words that never quote the instance value: reports are shown on
/// merge requests, and the value may be a secret (a Secret's `stringData`, a password in a
/// ConfigMap). The field is named by the finding; limits, patterns and allowed values come
/// from the schema and are safe to show; of the instance only its JSON type is named.
fn describe(kind: &ValidationErrorKind, instance: &Value) -> String {
    let found = match instance {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    match kind {
        ValidationErrorKind::Type { kind } => {
            format!("expected {}, found {found}", type_names(kind))
        }
        ValidationErrorKind::Enum { options } => match options.as_array() {
            Some(options) => format!(
                "must be one of: {}",
                options
                    .iter()
                    // Built-in enums admit "" (an unset value); it is no advice.
                    .filter(|o| o.as_str() != Some(""))
                    .map(Value::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None => "is not one of the allowed values".into(),
        },
        ValidationErrorKind::Constant { expected_value } => format!("must be {expected_value}"),
        ValidationErrorKind::Pattern { pattern } => {
            if pattern.as_str() == QUANTITY_PATTERN {
                "is not a quantity (such as 100m, 1.5, 256Mi or 1G)".into()
            } else {
                format!("does not match the pattern `{pattern}`")
            }
        }
        ValidationErrorKind::Format { format } => format!("is not a valid {format}"),
        ValidationErrorKind::MinLength { limit } => format!("is shorter than {limit} characters"),
        ValidationErrorKind::MaxLength { limit } => format!("is longer than {limit} characters"),
        ValidationErrorKind::MinItems { limit } => format!("has fewer than {limit} items"),
        ValidationErrorKind::MaxItems { limit } => format!("has more than {limit} items"),
        ValidationErrorKind::MinProperties { limit } => format!("has fewer than {limit} fields"),
        ValidationErrorKind::MaxProperties { limit } => format!("has more than {limit} fields"),
        ValidationErrorKind::Minimum { limit } => format!("is less than the minimum {limit}"),
        ValidationErrorKind::Maximum { limit } => format!("is greater than the maximum {limit}"),
        ValidationErrorKind::ExclusiveMinimum { limit } => format!("must be greater than {limit}"),
        ValidationErrorKind::ExclusiveMaximum { limit } => format!("must be less than {limit}"),
        ValidationErrorKind::MultipleOf { multiple_of } => {
            format!("is not a multiple of {multiple_of}")
        }
        ValidationErrorKind::UniqueItems => "has duplicate items".into(),
        ValidationErrorKind::AnyOf { .. } | ValidationErrorKind::OneOfNotValid { .. } => {
            "matches none of the allowed forms".into()
        }
        ValidationErrorKind::OneOfMultipleValid { .. } => {
            "matches more than one of the exclusive forms".into()
        }
        ValidationErrorKind::Not { .. } | ValidationErrorKind::FalseSchema => {
            "is not allowed here".into()
        }
        ValidationErrorKind::AdditionalItems { limit } => format!("has more than {limit} items"),
        ValidationErrorKind::AdditionalProperties { unexpected }
        | ValidationErrorKind::UnevaluatedProperties { unexpected } => format!(
            "unknown field(s) {}",
            unexpected
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        ValidationErrorKind::UnevaluatedItems { .. } => {
            "has items the schema does not allow".into()
        }
        ValidationErrorKind::Required { property } => {
            format!(
                "missing required field `{}`",
                property.as_str().unwrap_or_default()
            )
        }
        ValidationErrorKind::PropertyNames { .. } => {
            "has a field name the schema does not allow".into()
        }
        ValidationErrorKind::Contains => "contains no item of the required form".into(),
        _ => "does not match the schema".into(),
    }
}

/// `integer`, `string or null`…
fn type_names(kind: &jsonschema::error::TypeKind) -> String {
    match kind {
        jsonschema::error::TypeKind::Single(t) => t.to_string(),
        jsonschema::error::TypeKind::Multiple(ts) => ts
            .iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join(" or "),
    }
}

/// Every file below `dir` with one of `extensions`, sorted.
fn files_below(dir: &Path, extensions: &[&str]) -> Result<Vec<PathBuf>, SchemaError> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        let read = |source: std::io::Error| SchemaError::Read {
            path: d.clone(),
            source: source.into(),
        };
        for entry in std::fs::read_dir(&d).map_err(read)? {
            let entry = entry.map_err(read)?;
            let path = entry.path();
            // Directory links are not followed: a link to a parent would never end.
            if entry.file_type().map_err(read)?.is_dir() {
                stack.push(path);
            } else if path
                .extension()
                .is_some_and(|e| extensions.iter().any(|x| e == *x))
            {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// `apiVersion` and `kind` must be exactly these.
fn pin_type(obj: &mut Map<String, Value>, api_version: &str, kind: &str) {
    if let Some(Value::Object(props)) = obj.get_mut("properties") {
        props.insert("apiVersion".into(), json!({ "const": api_version }));
        props.insert("kind".into(), json!({ "const": kind }));
    }
}

/// The definitions `name` needs: itself and everything it references, transitively.
fn closure(defs: &Map<String, Value>, name: &str) -> Map<String, Value> {
    closure_with(|n| defs.get(n), name)
}

/// [`closure`] over definitions found by `get`. References may be in either form: OpenAPI's
/// `#/components/schemas/` (not yet converted) or `#/$defs/`.
fn closure_with<'a>(get: impl Fn(&str) -> Option<&'a Value>, name: &str) -> Map<String, Value> {
    let mut out = Map::new();
    let mut todo = vec![name.to_owned()];
    while let Some(n) = todo.pop() {
        if out.contains_key(&n) {
            continue;
        }
        let Some(def) = get(&n) else { continue };
        collect_refs(def, &mut todo);
        out.insert(n, def.clone());
    }
    out
}

fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(obj) => {
            if let Some(Value::String(r)) = obj.get("$ref") {
                if let Some(name) = r
                    .strip_prefix("#/$defs/")
                    .or_else(|| r.strip_prefix("#/components/schemas/"))
                {
                    out.push(name.to_owned());
                }
            }
            obj.values().for_each(|x| collect_refs(x, out));
        }
        Value::Array(items) => items.iter().for_each(|x| collect_refs(x, out)),
        _ => {}
    }
}

/// Converts one OpenAPI structural schema node (recursively) to JSON Schema 2020-12.
fn convert(v: &mut Value, quantity: bool) {
    let Value::Object(obj) = v else { return };
    if let Some(Value::String(r)) = obj.get("$ref") {
        let r = r.replace("#/components/schemas/", "#/$defs/");
        obj.insert("$ref".into(), Value::String(r));
    }
    obj.remove("format");
    obj.remove("default");
    obj.remove("example");
    for (keyword, limit) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(Value::Bool(b)) = obj.remove(keyword) {
            if b {
                if let Some(l) = obj.remove(limit) {
                    obj.insert(keyword.into(), l);
                }
            }
        }
    }
    for key in ["properties", "patternProperties", "$defs", "definitions"] {
        if let Some(Value::Object(props)) = obj.get_mut(key) {
            for (name, p) in props.iter_mut() {
                let is_quantity = matches!(key, "$defs" | "definitions") && name == QUANTITY;
                convert(p, is_quantity);
            }
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(child) = obj.get_mut(key) {
            convert(child, false);
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(items)) = obj.get_mut(key) {
            items.iter_mut().for_each(|p| convert(p, false));
        }
    }
    if quantity {
        // Strings must follow the quantity grammar; numbers are accepted as they are.
        obj.remove("oneOf");
        obj.insert(
            "anyOf".into(),
            json!([{"type": "number"}, {"type": "string", "pattern": QUANTITY_PATTERN}]),
        );
        obj.remove("type");
    }
    let preserve = obj.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true));
    if obj.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true)) {
        obj.remove("type");
        obj.insert(
            "anyOf".into(),
            json!([{"type": "integer"}, {"type": "string"}]),
        );
    }
    if obj.get("x-kubernetes-embedded-resource") == Some(&Value::Bool(true)) {
        let props = obj.entry("properties").or_insert_with(|| json!({}));
        if let Value::Object(p) = props {
            for k in ["apiVersion", "kind"] {
                p.entry(k).or_insert_with(|| json!({"type": "string"}));
            }
            p.entry("metadata")
                .or_insert_with(|| json!({"type": "object"}));
        }
    }
    if obj.contains_key("properties") && !obj.contains_key("additionalProperties") && !preserve {
        obj.insert("additionalProperties".into(), Value::Bool(false));
    }
    if obj.get("nullable") == Some(&Value::Bool(true)) {
        match obj.get("type").cloned() {
            Some(Value::String(t)) => {
                obj.insert("type".into(), json!([t, "null"]));
            }
            _ => {
                let inner = Value::Object(std::mem::take(obj));
                obj.insert("anyOf".into(), json!([inner, {"type": "null"}]));
            }
        }
    }
    obj.retain(|k, _| !k.starts_with("x-kubernetes-") && k != "nullable");
}

/// The JSON Schema of one Kubernetes kind: a reference to its definition, with the
/// definitions it needs (`defs`, converted), its `apiVersion` and `kind` pinned.
fn kubernetes_root(
    mut defs: Map<String, Value>,
    name: &str,
    api_version: &str,
    kind: &str,
) -> Value {
    if let Some(Value::Object(def)) = defs.get_mut(name) {
        pin_type(def, api_version, kind);
    }
    json!({ "$ref": format!("#/$defs/{name}"), "$defs": Value::Object(defs) })
}

/// The JSON Schema of one CRD version from its `openAPIV3Schema`: closed at the root, with
/// `apiVersion` and `kind` pinned (`metadata` becomes `ObjectMeta` when compiled).
fn crd_root(schema: &Value, api_version: &str, kind: &str) -> Value {
    let mut root = schema.clone();
    convert(&mut root, false);
    if let Value::Object(obj) = &mut root {
        let props = obj.entry("properties").or_insert_with(|| json!({}));
        if let Value::Object(p) = props {
            p.insert("apiVersion".into(), json!({"type": "string"}));
            p.insert("kind".into(), json!({"type": "string"}));
            p.insert("metadata".into(), json!({"type": "object"}));
        }
        if !obj.contains_key("additionalProperties")
            && obj.get("x-kubernetes-preserve-unknown-fields") != Some(&Value::Bool(true))
        {
            obj.insert("additionalProperties".into(), Value::Bool(false));
        }
        pin_type(obj, api_version, kind);
    }
    root
}

/// `entry` with the Flux Operator's kinds added to the enum at `pointer` (built once).
fn with_operator<'a>(entry: &'a KindSchema, pointer: &str) -> &'a KindSchema {
    entry
        .with_operator
        .get_or_init(|| {
            let mut schema = entry.schema.clone();
            let Some(Value::Array(kinds)) = schema.pointer_mut(pointer) else {
                // A CRD of another shape (an old or a user's version): left as it is.
                return None;
            };
            for k in FLUX_OPERATOR_EVENT_KINDS {
                if !kinds.iter().any(|v| v == k) {
                    kinds.push(json!(k));
                }
            }
            Some(Box::new(KindSchema::new(schema)))
        })
        .as_deref()
        .unwrap_or(entry)
}

/// A compiled-in kind, ready to validate with.
#[derive(Debug)]
struct Built {
    schema: KindSchema,
    cel: Vec<super::cel::CelRule>,
}

/// The schemas `build.rs` compiled in: compressed JSON chunks, decompressed and converted
/// per kind on first use, once per process.
mod upstream {
    use std::sync::OnceLock;

    use serde_json::{Map, Value};

    use super::{closure_with, convert, crd_root, kubernetes_root, Built, KindSchema, QUANTITY};

    include!(concat!(env!("OUT_DIR"), "/schemas.rs"));

    /// No chunk is larger than this decompressed (the largest is well under 1 MiB); a
    /// corrupt one cannot exhaust memory.
    const MAX_CHUNK: usize = 64 << 20;

    struct State {
        chunks: Vec<OnceLock<Result<Value, String>>>,
        kinds: Vec<OnceLock<Built>>,
        object_meta: OnceLock<Option<Map<String, Value>>>,
    }

    fn state() -> &'static State {
        static STATE: OnceLock<State> = OnceLock::new();
        STATE.get_or_init(|| State {
            chunks: CHUNKS.iter().map(|_| OnceLock::new()).collect(),
            kinds: KINDS.iter().map(|_| OnceLock::new()).collect(),
            object_meta: OnceLock::new(),
        })
    }

    /// Chunk `i`, decompressed and parsed.
    fn chunk(i: usize) -> Result<&'static Value, String> {
        let cell = state()
            .chunks
            .get(i)
            .ok_or_else(|| format!("no compiled-in schema chunk {i}"))?;
        cell.get_or_init(|| {
            let (offset, len) = CHUNKS[i];
            let bytes = BLOB
                .get(offset..offset + len)
                .ok_or_else(|| format!("compiled-in schema chunk {i} is out of bounds"))?;
            let json = miniz_oxide::inflate::decompress_to_vec_with_limit(bytes, MAX_CHUNK)
                .map_err(|e| format!("compiled-in schema chunk {i} does not inflate: {e:?}"))?;
            serde_json::from_slice(&json)
                .map_err(|e| format!("compiled-in schema chunk {i} is not JSON: {e}"))
        })
        .as_ref()
        .map_err(Clone::clone)
    }

    /// A definition of Kubernetes document chunk `own` or of the shared chunk.
    fn definition(own: Option<&'static Value>, name: &str) -> Option<&'static Value> {
        own.and_then(|c| c.get(name))
            .or_else(|| COMMON.and_then(|c| chunk(c).ok()).and_then(|c| c.get(name)))
    }

    /// The converted definitions `name` needs, from chunk `own` and the shared chunk.
    fn definitions(own: Option<&'static Value>, name: &str) -> Map<String, Value> {
        let mut defs = closure_with(|n| definition(own, n), name);
        for (n, d) in defs.iter_mut() {
            convert(d, n == QUANTITY);
        }
        defs
    }

    /// Kubernetes' `ObjectMeta`, converted, with what it references.
    pub(super) fn object_meta() -> Option<&'static Map<String, Value>> {
        state()
            .object_meta
            .get_or_init(|| {
                let defs = definitions(None, super::OBJECT_META);
                defs.contains_key(super::OBJECT_META).then_some(defs)
            })
            .as_ref()
    }

    /// The compiled-in `apiVersion` + `kind`, built on first use.
    pub(super) fn find(api_version: &str, kind: &str) -> Option<&'static Built> {
        let i = KINDS
            .binary_search_by(|(a, k, _, _)| (*a, *k).cmp(&(api_version, kind)))
            .ok()?;
        Some(state().kinds[i].get_or_init(|| build(i)))
    }

    fn build(i: usize) -> Built {
        let (api_version, kind, c, def) = KINDS[i];
        let broken = |message: String| Built {
            schema: KindSchema::broken(message),
            cel: Vec::new(),
        };
        let chunk = match chunk(c) {
            Ok(chunk) => chunk,
            Err(message) => return broken(message),
        };
        if !def.is_empty() {
            let defs = definitions(Some(chunk), def);
            return Built {
                schema: KindSchema::new(kubernetes_root(defs, def, api_version, kind)),
                cel: Vec::new(),
            };
        }
        let version = api_version.rsplit_once('/').map_or(api_version, |(_, v)| v);
        let schema = chunk
            .get("versions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|v| v.get(0).and_then(Value::as_str) == Some(version))
            .and_then(|v| v.get(1));
        match schema {
            Some(schema) => Built {
                schema: KindSchema::new(crd_root(schema, api_version, kind)),
                cel: super::super::cel::collect(schema),
            },
            None => broken(format!("the compiled-in CRD has no {api_version} {kind}")),
        }
    }
}

/// Built-in kinds that the compiled-in Kubernetes documents lack, from the k8s-openapi
/// types (generated from the same Kubernetes 1.35 OpenAPI): `CustomResourceDefinition`,
/// which Flux bootstrap commits to every repository.
fn fallback(api_version: &str, kind: &str) -> Option<&'static Built> {
    use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition as Crd;
    use k8s_openapi::Resource;
    if (api_version, kind) != (Crd::API_VERSION, Crd::KIND)
        || upstream::find(api_version, kind).is_some()
    {
        return None;
    }
    static CRD: OnceLock<Built> = OnceLock::new();
    Some(CRD.get_or_init(|| Built {
        schema: KindSchema::new(from_k8s_openapi::<Crd>()),
        cel: Vec::new(),
    }))
}

fn fallback_kinds() -> impl Iterator<Item = (&'static str, &'static str)> {
    use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition as Crd;
    use k8s_openapi::Resource;
    std::iter::once((Crd::API_VERSION, Crd::KIND)).filter(|(a, k)| upstream::find(a, k).is_none())
}

/// The schema of a k8s-openapi type (its own OpenAPI schema, converted like any other).
fn from_k8s_openapi<T: k8s_openapi::Resource + schemars::JsonSchema>() -> Value {
    let generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
    let mut schema = generator.into_root_schema_for::<T>().to_value();
    convert(&mut schema, false);
    if let Some(Value::Object(defs)) = schema.get_mut("$defs") {
        // k8s-openapi types these as objects; the API (and its OpenAPI documents) accepts any
        // JSON value for them.
        for any in [
            "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON",
            "io.k8s.apimachinery.pkg.runtime.RawExtension",
        ] {
            if let Some(Value::Object(def)) = defs.get_mut(any) {
                def.remove("type");
                def.remove("additionalProperties");
            }
        }
    }
    if let Some(obj) = schema.as_object_mut() {
        obj.remove("$schema");
        pin_type(obj, T::API_VERSION, T::KIND);
    }
    schema
}

/// The schemas this repository validates against, read from files: Kubernetes 1.35 and
/// every CRD under `crds_dir` (normally `../shared/crds`) except the Flux Operator's, as
/// `build.rs` compiles them in. For tests that compare the two.
pub fn load_shared(crds_dir: &Path) -> Result<SchemaStore, SchemaError> {
    let mut store = SchemaStore::new();
    store.add_kubernetes_openapi_dir(&crds_dir.join("kubernetes/v1.35"))?;
    let read = |source: std::io::Error| SchemaError::Read {
        path: crds_dir.to_owned(),
        source: source.into(),
    };
    let mut families = Vec::new();
    for entry in std::fs::read_dir(crds_dir).map_err(read)? {
        let path = entry.map_err(read)?.path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        if path.is_dir() && !matches!(name.as_deref(), Some("kubernetes" | "flux-operator")) {
            families.push(path);
        }
    }
    families.sort();
    for dir in families {
        store.add_crd_dir(&dir)?;
    }
    Ok(store)
}
