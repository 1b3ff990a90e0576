//! GO305: a Flux Kustomization that depends on a Kustomization that does not exist.

use serde_json::Value;

use super::go303_flux_source_missing::flux_kustomizations;
use super::ns;
use crate::validate::rule::{Context, Findings, Rule};

/// GO305
pub struct FluxDependencyMissing;

impl Rule for FluxDependencyMissing {
    fn code(&self) -> &'static str {
        "GO305"
    }
    fn name(&self) -> &'static str {
        "flux-dependency-missing"
    }
    fn summary(&self) -> &'static str {
        "A Flux Kustomization's dependsOn names a Kustomization that is neither in the tree nor declared external."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nEach `spec.dependsOn` entry (namespace defaulting to the \
         Kustomization's) is a Flux Kustomization of the tree, or one named with \
         `--external-kustomization` (platform infrastructure; a fluxprint cluster file's \
         `infrastructure` list is used automatically), or the sync Kustomization a FluxInstance \
         of the tree makes the Flux Operator create. A warning (\"not in this tree\": a \
         Kustomization of another repository may be meant), an error with `--self-contained` \
         (and in the output validation of `render`).\n\n## Why it matters\nThe dependant \
         waits forever with `dependency not found`: a typo stops a deployment silently.\n\n\
         ## Example\n```yaml\ndependsOn:\n- name: kafak   # GO305\n```\n\n## Fix\nName an existing Kustomization."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        // A Kustomization of another source or repository may be the one meant.
        out.outside_tree();
        for (i, k) in flux_kustomizations(ctx) {
            for (j, dep) in k
                .at("/spec/dependsOn")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                let name = dep.get("name").and_then(Value::as_str).unwrap_or("");
                let namespace = dep
                    .get("namespace")
                    .and_then(Value::as_str)
                    .unwrap_or(ns(k));
                if ctx.find("Kustomization", namespace, name).is_empty()
                    && !ctx.options.external_kustomizations.contains(name)
                    && !super::go303_flux_source_missing::created_by_flux(
                        ctx,
                        "Kustomization",
                        namespace,
                        name,
                    )
                {
                    out.object(i, &format!("/spec/dependsOn/{j}/name"), format!("{} depends on Kustomization {namespace}/{name}, which is not in this tree", k.id()), Some("declare platform Kustomizations with --external-kustomization; expected when another repository's Kustomization is meant, an error with --self-contained".into()));
                }
            }
        }
    }
}
