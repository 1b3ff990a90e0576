//! Reading `blueprints/` and `clusters/`: files → positioned documents → typed inputs.
//!
//! Every file is read and checked even when an earlier one failed, so the user sees all
//! problems at once. Nothing here renders or writes.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use jsonschema::Validator;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::cluster::Cluster;
use super::component::{Component, NOT_OVERRIDABLE as COMPONENT_NOT_OVERRIDABLE};
use super::schema::{blueprint_schema, cluster_schema, component_schema};
use super::service::Blueprint;
use super::structure;
use crate::diag::Diagnostic;
use crate::error::Error;
use crate::source::yaml::{parse_documents_in, AliasBudget, Kind, Node};
use crate::source::{SourceFile, SourceMap, Span};

/// YAML syntax error, duplicate key, alias bomb or nesting too deep.
pub const YAML_SYNTAX: &str = "BP001";
/// Not one mapping document of the expected kind.
pub const WRONG_DOCUMENT: &str = "BP002";

/// A blueprint file, parsed and structurally valid.
#[derive(Clone, Debug)]
pub struct BlueprintInput {
    /// Display path, e.g. `blueprints/order.yaml`.
    pub file: String,
    /// The document (with positions), `overrides` included.
    pub node: Node,
    /// The typed base blueprint (without overrides applied).
    pub base: Blueprint,
}

/// A cluster file, parsed and structurally valid.
#[derive(Clone, Debug)]
pub struct ClusterInput {
    /// Display path, e.g. `clusters/prod.yaml`.
    pub file: String,
    /// Directory holding the file, for paths relative to it (sealing certificates).
    pub dir: PathBuf,
    /// The document.
    pub node: Node,
    /// The typed cluster.
    pub cluster: Cluster,
}

/// A platform component file, parsed and structurally valid.
#[derive(Clone, Debug)]
pub struct ComponentInput {
    /// Display path, e.g. `platform/redis.yaml`.
    pub file: String,
    /// Directory holding the file, for the `resources` files beside it.
    pub dir: PathBuf,
    /// The document (with positions), `overrides` included.
    pub node: Node,
    /// The typed base component (without overrides applied).
    pub base: Component,
}

/// Everything read from the input directories, with problems found on the way.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Blueprints that parsed, sorted by file.
    pub blueprints: Vec<BlueprintInput>,
    /// Clusters that parsed, sorted by file.
    pub clusters: Vec<ClusterInput>,
    /// Platform components that parsed, sorted by file.
    pub components: Vec<ComponentInput>,
    /// Every file read, for quoting in messages.
    pub sources: SourceMap,
    /// Problems found.
    pub diagnostics: Vec<Diagnostic>,
    /// Alias expansion over all the files read (each file is also bounded on its own).
    aliases: AliasBudget,
}

fn blueprint_validator() -> &'static Result<Validator, String> {
    static V: OnceLock<Result<Validator, String>> = OnceLock::new();
    V.get_or_init(|| jsonschema::validator_for(&blueprint_schema()).map_err(|e| e.to_string()))
}

fn component_validator() -> &'static Result<Validator, String> {
    static V: OnceLock<Result<Validator, String>> = OnceLock::new();
    V.get_or_init(|| jsonschema::validator_for(&component_schema()).map_err(|e| e.to_string()))
}

fn cluster_validator() -> &'static Result<Validator, String> {
    static V: OnceLock<Result<Validator, String>> = OnceLock::new();
    V.get_or_init(|| jsonschema::validator_for(&cluster_schema()).map_err(|e| e.to_string()))
}

/// The YAML files of a directory (not recursive), sorted, `*.sealed.yaml`/`*.sealed.yml` left out (they are
/// sealed values, read by the sealing layer).
pub fn yaml_files(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let entries = fs::read_dir(dir).map_err(|source| Error::Io {
        action: "read directory",
        path: dir.to_owned(),
        source,
    })?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| Error::Io {
            action: "read directory",
            path: dir.to_owned(),
            source,
        })?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_yaml = name.ends_with(".yaml") || name.ends_with(".yml");
        let sealed = name.ends_with(".sealed.yaml") || name.ends_with(".sealed.yml");
        // Anything but a directory is listed, so that a FIFO or device named `*.yaml` is
        // reported when it is read instead of being skipped in silence.
        if is_yaml && !sealed && !path.is_dir() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// The display path of a file in an input directory: the directory's own name and the file
/// name (`blueprints/order.yaml`), so messages and file headers do not depend on where the
/// tool was started from.
pub fn display_name(dir: &Path, file: &Path) -> String {
    let dir_name = dir
        .canonicalize()
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .or_else(|| dir.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| ".".into());
    let file_name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!("{dir_name}/{file_name}")
}

