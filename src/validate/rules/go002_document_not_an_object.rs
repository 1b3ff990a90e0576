//! GO002: a document that is not a Kubernetes object.

use crate::validate::rule::{Context, Findings, Rule};

/// GO002
pub struct DocumentNotAnObject;

impl Rule for DocumentNotAnObject {
    fn code(&self) -> &'static str {
        "GO002"
    }
    fn name(&self) -> &'static str {
        "document-not-an-object"
    }
    fn summary(&self) -> &'static str {
        "A YAML document is not a Kubernetes object (not a mapping, or no apiVersion, kind or metadata.name)."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nEvery document outside `kustomization.yaml` files and kustomize patch \
         files is a mapping with a string `apiVersion`, `kind` and `metadata.name` (or \
         `generateName`).\n\n## Why it matters\nkustomize and the API server reject such \
         documents, so Flux stops applying the whole Kustomization.\n\n\
         ## Example\n```yaml\nkind: ConfigMap   # GO002 missing `apiVersion`\nmetadata: {name: a}\n```\n\n\
         ## Fix\nAdd the missing field, or move non-Kubernetes YAML out of the tree."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        for (file, span, why) in &ctx.tree.invalid {
            out.file(
                *file,
                *span,
                format!("not a Kubernetes object: {why}"),
                None,
            );
        }
    }
}
