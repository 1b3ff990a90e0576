//! `transformers:` and `generators:` entries that are kustomize's built-in plugin
//! configurations (`apiVersion: builtin`), run with the build's own transformer and
//! generator code. Anything else — exec and KRM function plugins, Go plugins, other kinds —
//! is not built: a note, never an error.
//!
//! kustomize runs them after the kustomization's own transformations: first the inline
//! entries (YAML objects written in the list) in their order, then the entries that are
//! paths (files, or directories built as kustomizations), in theirs.

use crate::source::Lookup as _;
use serde_json::Value;
use std::sync::Arc;

use super::build::{inline_docs, inline_origin, Builder};
use super::config::Kustomization;
use super::fieldspecs::{Config, FieldSpec};
use super::generators;
use super::item::Item;
use super::transform::{images, labels, names, namespace, replicas};
use super::Origin;
use crate::source::yaml::parse_json_documents;

/// A transformer configuration object and where it is written.
struct Plugin {
    value: Value,
    origin: Origin,
}

impl Plugin {
    fn get(&self, key: &str) -> Option<&Value> {
        self.value.get(key).filter(|v| !v.is_null())
    }

    fn at(&self, key: &str) -> Origin {
        self.origin.join(&format!("/{key}"))
    }

    fn kind(&self) -> &str {
        self.value.get("kind").and_then(Value::as_str).unwrap_or("")
    }

    /// `fieldSpecs`, `None` when absent.
    fn field_specs(&self) -> Option<Vec<FieldSpec>> {
        self.get("fieldSpecs")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(FieldSpec::from_value).collect())
    }
}

/// True for a configuration of a built-in plugin: kustomize's `apiVersion: builtin` (no
/// group, version `builtin`).
fn is_builtin(v: &Value) -> bool {
    v.get("apiVersion").and_then(Value::as_str) == Some("builtin")
}

