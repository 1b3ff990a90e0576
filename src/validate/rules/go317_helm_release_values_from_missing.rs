//! GO317: a HelmRelease reads values from a ConfigMap or Secret the tree does not hold.

use serde_json::Value;

use super::helm::helm_releases;
use super::{not_in_tree_help, ns};
use crate::validate::rule::{Context, Findings, Rule};

/// GO317
pub struct HelmReleaseValuesFromMissing;

/// True when `object_name` is `name` with the ten-character content hash a kustomize
/// generator adds.
fn hashed(object_name: &str, name: &str) -> bool {
    object_name.strip_prefix(name).is_some_and(|rest| {
        rest.len() == 11
            && rest.starts_with('-')
            && rest[1..]
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

/// The name of the object the tree provides as a `kind` of `namespace` that `accept`s its
/// name: the object itself, or for a Secret what writes one (SealedSecret, ExternalSecret).
fn provided<'a>(
    ctx: &'a Context<'_>,
    kind: &str,
    namespace: &str,
    accept: &dyn Fn(&str) -> bool,
) -> Option<&'a str> {
    ctx.tree.objects.iter().find_map(|o| {
        if ns(o) != namespace {
            return None;
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
        written.filter(|w| accept(w))
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
         itself, or for a Secret a SealedSecret or ExternalSecret that writes it. The tree is \
         what the builds yield: a kustomize generator's object has its hash suffix, and the \
         reference has it too only where a `configurations` file teaches kustomize that a \
         HelmRelease's `spec/valuesFrom/name` names a ConfigMap or Secret (`nameReference`); \
         a reference left without the suffix is reported with the generated name. A warning \
         by default (a controller or another repository may create it), an error with \
         `--self-contained`.\n\n\
         ## Why it matters\nhelm-controller waits for the object: the release is not \
         installed or upgraded until it exists.\n\n\
         ## Example\n```yaml\nvaluesFrom:\n  - {kind: ConfigMap, name: podinfo-valuez}   # GO317\n```\n\n\
         ## Fix\nAdd the object (or a generator for it), correct the name, or mark the entry \
         `optional: true`. For a generated object, list a `configurations` file holding \
         `nameReference: [{kind: ConfigMap, version: v1, fieldSpecs: [{path: \
         spec/valuesFrom/name, kind: HelmRelease}]}]` (and the same for `Secret`), or set \
         `options.disableNameSuffixHash: true` on the generator."
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
                if !matches!(kind, "ConfigMap" | "Secret")
                    || provided(ctx, kind, ns(hr), &|w| w == name).is_some()
                {
                    continue;
                }
                let generated = provided(ctx, kind, ns(hr), &|w| hashed(w, name));
                let (message, help) = match generated {
                    Some(g) => (
                        format!(
                            "{} reads values from {kind} {}/{name}, but the tree holds the \
                             generated `{g}`: the reference is not rewritten",
                            hr.id(),
                            ns(hr)
                        ),
                        Some(
                            "kustomize writes a generated name only into fields it knows: list \
                             a `configurations` file with a `nameReference` for HelmRelease \
                             `spec/valuesFrom/name`, or disable the generator's name suffix hash"
                                .to_owned(),
                        ),
                    ),
                    None => (
                        format!(
                            "{} reads values from {kind} {}, which is not in this tree",
                            hr.id(),
                            super::qualified(ns(hr), name)
                        ),
                        not_in_tree_help(),
                    ),
                };
                out.object(i, &format!("/spec/valuesFrom/{j}/name"), message, help);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_generated_name_is_the_name_with_a_hash() {
        assert!(super::hashed("podinfo-values-5f8k2m9t7b", "podinfo-values"));
        assert!(!super::hashed("podinfo-values", "podinfo-values"));
        assert!(!super::hashed("podinfo-values-extra", "podinfo-values"));
        assert!(!super::hashed("podinfo", "podinfo-values"));
    }
}
