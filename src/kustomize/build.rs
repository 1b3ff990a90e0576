//! The build of one kustomization directory, recursively, in kustomize's order: resources
//! (files, directories, nested kustomizations), generators, components, then the
//! transformers (strategic-merge patches, patches, namespace, prefix, suffix, labels,
//! annotations, JSON 6902 patches, replicas, images, replacements); at the top, hash
//! suffixes, name references and the output order.

use std::collections::HashSet;
use std::sync::Arc;

use serde_json::Value;

use super::config::{self, Kustomization};
use super::crds;
use super::fieldspecs::{defaults, merge_specs, Config, FieldSpec};
use super::item::{Id, Item};
use super::merge::{json6902, smp};
use super::target::Selector;
use super::transform::{images, labels, nameref, names, namespace, replacements, replicas};
use super::{
    generators, kustomization_file, order, resolve_path, Build, Origin, Overlay, Problem, Source,
};
use crate::source::yaml::parse_json_documents;

/// Nested kustomizations deeper than this are refused (a cycle the path check missed,
/// or a pathological tree).
const MAX_DEPTH: usize = 64;

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
    let mut b = Builder {
        src,
        out: &mut out,
        stack: Vec::new(),
    };
    let at = overlay.map_or_else(|| Origin::new(dir, 0, ""), |o| o.origin.clone());
    let mut cfg = defaults().clone();
    let (mut items, sort_options) = match b.target(dir, overlay, Vec::new(), None, &at, &mut cfg) {
        Some((items, k)) => (items, k.value.get("sortOptions").cloned()),
        None => (Vec::new(), None),
    };
    names::add_hashes(&mut items);
    // The field specs of every kustomization built (and its `configurations`) apply here.
    nameref::apply(&mut items, &cfg.name_reference);
    order::sort(&mut items, sort_options.as_ref());
    out.resources = items.into_iter().map(|i| i.r).collect();
    out
}

pub(super) struct Builder<'a> {
    pub(super) src: &'a dyn Source,
    pub(super) out: &'a mut Build,
    /// The directories being built, outermost first (cycle detection).
    stack: Vec<String>,
}

/// The ids of an accumulation, as [`id_key`]s.
type IdSet = HashSet<(String, String, String, String, String)>;

/// A key for an id, an unset namespace being `default` (kustomize's `Equals`).
fn id_key(id: &Id) -> (String, String, String, String, String) {
    (
        id.group.clone(),
        id.version.clone(),
        id.kind.clone(),
        id.effective_namespace().to_owned(),
        id.name.clone(),
    )
}

/// Where document `doc` of a patch written inline at `text` (a YAML string) is: the string's
/// origin with the [`INLINE`] marker, below which pointers name fields of that document,
/// so that a finding points at the line inside the block scalar.
pub(super) fn inline_origin(text: &Origin, doc: usize) -> Origin {
    text.join(&format!("/{}{doc}", crate::source::yaml::INLINE))
}

/// The non-empty documents of YAML `text` written at `text_at`, each with its origin.
pub(super) fn inline_docs(
    text: &str,
    text_at: &Origin,
) -> Result<(Vec<Value>, Vec<Origin>), String> {
    let docs = parse_json_documents(text, |_| false).map_err(|e| e.message)?;
    let mut vals = Vec::new();
    let mut origins = Vec::new();
    for (j, d) in docs.into_iter().enumerate() {
        if !d.value.is_null() {
            vals.push(d.value);
            origins.push(inline_origin(text_at, j));
        }
    }
    Ok((vals, origins))
}

/// True for resources kustomize would fetch (git or HTTP).
fn is_remote(name: &str) -> bool {
    name.contains("://") && !name.starts_with("file://")
        || name.starts_with("github.com/")
        || name.starts_with("gitlab.com/")
        || name.starts_with("bitbucket.org/")
        || name.starts_with("git@")
        || name.starts_with("git::")
}

