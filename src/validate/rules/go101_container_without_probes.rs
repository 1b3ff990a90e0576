//! GO101: a long-running container without readiness or liveness probe.

use serde_json::Value;

use super::{containers, ns, pod_labels, pod_template, selects};
use crate::validate::rule::{Context, Findings, Grade, Rule};
use crate::validate::tree::Object;

/// GO101
pub struct ContainerWithoutProbes;

impl Rule for ContainerWithoutProbes {
    fn code(&self) -> &'static str {
        "GO101"
    }
    fn name(&self) -> &'static str {
        "container-without-probes"
    }
    fn summary(&self) -> &'static str {
        "A container of a Deployment, StatefulSet or DaemonSet has no readiness or no liveness probe."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nEvery container (not init container) of a Deployment, StatefulSet or \
         DaemonSet declares a `livenessProbe`, and a `readinessProbe` when it serves a Service \
         port (a Service of its namespace selects the pod and targets one of the container's \
         ports): a worker that serves nothing needs no readiness. Error under the strict \
         policy, warning under relaxed.\n\n## Why it matters\nWithout readiness, traffic reaches pods \
         that are not ready and rollouts (and Flux's `wait`) declare success too early; without \
         liveness, a hung process is never restarted.\n\n\
         ## Example\n```yaml\ncontainers:\n- name: api   # GO101\n  image: api:1.0\n```\n\n\
         ## Fix\nAdd both probes (in a blueprint: `probes.readiness`, `probes.liveness`)."
    }
    fn grade(&self) -> Grade {
        Grade::Hygiene
    }
    fn per_object(&self) -> bool {
        true
    }
    fn check_object(&self, ctx: &Context<'_>, i: usize, o: &Object, out: &mut Findings<'_>) {
        if !matches!(o.kind(), "Deployment" | "StatefulSet" | "DaemonSet") {
            return;
        }
        let Some(t) = pod_template(o) else { return };
        let services: Vec<&Value> = pod_labels(o, t)
            .map(|labels| {
                ctx.services
                    .get(ns(o))
                    .into_iter()
                    .flatten()
                    .filter(|(_, sel)| {
                        sel.is_some_and(|sel| !sel.is_empty() && selects(sel, labels))
                    })
                    .filter_map(|&(i, _)| ctx.tree.objects[i].at("/spec/ports"))
                    .collect()
            })
            .unwrap_or_default();
        for (pointer, c) in containers(o, t)
            .into_iter()
            .filter(|(p, _)| !p.contains("initContainers"))
        {
            let name = c
                .get("name")
                .and_then(serde_json::Value::as_str)
                .unwrap_or("");
            for probe in ["readinessProbe", "livenessProbe"] {
                let needed = probe == "livenessProbe" || serves(c, &services);
                if needed && c.get(probe).is_none() {
                    out.object(
                        i,
                        &pointer,
                        format!("container `{name}` of {} has no {probe}", o.id()),
                        None,
                    );
                }
            }
        }
    }
}

/// True when one of `ports` (Service port lists) targets a port of container `c`, by name
/// or number (`targetPort` defaults to `port`).
fn serves(c: &Value, ports: &[&Value]) -> bool {
    let own = c.get("ports").and_then(Value::as_array);
    let Some(own) = own.filter(|p| !p.is_empty()) else {
        return false;
    };
    ports
        .iter()
        .filter_map(|p| p.as_array())
        .flatten()
        .any(|sp| {
            let target = sp.get("targetPort").or_else(|| sp.get("port"));
            own.iter().any(|cp| match target {
                Some(Value::String(name)) => cp.get("name").and_then(Value::as_str) == Some(name),
                Some(Value::Number(n)) => {
                    cp.get("containerPort").and_then(Value::as_u64) == n.as_u64()
                }
                _ => false,
            })
        })
}
