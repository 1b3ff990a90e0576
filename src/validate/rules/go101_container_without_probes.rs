//! GO101: a long-running container without readiness or liveness probe.

use super::{containers, pod_template};
use crate::validate::rule::{Context, Findings, Grade, Rule};

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
         DaemonSet declares `readinessProbe` and `livenessProbe`. Error under the strict policy, \
         warning under relaxed.\n\n## Why it matters\nWithout readiness, traffic reaches pods \
         that are not ready and rollouts (and Flux's `wait`) declare success too early; without \
         liveness, a hung process is never restarted.\n\n\
         ## Example\n```yaml\ncontainers:\n- name: api   # GO101\n  image: api:1.0\n```\n\n\
         ## Fix\nAdd both probes (in a blueprint: `probes.readiness`, `probes.liveness`)."
    }
    fn grade(&self) -> Grade {
        Grade::Hygiene
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        for (i, o) in ctx.tree.objects.iter().enumerate() {
            if !matches!(o.kind(), "Deployment" | "StatefulSet" | "DaemonSet") {
                continue;
            }
            let Some(t) = pod_template(o) else { continue };
            for (pointer, c) in containers(o, t)
                .into_iter()
                .filter(|(p, _)| !p.contains("initContainers"))
            {
                let name = c
                    .get("name")
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or("");
                for probe in ["readinessProbe", "livenessProbe"] {
                    if c.get(probe).is_none() {
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
}
