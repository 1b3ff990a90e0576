//! GO204: an autoscaler on a resource the target's containers do not request.

use crate::validate::tree::Lookup;
use serde_json::Value;

use super::go203_autoscaler_target_missing::target;
use super::{containers, pod_template};
use crate::validate::rule::{Context, Findings, Rule};

/// GO204
pub struct AutoscalerTargetWithoutRequests;

impl Rule for AutoscalerTargetWithoutRequests {
    fn code(&self) -> &'static str {
        "GO204"
    }
    fn name(&self) -> &'static str {
        "autoscaler-target-without-requests"
    }
    fn summary(&self) -> &'static str {
        "An autoscaler targets utilization of a resource that some container of the target does not request."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nFor each `Resource` metric with a `Utilization` target, every \
         container of the scaled workload requests that resource.\n\n\
         ## Why it matters\nUtilization is measured against requests; with one container \
         missing the request the autoscaler cannot compute it and stops scaling.\n\n\
         ## Example\n```yaml\nmetrics:\n- resource: {name: memory, target: {type: Utilization, averageUtilization: 80}}   # GO204\n```\n\n\
         ## Fix\nRequest the resource in every container, or drop the metric."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        for (i, hpa) in ctx.tree.of_kind("HorizontalPodAutoscaler") {
            let Some(t) = target(ctx, hpa) else { continue };
            let w = &ctx.tree.objects[t];
            let Some(template) = pod_template(w) else {
                continue;
            };
            for (j, m) in hpa
                .at("/spec/metrics")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                if m.lookup("/resource/target/type").and_then(Value::as_str) != Some("Utilization")
                {
                    continue;
                }
                let Some(resource) = m.lookup("/resource/name").and_then(Value::as_str) else {
                    continue;
                };
                for (_, c) in containers(w, template)
                    .into_iter()
                    .filter(|(p, _)| !p.contains("initContainers"))
                {
                    if c.lookup(&format!("/resources/requests/{resource}"))
                        .is_none()
                    {
                        let name = c.get("name").and_then(Value::as_str).unwrap_or("");
                        out.object(i, &format!("/spec/metrics/{j}"), format!("{} targets {resource} utilization, but container `{name}` of {} requests no {resource}", hpa.id(), w.id()), None);
                    }
                }
            }
        }
    }
}