/// Reads one file, parses its single document, and records the source.
fn read_document(path: &Path, display: &str, loaded: &mut Loaded) -> Result<Option<Node>, Error> {
    let mut sink = Sink {
        sources: &mut loaded.sources,
        diagnostics: &mut loaded.diagnostics,
    };
    read_document_into(path, display, &mut sink, &loaded.aliases)
}

/// Where reading a file puts its text and its problems.
struct Sink<'a> {
    sources: &'a mut SourceMap,
    diagnostics: &'a mut Vec<Diagnostic>,
}

/// [`read_document`] into `loaded`'s parts, with the run's alias budget.
fn read_document_into(
    path: &Path,
    display: &str,
    loaded: &mut Sink<'_>,
    aliases: &AliasBudget,
) -> Result<Option<Node>, Error> {
    let bytes = crate::files::read_input(path)?.ok_or_else(|| Error::Read {
        path: path.to_owned(),
        source: crate::files::ReadError::Io(std::io::ErrorKind::NotFound.into()),
    })?;
    let Ok(text) = String::from_utf8(bytes) else {
        loaded.diagnostics.push(Diagnostic::error(
            WRONG_DOCUMENT,
            display,
            Span::START,
            "file is not UTF-8 text",
        ));
        return Ok(None);
    };
    loaded.sources.insert(
        display.to_owned(),
        SourceFile::new(display, path, text.clone()),
    );
    let docs = match parse_documents_in(&text, aliases) {
        Ok(docs) => docs,
        Err(e) => {
            // Plain words for an indentation mistake; the parser's own words otherwise.
            let d = match crate::source::hints::explain(&text, e.span, &e.message) {
                Some((message, help)) => {
                    Diagnostic::error(YAML_SYNTAX, display, e.span, message).with_help(help)
                }
                None => Diagnostic::error(YAML_SYNTAX, display, e.span, e.message),
            };
            loaded.diagnostics.push(d);
            return Ok(None);
        }
    };
    let mut docs = docs.into_iter().filter(|d| d.kind != Kind::Null);
    let Some(doc) = docs.next() else {
        loaded.diagnostics.push(Diagnostic::error(
            WRONG_DOCUMENT,
            display,
            Span::START,
            "file is empty",
        ));
        return Ok(None);
    };
    if let Some(extra) = docs.next() {
        loaded.diagnostics.push(
            Diagnostic::error(
                WRONG_DOCUMENT,
                display,
                extra.span,
                "file holds more than one document",
            )
            .with_help("put one service (or cluster) per file"),
        );
        return Ok(None);
    }
    if !matches!(doc.kind, Kind::Map(_)) {
        loaded.diagnostics.push(Diagnostic::error(
            WRONG_DOCUMENT,
            display,
            doc.span,
            format!("expected a mapping, found {}", doc.type_name()),
        ));
        return Ok(None);
    }
    Ok(Some(doc))
}

