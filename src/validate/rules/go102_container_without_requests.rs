//! GO102: a container without CPU and memory requests.

use super::{containers, pod_template};
use crate::validate::rule::{Context, Findings, Grade, Rule};
use crate::validate::tree::Lookup;
use crate::validate::tree::Object;

/// GO102
pub struct ContainerWithoutRequests;

impl Rule for ContainerWithoutRequests {
    fn code(&self) -> &'static str {
        "GO102"
    }
    fn name(&self) -> &'static str {
        "container-without-requests"
    }
    fn summary(&self) -> &'static str {
        "A container has no CPU or no memory request (or no memory limit)."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nEvery container of a workload requests `cpu` and `memory` and limits \
         `memory`. Error under the strict policy, warning under relaxed. Reported at the block to \
         edit: `requests:` when only requests are missing, else `resources:`, else the container.\n\n\
         ## Why it matters\nThe scheduler packs pods by requests: without them nodes are \
         overcommitted and pods are evicted first under pressure; without a memory limit one leak \
         takes the node down.\n\n## Example\n```yaml\nresources: {}   # GO102\n```\n\n\
         ## Fix\nSet `resources.requests.cpu`, `resources.requests.memory` and `resources.limits.memory`."
    }
    fn grade(&self) -> Grade {
        Grade::Hygiene
    }
    fn per_object(&self) -> bool {
        true
    }
    fn check_object(&self, _ctx: &Context<'_>, i: usize, o: &Object, out: &mut Findings<'_>) {
        let Some(t) = pod_template(o) else { return };
        for (pointer, c) in containers(o, t) {
            let name = c
                .get("name")
                .and_then(serde_json::Value::as_str)
                .unwrap_or("");
            let missing: Vec<&str> = [
                ("requests", "cpu"),
                ("requests", "memory"),
                ("limits", "memory"),
            ]
            .into_iter()
            .filter(|(k, r)| c.lookup(&format!("/resources/{k}/{r}")).is_none())
            .map(|(k, r)| {
                if k == "requests" {
                    if r == "cpu" {
                        "cpu request"
                    } else {
                        "memory request"
                    }
                } else {
                    "memory limit"
                }
            })
            .collect();
            if !missing.is_empty() {
                // At the block to edit: `requests:` when only requests are missing and it
                // is written, else `resources:` when written, else the container.
                let written = |k: &str| c.lookup(&format!("/resources/{k}")).is_some();
                let only_requests = !missing.contains(&"memory limit");
                let at = if only_requests && written("requests") {
                    format!("{pointer}/resources/requests")
                } else if c.get("resources").is_some_and(serde_json::Value::is_object) {
                    format!("{pointer}/resources")
                } else {
                    pointer.clone()
                };
                out.object(
                    i,
                    &at,
                    format!(
                        "container `{name}` of {} has no {}",
                        o.id(),
                        missing.join(", ")
                    ),
                    None,
                );
            }
        }
    }
}