impl Builder<'_> {
    pub(super) fn error(&mut self, origin: Origin, message: impl Into<String>) {
        self.out.errors.push(Problem {
            origin,
            message: message.into(),
        });
    }

    pub(super) fn note(&mut self, origin: Origin, message: impl Into<String>) {
        self.out.notes.push(Problem {
            origin,
            message: message.into(),
        });
    }

    /// Builds `dir` on top of `acc` (non-empty only for components), `component` saying
    /// whether it must be a Component (`None` at the root, which kustomize builds either
    /// way), returning the
    /// resources and the kustomization. `None` when the directory cannot be read. `cfg` is
    /// the transformer configuration accumulated so far (kustomize's accumulator's): the
    /// directory's own `configurations` and those of what it includes are merged into it.
    fn target(
        &mut self,
        dir: &str,
        overlay: Option<&Overlay>,
        acc: Vec<Item>,
        component: Option<bool>,
        at: &Origin,
        cfg: &mut Config,
    ) -> Option<(Vec<Item>, Kustomization)> {
        let mut k = match config::read(self.src, dir, overlay, self.out) {
            None => {
                self.error(at.clone(), format!("`{dir}` has no kustomization.yaml"));
                return None;
            }
            Some(Err(())) => return None,
            Some(Ok(k)) => k,
        };
        if let Some(o) = overlay {
            k.merge_overlay(o);
        }
        if let Some(component) = component.filter(|c| *c != k.is_component()) {
            let want = if component {
                "a Component"
            } else {
                "not a Component"
            };
            self.error(at.clone(), format!("`{dir}` must be {want} here"));
            return None;
        }
        self.stack.push(dir.to_owned());
        let items = self.accumulate(&k, acc, cfg);
        self.stack.pop();
        Some((items, k))
    }

    fn accumulate(&mut self, k: &Kustomization, mut acc: Vec<Item>, cfg: &mut Config) -> Vec<Item> {
        // Ids taken so far; kept up to date while resources are appended.
        let mut seen: HashSet<_> = acc.iter().map(|i| id_key(&i.id())).collect();
        for field in ["resources", "bases"] {
            for (i, entry) in k.list(field).iter().enumerate() {
                let at = k.entry(field, i);
                let Some(name) = entry.as_str() else {
                    self.error(at, "a resource entry must be a string");
                    continue;
                };
                let add = self.resource(k, name, &at, cfg);
                self.append_all(&mut acc, &mut seen, add, &at);
            }
        }
        for (i, entry) in k.list("configurations").iter().enumerate() {
            let at = k.entry("configurations", i);
            self.configuration(k, entry, cfg, &at);
        }
        // After `configurations`, as kustomize merges them.
        for (i, entry) in k.list("crds").iter().enumerate() {
            let at = k.entry("crds", i);
            self.crds(k, entry, cfg, &at);
        }
        for (i, _) in k.list("helmCharts").iter().enumerate() {
            self.note(k.entry("helmCharts", i), "helm chart not built");
        }
        for (i, entry) in k.list("validators").iter().enumerate() {
            let at = k.entry("validators", i);
            if let Some(path) = entry.as_str().and_then(|p| resolve_path(&k.dir, p)) {
                if self.src.documents(&path).is_some() {
                    self.out.files.insert(path);
                }
            }
            self.note(at, "`validators` plugin not built");
        }
        for item in generators::generate(self.src, k, self.out) {
            let at = item.r.origin.clone();
            self.absorb(&mut acc, item, &at);
        }
        // `generators` run after the kustomization's own generators.
        self.generators(k, &mut acc, cfg);
        for (i, entry) in k.list("components").iter().enumerate() {
            let at = k.entry("components", i);
            let Some(name) = entry.as_str() else {
                self.error(at, "a component entry must be a string");
                continue;
            };
            if is_remote(name) {
                self.note(at, format!("remote component `{name}` is not built"));
                continue;
            }
            let Some(path) = self.child_dir(k, name, &at) else {
                continue;
            };
            let taken = std::mem::take(&mut acc);
            match self.target(&path, None, taken.clone(), Some(true), &at, cfg) {
                Some((items, _)) => acc = items,
                None => acc = taken,
            }
        }
        self.transform(k, &mut acc, cfg);
        // `transformers` run after the kustomization's own transformations.
        self.transformers(k, &mut acc, cfg);
        acc
    }

    /// Merges the field specs of configurations file `entry` into `cfg`.
    fn configuration(&mut self, k: &Kustomization, entry: &Value, cfg: &mut Config, at: &Origin) {
        let Some((p, first)) = self.config_file(k, entry, "configurations", at) else {
            return;
        };
        let merged = Config::from_value(&first).and_then(|c| cfg.merge(&c));
        if let Err(e) = merged {
            self.error(at.clone(), format!("configurations file `{p}`: {e}"));
        }
    }

    /// A `crds` file: OpenAPI definitions whose extensions add field specs (not output).
    fn crds(&mut self, k: &Kustomization, entry: &Value, cfg: &mut Config, at: &Origin) {
        let Some((p, first)) = self.config_file(k, entry, "crds", at) else {
            return;
        };
        let merged = crds::config_from_openapi(&first).and_then(|c| cfg.merge(&c));
        if let Err(e) = merged {
            self.error(
                at.clone(),
                format!("unable to parse open API definition from `{p}`: {e}"),
            );
        }
    }

    /// The first document of the file a `field` entry names (kustomize reads such files as
    /// one mapping), recorded as used; `None` after reporting why it cannot be read.
    fn config_file(
        &mut self,
        k: &Kustomization,
        entry: &Value,
        field: &str,
        at: &Origin,
    ) -> Option<(String, Value)> {
        let Some(p) = entry.as_str() else {
            self.error(at.clone(), format!("a {field} entry must be a path"));
            return None;
        };
        let Some(path) = resolve_path(&k.dir, p) else {
            self.error(at.clone(), format!("`{p}` is outside the repository"));
            return None;
        };
        let docs = match self.src.documents(&path) {
            None => {
                self.error(at.clone(), format!("{field} file `{p}` does not exist"));
                return None;
            }
            Some(Err(why)) => {
                self.error(
                    at.clone(),
                    format!("{field} file `{p}` does not parse: {why}"),
                );
                return None;
            }
            Some(Ok(docs)) => docs,
        };
        self.out.files.insert(path);
        Some((
            p.to_owned(),
            docs.first().map_or(Value::Null, |d| Value::clone(d)),
        ))
    }

    /// The directory `name` names, checked: inside the repository, not a cycle, not too deep.
    fn child_dir(&mut self, k: &Kustomization, name: &str, at: &Origin) -> Option<String> {
        let Some(path) = resolve_path(&k.dir, name) else {
            self.error(at.clone(), format!("`{name}` is outside the repository"));
            return None;
        };
        if self.stack.contains(&path) {
            self.error(at.clone(), format!("`{name}` includes itself (a cycle)"));
            return None;
        }
        if self.stack.len() >= MAX_DEPTH {
            self.error(at.clone(), format!("`{name}` is nested too deeply"));
            return None;
        }
        if !self.src.is_dir(&path) {
            self.error(at.clone(), format!("`{name}` does not exist"));
            return None;
        }
        Some(path)
    }

    /// The resources one `resources` entry yields; a nested kustomization's transformer
    /// configuration is merged into `cfg`.
    pub(super) fn resource(
        &mut self,
        k: &Kustomization,
        name: &str,
        at: &Origin,
        cfg: &mut Config,
    ) -> Vec<Item> {
        if is_remote(name) {
            self.note(at.clone(), format!("remote resource `{name}` is not built"));
            return Vec::new();
        }
        let Some(path) = resolve_path(&k.dir, name) else {
            self.error(at.clone(), format!("`{name}` is outside the repository"));
            return Vec::new();
        };
        if self.src.is_dir(&path) {
            let Some(path) = self.child_dir(k, name, at) else {
                return Vec::new();
            };
            if kustomization_file(self.src, &path).is_none() {
                self.error(
                    at.clone(),
                    format!("directory `{name}` has no kustomization.yaml"),
                );
                return Vec::new();
            }
            let mut child = defaults().clone();
            let items = match self.target(&path, None, Vec::new(), Some(false), at, &mut child) {
                Some((items, _)) => items,
                None => Vec::new(),
            };
            if let Err(e) = cfg.merge(&child) {
                self.error(
                    at.clone(),
                    format!("the field specs of `{name}` conflict: {e}"),
                );
            }
            return items;
        }
        match self.src.documents(&path) {
            None => {
                self.error(at.clone(), format!("`{name}` does not exist"));
                Vec::new()
            }
            Some(Err(why)) => {
                self.error(at.clone(), format!("`{name}` does not parse: {why}"));
                Vec::new()
            }
            Some(Ok(docs)) => {
                self.out.files.insert(path.clone());
                let mut items = Vec::new();
                for (doc, value) in docs.iter().enumerate() {
                    let origin = Origin::new(&path, doc, "");
                    match &**value {
                        Value::Null => {}
                        Value::Object(m) if m.is_empty() => {}
                        Value::Object(m) => {
                            let kind = m.get("kind").and_then(Value::as_str).unwrap_or("");
                            match m.get("items") {
                                Some(Value::Array(list)) if kind.ends_with("List") => {
                                    for (j, v) in list.iter().enumerate() {
                                        items.push(Item::new(
                                            v.clone(),
                                            origin.join(&format!("/items/{j}")),
                                        ));
                                    }
                                }
                                _ => items.push(Item::shared(value.clone(), origin)),
                            }
                        }
                        _ => self.error(origin, format!("a document of `{name}` is not an object")),
                    }
                }
                items
            }
        }
    }

    /// Appends `add` to `acc`, refusing ids already there.
    fn append_all(&mut self, acc: &mut Vec<Item>, seen: &mut IdSet, add: Vec<Item>, at: &Origin) {
        for item in add {
            let id = item.id();
            if !seen.insert(id_key(&id)) {
                let ns = if id.namespace.is_empty() {
                    String::new()
                } else {
                    format!("{}/", id.namespace)
                };
                self.error(
                    at.clone(),
                    format!(
                        "may not add resource with an already registered id: {} {ns}{}",
                        id.kind, id.name
                    ),
                );
                continue;
            }
            acc.push(item);
        }
    }

    /// Adds a generated object, merging or replacing as its `behavior` asks.
    pub(super) fn absorb(&mut self, acc: &mut Vec<Item>, mut item: Item, at: &Origin) {
        let id = item.id();
        let matches: Vec<usize> = (0..acc.len())
            .filter(|&i| acc[i].matches_any_id(&id))
            .collect();
        let behavior = item
            .generated
            .as_ref()
            .map_or("create", |g| g.behavior.as_str())
            .to_owned();
        match (matches.as_slice(), behavior.as_str()) {
            ([], "merge" | "replace") => {
                self.error(
                    at.clone(),
                    format!(
                        "{} `{}` does not exist; cannot {behavior} it",
                        id.kind, id.name
                    ),
                );
            }
            ([], _) => acc.push(item),
            ([i], "merge" | "replace") => {
                let old = &acc[*i];
                let merged_map = |key: &str, old: &Value, new: &Value| -> Option<Value> {
                    let mut m = old
                        .get(key)
                        .and_then(Value::as_object)
                        .cloned()
                        .unwrap_or_default();
                    for (k, v) in new
                        .get(key)
                        .and_then(Value::as_object)
                        .into_iter()
                        .flatten()
                    {
                        m.insert(k.clone(), v.clone());
                    }
                    (!m.is_empty()).then_some(Value::Object(m))
                };
                let old_meta = old.r.value.get("metadata").cloned().unwrap_or(Value::Null);
                let new_meta = item.r.value.get("metadata").cloned().unwrap_or(Value::Null);
                let labels = merged_map("labels", &old_meta, &new_meta);
                let annotations = merged_map("annotations", &old_meta, &new_meta);
                let data = (behavior == "merge").then(|| {
                    (
                        merged_map("data", &old.r.value, &item.r.value),
                        merged_map("binaryData", &old.r.value, &item.r.value),
                    )
                });
                let old_name = old.r.name().to_owned();
                let old_ns = old.r.namespace().map(str::to_owned);
                let old_hash = old.generated.as_ref().is_some_and(|g| g.hash);
                if let Some(meta) = item.metadata_mut() {
                    for (key, v) in [("labels", labels), ("annotations", annotations)] {
                        match v {
                            Some(v) => meta.insert(key.into(), v),
                            None => meta.remove(key),
                        };
                    }
                    meta.insert("name".into(), Value::String(old_name));
                    match old_ns {
                        Some(ns) => meta.insert("namespace".into(), Value::String(ns)),
                        None => meta.remove("namespace"),
                    };
                }
                if let (Some((d, bd)), Some(obj)) =
                    (data, Arc::make_mut(&mut item.r.value).as_object_mut())
                {
                    for (key, v) in [("data", d), ("binaryData", bd)] {
                        match v {
                            Some(v) => obj.insert(key.into(), v),
                            None => obj.remove(key),
                        };
                    }
                }
                let old = &acc[*i];
                if let Some(g) = item.generated.as_mut() {
                    g.hash = g.hash && old_hash;
                }
                item.prev = old.prev.clone();
                item.prefixes = old.prefixes.clone();
                item.suffixes = old.suffixes.clone();
                if behavior == "merge" {
                    let mut fields = old.r.fields.clone();
                    fields.append(&mut item.r.fields);
                    item.r.fields = fields;
                    item.r.origin = old.r.origin.clone();
                }
                acc[*i] = item;
            }
            ([_], _) => self.error(
                at.clone(),
                format!(
                    "{} `{}` already exists; use behavior merge or replace",
                    id.kind, id.name
                ),
            ),
            _ => self.error(
                at.clone(),
                format!("several objects could take {} `{}`", id.kind, id.name),
            ),
        }
    }

    /// Parses a patch given inline (`text`) or as a file (`path`, relative to `k.dir`):
    /// its documents and where each is written (inline: inside the entry's `patch`).
    pub(super) fn patch_docs(
        &mut self,
        k: &Kustomization,
        entry: &Value,
        at: &Origin,
    ) -> Option<(Vec<Value>, Vec<Origin>)> {
        if let Some(text) = entry
            .get("patch")
            .and_then(Value::as_str)
            .filter(|t| !t.trim().is_empty())
        {
            return match inline_docs(text, &at.join("/patch")) {
                Ok(parsed) => Some(parsed),
                Err(e) => {
                    self.error(at.clone(), format!("the patch does not parse: {e}"));
                    None
                }
            };
        }
        let Some(p) = entry.get("path").and_then(Value::as_str) else {
            self.error(at.clone(), "a patch needs `patch` or `path`");
            return None;
        };
        self.patch_file(k, p, at)
    }

    pub(super) fn patch_file(
        &mut self,
        k: &Kustomization,
        p: &str,
        at: &Origin,
    ) -> Option<(Vec<Value>, Vec<Origin>)> {
        let Some(path) = resolve_path(&k.dir, p) else {
            self.error(at.clone(), format!("`{p}` is outside the repository"));
            return None;
        };
        match self.src.documents(&path) {
            None => {
                self.error(at.clone(), format!("patch file `{p}` does not exist"));
                None
            }
            Some(Err(why)) => {
                self.error(
                    at.clone(),
                    format!("patch file `{p}` does not parse: {why}"),
                );
                None
            }
            Some(Ok(docs)) => {
                self.out.files.insert(path.clone());
                let mut vals = Vec::new();
                let mut origins = Vec::new();
                for (i, d) in docs.iter().enumerate() {
                    if !d.is_null() {
                        vals.push(Value::clone(d));
                        origins.push(Origin::new(&path, i, ""));
                    }
                }
                Some((vals, origins))
            }
        }
    }

    /// Applies strategic-merge `patch` to the objects at `targets` (indexes into `acc`).
    fn smp_to(
        &mut self,
        acc: &mut Vec<Item>,
        targets: &[usize],
        patch: &Value,
        origin: &Origin,
        at: &Origin,
    ) {
        let mut deleted = Vec::new();
        for &t in targets {
            let before = acc[t].link_values();
            let res = &mut acc[t].r;
            match smp::apply(res, patch, origin) {
                Ok(true) => acc[t].sync_links(before),
                Ok(false) => deleted.push(t),
                Err(e) => self.error(at.clone(), format!("the patch does not apply: {e}")),
            }
        }
        deleted.sort_unstable();
        for t in deleted.into_iter().rev() {
            acc.remove(t);
        }
    }

    /// A strategic-merge patch without a target: the object with the patch's id.
    fn smp_by_id(&mut self, acc: &mut Vec<Item>, patch: &Value, origin: &Origin, at: &Origin) {
        let id = Id::of(patch);
        let found: Vec<usize> = (0..acc.len())
            .filter(|&i| acc[i].matches_any_id(&id))
            .collect();
        match found.len() {
            0 => self.error(
                at.clone(),
                format!(
                    "no resource matches strategic merge patch {} `{}`",
                    id.kind, id.name
                ),
            ),
            1 => self.smp_to(acc, &found, patch, origin, at),
            _ => self.error(
                at.clone(),
                format!(
                    "several resources match strategic merge patch {} `{}`",
                    id.kind, id.name
                ),
            ),
        }
    }

    pub(super) fn json_to(
        &mut self,
        acc: &mut [Item],
        targets: &[usize],
        ops: &Value,
        origin: &Origin,
        at: &Origin,
    ) {
        for &t in targets {
            let item = &mut acc[t];
            item.store_previous_id();
            // kustomize applies JSON patches to a copy of the object: nothing stays linked.
            item.links.clear();
            if let Err(e) = json6902::apply(&mut item.r, ops, origin) {
                self.error(at.clone(), format!("the JSON patch does not apply: {e}"));
            }
        }
    }

    pub(super) fn select(
        &mut self,
        acc: &[Item],
        target: &Value,
        at: &Origin,
    ) -> Option<Vec<usize>> {
        match Selector::parse(target) {
            Ok(sel) => Some((0..acc.len()).filter(|&i| sel.matches(&acc[i])).collect()),
            Err(e) => {
                self.error(at.clone(), e);
                None
            }
        }
    }

    /// One `patchesStrategicMerge` entry: a file, or inline documents, each patching the
    /// object of its own id.
    pub(super) fn psm_entry(
        &mut self,
        k: &Kustomization,
        acc: &mut Vec<Item>,
        s: &str,
        at: &Origin,
    ) {
        let inline = parse_json_documents(s, |_| false)
            .ok()
            .filter(|d| d.iter().any(|d| d.value.is_object()));
        let parsed = match inline {
            Some(docs) => {
                let mut vals = Vec::new();
                let mut origins = Vec::new();
                for (j, d) in docs.into_iter().enumerate() {
                    if d.value.is_object() {
                        vals.push(d.value);
                        origins.push(inline_origin(at, j));
                    }
                }
                Some((vals, origins))
            }
            None => self.patch_file(k, s, at),
        };
        let Some((docs, origins)) = parsed else {
            return;
        };
        for (j, doc) in docs.iter().enumerate() {
            let origin = origins.get(j).cloned().unwrap_or_else(|| at.clone());
            self.smp_by_id(acc, doc, &origin, at);
        }
    }

    /// One `patches` entry: strategic merge or JSON 6902, by target or by the patch's own id.
    pub(super) fn patch_entry(
        &mut self,
        k: &Kustomization,
        acc: &mut Vec<Item>,
        entry: &Value,
        at: &Origin,
    ) {
        let Some((docs, origins)) = self.patch_docs(k, entry, at) else {
            return;
        };
        let target = entry.get("target").filter(|t| t.is_object());
        if let [ops @ Value::Array(_)] = docs.as_slice() {
            let Some(target) = target else {
                self.error(at.clone(), "a JSON patch needs a `target`");
                return;
            };
            let Some(found) = self.select(acc, target, at) else {
                return;
            };
            self.json_to(acc, &found, ops, &origins[0], at);
            return;
        }
        match target {
            Some(target) => {
                if docs.len() > 1 {
                    self.error(
                        at.clone(),
                        "a patch with a `target` may hold only one strategic-merge document",
                    );
                    return;
                }
                let Some(doc) = docs.first() else { return };
                let Some(found) = self.select(acc, target, at) else {
                    return;
                };
                self.smp_to(acc, &found, doc, &origins[0], at);
            }
            None => {
                for (j, doc) in docs.iter().enumerate() {
                    self.smp_by_id(acc, doc, &origins[j], at);
                }
            }
        }
    }

    /// One `patchesJson6902` entry (`path` or inline `patch`, and a `target`).
    pub(super) fn json6902_entry(
        &mut self,
        k: &Kustomization,
        acc: &mut [Item],
        entry: &Value,
        at: &Origin,
    ) {
        let Some((docs, origins)) = self.patch_docs(k, entry, at) else {
            return;
        };
        let Some(target) = entry.get("target").filter(|t| t.is_object()) else {
            self.error(at.clone(), "a JSON patch needs a `target`");
            return;
        };
        let Some(found) = self.select(acc, target, at) else {
            return;
        };
        if let Some(ops) = docs.first() {
            self.json_to(acc, &found, ops, &origins[0], at);
        }
    }

    /// One `replacements` entry: inline, or a file holding one replacement or a list.
    pub(super) fn replacement_entry(
        &mut self,
        k: &Kustomization,
        acc: &mut [Item],
        entry: &Value,
        at: &Origin,
    ) {
        let r = match entry.get("path").and_then(Value::as_str) {
            Some(p) => match self.patch_file(k, p, at) {
                Some((docs, _)) => docs
                    .into_iter()
                    .flat_map(|d| match d {
                        Value::Array(items) => items,
                        other => vec![other],
                    })
                    .collect(),
                None => return,
            },
            None => vec![entry.clone()],
        };
        for r in r {
            if let Err(e) = replacements::apply(acc, &r, at) {
                self.error(at.clone(), e);
            }
        }
    }

    fn transform(&mut self, k: &Kustomization, acc: &mut Vec<Item>, cfg: &Config) {
        for (i, entry) in k.list("patchesStrategicMerge").iter().enumerate() {
            let at = k.entry("patchesStrategicMerge", i);
            let Some(s) = entry.as_str() else { continue };
            self.psm_entry(k, acc, s, &at);
        }
        for (i, entry) in k.list("patches").iter().enumerate() {
            self.patch_entry(k, acc, entry, &k.entry("patches", i));
        }
        if let Some(ns) = k.str("namespace") {
            let mode = namespace::Mode {
                specs: &cfg.namespace,
                unset_only: false,
                subjects: namespace::Subjects::Default,
            };
            namespace::apply(acc, ns, &mode, &k.at("namespace"));
            self.check_unique(acc, &k.at("namespace"));
        }
        if let Some(p) = k.str("namePrefix") {
            names::apply(acc, p, false, &cfg.name_prefix, &k.at("namePrefix"));
        }
        if let Some(s) = k.str("nameSuffix") {
            names::apply(acc, s, true, &cfg.name_suffix, &k.at("nameSuffix"));
        }
        for (i, entry) in k.list("labels").iter().enumerate() {
            let Some(pairs) = entry.get("pairs").and_then(Value::as_object) else {
                continue;
            };
            let flag = |key: &str| entry.get(key).and_then(Value::as_bool) == Some(true);
            let mut specs: Vec<FieldSpec> = entry
                .get("fields")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(FieldSpec::from_value).collect())
                .unwrap_or_default();
            let metadata = [FieldSpec {
                group: None,
                version: None,
                kind: None,
                path: "metadata/labels".into(),
                create: true,
                segs: Default::default(),
            }];
            // kustomize's order: the entry's fields, the configured `labels`, then
            // selectors (or templates, and metadata).
            let mut merged = merge_specs(&mut specs, &cfg.labels);
            if flag("includeSelectors") {
                merged = merged.and_then(|_| merge_specs(&mut specs, &cfg.common_labels));
            } else {
                if flag("includeTemplates") {
                    merged = merged.and_then(|_| merge_specs(&mut specs, &cfg.template_labels));
                }
                merged = merged.and_then(|_| merge_specs(&mut specs, &metadata));
            }
            if let Err(e) = merged {
                self.error(k.entry("labels", i), format!("the label field specs: {e}"));
                continue;
            }
            labels::apply(acc, pairs, &specs, &k.entry("labels", i).join("/pairs"));
        }
        if let Some(pairs) = k.map("commonLabels") {
            labels::apply(acc, pairs, &cfg.common_labels, &k.at("commonLabels"));
        }
        if let Some(pairs) = k.map("commonAnnotations") {
            labels::apply(
                acc,
                pairs,
                &cfg.common_annotations,
                &k.at("commonAnnotations"),
            );
        }
        for (i, entry) in k.list("patchesJson6902").iter().enumerate() {
            self.json6902_entry(k, acc, entry, &k.entry("patchesJson6902", i));
        }
        for (i, entry) in k.list("replicas").iter().enumerate() {
            let at = k.entry("replicas", i);
            if let Err(e) = replicas::apply(acc, entry, &cfg.replicas, &at) {
                self.error(at, e);
            }
        }
        for (i, entry) in k.list("images").iter().enumerate() {
            images::apply(acc, entry, &cfg.images, &k.entry("images", i));
        }
        for (i, entry) in k.list("replacements").iter().enumerate() {
            self.replacement_entry(k, acc, entry, &k.entry("replacements", i));
        }
    }

    pub(super) fn check_unique(&mut self, acc: &[Item], at: &Origin) {
        let mut seen = HashSet::new();
        for item in acc {
            let id = item.id();
            if !seen.insert(id_key(&id)) {
                self.error(
                    at.clone(),
                    format!(
                        "the namespace makes two objects {} `{}` the same",
                        id.kind, id.name
                    ),
                );
            }
        }
    }
}