/// Checks `kind`, runs the schema and builds the typed value; diagnostics on failure.
fn typed<T: DeserializeOwned>(
    node: &Node,
    display: &str,
    expected_kind: &str,
    validator: &Validator,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<T> {
    typed_document(
        node,
        display,
        expected_kind,
        validator,
        super::service::NOT_OVERRIDABLE,
        diagnostics,
    )
}

/// [`typed`] for a kind whose overrides may not set `not_overridable`.
fn typed_document<T: DeserializeOwned>(
    node: &Node,
    display: &str,
    expected_kind: &str,
    validator: &Validator,
    not_overridable: &[&str],
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<T> {
    let json = node.to_json();
    match json.get("kind").and_then(Value::as_str) {
        Some(kind) if kind == expected_kind => {}
        Some(kind) => {
            diagnostics.push(
                Diagnostic::error(
                    WRONG_DOCUMENT,
                    display,
                    node.span_for_pointer("/kind"),
                    format!("expected kind `{expected_kind}`, found `{kind}`"),
                )
                .with_field("kind"),
            );
            return None;
        }
        None if json.get("kind").is_some() => {
            diagnostics.push(
                Diagnostic::error(
                    structure::INVALID_VALUE,
                    display,
                    node.span_for_pointer("/kind"),
                    format!("expected `kind: {expected_kind}`"),
                )
                .with_field("kind"),
            );
            return None;
        }
        None => {
            diagnostics.push(
                Diagnostic::error(
                    structure::MISSING_FIELD,
                    display,
                    node.span,
                    "missing required field `kind`",
                )
                .with_field("kind")
                .with_help(format!("add `kind: {expected_kind}`")),
            );
            return None;
        }
    }
    let found = structure::check_document(validator, &json, node, display, not_overridable);
    if !found.is_empty() {
        diagnostics.extend(found);
        return None;
    }
    match serde_json::from_value(json) {
        Ok(v) => Some(v),
        Err(e) => {
            diagnostics.push(Diagnostic::error(
                structure::INVALID_VALUE,
                display,
                node.span,
                format!("invalid {expected_kind}: {e}"),
            ));
            None
        }
    }
}

/// Reads and structurally checks every cluster and blueprint file.
pub fn load(blueprints_dir: &Path, clusters_dir: &Path) -> Result<Loaded, Error> {
    let mut loaded = Loaded::default();
    let Ok(bv) = blueprint_validator() else {
        return Err(Error::Internal("the input schemas do not compile".into()));
    };
    load_clusters_into(clusters_dir, false, &mut loaded)?;
    // Blueprints are read and checked on every core; what each yields is added in file
    // order, as one by one.
    let paths = yaml_files(blueprints_dir)?;
    let aliases = &loaded.aliases;
    let read = crate::par::map(&paths, |path| {
        let display = display_name(blueprints_dir, path);
        let (mut sources, mut diagnostics) = (SourceMap::new(), Vec::new());
        let mut sink = Sink {
            sources: &mut sources,
            diagnostics: &mut diagnostics,
        };
        let node = read_document_into(path, &display, &mut sink, aliases)?;
        let input = node.and_then(|node| {
            typed::<Blueprint>(&node, &display, "Blueprint", bv, &mut diagnostics).map(|base| {
                BlueprintInput {
                    file: display,
                    node,
                    base,
                }
            })
        });
        Ok::<_, Error>((sources, diagnostics, input))
    });
    for one in read {
        let (sources, diagnostics, input) = one?;
        loaded.sources.extend(sources);
        loaded.diagnostics.extend(diagnostics);
        loaded.blueprints.extend(input);
    }
    Ok(loaded)
}

/// Reads and structurally checks every component file of `dir` (`platform/`) into
/// `loaded`. A project without the directory has no platform components.
pub fn load_components(dir: &Path, loaded: &mut Loaded) -> Result<(), Error> {
    if !dir.is_dir() {
        return Ok(());
    }
    let Ok(validator) = component_validator() else {
        return Err(Error::Internal("the input schemas do not compile".into()));
    };
    for path in yaml_files(dir)? {
        let display = display_name(dir, &path);
        if let Some(node) = read_document(&path, &display, loaded)? {
            if let Some(base) = typed_document::<Component>(
                &node,
                &display,
                "Component",
                validator,
                COMPONENT_NOT_OVERRIDABLE,
                &mut loaded.diagnostics,
            ) {
                loaded.components.push(ComponentInput {
                    file: display,
                    dir: dir.to_owned(),
                    node,
                    base,
                });
            }
        }
    }
    Ok(())
}

/// The fluxprint cluster files of a directory, for `validate`, which also runs on
/// repositories that are not fluxprint's: a missing directory is empty, and files that are
/// not fluxprint documents (no `fluxprint/` apiVersion in their text) are left alone. A
/// fluxprint cluster file that is invalid is reported like any input (never dropped).
pub fn load_clusters(dir: &Path) -> Result<Loaded, Error> {
    let mut loaded = Loaded::default();
    if dir.is_dir() {
        load_clusters_into(dir, true, &mut loaded)?;
    }
    Ok(loaded)
}

fn load_clusters_into(dir: &Path, only_ours: bool, loaded: &mut Loaded) -> Result<(), Error> {
    let Ok(cv) = cluster_validator() else {
        return Err(Error::Internal("the input schemas do not compile".into()));
    };
    for path in yaml_files(dir)? {
        if only_ours {
            let text = crate::files::read_input(&path)?.unwrap_or_default();
            if !String::from_utf8_lossy(&text).contains("fluxprint/") {
                continue;
            }
        }
        let display = display_name(dir, &path);
        if let Some(node) = read_document(&path, &display, loaded)? {
            if let Some(cluster) =
                typed::<Cluster>(&node, &display, "Cluster", cv, &mut loaded.diagnostics)
            {
                loaded.clusters.push(ClusterInput {
                    file: display,
                    dir: dir.to_owned(),
                    node,
                    cluster,
                });
            }
        }
    }
    Ok(())
}

impl BlueprintInput {
    /// The blueprint as it applies to `cluster`: the `overrides.<cluster>` layer deep-merged
    /// over the base (maps merge, lists and scalars replace), with positions
    /// kept from wherever each value was written. Returns the merged document and the typed
    /// blueprint, or the diagnostics that the merged document raises.
    pub fn for_cluster(&self, cluster: &str) -> Result<(Node, Blueprint), Vec<Diagnostic>> {
        let Ok(validator) = blueprint_validator() else {
            return Err(Vec::new());
        };
        merged_for(
            (&self.node, &self.base, "blueprint"),
            &self.file,
            cluster,
            validator,
            super::service::NOT_OVERRIDABLE,
        )
    }
}

impl ComponentInput {
    /// The component as it applies to `cluster`: `overrides.<cluster>` deep-merged over the
    /// base, as for blueprints. Returns the merged document and the typed component, or the
    /// diagnostics that the merged document raises.
    pub fn for_cluster(&self, cluster: &str) -> Result<(Node, Component), Vec<Diagnostic>> {
        let Ok(validator) = component_validator() else {
            return Err(Vec::new());
        };
        merged_for(
            (&self.node, &self.base, "component"),
            &self.file,
            cluster,
            validator,
            COMPONENT_NOT_OVERRIDABLE,
        )
    }
}

/// `node` with its `overrides.<cluster>` layer merged in and `overrides` removed, checked
/// against the schema again and typed (`base` when there is no layer); `what` names the
/// document in messages.
fn merged_for<T: DeserializeOwned + Clone>(
    (node, base, what): (&Node, &T, &str),
    file: &str,
    cluster: &str,
    validator: &Validator,
    not_overridable: &[&str],
) -> Result<(Node, T), Vec<Diagnostic>> {
    let mut merged = node.clone();
    let layer = node.get("overrides").and_then(|o| o.get(cluster)).cloned();
    if let Kind::Map(entries) = &mut merged.kind {
        entries.retain(|(k, _)| k.key_text().as_deref() != Some("overrides"));
    }
    let Some(layer) = layer else {
        return Ok((merged, base.clone()));
    };
    deep_merge(&mut merged, layer);
    let json = merged.to_json();
    let found = structure::check_document(validator, &json, &merged, file, not_overridable);
    if !found.is_empty() {
        return Err(found);
    }
    match serde_json::from_value::<T>(json) {
        Ok(typed) => Ok((merged, typed)),
        Err(e) => Err(vec![Diagnostic::error(
            structure::INVALID_VALUE,
            file,
            merged.span,
            format!("invalid {what} for cluster `{cluster}`: {e}"),
        )]),
    }
}

/// Deep merge of `layer` into `base`: maps merge key by key, everything else replaces.
pub fn deep_merge(base: &mut Node, layer: Node) {
    match (&mut base.kind, layer.kind) {
        (Kind::Map(base_entries), Kind::Map(layer_entries)) => {
            for (key, value) in layer_entries {
                let key_text = key.key_text();
                let existing = base_entries
                    .iter()
                    .position(|(k, _)| k.key_text() == key_text);
                match existing {
                    Some(i) => deep_merge(&mut base_entries[i].1, value),
                    None => base_entries.push((key, value)),
                }
            }
        }
        (_, kind) => {
            base.kind = kind;
            base.span = layer.span;
            base.plain = layer.plain;
            base.raw = layer.raw;
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn alias_expansion_is_bounded_over_all_files_of_a_load() {
        let dir = tempfile::tempdir().expect("tempdir");
        let text = "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\nb: [*a, *a, *a, *a, *a, *a]\n";
        let mut loaded = Loaded {
            aliases: AliasBudget::new(100),
            ..Loaded::default()
        };
        for name in ["one.yaml", "two.yaml"] {
            let path = dir.path().join(name);
            std::fs::write(&path, text).expect("write");
            let _ = read_document(&path, name, &mut loaded).expect("read");
        }
        // The first file fits the run's budget; the second crosses it.
        let found: Vec<&str> = loaded.diagnostics.iter().map(|d| d.file.as_str()).collect();
        assert_eq!(found, vec!["two.yaml"], "{:?}", loaded.diagnostics);
        assert!(loaded.diagnostics[0].message.contains("in total"));
    }

    use super::*;

    fn node(text: &str) -> Node {
        crate::source::yaml::parse_documents(text)
            .expect("parses")
            .remove(0)
    }

    #[test]
    fn merge_maps_merge_lists_and_scalars_replace() {
        let mut base = node("a: {x: 1, y: 2}\nl: [1, 2]\nk: v\n");
        deep_merge(&mut base, node("a: {y: 3, z: 4}\nl: [9]\nk: w\n"));
        assert_eq!(
            base.to_json(),
            serde_json::json!({"a": {"x": 1, "y": 3, "z": 4}, "l": [9], "k": "w"})
        );
        // The overriding value keeps its own position (line 1 of the layer).
        assert_eq!(base.pointer("/a/y").map(|n| n.span.line), Some(1));
    }
}
