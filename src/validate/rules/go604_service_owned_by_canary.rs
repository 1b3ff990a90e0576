//! GO604: a Service of the tree with a name Flagger gives the Services it creates.

use super::flagger::{canaries, generated_services};
use super::ns;
use crate::validate::rule::{Context, Findings, Grade, Rule};

/// GO604
pub struct ServiceOwnedByCanary;

impl Rule for ServiceOwnedByCanary {
    fn code(&self) -> &'static str {
        "GO604"
    }
    fn name(&self) -> &'static str {
        "service-owned-by-canary"
    }
    fn summary(&self) -> &'static str {
        "A Service of the tree is named as one of the Services a Flagger Canary creates (`<name>`, `<name>-primary`, `<name>-canary`)."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nFor every Canary, Services in its namespace named `<apex>`, \
         `<apex>-primary` or `<apex>-canary`, where the apex is `spec.service.name` or else \
         `spec.targetRef.name`.\n\n## Why it matters\nFlagger creates these Services and \
         takes over one that exists: it points the apex Service's selector at the primary's \
         pods (`app: <name>-primary`). Flux applies the written selector again at every \
         reconciliation, so the apex Service flips between the canary's pods and the \
         primary's, and traffic bypasses the analysis.\n\n## Example\n```yaml\nkind: Service\n\
         metadata: {name: podinfo, namespace: test}   # GO604 (a Canary targets Deployment podinfo)\n```\n\n\
         ## Fix\nDelete the Service from the repository: Flagger creates all three, with the \
         ports of the Canary's `spec.service`."
    }
    fn grade(&self) -> Grade {
        Grade::Notice
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        for (_, canary) in canaries(ctx) {
            let namespace = ns(canary);
            for name in generated_services(canary) {
                for &i in ctx.find("Service", namespace, &name) {
                    if !ctx.tree.objects[i].group().is_empty() {
                        continue;
                    }
                    out.object(
                        i,
                        "/metadata/name",
                        format!(
                            "Service {namespace}/{name} is one Flagger creates for {}: Flagger and Flux would both write it",
                            canary.id()
                        ),
                        Some("remove it from the repository; Flagger creates it from the Canary's `spec.service`".into()),
                    );
                }
            }
        }
    }
}
