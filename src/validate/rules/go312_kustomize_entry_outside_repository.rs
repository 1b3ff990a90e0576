//! GO312: a kustomization.yaml entry that leads outside the repository.

use serde_json::Value;

use super::go301_kustomize_entry_missing::{is_remote, path_items, string_items};
use crate::validate::rule::{Context, Findings, Rule};
use crate::validate::tree::escapes;

/// GO312
pub struct KustomizeEntryOutsideRepository;

/// Fields of a kustomization (and of each of its generators) that hold a list of paths.
const PATH_LISTS: &[&str] = &[
    "resources",
    "components",
    "crds",
    "bases",
    "patchesStrategicMerge",
    "configurations",
    "transformers",
    "generators",
    "validators",
];

/// Fields whose list items carry a `path`.
const PATH_ITEMS: &[&str] = &["patches", "patchesJson6902", "replacements"];

/// `(pointer, path)` of every local path a kustomization names: the entries GO301 checks,
/// plus generator `files`/`envs`/`env`, `configurations`, `transformers`, `generators`,
/// `validators`, `bases`, `replacements[].path` and `openapi.path`. Inline generator or
/// transformer configurations (multi-line strings) and remote bases are not paths.
pub fn local_paths(v: &Value) -> Vec<(String, String)> {
    let list = string_items;
    let mut out = Vec::new();
    for key in PATH_LISTS {
        list(v, key, "", &mut out);
    }
    for key in PATH_ITEMS {
        path_items(v, key, &mut out);
    }
    if let Some(p) = v.pointer("/openapi/path").and_then(Value::as_str) {
        out.push(("/openapi/path".into(), p.to_owned()));
    }
    for generator in ["configMapGenerator", "secretGenerator"] {
        for (g, item) in v
            .get(generator)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let base = format!("/{generator}/{g}");
            let start = out.len();
            list(item, "files", &base, &mut out);
            // `files` entries may be `key=path`: the path is after the first `=`.
            for (_, p) in &mut out[start..] {
                if let Some((_, path)) = p.split_once('=') {
                    *p = path.to_owned();
                }
            }
            list(item, "envs", &base, &mut out);
            if let Some(p) = item.get("env").and_then(Value::as_str) {
                out.push((format!("{base}/env"), p.to_owned()));
            }
        }
    }
    out.retain(|(_, p)| !p.contains('\n') && !is_remote(p));
    out
}

impl Rule for KustomizeEntryOutsideRepository {
    fn code(&self) -> &'static str {
        "GO312"
    }
    fn name(&self) -> &'static str {
        "kustomize-entry-outside-repository"
    }
    fn summary(&self) -> &'static str {
        "A kustomization.yaml names a file or directory outside the repository (an absolute path, or `..` above the root)."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nEvery local path of a kustomization — `resources`, `components`, \
         `crds`, `bases`, `patchesStrategicMerge`, the `path` of `patches`, `patchesJson6902` \
         and `replacements`, generator `files`, `envs` and `env`, `configurations`, \
         `transformers`, `generators`, `validators`, `openapi.path` — stays inside the \
         repository, that is the validated path: it is not absolute and its `..` steps never \
         climb above the root. Judged on the text of the entry alone; the target is never \
         read or even looked up. Remote bases (URLs, `github.com/...?ref=`) are not paths.\n\n\
         ## Why it matters\nFlux builds each Kustomization from the source artifact only: a path \
         above the root fails on the cluster (or, with kustomize run in CI, reads files of the \
         CI machine into the build, such as `/etc/passwd` or another checkout's secrets).\n\n\
         ## Example\n```yaml\nresources:\n- ../../../../etc/passwd   # GO312\n```\n\n\
         ## Fix\nReference files inside the repository; use a remote base for another one."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        for k in &ctx.tree.kustomizations {
            let in_root = &ctx.tree.file(k.file).in_root;
            let dir = in_root.rsplit_once('/').map_or("", |(d, _)| d);
            for (pointer, entry) in local_paths(&k.value) {
                if escapes(dir, &entry) {
                    out.file(
                        k.file,
                        ctx.tree.span_in(k.file, k.doc, &pointer),
                        format!("`{entry}` lies outside the repository"),
                        Some("kustomize entries must stay inside the validated repository".into()),
                    );
                }
            }
        }
    }
}
