//! GO007: a custom resource that fails a validation rule (`x-kubernetes-validations`) of its CRD.

use crate::validate::rule::{Context, Findings, Rule};
use crate::validate::tree::Object;

/// GO007
pub struct CrdRuleFails;

impl Rule for CrdRuleFails {
    fn code(&self) -> &'static str {
        "GO007"
    }
    fn name(&self) -> &'static str {
        "crd-rule-fails"
    }
    fn summary(&self) -> &'static str {
        "A custom resource fails a CEL validation rule (`x-kubernetes-validations`) of its CRD."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nThe CEL rules a CRD declares in its schema, evaluated where they \
         are declared, on create (transition rules that read `oldSelf` are skipped), with the \
         CRD's message, after the CRD's defaults (`default`) below the rule's field are applied, \
         as the API server does (a Gateway API `backendRef` is of kind `Service` unless it \
         says otherwise). A rule fails when it is `false`, or when it cannot evaluate the \
         value (`duration()` of a string that is no duration), as the API server reports it. \
         Rules calling functions the evaluator lacks (`url()`, `quantity()`, `ip()`, …) are \
         skipped, never guessed at.\n\n## Why it matters\nThe API server refuses \
         the object when Flux applies it; the schema alone (GO003) cannot see rules that relate \
         fields, such as Istio's one-of constraints or Flux's \"only with\" settings.\n\n\
         ## Example\n```yaml\napiVersion: image.toolkit.fluxcd.io/v1\nkind: ImagePolicy\n\
         spec:   # GO007 spec.interval is only accepted when spec.digestReflectionPolicy is Always\n  \
         interval: 5m\n```\n\n## Fix\nDo what the message says; `kubectl explain` shows the field."
    }
    fn per_object(&self) -> bool {
        true
    }
    fn check_object(&self, ctx: &Context<'_>, i: usize, o: &Object, out: &mut Findings<'_>) {
        if super::go501_plaintext_secret::sops_encrypted(&o.value) {
            return;
        }
        for rule in ctx.schemas.cel_rules(o.api_version(), o.kind()) {
            for f in rule.check(&o.value) {
                out.object(i, &f.pointer, f.message, None);
            }
        }
    }
}
