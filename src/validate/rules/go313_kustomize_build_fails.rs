//! GO313: a kustomization that kustomize (or kustomize-controller) cannot build.

use crate::validate::rule::{Context, Findings, Rule};

/// GO313
pub struct KustomizeBuildFails;

/// Entry fields whose missing or escaping paths GO301 and GO312 report already.
const PATH_ENTRIES: &[&str] = &[
    "/resources/",
    "/bases/",
    "/components/",
    "/patchesStrategicMerge/",
    "/crds/",
];

impl Rule for KustomizeBuildFails {
    fn code(&self) -> &'static str {
        "GO313"
    }
    fn name(&self) -> &'static str {
        "kustomize-build-fails"
    }
    fn summary(&self) -> &'static str {
        "A kustomization that does not build: Flux would fail the whole Kustomization."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nEvery directory a Flux Kustomization applies (and, in a tree \
         without Flux objects, every top-level kustomize directory) is built the way \
         kustomize-controller builds it. A build error — a patch that cannot apply, a \
         strategic-merge patch whose target does not exist, two resources with the same \
         id, a generator whose source is missing, a cycle — is reported at the entry that \
         causes it. Missing and escaping entries are GO301 and GO312.\n\n\
         ## Why it matters\nA Kustomization that does not build applies nothing: every \
         change behind it is stuck until the error is fixed, and Flux reports it only on \
         the cluster.\n\n\
         ## Example\n```yaml\npatches:\n  - path: replicas.yaml   # targets Deployment web, which no resource defines\n```\n\n\
         ## Fix\nMake the entry build: fix the patch target, remove the duplicate, add the \
         generator's file."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        let mut seen = std::collections::BTreeSet::new();
        for unit in &ctx.tree.applied.units {
            for e in &unit.errors {
                let entry = (PATH_ENTRIES
                    .iter()
                    .any(|p| format!("{}/", e.origin.pointer).starts_with(p))
                    || e.origin.pointer.ends_with("/path"))
                    && names_nothing(ctx, &e.origin);
                if entry || !seen.insert((e.origin.clone(), e.message.clone())) {
                    continue;
                }
                let Some((file, span)) = ctx.tree.origin_span(&e.origin) else {
                    continue;
                };
                out.file(
                    file,
                    span,
                    format!("{} does not build: {}", unit.id, e.message),
                    None,
                );
            }
        }
    }
}

/// True when the kustomization entry at `origin` names a path that is missing or outside
/// the repository (GO301, GO312).
fn names_nothing(ctx: &Context<'_>, origin: &crate::kustomize::Origin) -> bool {
    use crate::kustomize::Source;
    let Some(Ok(docs)) = ctx.tree.documents(&origin.file) else {
        return false;
    };
    let Some(entry) = docs
        .get(origin.doc)
        .and_then(|d| d.pointer(&origin.pointer))
        .and_then(serde_json::Value::as_str)
    else {
        return false;
    };
    if super::go301_kustomize_entry_missing::is_remote(entry) {
        return false;
    }
    let dir = origin.file.rsplit_once('/').map_or("", |(d, _)| d);
    match crate::kustomize::resolve_path(dir, entry) {
        None => true,
        Some(path) => {
            !ctx.tree.is_dir(&path)
                && ctx.tree.documents(&path).is_none()
                && ctx.tree.text(&path).is_none()
        }
    }
}
