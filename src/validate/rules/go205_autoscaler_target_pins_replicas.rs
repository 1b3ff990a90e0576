//! GO205: a workload that sets spec.replicas although an autoscaler owns its scale.

use super::go203_autoscaler_target_missing::target;
use crate::validate::rule::{Context, Findings, Grade, Rule};

/// GO205
pub struct AutoscalerTargetPinsReplicas;

impl Rule for AutoscalerTargetPinsReplicas {
    fn code(&self) -> &'static str {
        "GO205"
    }
    fn name(&self) -> &'static str {
        "autoscaler-target-pins-replicas"
    }
    fn summary(&self) -> &'static str {
        "A workload scaled by an autoscaler also sets spec.replicas."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nWorkloads named by an autoscaler's `scaleTargetRef` leave \
         `spec.replicas` unset. Error under the strict policy, warning under relaxed.\n\n\
         ## Why it matters\nEvery Flux reconciliation resets the replica count to the pinned \
         value, undoing what the autoscaler decided: capacity drops in the middle of a peak.\n\n\
         ## Example\n```yaml\nspec:\n  replicas: 2   # GO205, an HPA scales this Deployment\n```\n\n\
         ## Fix\nRemove `spec.replicas`."
    }
    fn grade(&self) -> Grade {
        Grade::Hygiene
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        for (_, hpa) in ctx.tree.of_kind("HorizontalPodAutoscaler") {
            let Some(t) = target(ctx, hpa) else { continue };
            let w = &ctx.tree.objects[t];
            if w.at("/spec/replicas").is_some() {
                out.object(
                    t,
                    "/spec/replicas",
                    format!(
                        "{} sets spec.replicas, but {} owns its scale",
                        w.id(),
                        hpa.id()
                    ),
                    Some("remove spec.replicas".into()),
                );
            }
        }
    }
}
