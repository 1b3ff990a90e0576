//! GO304: a Flux Kustomization whose path is not a directory of the repository.

use serde_json::Value;

use super::go303_flux_source_missing::flux_kustomizations;
use crate::validate::rule::{Context, Findings, Rule};
use crate::validate::tree::normalize;

/// GO304
pub struct FluxPathMissing;

impl Rule for FluxPathMissing {
    fn code(&self) -> &'static str {
        "GO304"
    }
    fn name(&self) -> &'static str {
        "flux-path-missing"
    }
    fn summary(&self) -> &'static str {
        "A Flux Kustomization's spec.path is not a directory of the validated repository."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\n`spec.path`, relative to the repository root (the validated path), \
         is a directory of the tree. Only Kustomizations reading the `flux-system` GitRepository \
         (this repository) are checked.\n\n## Why it matters\nFlux reports \
         `kustomization path not found` and applies nothing.\n\n\
         ## Example\n```yaml\npath: ./apps/ordr   # GO304\n```\n\n## Fix\nPoint at the directory."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        for (i, k) in flux_kustomizations(ctx) {
            if k.at("/spec/sourceRef/name").and_then(Value::as_str) != Some("flux-system") {
                continue;
            }
            let Some(path) = k.at("/spec/path").and_then(Value::as_str) else {
                continue;
            };
            let target = normalize("", path);
            if !target.is_empty() && !ctx.tree.dirs.contains(&target) {
                out.object(
                    i,
                    "/spec/path",
                    format!(
                        "path `{path}` of {} is not a directory of the repository",
                        k.id()
                    ),
                    None,
                );
            }
        }
    }
}
