//! GO201: a Service whose selector matches no workload's pods.

use serde_json::Value;

use super::{ns, selects};
use crate::validate::rule::{Context, Findings, Rule};

/// GO201
pub struct ServiceSelectsNothing;

impl Rule for ServiceSelectsNothing {
    fn code(&self) -> &'static str {
        "GO201"
    }
    fn name(&self) -> &'static str {
        "service-selects-nothing"
    }
    fn summary(&self) -> &'static str {
        "A Service's selector matches the pods of no workload in its namespace."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nFor every Service with a selector, some Deployment, StatefulSet, \
         DaemonSet, Job, CronJob or Pod in the same namespace has pod labels containing the whole \
         selector.\n\n## Why it matters\nThe Service has no endpoints: every request fails, and \
         nothing says why until someone looks at `kubectl get endpoints`.\n\n\
         ## Example\n```yaml\nselector: {app: ordr}   # GO201, pods are labelled app: order\n```\n\n\
         ## Fix\nMake the selector match the pod template's labels."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        for (i, svc) in ctx.tree.of_kind("Service") {
            let Some(selector) = svc.at("/spec/selector").and_then(Value::as_object) else {
                continue;
            };
            if selector.is_empty()
                || svc.at("/spec/type").and_then(Value::as_str) == Some("ExternalName")
            {
                continue;
            }
            let matched = ctx
                .workloads_in(ns(svc))
                .any(|(_, _, _, labels)| labels.is_some_and(|l| selects(selector, l)));
            if !matched && !ctx.pods_made_elsewhere(ns(svc)) {
                out.object(
                    i,
                    "/spec/selector",
                    format!(
                        "{} selects no pods: no workload in its namespace has the labels {}",
                        svc.id(),
                        Value::Object(selector.clone())
                    ),
                    None,
                );
            }
        }
    }
}
