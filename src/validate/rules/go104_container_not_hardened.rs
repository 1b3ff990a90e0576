//! GO104: a container without the security hardening of the restricted profile.

use crate::validate::tree::Lookup;
use serde_json::Value;

use super::{containers, pod_template};
use crate::validate::rule::{Context, Findings, Grade, Rule};
use crate::validate::tree::Object;

/// GO104
pub struct ContainerNotHardened;

impl Rule for ContainerNotHardened {
    fn code(&self) -> &'static str {
        "GO104"
    }
    fn name(&self) -> &'static str {
        "container-not-hardened"
    }
    fn summary(&self) -> &'static str {
        "A container may run as root, escalate privileges, keep capabilities or write its root filesystem."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nEach container (with the pod's `securityContext` as fallback) sets \
         `runAsNonRoot: true`, `allowPrivilegeEscalation: false`, `capabilities.drop: [ALL]`, \
         `readOnlyRootFilesystem: true` and a `RuntimeDefault` or `Localhost` seccomp profile. \
         Error under the strict policy, warning under relaxed. Reported at the field when one \
         written value is the only problem (`allowPrivilegeEscalation: true`), else at the \
         container's `securityContext:`, else at the container.\n\n\
         ## Why it matters\nThese are what the `restricted` Pod Security Standard requires (plus a \
         read-only root filesystem): without them a compromised process owns the container and \
         reaches for the node.\n\n## Example\n```yaml\nsecurityContext: {}   # GO104\n```\n\n\
         ## Fix\nSet the fields listed in the message."
    }
    fn grade(&self) -> Grade {
        Grade::Hygiene
    }
    fn per_object(&self) -> bool {
        true
    }
    fn check_object(&self, _ctx: &Context<'_>, i: usize, o: &Object, out: &mut Findings<'_>) {
        let Some(t) = pod_template(o) else { return };
        let pod = o.at(&format!("{t}/spec/securityContext"));
        let pod_field = |f: &str| pod.and_then(|p| p.lookup(f));
        for (pointer, c) in containers(o, t) {
            let sc = c.get("securityContext");
            let field = |f: &str| sc.and_then(|s| s.lookup(f)).or_else(|| pod_field(f));
            let mut missing = Vec::new();
            // Fields written with a value that fails (`allowPrivilegeEscalation: true`):
            // the line to edit when it is the only problem.
            let mut wrong: Vec<String> = Vec::new();
            let mut written_wrong = |f: &str, on_pod: bool| {
                if sc.and_then(|s| s.lookup(f)).is_some() {
                    wrong.push(format!("{pointer}/securityContext{f}"));
                } else if on_pod && pod_field(f).is_some() {
                    wrong.push(format!("{t}/spec/securityContext{f}"));
                }
            };
            if field("/runAsNonRoot") != Some(&Value::Bool(true)) {
                missing.push("runAsNonRoot: true");
                written_wrong("/runAsNonRoot", true);
            }
            if sc.and_then(|s| s.get("allowPrivilegeEscalation")) != Some(&Value::Bool(false)) {
                missing.push("allowPrivilegeEscalation: false");
                written_wrong("/allowPrivilegeEscalation", false);
            }
            let drops_all = sc
                .and_then(|s| s.lookup("/capabilities/drop"))
                .and_then(Value::as_array)
                .is_some_and(|d| d.iter().any(|x| x == "ALL"));
            if !drops_all {
                missing.push("capabilities.drop: [ALL]");
                written_wrong("/capabilities/drop", false);
            }
            if sc.and_then(|s| s.get("readOnlyRootFilesystem")) != Some(&Value::Bool(true)) {
                missing.push("readOnlyRootFilesystem: true");
                written_wrong("/readOnlyRootFilesystem", false);
            }
            let seccomp = field("/seccompProfile/type").and_then(Value::as_str);
            if !matches!(seccomp, Some("RuntimeDefault" | "Localhost")) {
                missing.push("seccompProfile.type: RuntimeDefault");
                written_wrong("/seccompProfile/type", true);
            }
            if !missing.is_empty() {
                let name = c.get("name").and_then(Value::as_str).unwrap_or("");
                // The one wrong field when it is the only problem, else the container's
                // `securityContext:` when written, else the container.
                let at = match (&wrong[..], missing.len()) {
                    ([only], 1) => only.clone(),
                    _ if sc.is_some_and(Value::is_object) => {
                        format!("{pointer}/securityContext")
                    }
                    _ => pointer.clone(),
                };
                out.object(
                    i,
                    &at,
                    format!(
                        "container `{name}` of {} lacks {}",
                        o.id(),
                        missing.join(", ")
                    ),
                    None,
                );
            }
        }
    }
}
