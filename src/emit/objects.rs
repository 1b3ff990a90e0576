//! The changes of a plan grouped by Kubernetes object (`fluxprint diff`): which objects are
//! created, changed or deleted, each with the unified diff of its own text.

use serde::Serialize;
use serde_json::Value;

use super::{Change, Planned};

/// What happens to one object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectChange {
    /// The cluster (the first path component).
    pub cluster: String,
    /// The file, relative to the output directory.
    pub path: String,
    /// `apiVersion` (empty for text that is not an object).
    pub api_version: String,
    /// `kind` (empty for text that is not an object).
    pub kind: String,
    /// `metadata.namespace`.
    pub namespace: Option<String>,
    /// `metadata.name` (the file name for text that is not an object).
    pub name: String,
    /// create, update or delete.
    pub change: &'static str,
    /// Unified diff of the object's text (`---`/`+++` headers name the file).
    pub diff: String,
}

impl ObjectChange {
    /// `Kind namespace/name`, or the path for text that is not an object.
    pub fn title(&self) -> String {
        if self.kind.is_empty() {
            return self.path.clone();
        }
        match &self.namespace {
            Some(ns) => format!("{} {ns}/{}", self.kind, self.name),
            None => format!("{} {}", self.kind, self.name),
        }
    }
}

/// One YAML document of a file: its identity and text.
struct Doc {
    key: (String, String, Option<String>, String),
    text: String,
}

/// Splits a file into documents at `---` lines; the identity comes from parsing each one
/// (a document that does not parse, or has no kind, is identified by its file).
fn documents(path: &str, text: &str) -> Vec<Doc> {
    let mut parts = vec![String::new()];
    for line in text.split_inclusive('\n') {
        if line.trim_end() == "---" {
            parts.push(String::new());
        } else if let Some(last) = parts.last_mut() {
            last.push_str(line);
        }
    }
    let file_name = path.rsplit('/').next().unwrap_or(path).to_owned();
    parts
        .into_iter()
        .filter(|p| {
            p.lines()
                .any(|l| !l.trim().is_empty() && !l.starts_with('#'))
        })
        .map(|text| {
            let value = crate::source::yaml::parse_documents(&text)
                .ok()
                .and_then(|d| d.first().map(|n| n.to_json()))
                .unwrap_or(Value::Null);
            let s = |p: &str| value.pointer(p).and_then(Value::as_str).map(str::to_owned);
            let key = match (s("/kind"), s("/metadata/name")) {
                // kustomize configuration files have a kind but no name: one per directory.
                (Some(kind), Some(name)) => (
                    s("/apiVersion").unwrap_or_default(),
                    kind,
                    s("/metadata/namespace"),
                    name,
                ),
                _ => (String::new(), String::new(), None, file_name.clone()),
            };
            Doc { key, text }
        })
        .collect()
}

fn unified(path: &str, old: &str, new: &str, change: Change) -> String {
    let (from, to) = match change {
        Change::Create => ("/dev/null".to_owned(), format!("b/{path}")),
        Change::Delete => (format!("a/{path}"), "/dev/null".to_owned()),
        _ => (format!("a/{path}"), format!("b/{path}")),
    };
    let mut text = similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&from, &to)
        .to_string();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// The object changes of a plan, ordered by cluster, kind, namespace and name.
pub fn object_changes(planned: &[Planned]) -> Vec<ObjectChange> {
    let mut out = Vec::new();
    for p in planned.iter().filter(|p| p.change != Change::Unchanged) {
        let old = documents(&p.path, p.old.as_deref().unwrap_or(""));
        let new = documents(&p.path, p.new.as_deref().unwrap_or(""));
        let cluster = p.path.split('/').next().unwrap_or_default().to_owned();
        let mut push = |key: &(String, String, Option<String>, String), change, old: &str, new| {
            let diff = unified(&p.path, old, new, change);
            if diff.is_empty() {
                return;
            }
            out.push(ObjectChange {
                cluster: cluster.clone(),
                path: p.path.clone(),
                api_version: key.0.clone(),
                kind: key.1.clone(),
                namespace: key.2.clone(),
                name: key.3.clone(),
                change: match change {
                    Change::Create => "create",
                    Change::Delete => "delete",
                    _ => "update",
                },
                diff,
            });
        };
        for d in &new {
            match old.iter().find(|o| o.key == d.key) {
                Some(o) => push(&d.key, Change::Update, &o.text, &d.text),
                None => push(&d.key, Change::Create, "", &d.text),
            }
        }
        for o in old.iter().filter(|o| !new.iter().any(|d| d.key == o.key)) {
            push(&o.key, Change::Delete, &o.text, "");
        }
    }
    out.sort_by(|a, b| {
        (&a.cluster, &a.kind, &a.namespace, &a.name, &a.path).cmp(&(
            &b.cluster,
            &b.kind,
            &b.namespace,
            &b.name,
            &b.path,
        ))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planned(path: &str, old: Option<&str>, new: Option<&str>, change: Change) -> Planned {
        Planned {
            mode: None,
            path: path.into(),
            change,
            old: old.map(Into::into),
            new: new.map(Into::into),
        }
    }

    #[test]
    fn objects_are_paired_by_identity() {
        let old = "# header\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: n}\ndata: {x: \"1\"}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: gone, namespace: n}\n";
        let new = "# header\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: n}\ndata: {x: \"2\"}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: b, namespace: n}\n";
        let changes = object_changes(&[planned(
            "dev/apps/a/cm.yaml",
            Some(old),
            Some(new),
            Change::Update,
        )]);
        let got: Vec<(String, &str)> = changes.iter().map(|c| (c.title(), c.change)).collect();
        assert_eq!(
            got,
            vec![
                ("ConfigMap n/a".to_owned(), "update"),
                ("ConfigMap n/gone".to_owned(), "delete"),
                ("Secret n/b".to_owned(), "create"),
            ]
        );
        assert!(changes[0]
            .diff
            .contains("-data: {x: \"1\"}\n+data: {x: \"2\"}"));
        assert_eq!(changes[0].cluster, "dev");
    }

    #[test]
    fn text_without_identity_is_named_by_its_file() {
        let changes = object_changes(&[planned(
            "prod/apps/a/kustomization.yaml",
            None,
            Some("kind: Kustomization\nresources: [a.yaml]\n"),
            Change::Create,
        )]);
        assert_eq!(changes[0].title(), "prod/apps/a/kustomization.yaml");
        assert_eq!(changes[0].change, "create");
    }
}
