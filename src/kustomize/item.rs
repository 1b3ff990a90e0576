//! The build's working form of a resource: the public [`Resource`] plus what kustomize
//! tracks while building (previous ids, name prefixes and suffixes, generator options).

use crate::source::Lookup as _;
use serde_json::{Map, Value};
use std::sync::Arc;

use super::build::is_cluster_scoped;
use super::{Origin, Resource};

/// A resource id as kustomize compares them: group, version, kind, name, namespace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Id {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub name: String,
    pub namespace: String,
}

impl Id {
    /// The id of `value` as it is now.
    pub fn of(value: &Value) -> Id {
        let (group, version) = split_api_version(str_at(value, "/apiVersion"));
        Id {
            group: group.to_owned(),
            version: version.to_owned(),
            kind: str_at(value, "/kind").to_owned(),
            name: str_at(value, "/metadata/name").to_owned(),
            namespace: str_at(value, "/metadata/namespace").to_owned(),
        }
    }

    /// kustomize's `EffectiveNamespace`: `default` for an unset namespace, nothing for a
    /// cluster-scoped kind.
    pub fn effective_namespace(&self) -> &str {
        if is_cluster_scoped(&self.kind) {
            "~X"
        } else if self.namespace.is_empty() {
            "default"
        } else {
            &self.namespace
        }
    }

    /// Same object: same group, version, kind, name, and namespace (unset = `default`).
    pub fn equals(&self, o: &Id) -> bool {
        self.group == o.group
            && self.version == o.version
            && self.kind == o.kind
            && self.name == o.name
            && self.ns_equals(o)
    }

    /// Same namespace, an unset one being `default`.
    pub fn ns_equals(&self, o: &Id) -> bool {
        self.effective_namespace() == o.effective_namespace()
    }

    /// Whether this id is selected by a partial group/version/kind (empty parts match all).
    pub fn selected_by(
        &self,
        group: Option<&str>,
        version: Option<&str>,
        kind: Option<&str>,
    ) -> bool {
        group.is_none_or(|g| g == self.group)
            && version.is_none_or(|v| v == self.version)
            && kind.is_none_or(|k| k == self.kind)
    }
}

/// `group/version` → (group, version); the core group is empty.
pub(crate) fn split_api_version(av: &str) -> (&str, &str) {
    match av.rsplit_once('/') {
        Some((g, v)) => (g, v),
        None => ("", av),
    }
}

/// The string at `pointer`, or "".
pub(crate) fn str_at<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value.lookup(pointer).and_then(Value::as_str).unwrap_or("")
}

/// One JSON pointer token, escaped.
pub(crate) fn esc(token: &str) -> String {
    if token.contains(['~', '/']) {
        token.replace('~', "~0").replace('/', "~1")
    } else {
        token.to_owned()
    }
}

/// What a generator asked of the object it made.
#[derive(Clone, Debug, Default)]
pub(crate) struct Generated {
    /// `behavior`: create, merge or replace.
    pub behavior: String,
    /// Whether the name gets the content hash suffix.
    pub hash: bool,
}

/// A resource while it is being built.
#[derive(Clone, Debug)]
pub(crate) struct Item {
    pub r: Resource,
    /// Ids it had before each rename (oldest first); kustomize's previous ids.
    pub prev: Vec<Id>,
    pub prefixes: Vec<String>,
    pub suffixes: Vec<String>,
    /// Set for ConfigMaps and Secrets that a generator made.
    pub generated: Option<Generated>,
    /// Groups of places (JSON pointers) that are one YAML node in kustomize: a label or
    /// annotation transformer adds a new key everywhere with the same node, so a later
    /// change made in place at one of them (a label transformer, a strategic-merge patch)
    /// shows at all.
    pub links: Vec<Vec<String>>,
}

/// The values of an item's linked places before a change ([`Item::sync_links`]).
pub(crate) type LinkValues = Vec<Vec<Option<Value>>>;

impl Item {
    /// A resource read from `origin`.
    pub fn new(value: Value, origin: Origin) -> Item {
        Item::shared(Arc::new(value), origin)
    }

    /// A resource read from `origin`, sharing its value with the document it is.
    pub fn shared(value: Arc<Value>, origin: Origin) -> Item {
        Item {
            r: Resource {
                value,
                origin,
                fields: Vec::new(),
            },
            prev: Vec::new(),
            prefixes: Vec::new(),
            suffixes: Vec::new(),
            generated: None,
            links: Vec::new(),
        }
    }

    /// The values at the linked places, to compare after a change.
    pub fn link_values(&self) -> LinkValues {
        self.links
            .iter()
            .map(|g| g.iter().map(|p| self.r.value.lookup(p).cloned()).collect())
            .collect()
    }

    /// After a change made in place: a linked place whose value changed gives it to the
    /// other places of its group (the last one changed wins, as the last write does).
    pub fn sync_links(&mut self, before: LinkValues) {
        let mut updates = Vec::new();
        for (g, old) in self.links.iter().zip(before) {
            let changed = g
                .iter()
                .zip(&old)
                .rfind(|(p, o)| {
                    let now = self.r.value.lookup(p);
                    now.is_some() && now != o.as_ref()
                })
                .map(|(p, _)| p.clone());
            let Some(from) = changed else { continue };
            let Some(v) = self.r.value.lookup(&from).cloned() else {
                continue;
            };
            for p in g.iter().filter(|p| **p != from) {
                updates.push((p.clone(), from.clone(), v.clone()));
            }
        }
        for (p, from, v) in updates {
            if let Some(slot) = Arc::make_mut(&mut self.r.value).pointer_mut(&p) {
                *slot = v;
                let origin = self.r.origin_of(&from);
                self.r.set_origin(p, origin);
            }
        }
    }

    /// The current id.
    pub fn id(&self) -> Id {
        Id::of(&self.r.value)
    }

    /// The original id (before any rename).
    pub fn org_id(&self) -> Id {
        self.prev.first().cloned().unwrap_or_else(|| self.id())
    }

    /// Remembers the current id as a previous one (kustomize's `StorePreviousId`).
    pub fn store_previous_id(&mut self) {
        let mut id = self.id();
        // kustomize stores the effective namespace.
        if !is_cluster_scoped(&id.kind) && id.namespace.is_empty() {
            id.namespace = "default".into();
        }
        self.prev.push(id);
    }

    /// True when any id it has had (or has) equals `id`.
    pub fn matches_any_id(&self, id: &Id) -> bool {
        self.id().equals(id) || self.prev.iter().any(|p| p.equals(id))
    }

    /// `metadata` as a mutable map, created when missing.
    pub fn metadata_mut(&mut self) -> Option<&mut Map<String, Value>> {
        let obj = Arc::make_mut(&mut self.r.value).as_object_mut()?;
        let meta = obj
            .entry("metadata")
            .or_insert_with(|| Value::Object(Map::new()));
        if !meta.is_object() {
            *meta = Value::Object(Map::new());
        }
        meta.as_object_mut()
    }
}
