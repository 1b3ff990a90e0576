//! GO010: a workload whose selector does not select its own pod template.

use serde_json::Value;

use crate::validate::rule::{Context, Findings, Rule};
use crate::validate::tree::Object;

/// GO010
pub struct SelectorMissesTemplate;

impl Rule for SelectorMissesTemplate {
    fn code(&self) -> &'static str {
        "GO010"
    }
    fn name(&self) -> &'static str {
        "selector-misses-template"
    }
    fn summary(&self) -> &'static str {
        "A Deployment, StatefulSet, DaemonSet or ReplicaSet whose selector does not match its pod template's labels."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nThe `spec.selector` (`matchLabels` and `matchExpressions`) of an \
         `apps/v1` Deployment, StatefulSet, DaemonSet or ReplicaSet selects the labels of \
         its own `spec.template`, as kube-apiserver requires (`selector does not match \
         template labels`).\n\n\
         ## Why it matters\nThe API server refuses the object, so Flux fails the whole \
         Kustomization it belongs to.\n\n\
         ## Example\n```yaml\nspec:\n  selector:\n    matchLabels:\n      app: web   # GO010\n  template:\n    metadata:\n      labels:\n        app: frontend\n```\n\n\
         ## Fix\nMake the template carry every label the selector asks for. The selector \
         cannot be changed after creation; change the template's labels."
    }
    fn per_object(&self) -> bool {
        true
    }
    fn check_object(&self, ctx: &Context<'_>, i: usize, o: &Object, out: &mut Findings<'_>) {
        if o.group() != "apps"
            || !matches!(
                o.kind(),
                "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet"
            )
            || !ctx.has_schema(i)
        {
            return;
        }
        let Some(selector) = o.at("/spec/selector").filter(|s| s.is_object()) else {
            return;
        };
        let empty = serde_json::Map::new();
        let labels = o
            .at("/spec/template/metadata/labels")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        if super::label_selector_matches(selector, labels) {
            return;
        }
        let pointer = if selector
            .get("matchLabels")
            .and_then(Value::as_object)
            .is_some_and(|m| !m.is_empty())
        {
            "/spec/selector/matchLabels"
        } else {
            "/spec/selector"
        };
        out.object(
            i,
            pointer,
            format!(
                "{}: the selector does not match the labels of the pod template",
                o.id()
            ),
            Some("the pods it makes must carry every label it selects".into()),
        );
    }
}
