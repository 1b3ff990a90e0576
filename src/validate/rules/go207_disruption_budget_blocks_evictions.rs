//! GO207: a PodDisruptionBudget that allows no eviction at all.

use serde_json::Value;

use super::{label_selector_matches, ns};
use crate::validate::rule::{Context, Findings, Rule};

/// GO207
pub struct DisruptionBudgetBlocksEvictions;

impl Rule for DisruptionBudgetBlocksEvictions {
    fn code(&self) -> &'static str {
        "GO207"
    }
    fn name(&self) -> &'static str {
        "disruption-budget-blocks-evictions"
    }
    fn summary(&self) -> &'static str {
        "A PodDisruptionBudget can never allow an eviction (maxUnavailable 0, or minAvailable at least the replicas)."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\n`maxUnavailable` is not 0 (or `0%`), and an integer `minAvailable` \
         is below the fixed `spec.replicas` of every workload it selects.\n\n\
         ## Why it matters\nNode drains hang: cluster upgrades and autoscaler scale-downs block \
         until someone deletes the budget by hand.\n\n\
         ## Example\n```yaml\nspec:\n  minAvailable: 2   # GO207, the Deployment has replicas: 2\n```\n\n\
         ## Fix\nUse `maxUnavailable: 1`."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        for (i, pdb) in ctx.tree.of_kind("PodDisruptionBudget") {
            let max_unavailable = pdb.at("/spec/maxUnavailable");
            if matches!(max_unavailable, Some(Value::Number(n)) if n.as_i64() == Some(0))
                || matches!(max_unavailable, Some(Value::String(s)) if s == "0%")
            {
                out.object(
                    i,
                    "/spec/maxUnavailable",
                    format!(
                        "{} allows no pod to be unavailable: every drain blocks",
                        pdb.id()
                    ),
                    Some("use maxUnavailable: 1".into()),
                );
                continue;
            }
            let Some(min) = pdb.at("/spec/minAvailable").and_then(Value::as_i64) else {
                continue;
            };
            let Some(selector) = pdb.at("/spec/selector") else {
                continue;
            };
            for (_, w, _, labels) in ctx.workloads_in(ns(pdb)) {
                if !labels.is_some_and(|l| label_selector_matches(selector, l)) {
                    continue;
                }
                if let Some(replicas) = w.at("/spec/replicas").and_then(Value::as_i64) {
                    if min >= replicas {
                        out.object(i, "/spec/minAvailable", format!("{} requires {min} available pods, but {} runs {replicas}: every drain blocks", pdb.id(), w.id()), Some("use maxUnavailable: 1".into()));
                    }
                }
            }
        }
    }
}
