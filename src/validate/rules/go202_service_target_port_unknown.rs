//! GO202: a Service targetPort that no selected container declares.

use serde_json::Value;

use super::{containers, ns, selects};
use crate::validate::rule::{Context, Findings, Rule};

/// GO202
pub struct ServiceTargetPortUnknown;

impl Rule for ServiceTargetPortUnknown {
    fn code(&self) -> &'static str {
        "GO202"
    }
    fn name(&self) -> &'static str {
        "service-target-port-unknown"
    }
    fn summary(&self) -> &'static str {
        "A Service's targetPort (by name, or by number) is not a port of the containers it selects."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nFor Services whose selector matches workloads, each port's \
         `targetPort` (default: `port`) names a container port of those pods, or is a number one \
         of them declares.\n\n## Why it matters\nA named targetPort that no container declares \
         gives the Service no endpoints for that port.\n\n\
         ## Example\n```yaml\nports:\n- {port: 80, targetPort: htttp}   # GO202\n```\n\n\
         ## Fix\nUse a port name or number the containers declare."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        for (i, svc) in ctx.tree.of_kind("Service") {
            let Some(selector) = svc.at("/spec/selector").and_then(Value::as_object) else {
                continue;
            };
            let mut names = Vec::new();
            let mut numbers = Vec::new();
            let mut any = false;
            for (_, w, t, labels) in ctx.workloads_in(ns(svc)) {
                if !labels.is_some_and(|l| selects(selector, l)) {
                    continue;
                }
                any = true;
                for (_, c) in containers(w, t) {
                    for p in c
                        .get("ports")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                    {
                        // Several selected workloads may declare the same name: list it once.
                        if let Some(n) = p.get("name").and_then(Value::as_str) {
                            if !n.is_empty() && !names.iter().any(|m| m == n) {
                                names.push(n.to_owned());
                            }
                        }
                        if let Some(n) = p.get("containerPort").and_then(Value::as_i64) {
                            numbers.push(n);
                        }
                    }
                }
            }
            if !any {
                continue;
            }
            for (j, port) in svc.items("/spec/ports").enumerate() {
                let target = port.get("targetPort").or_else(|| port.get("port"));
                let ok = match target {
                    Some(Value::String(n)) => names.contains(n),
                    // Numbers need not be declared by containers (Kubernetes allows it), so only
                    // named ports are certain mistakes; numbers are checked when pods declare ports.
                    Some(Value::Number(n)) => {
                        numbers.is_empty() || n.as_i64().is_some_and(|n| numbers.contains(&n))
                    }
                    _ => true,
                };
                if !ok {
                    let shown = target.map(|t| t.to_string()).unwrap_or_default();
                    out.object(
                        i,
                        &format!("/spec/ports/{j}/targetPort"),
                        format!(
                            "targetPort {shown} of {} is not a port of the selected containers",
                            svc.id()
                        ),
                        Some(format!("container ports: {}", names.join(", "))),
                    );
                }
            }
        }
    }
}
