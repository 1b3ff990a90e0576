//! GO004: an apiVersion that the kind's CRD no longer serves.

use crate::validate::rule::{Context, Findings, Rule};
use crate::validate::schema::Lookup;
use crate::validate::tree::Object;

/// GO004
pub struct ApiVersionNotServed;

impl Rule for ApiVersionNotServed {
    fn code(&self) -> &'static str {
        "GO004"
    }
    fn name(&self) -> &'static str {
        "api-version-not-served"
    }
    fn summary(&self) -> &'static str {
        "An object uses an apiVersion its kind is not served in (image.toolkit.fluxcd.io/v1beta2, extensions/v1beta1 Ingress, apps/v1 Pod)."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nThe object's kind is known, but not in its `apiVersion`; or its \
         `apiVersion` is of a group the API server serves itself (`apps`, `batch`, \
         `networking.k8s.io`, …, and `extensions`, removed in Kubernetes 1.22), which does \
         not serve the kind (`extensions/v1beta1` Ingress, `apps/v1` Pod).\n\n\
         ## Why it matters\nThe API server rejects the object; Flux 2.9 no longer serves the \
         v1beta2 image APIs nor v1beta1/v1beta2 of most other kinds.\n\n\
         ## Example\n```yaml\napiVersion: image.toolkit.fluxcd.io/v1beta2   # GO004\nkind: ImagePolicy\n```\n\n\
         ## Fix\nMove to a served version (the message lists them)."
    }
    fn per_object(&self) -> bool {
        true
    }
    fn check_object(&self, ctx: &Context<'_>, i: usize, o: &Object, out: &mut Findings<'_>) {
        if let Lookup::VersionNotServed { served } = ctx.schemas.lookup(o.api_version(), o.kind()) {
            out.object(
                i,
                "/apiVersion",
                format!("{} is not served in {}", o.kind(), o.api_version()),
                (!served.is_empty()).then(|| format!("served: {}", served.join(", "))),
            );
        }
    }
}
