//! GO303: a Flux Kustomization whose source is not in the tree.

use serde_json::Value;

use super::ns;
use crate::validate::rule::{Context, Findings, Rule};

/// GO303
pub struct FluxSourceMissing;

/// Whether `kind namespace/name` exists without being written in git: the `flux-system`
/// GitRepository that `flux bootstrap` creates, or the sync source or sync Kustomization of
/// a FluxInstance of the tree (the Flux Operator creates both, named `spec.sync.name` or
/// the instance's namespace, in that namespace).
pub fn created_by_flux(ctx: &Context<'_>, kind: &str, namespace: &str, name: &str) -> bool {
    if kind == "GitRepository" && name == "flux-system" && namespace == "flux-system" {
        return true;
    }
    ctx.tree
        .objects
        .iter()
        .chain(&ctx.tree.unapplied)
        .filter(|o| o.kind() == "FluxInstance" && o.group() == "fluxcd.controlplane.io")
        .any(|o| {
            let Some(sync) = o.at("/spec/sync") else {
                return false;
            };
            let of = |k: &str| sync.get(k).and_then(Value::as_str);
            let instance_ns = ns(o);
            (of("kind") == Some(kind) || kind == "Kustomization")
                && instance_ns == namespace
                && of("name").unwrap_or(instance_ns) == name
        })
}

/// Flux Kustomizations (not kustomize's own config) of the tree.
pub fn flux_kustomizations<'a>(
    ctx: &'a Context<'_>,
) -> impl Iterator<Item = (usize, &'a crate::validate::tree::Object)> + 'a {
    ctx.tree
        .of_kind("Kustomization")
        .filter(|(_, o)| o.group() == "kustomize.toolkit.fluxcd.io")
}

impl Rule for FluxSourceMissing {
    fn code(&self) -> &'static str {
        "GO303"
    }
    fn name(&self) -> &'static str {
        "flux-source-missing"
    }
    fn summary(&self) -> &'static str {
        "A Flux Kustomization's sourceRef names no source in the tree."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\n`spec.sourceRef` (kind, name, namespace defaulting to the \
         Kustomization's) names a source object of the tree. The `flux-system` GitRepository in \
         `flux-system`, which `flux bootstrap` creates, always counts as present, and so does \
         the sync source of a FluxInstance of the tree (named `spec.sync.name` or the \
         instance's namespace), which the Flux Operator creates.\n\n\
         ## Why it matters\nThe Kustomization never becomes ready and everything depending on \
         it waits forever.\n\n\
         ## Example\n```yaml\nsourceRef: {kind: GitRepository, name: flux-sytem}   # GO303\n```\n\n\
         ## Fix\nName an existing source."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        for (i, k) in flux_kustomizations(ctx) {
            let kind = k
                .at("/spec/sourceRef/kind")
                .and_then(Value::as_str)
                .unwrap_or("");
            let name = k
                .at("/spec/sourceRef/name")
                .and_then(Value::as_str)
                .unwrap_or("");
            let namespace = k
                .at("/spec/sourceRef/namespace")
                .and_then(Value::as_str)
                .unwrap_or(ns(k));
            if !created_by_flux(ctx, kind, namespace, name)
                && ctx.find(kind, namespace, name).is_empty()
                && !(kind == "ExternalArtifact" && generated(ctx, namespace, name))
            {
                out.object(
                    i,
                    "/spec/sourceRef",
                    format!(
                        "{} reads from {kind} {namespace}/{name}, which is not in the tree",
                        k.id()
                    ),
                    None,
                );
            }
        }
    }
}

/// True when an ArtifactGenerator of the tree in `namespace` produces the ExternalArtifact
/// `name` (source-watcher creates it; it is never written in git).
fn generated(ctx: &Context<'_>, namespace: &str, name: &str) -> bool {
    ctx.tree
        .objects
        .iter()
        .chain(&ctx.tree.unapplied)
        .filter(|o| o.kind() == "ArtifactGenerator" && ns(o) == namespace)
        .flat_map(|o| {
            o.at("/spec/artifacts")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
        })
        .any(|a| a.get("name").and_then(Value::as_str) == Some(name))
}
