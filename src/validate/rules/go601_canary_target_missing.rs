//! GO601: a Flagger Canary whose target or autoscaler is not in the tree.

use serde_json::Value;

use super::flagger::{canaries, made_elsewhere_but_by_flagger};
use super::ns;
use crate::validate::rule::{Context, Findings, Rule};

/// GO601
pub struct CanaryTargetMissing;

impl Rule for CanaryTargetMissing {
    fn code(&self) -> &'static str {
        "GO601"
    }
    fn name(&self) -> &'static str {
        "canary-target-missing"
    }
    fn summary(&self) -> &'static str {
        "A Flagger Canary's targetRef or autoscalerRef names no Deployment, DaemonSet or HorizontalPodAutoscaler of the tree."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nA Canary's `spec.targetRef` of kind `Deployment` or `DaemonSet` names \
         that workload in the Canary's namespace, and its `spec.autoscalerRef` of kind \
         `HorizontalPodAutoscaler` names an autoscaler there. References of other kinds (a \
         KEDA `ScaledObject`, a `Service` target) and namespaces where a HelmRelease or an \
         operator may make the workload are not judged.\n\n## Why it matters\nFlagger cannot \
         initialize the Canary: it reports `deployment not found`, creates no primary, and \
         no release of the service is ever analysed. A missing autoscaler leaves the primary \
         without one.\n\n## Example\n```yaml\nkind: Canary\nmetadata: {name: podinfo, namespace: test}\nspec:\n  \
         targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinf}   # GO601\n```\n\n\
         ## Fix\nName the workload (and its autoscaler) exactly, in the Canary's namespace."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        for (i, canary) in canaries(ctx) {
            let namespace = ns(canary);
            if made_elsewhere_but_by_flagger(ctx, canary.namespace().unwrap_or("default")) {
                continue;
            }
            let refs = [
                ("/spec/targetRef", &["Deployment", "DaemonSet"][..]),
                ("/spec/autoscalerRef", &["HorizontalPodAutoscaler"][..]),
            ];
            for (pointer, kinds) in refs {
                let kind = canary
                    .at(&format!("{pointer}/kind"))
                    .and_then(Value::as_str);
                let name = canary
                    .at(&format!("{pointer}/name"))
                    .and_then(Value::as_str);
                let (Some(kind), Some(name)) = (kind, name) else {
                    continue;
                };
                if kinds.contains(&kind) && ctx.find(kind, namespace, name).is_empty() {
                    out.object(
                        i,
                        &format!("{pointer}/name"),
                        format!(
                            "{} releases {kind} {name}, which is not in the tree in namespace `{namespace}`",
                            canary.id()
                        ),
                        None,
                    );
                }
            }
        }
    }
}
