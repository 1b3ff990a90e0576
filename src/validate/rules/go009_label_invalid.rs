//! GO009: a label or annotation the API server refuses.

use serde_json::{Map, Value};

use crate::source::yaml::escape_pointer_token;
use crate::validate::apiserver::names::{label_value, qualified_name};
use crate::validate::rule::{Context, Findings, Rule};
use crate::validate::tree::Object;

use super::go008_name_invalid::unsubstituted;

/// GO009
pub struct LabelInvalid;

impl Rule for LabelInvalid {
    fn code(&self) -> &'static str {
        "GO009"
    }
    fn name(&self) -> &'static str {
        "label-invalid"
    }
    fn summary(&self) -> &'static str {
        "A label key or value, or an annotation key, that the API server refuses."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nLabels and annotations as kube-apiserver validates them, on every \
         object and on pod templates, and the labels of `matchLabels` selectors and of a \
         Service's `selector`:\n\
         - a key (of a label or an annotation) is a qualified name: an optional DNS-1123 \
         subdomain prefix and `/`, then at most 63 letters, digits, `-`, `_` and `.`, \
         starting and ending with a letter or digit;\n\
         - a label value is empty or at most 63 of the same characters, starting and ending \
         with a letter or digit.\n\n\
         ## Why it matters\nThe API server refuses the object, so Flux fails the whole \
         Kustomization it belongs to.\n\n\
         ## Example\n```yaml\nmetadata:\n  labels:\n    app: two words   # GO009\n```\n\n\
         ## Fix\nUse a value such as `two-words`; put free text in an annotation."
    }
    fn per_object(&self) -> bool {
        true
    }
    fn check_object(&self, ctx: &Context<'_>, i: usize, o: &Object, out: &mut Findings<'_>) {
        if !ctx.has_schema(i) {
            return;
        }
        labels(i, o, "/metadata/labels", out);
        annotations(i, o, "/metadata/annotations", out);
        if let Some(template) = super::pod_template(o).filter(|t| !t.is_empty()) {
            labels(i, o, &format!("{template}/metadata/labels"), out);
            annotations(i, o, &format!("{template}/metadata/annotations"), out);
        }
        if matches!(o.group(), "apps" | "batch" | "policy") {
            labels(i, o, "/spec/selector/matchLabels", out);
        }
        if (o.group(), o.kind()) == ("", "Service") {
            labels(i, o, "/spec/selector", out);
        }
    }
}

fn map<'a>(o: &'a Object, pointer: &str) -> Option<&'a Map<String, Value>> {
    o.at(pointer).and_then(Value::as_object)
}

fn labels(i: usize, o: &Object, pointer: &str, out: &mut Findings<'_>) {
    // The pointer is made only for a finding: most labels have none.
    let at = |key: &str| format!("{pointer}/{}", escape_pointer_token(key));
    for (key, value) in map(o, pointer).into_iter().flatten() {
        if unsubstituted(key) {
            continue;
        }
        if let Some(problem) = qualified_name(key) {
            out.object(
                i,
                &at(key),
                format!("{}: label key `{key}` {problem}", o.id()),
                None,
            );
        }
        if let Some(v) = value.as_str().filter(|v| !unsubstituted(v)) {
            if let Some(problem) = label_value(v) {
                out.object(
                    i,
                    &at(key),
                    format!("{}: the value of label `{key}` {problem}", o.id()),
                    None,
                );
            }
        }
    }
}

fn annotations(i: usize, o: &Object, pointer: &str, out: &mut Findings<'_>) {
    for key in map(o, pointer).into_iter().flatten().map(|(k, _)| k) {
        if unsubstituted(key) {
            continue;
        }
        // `ValidateAnnotations` judges the key lower-cased.
        let lower = if key.bytes().any(|b| b.is_ascii_uppercase()) || !key.is_ascii() {
            std::borrow::Cow::Owned(key.to_lowercase())
        } else {
            std::borrow::Cow::Borrowed(key.as_str())
        };
        if let Some(problem) = qualified_name(&lower) {
            out.object(
                i,
                &format!("{pointer}/{}", escape_pointer_token(key)),
                format!("{}: annotation key `{key}` {problem}", o.id()),
                None,
            );
        }
    }
}
