//! GO605: a Canary without `autoscalerRef` for a workload that an autoscaler of the tree
//! scales.

use serde_json::Value;

use super::flagger::canaries;
use super::ns;
use crate::validate::rule::{Context, Findings, Grade, Rule};

/// GO605
pub struct CanaryAutoscalerUnreferenced;

impl Rule for CanaryAutoscalerUnreferenced {
    fn code(&self) -> &'static str {
        "GO605"
    }
    fn name(&self) -> &'static str {
        "canary-autoscaler-unreferenced"
    }
    fn summary(&self) -> &'static str {
        "A Flagger Canary has no autoscalerRef, but a HorizontalPodAutoscaler of the tree scales its target."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nA Canary without `spec.autoscalerRef` whose `spec.targetRef` \
         (a Deployment or DaemonSet) is the `scaleTargetRef` of a HorizontalPodAutoscaler in \
         the Canary's namespace.\n\n## Why it matters\nFlagger makes an autoscaler for the \
         primary only from `autoscalerRef`. Without it the primary, which serves all traffic \
         between releases, keeps the replica count it was copied with, while the written \
         autoscaler scales the canary Deployment, which Flagger keeps at zero.\n\n\
         ## Example\n```yaml\nkind: Canary\nspec:   # GO605 (HPA podinfo scales Deployment podinfo)\n  \
         targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}\n```\n\n## Fix\nAdd \
         `autoscalerRef: {apiVersion: autoscaling/v2, kind: HorizontalPodAutoscaler, name: <hpa>}`."
    }
    fn grade(&self) -> Grade {
        Grade::Notice
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        for (i, canary) in canaries(ctx) {
            if canary.at("/spec/autoscalerRef").is_some() {
                continue;
            }
            let kind = canary.at("/spec/targetRef/kind").and_then(Value::as_str);
            let name = canary.at("/spec/targetRef/name").and_then(Value::as_str);
            let (Some(kind), Some(name)) = (kind, name) else {
                continue;
            };
            let hpa = ctx
                .tree
                .of_kind("HorizontalPodAutoscaler")
                .filter(|(_, h)| h.group() == "autoscaling" && ns(h) == ns(canary))
                .find(|(_, h)| {
                    h.at("/spec/scaleTargetRef/kind").and_then(Value::as_str) == Some(kind)
                        && h.at("/spec/scaleTargetRef/name").and_then(Value::as_str) == Some(name)
                });
            if let Some((_, hpa)) = hpa {
                out.object(
                    i,
                    "/spec",
                    format!(
                        "{} has no autoscalerRef, but {} scales {kind} {name}: Flagger's primary would not be autoscaled",
                        canary.id(),
                        hpa.id()
                    ),
                    Some(format!("add `autoscalerRef: {{apiVersion: autoscaling/v2, kind: HorizontalPodAutoscaler, name: {}}}`", hpa.name())),
                );
            }
        }
    }
}
