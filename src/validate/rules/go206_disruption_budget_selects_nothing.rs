//! GO206: a PodDisruptionBudget whose selector matches no workload.

use super::{label_selector_matches, ns};
use crate::validate::rule::{Context, Findings, Rule};

/// GO206
pub struct DisruptionBudgetSelectsNothing;

impl Rule for DisruptionBudgetSelectsNothing {
    fn code(&self) -> &'static str {
        "GO206"
    }
    fn name(&self) -> &'static str {
        "disruption-budget-selects-nothing"
    }
    fn summary(&self) -> &'static str {
        "A PodDisruptionBudget's selector matches the pods of no workload in its namespace."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nThe budget's `spec.selector` matches the pod labels of some workload \
         in its namespace.\n\n## Why it matters\nThe budget protects nothing: a node drain can \
         take every replica at once.\n\n\
         ## Example\n```yaml\nselector: {matchLabels: {app: ordr}}   # GO206\n```\n\n\
         ## Fix\nMatch the workload's pod labels."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        for (i, pdb) in ctx.tree.of_kind("PodDisruptionBudget") {
            let Some(selector) = pdb.at("/spec/selector") else {
                continue;
            };
            let matched = ctx.workloads_in(ns(pdb)).any(|(_, _, _, labels)| {
                labels.is_some_and(|l| label_selector_matches(selector, l))
            });
            if !matched && !ctx.pods_made_elsewhere(ns(pdb)) {
                out.object(
                    i,
                    "/spec/selector",
                    format!("{} selects no pods in its namespace", pdb.id()),
                    None,
                );
            }
        }
    }
}