impl Builder<'_> {
    /// The plugin configurations of list `field` (`transformers` or `generators`) of `k`, in
    /// kustomize's order: the inline ones, then those the paths yield.
    fn plugin_configs(&mut self, k: &Kustomization, field: &str, cfg: &Config) -> Vec<Plugin> {
        let mut inline = Vec::new();
        let mut paths = Vec::new();
        for (i, entry) in k.list(field).iter().enumerate() {
            let at = k.entry(field, i);
            let Some(text) = entry.as_str() else {
                self.error(at, format!("a {field} entry must be a string"));
                continue;
            };
            // kustomize tries each entry as inline YAML objects first, then as a path.
            let docs = parse_json_documents(text, |_| false)
                .ok()
                .filter(|d| d.iter().any(|d| d.value.is_object()));
            match docs {
                Some(docs) => {
                    for (j, d) in docs.into_iter().enumerate() {
                        if d.value.is_object() {
                            inline.push(Plugin {
                                value: d.value,
                                origin: inline_origin(&at, j),
                            });
                        }
                    }
                }
                None => paths.push((text.to_owned(), at)),
            }
        }
        let mut plugins = inline;
        for (name, at) in paths {
            // Built like resources (a directory is a kustomization of configurations);
            // what they configure does not reach this kustomization's field specs.
            let mut scratch = cfg.clone();
            for item in self.resource(k, &name, &at, &mut scratch) {
                plugins.push(Plugin {
                    value: Arc::unwrap_or_clone(item.r.value),
                    origin: item.r.origin,
                });
            }
        }
        plugins
    }

    /// Runs the `generators` of `k`: the built-in ConfigMap and Secret generators.
    pub(super) fn generators(&mut self, k: &Kustomization, acc: &mut Vec<Item>, cfg: &Config) {
        for p in self.plugin_configs(k, "generators", cfg) {
            let kind = p.kind().to_owned();
            let made = match (is_builtin(&p.value), kind.as_str()) {
                (true, "ConfigMapGenerator") => "ConfigMap",
                (true, "SecretGenerator") => "Secret",
                _ => {
                    self.note(
                        p.origin.clone(),
                        format!("`generators` plugin `{kind}` not built"),
                    );
                    continue;
                }
            };
            match generators::generate_builtin(self.src, k, &p.value, made, &p.origin, self.out) {
                Ok(item) => self.absorb(acc, item, &p.origin),
                Err(e) => self.error(p.origin.clone(), e),
            }
        }
    }

    /// Runs the `transformers` of `k` on `acc`.
    pub(super) fn transformers(&mut self, k: &Kustomization, acc: &mut Vec<Item>, cfg: &Config) {
        for p in self.plugin_configs(k, "transformers", cfg) {
            if !is_builtin(&p.value) {
                let kind = p.kind().to_owned();
                self.note(
                    p.origin.clone(),
                    format!("`transformers` plugin `{kind}` not built"),
                );
                continue;
            }
            self.run(k, acc, &p);
        }
    }

    fn run(&mut self, k: &Kustomization, acc: &mut Vec<Item>, p: &Plugin) {
        let at = p.origin.clone();
        let str_of = |key: &str| p.get(key).and_then(Value::as_str).unwrap_or("").to_owned();
        match p.kind() {
            kind @ ("PrefixSuffixTransformer" | "PrefixTransformer" | "SuffixTransformer") => {
                let Some(specs) = p.field_specs() else {
                    self.error(at, format!("{kind}: fieldSpecs is not expected to be nil"));
                    return;
                };
                if kind != "SuffixTransformer" {
                    names::apply(acc, &str_of("prefix"), false, &specs, &p.at("prefix"));
                }
                if kind != "PrefixTransformer" {
                    names::apply(acc, &str_of("suffix"), true, &specs, &p.at("suffix"));
                }
            }
            kind @ ("LabelTransformer" | "AnnotationsTransformer") => {
                let key = if kind == "LabelTransformer" {
                    "labels"
                } else {
                    "annotations"
                };
                let pairs = p.get(key).and_then(Value::as_object).cloned();
                let specs = p.field_specs().unwrap_or_default();
                if let Some(pairs) = pairs {
                    labels::apply(acc, &pairs, &specs, &p.at(key));
                }
            }
            "NamespaceTransformer" => {
                let ns = p
                    .value
                    .lookup("/metadata/namespace")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                if ns.is_empty() {
                    return;
                }
                let subjects = match p.get("setRoleBindingSubjects").and_then(Value::as_str) {
                    None | Some("" | "defaultOnly") => namespace::Subjects::Default,
                    Some("allServiceAccounts") => namespace::Subjects::ServiceAccounts,
                    Some("none") => namespace::Subjects::None,
                    Some(other) => {
                        self.error(
                            p.at("setRoleBindingSubjects"),
                            format!(
                                "invalid value `{other}` for setRoleBindingSubjects: must be \
                                 one of defaultOnly, none or allServiceAccounts"
                            ),
                        );
                        return;
                    }
                };
                let specs = p.field_specs().unwrap_or_default();
                let mode = namespace::Mode {
                    specs: &specs,
                    unset_only: p.get("unsetOnly").and_then(Value::as_bool) == Some(true),
                    subjects,
                };
                let ns = ns.to_owned();
                namespace::apply(acc, &ns, &mode, &p.at("metadata/namespace"));
                self.check_unique(acc, &p.at("metadata/namespace"));
            }
            "ImageTagTransformer" => {
                let image = p.get("imageTag").cloned().unwrap_or(Value::Null);
                let specs = p.field_specs().unwrap_or_default();
                images::apply(acc, &image, &specs, &p.at("imageTag"));
            }
            "ReplicaCountTransformer" => {
                let replica = p.get("replica").cloned().unwrap_or(Value::Null);
                let specs = p.field_specs().unwrap_or_default();
                if let Err(e) = replicas::apply(acc, &replica, &specs, &p.at("replica")) {
                    self.error(at, e);
                }
            }
            "PatchTransformer" => {
                let patch = p.get("patch").and_then(Value::as_str).map(str::trim);
                if patch.is_some_and(|t| !t.is_empty()) && p.get("path").is_some() {
                    self.error(
                        at,
                        "PatchTransformer: patch and path can't be set at the same time",
                    );
                    return;
                }
                self.patch_entry(k, acc, &p.value, &at);
            }
            "PatchStrategicMergeTransformer" => {
                let paths = p.get("paths").and_then(Value::as_array).cloned();
                let patches = p.get("patches").and_then(Value::as_str).map(str::to_owned);
                if paths.as_ref().is_none_or(Vec::is_empty)
                    && patches.as_ref().is_none_or(|s| s.is_empty())
                {
                    self.error(
                        at,
                        "PatchStrategicMergeTransformer: empty file path and empty patch content",
                    );
                    return;
                }
                for (i, path) in paths.iter().flatten().enumerate() {
                    if let Some(path) = path.as_str() {
                        self.psm_entry(k, acc, path, &p.at("paths").join(&format!("/{i}")));
                    }
                }
                if let Some(text) = patches {
                    self.psm_entry(k, acc, &text, &p.at("patches"));
                }
            }
            "PatchJson6902Transformer" => {
                let name = p.value.lookup("/target/name").and_then(Value::as_str);
                if name.is_none_or(str::is_empty) {
                    self.error(at, "PatchJson6902Transformer: must specify the target name");
                    return;
                }
                let parsed = match (
                    p.get("jsonOp").and_then(Value::as_str),
                    p.get("path").and_then(Value::as_str),
                ) {
                    (Some(_), Some(_)) => {
                        self.error(at, "PatchJson6902Transformer: must specify a file path or jsonOp, not both");
                        return;
                    }
                    (Some(text), None) => match inline_docs(text, &p.at("jsonOp")) {
                        Ok(parsed) => Some(parsed),
                        Err(e) => {
                            self.error(at, format!("the patch does not parse: {e}"));
                            return;
                        }
                    },
                    (None, Some(path)) => self.patch_file(k, path, &at),
                    (None, None) => {
                        self.error(
                            at,
                            "PatchJson6902Transformer: empty file path and empty jsonOp",
                        );
                        return;
                    }
                };
                let Some((docs, origins)) = parsed else {
                    return;
                };
                let Some(target) = p.get("target").filter(|t| t.is_object()) else {
                    return;
                };
                let Some(found) = self.select(acc, target, &at) else {
                    return;
                };
                if let (Some(ops), Some(origin)) = (docs.first(), origins.first()) {
                    self.json_to(acc, &found, ops, origin, &at);
                }
            }
            "ReplacementTransformer" => {
                for (i, r) in p
                    .get("replacements")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .enumerate()
                {
                    let r_at = p.at("replacements").join(&format!("/{i}"));
                    self.replacement_entry(k, acc, r, &r_at);
                }
            }
            kind => {
                let kind = kind.to_owned();
                self.note(at, format!("built-in transformer `{kind}` not built"));
            }
        }
    }
}
