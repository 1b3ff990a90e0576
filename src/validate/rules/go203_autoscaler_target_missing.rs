//! GO203: a HorizontalPodAutoscaler whose scale target is not in the tree.

use serde_json::Value;

use super::ns;
use crate::validate::rule::{Context, Findings, Rule};

/// GO203
pub struct AutoscalerTargetMissing;

/// The workload an autoscaler scales, if it is in the tree.
pub fn target(ctx: &Context<'_>, hpa: &crate::validate::tree::Object) -> Option<usize> {
    let kind = hpa
        .at("/spec/scaleTargetRef/kind")
        .and_then(Value::as_str)?;
    let name = hpa
        .at("/spec/scaleTargetRef/name")
        .and_then(Value::as_str)?;
    ctx.find(kind, ns(hpa), name).first().copied()
}

impl Rule for AutoscalerTargetMissing {
    fn code(&self) -> &'static str {
        "GO203"
    }
    fn name(&self) -> &'static str {
        "autoscaler-target-missing"
    }
    fn summary(&self) -> &'static str {
        "A HorizontalPodAutoscaler's scaleTargetRef names no object in the tree."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\n`spec.scaleTargetRef` (kind and name, in the autoscaler's namespace) \
         names an object of the tree.\n\n## Why it matters\nThe autoscaler does nothing and \
         reports `FailedGetScale`; the service runs at whatever replica count it has.\n\n\
         ## Example\n```yaml\nscaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: ordr}   # GO203\n```\n\n\
         ## Fix\nName the workload exactly."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        for (i, hpa) in ctx.tree.of_kind("HorizontalPodAutoscaler") {
            // A chart installed in the namespace may make the target on the cluster.
            let elsewhere = ctx.pods_made_elsewhere(hpa.namespace().unwrap_or("default"));
            if target(ctx, hpa).is_none() && !elsewhere {
                let kind = hpa
                    .at("/spec/scaleTargetRef/kind")
                    .and_then(Value::as_str)
                    .unwrap_or("?");
                let name = hpa
                    .at("/spec/scaleTargetRef/name")
                    .and_then(Value::as_str)
                    .unwrap_or("?");
                out.object(
                    i,
                    "/spec/scaleTargetRef",
                    format!(
                        "{} scales {kind} {name}, which is not in the tree",
                        hpa.id()
                    ),
                    None,
                );
            }
        }
    }
}
