//! GO301: a kustomization.yaml entry that names a missing file or directory.

use serde_json::Value;

use crate::validate::rule::{Context, Findings, Rule};
use crate::validate::tree::{escapes, normalize};

/// GO301
pub struct KustomizeEntryMissing;

/// Pushes `(pointer, item)` for each string item of the list `v[key]`, pointers under `base`.
pub fn string_items(v: &Value, key: &str, base: &str, out: &mut Vec<(String, String)>) {
    let items = v.get(key).and_then(Value::as_array).into_iter().flatten();
    for (i, e) in items.enumerate() {
        if let Some(p) = e.as_str() {
            out.push((format!("{base}/{key}/{i}"), p.to_owned()));
        }
    }
}

/// Pushes `(pointer, path)` for each item of the list `v[key]` that has a string `path`.
pub fn path_items(v: &Value, key: &str, out: &mut Vec<(String, String)>) {
    let items = v.get(key).and_then(Value::as_array).into_iter().flatten();
    for (i, e) in items.enumerate() {
        if let Some(p) = e.get("path").and_then(Value::as_str) {
            out.push((format!("/{key}/{i}/path"), p.to_owned()));
        }
    }
}

/// `(pointer, path)` of every local file or directory a kustomization names.
pub fn entries(v: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for key in ["resources", "components", "crds", "patchesStrategicMerge"] {
        string_items(v, key, "", &mut out);
    }
    for key in ["patches", "patchesJson6902"] {
        path_items(v, key, &mut out);
    }
    out.retain(|(_, p)| !is_remote(p));
    out
}

/// True for a remote base (a URL or `github.com/...?ref=`): kustomize's business, not the
/// tree's. A path that starts like a file path (`/`, `.`, `file://`) is never remote, so
/// `?ref=` cannot smuggle `/etc/shadow` past the checks of local entries.
pub fn is_remote(p: &str) -> bool {
    if p.starts_with('/') || p.starts_with('.') || p.starts_with("file://") {
        return false;
    }
    p.contains("://")
        || p.starts_with("github.com/")
        || p.starts_with("git@")
        || p.contains("?ref=")
}

impl Rule for KustomizeEntryMissing {
    fn code(&self) -> &'static str {
        "GO301"
    }
    fn name(&self) -> &'static str {
        "kustomize-entry-missing"
    }
    fn summary(&self) -> &'static str {
        "A kustomization.yaml lists a resource, component or patch file that does not exist."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nEvery local entry of `resources`, `components`, `crds`, \
         `patchesStrategicMerge`, and the `path` of `patches`/`patchesJson6902`, relative to the \
         kustomization's directory, is a file or directory of the tree. Entries that lead \
         outside the repository are GO312 and are not looked up.\n\n\
         ## Why it matters\n`kustomize build` fails, so Flux applies nothing of that \
         Kustomization and reports it only on the cluster.\n\n\
         ## Example\n```yaml\nresources:\n- deploymnet.yaml   # GO301\n```\n\n\
         ## Fix\nCorrect the name, or add the file."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        // Only asked whether it holds a path: hashing is cheaper than ordering 10,000 paths.
        let files: std::collections::HashSet<&str> =
            ctx.tree.files.iter().map(|f| f.display.as_str()).collect();
        for k in &ctx.tree.kustomizations {
            let display = &ctx.tree.file(k.file).display;
            let dir = display.rsplit_once('/').map_or("", |(d, _)| d);
            let in_root = &ctx.tree.file(k.file).in_root;
            let dir_in_root = in_root.rsplit_once('/').map_or("", |(d, _)| d);
            for (pointer, entry) in entries(&k.value) {
                // Outside the repository is GO312; such a target is never looked at.
                if escapes(dir_in_root, &entry) {
                    continue;
                }
                let target = normalize(dir, &entry);
                let on_disk = ctx.tree.file(k.file).path.parent().map(|p| p.join(&entry));
                let exists = files.contains(target.as_str())
                    || ctx.tree.dirs.contains(&target)
                    || on_disk.is_some_and(|p| p.exists());
                if !exists {
                    out.file(
                        k.file,
                        ctx.tree.span_in(k.file, k.doc, &pointer),
                        format!("`{entry}` does not exist"),
                        None,
                    );
                }
            }
        }
    }
}
