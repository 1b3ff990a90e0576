//! `ArtifactGenerator` (source-watcher, `source.extensions.fluxcd.io`): ExternalArtifacts
//! assembled from this repository's own files. A Kustomization reading one is built from
//! the repository through the generator's copy rules, and its findings point at the
//! repository's files.

use crate::source::Lookup as _;
use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use crate::kustomize::Documents;

use crate::kustomize::{Origin, Source};

/// Copy rules of one artifact: `(artifact prefix, repository prefix)`, later rules first
/// (a later copy overwrites an earlier one).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Artifact {
    rules: Vec<(String, String)>,
}

/// Strips `@alias/` or `@artifact/`, a trailing `**`, `*` or glob segment, and slashes.
fn prefix(text: &str) -> String {
    let text = text.split_once('/').map_or(
        "",
        |(at, rest)| if at.starts_with('@') { rest } else { text },
    );
    let mut parts: Vec<&str> = Vec::new();
    for part in text.split('/') {
        if part.contains('*') || part.contains('?') || part.contains('[') {
            break;
        }
        if !part.is_empty() && part != "." {
            parts.push(part);
        }
    }
    parts.join("/")
}

/// The artifacts that ArtifactGenerators in `raw` build from `own` sources (aliases of the
/// repository's own GitRepository/OCIRepository), by `(namespace, name)`.
pub fn artifacts(
    raw: &[(&str, usize, &Value)],
    is_own: &dyn Fn(&str, &str) -> bool,
) -> BTreeMap<(String, String), Artifact> {
    let mut out = BTreeMap::new();
    for (_, _, v) in raw {
        if v.get("kind").and_then(Value::as_str) != Some("ArtifactGenerator") {
            continue;
        }
        let namespace = v
            .lookup("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or("flux-system");
        let own_aliases: Vec<&str> = v
            .lookup("/spec/sources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|s| {
                is_own(
                    s.get("kind").and_then(Value::as_str).unwrap_or(""),
                    s.get("name").and_then(Value::as_str).unwrap_or(""),
                )
            })
            .filter_map(|s| s.get("alias").and_then(Value::as_str))
            .collect();
        for a in v
            .lookup("/spec/artifacts")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(name) = a.get("name").and_then(Value::as_str) else {
                continue;
            };
            let mut artifact = Artifact::default();
            for c in a
                .get("copy")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let from = c.get("from").and_then(Value::as_str).unwrap_or("");
                let to = c.get("to").and_then(Value::as_str).unwrap_or("@artifact/");
                let alias = from.strip_prefix('@').and_then(|f| f.split('/').next());
                if !alias.is_some_and(|a| own_aliases.contains(&a)) {
                    continue;
                }
                artifact.rules.insert(0, (prefix(to), prefix(from)));
            }
            if !artifact.rules.is_empty() {
                out.insert((namespace.to_owned(), name.to_owned()), artifact);
            }
        }
    }
    out
}

fn under<'a>(path: &'a str, prefix: &str) -> Option<&'a str> {
    if prefix.is_empty() {
        return Some(path);
    }
    if path == prefix {
        return Some("");
    }
    path.strip_prefix(prefix)?.strip_prefix('/')
}

fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_owned(),
        (_, true) => a.to_owned(),
        _ => format!("{a}/{b}"),
    }
}

impl Artifact {
    /// The repository path of artifact path `path`.
    pub fn to_repository(&self, path: &str) -> Option<String> {
        self.rules
            .iter()
            .find_map(|(to, from)| under(path, to).map(|rest| join(from, rest)))
    }

    /// Rewrites an origin read through [`Mapped`] to the repository's file.
    pub fn map_origin(&self, origin: &mut Origin) {
        if let Some(path) = self.to_repository(&origin.file) {
            origin.file = path;
        }
    }
}

/// The artifact's view of the repository.
pub struct Mapped<'a> {
    /// The repository.
    pub inner: &'a dyn Source,
    /// The copy rules.
    pub artifact: &'a Artifact,
}

impl Source for Mapped<'_> {
    fn documents(&self, path: &str) -> Option<Result<Documents, String>> {
        self.inner.documents(&self.artifact.to_repository(path)?)
    }
    fn text(&self, path: &str) -> Option<Result<Arc<str>, String>> {
        self.inner.text(&self.artifact.to_repository(path)?)
    }
    fn is_dir(&self, path: &str) -> bool {
        // The artifact's own directories (a rule's target) exist even if empty.
        self.artifact
            .rules
            .iter()
            .any(|(to, _)| under(to, path).is_some())
            || self
                .artifact
                .to_repository(path)
                .is_some_and(|p| self.inner.is_dir(&p))
    }
    fn entries(&self, dir: &str) -> Vec<(String, bool)> {
        self.artifact
            .to_repository(dir)
            .map(|p| self.inner.entries(&p))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn copy_rules_map_artifact_paths_to_the_repository() {
        let generator = json!({
            "kind": "ArtifactGenerator",
            "metadata": {"name": "g", "namespace": "flux-system"},
            "spec": {
                "sources": [{"alias": "repo", "kind": "GitRepository", "name": "flux-system"}],
                "artifacts": [
                    {"name": "infra", "copy": [{"from": "@repo/infrastructure/**", "to": "@artifact/"}]},
                    {"name": "apps", "copy": [
                        {"from": "@repo/apps/base/**", "to": "@artifact/base/"},
                        {"from": "@repo/apps/staging/**", "to": "@artifact/staging/"}
                    ]}
                ]
            }
        });
        let raw = vec![("a.yaml", 0, &generator)];
        let found = artifacts(&raw, &|k, n| k == "GitRepository" && n == "flux-system");
        let infra = &found[&("flux-system".to_owned(), "infra".to_owned())];
        assert_eq!(
            infra.to_repository("controllers").as_deref(),
            Some("infrastructure/controllers")
        );
        let apps = &found[&("flux-system".to_owned(), "apps".to_owned())];
        assert_eq!(
            apps.to_repository("staging/x.yaml").as_deref(),
            Some("apps/staging/x.yaml")
        );
        assert_eq!(apps.to_repository("base").as_deref(), Some("apps/base"));
        assert_eq!(apps.to_repository("other"), None);
    }
}
