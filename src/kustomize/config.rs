//! Reading a kustomization file, with the origin of every field and list entry, and
//! Flux's [`Overlay`] merged in the way kustomize-controller rewrites the file.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::item::esc;
use super::{kustomization_file, Build, Origin, Overlay, Problem};

/// The fields whose entries are lists, recorded entry by entry.
const LIST_FIELDS: &[&str] = &[
    "resources",
    "bases",
    "components",
    "crds",
    "patches",
    "patchesStrategicMerge",
    "patchesJson6902",
    "images",
    "replicas",
    "labels",
    "configMapGenerator",
    "secretGenerator",
    "configurations",
    "transformers",
    "generators",
    "validators",
    "helmCharts",
    "replacements",
];

/// A kustomization as read, plus where each of its fields is written.
pub(crate) struct Kustomization {
    /// The directory it belongs to (repository-relative).
    pub dir: String,
    /// The mapping, overlay merged.
    pub value: Map<String, Value>,
    origin: Origin,
    overlay: Option<Origin>,
    entries: BTreeMap<String, Vec<Origin>>,
    from_overlay: BTreeSet<String>,
}

impl Kustomization {
    fn new(dir: &str, value: Map<String, Value>, origin: Origin) -> Kustomization {
        let mut entries = BTreeMap::new();
        for field in LIST_FIELDS {
            if let Some(Value::Array(list)) = value.get(*field) {
                let at: Vec<Origin> = (0..list.len())
                    .map(|i| origin.join(&format!("/{field}/{i}")))
                    .collect();
                entries.insert((*field).to_owned(), at);
            }
        }
        Kustomization {
            dir: dir.to_owned(),
            value,
            origin,
            overlay: None,
            entries,
            from_overlay: BTreeSet::new(),
        }
    }

    /// Where field `key` is written.
    pub fn at(&self, key: &str) -> Origin {
        match &self.overlay {
            Some(o) if self.from_overlay.contains(key) => o.join(&format!("/{}", esc(key))),
            _ => self.origin.join(&format!("/{}", esc(key))),
        }
    }

    /// Where entry `i` of list field `key` is written.
    pub fn entry(&self, key: &str, i: usize) -> Origin {
        self.entries
            .get(key)
            .and_then(|e| e.get(i))
            .cloned()
            .unwrap_or_else(|| self.at(key).join(&format!("/{i}")))
    }

    /// The entries of list field `key` (empty when absent or not a list).
    pub fn list(&self, key: &str) -> &[Value] {
        match self.value.get(key) {
            Some(Value::Array(a)) => a,
            _ => &[],
        }
    }

    /// A string field.
    pub fn str(&self, key: &str) -> Option<&str> {
        self.value
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }

    /// A mapping field.
    pub fn map(&self, key: &str) -> Option<&Map<String, Value>> {
        self.value.get(key).and_then(Value::as_object)
    }

    /// True for `kind: Component`.
    pub fn is_component(&self) -> bool {
        self.value.get("kind").and_then(Value::as_str) == Some("Component")
    }

    /// Merges Flux's overlay, as kustomize-controller does when it rewrites the file:
    /// `namespace`, `namePrefix`, `nameSuffix` replace; `patches` and `components` are
    /// appended; an image replaces the entry of the same `name`, else is appended.
    pub fn merge_overlay(&mut self, overlay: &Overlay) {
        let Value::Object(extra) = &overlay.value else {
            return;
        };
        self.overlay = Some(overlay.origin.clone());
        for (key, value) in extra {
            match key.as_str() {
                "namespace" | "namePrefix" | "nameSuffix" => {
                    self.value.insert(key.clone(), value.clone());
                    self.from_overlay.insert(key.clone());
                }
                "patches" | "components" | "images" => {
                    let Some(add) = value.as_array() else {
                        continue;
                    };
                    let list = self
                        .value
                        .entry(key.clone())
                        .or_insert_with(|| Value::Array(Vec::new()));
                    if !list.is_array() {
                        *list = Value::Array(Vec::new());
                    }
                    let at = self.entries.entry(key.clone()).or_default();
                    let Value::Array(list) = list else {
                        continue;
                    };
                    for (i, v) in add.iter().enumerate() {
                        let origin = overlay.origin.join(&format!("/{key}/{i}"));
                        // An image replaces the directory's entry of the same name.
                        let name = v.get("name").filter(|_| key == "images");
                        match name.and_then(|n| list.iter().position(|e| e.get("name") == Some(n)))
                        {
                            Some(j) => {
                                list[j] = v.clone();
                                if let Some(slot) = at.get_mut(j) {
                                    *slot = origin;
                                }
                            }
                            None => {
                                list.push(v.clone());
                                at.push(origin);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

/// Reads the kustomization of `dir`: its file, or (with an overlay that lists them) the
/// resources Flux would generate one for. `None` when there is neither (the caller
/// reports), or when the file does not parse (reported here).
pub(crate) fn read(
    src: &dyn super::Source,
    dir: &str,
    overlay: Option<&Overlay>,
    out: &mut Build,
) -> Option<Result<Kustomization, ()>> {
    if let Some(file) = kustomization_file(src, dir) {
        out.files.insert(file.clone());
        let origin = Origin::new(&file, 0, "");
        let docs = match src.documents(&file)? {
            Ok(docs) => docs,
            Err(why) => {
                out.errors.push(Problem {
                    origin,
                    message: format!("`{file}` does not parse: {why}"),
                });
                return Some(Err(()));
            }
        };
        let value = match docs.first().map(|d| &**d) {
            Some(Value::Object(map)) => map.clone(),
            Some(Value::Null) | None => Map::new(),
            Some(_) => {
                out.errors.push(Problem {
                    origin,
                    message: "a kustomization must be a mapping".into(),
                });
                return Some(Err(()));
            }
        };
        return Some(Ok(Kustomization::new(dir, value, origin)));
    }
    let overlay = overlay?;
    let listed = overlay.generated_resources.as_ref()?;
    let mut value = Map::new();
    value.insert(
        "resources".into(),
        Value::Array(listed.iter().cloned().map(Value::String).collect()),
    );
    Some(Ok(Kustomization::new(dir, value, overlay.origin.clone())))
}
