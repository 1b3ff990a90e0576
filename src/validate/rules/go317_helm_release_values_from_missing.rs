//! GO317: a HelmRelease reads values from a ConfigMap or Secret the tree does not hold.

use serde_json::Value;

use super::helm::helm_releases;
use super::{not_in_tree_help, ns};
use crate::validate::rule::{Context, Findings, Rule};

/// GO317
pub struct HelmReleaseValuesFromMissing;

/// `name` itself, or `name` with the ten-character content hash a kustomize generator adds
/// (the reference is rewritten by a `configurations` entry, which the build only notes).
fn names_it(object_name: &str, name: &str) -> bool {
    object_name == name
        || object_name.strip_prefix(name).is_some_and(|rest| {
            rest.len() == 11
                && rest.starts_with('-')
                && rest[1..]
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// True when the tree provides a `kind` of that name in `namespace`: the object itself, or
/// for a Secret what writes one (SealedSecret, ExternalSecret).
fn provided(ctx: &Context<'_>, kind: &str, namespace: &str, name: &str) -> bool {
    ctx.tree.objects.iter().any(|o| {
        if ns(o) != namespace {
            return false;
        }
        let written = match (kind, o.kind()) {
            (k, own) if k == own && matches!(o.group(), "" | "core") => Some(o.name()),
            ("Secret", "SealedSecret") => Some(
                o.at("/spec/template/metadata/name")
                    .and_then(Value::as_str)
                    .unwrap_or(o.name()),
            ),
            ("Secret", "ExternalSecret") => Some(
                o.at("/spec/target/name")
                    .and_then(Value::as_str)
                    .unwrap_or(o.name()),
            ),
            _ => None,
        };
        written.is_some_and(|w| names_it(w, name))
    })
}

impl Rule for HelmReleaseValuesFromMissing {
    fn code(&self) -> &'static str {
        "GO317"
    }
    fn name(&self) -> &'static str {
        "helm-release-values-from-missing"
    }
    fn summary(&self) -> &'static str {
        "A HelmRelease's valuesFrom names a ConfigMap or Secret that is not in the tree."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nEvery `spec.valuesFrom` entry without `optional: true` names a \
         ConfigMap or Secret of the HelmRelease's namespace that the tree holds: the object \
         itself (also with a kustomize generator's hash suffix), or for a Secret a \
         SealedSecret or ExternalSecret that writes it. A warning by default (a controller or \
         another repository may create it), an error with `--self-contained`.\n\n\
         ## Why it matters\nhelm-controller waits for the object: the release is not \
         installed or upgraded until it exists.\n\n\
         ## Example\n```yaml\nvaluesFrom:\n  - {kind: ConfigMap, name: podinfo-valuez}   # GO317\n```\n\n\
         ## Fix\nAdd the object (or a generator for it), correct the name, or mark the entry \
         `optional: true`."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        out.outside_tree();
        for (i, hr) in helm_releases(ctx) {
            for (j, v) in hr
                .at("/spec/valuesFrom")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                if v.get("optional").and_then(Value::as_bool) == Some(true) {
                    continue;
                }
                let (Some(kind), Some(name)) = (
                    v.get("kind").and_then(Value::as_str),
                    v.get("name").and_then(Value::as_str),
                ) else {
                    continue;
                };
                if !matches!(kind, "ConfigMap" | "Secret") || provided(ctx, kind, ns(hr), name) {
                    continue;
                }
                out.object(
                    i,
                    &format!("/spec/valuesFrom/{j}/name"),
                    format!(
                        "{} reads values from {kind} {}/{name}, which is not in this tree",
                        hr.id(),
                        ns(hr)
                    ),
                    not_in_tree_help(),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_generated_name_names_its_generator() {
        assert!(super::names_it("podinfo-values", "podinfo-values"));
        assert!(super::names_it(
            "podinfo-values-5f8k2m9t7b",
            "podinfo-values"
        ));
        assert!(!super::names_it("podinfo-values-extra", "podinfo-values"));
        assert!(!super::names_it("podinfo", "podinfo-values"));
    }
}
