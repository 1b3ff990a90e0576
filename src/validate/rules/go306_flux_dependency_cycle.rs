//! GO306: Flux Kustomizations whose dependsOn form a cycle.

use super::go303_flux_source_missing::flux_kustomizations;
use crate::validate::rule::{Context, Findings, Rule};

/// GO306
pub struct FluxDependencyCycle;

impl Rule for FluxDependencyCycle {
    fn code(&self) -> &'static str {
        "GO306"
    }
    fn name(&self) -> &'static str {
        "flux-dependency-cycle"
    }
    fn summary(&self) -> &'static str {
        "Flux Kustomizations depend on each other in a cycle."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nThe `dependsOn` graph of the tree's Flux Kustomizations has no \
         cycle. A cycle is reported once, at the `dependsOn` entry of its first member (by \
         namespace and name) that closes it.\n\n## Why it matters\nEvery Kustomization of the cycle waits for another: none \
         is ever applied.\n\n## Example\n`order` depends on `payment`, `payment` on `order` → \
         GO306.\n\n## Fix\nRemove one edge."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        super::graph::report_dependency_cycles(flux_kustomizations(ctx), "", out);
    }
}
