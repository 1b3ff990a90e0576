//! GO318: a HelmRelease depends on a HelmRelease the tree does not hold.

use serde_json::Value;

use super::helm::helm_releases;
use super::{not_in_tree_help, ns};
use crate::validate::rule::{Context, Findings, Rule};

/// GO318
pub struct HelmReleaseDependencyMissing;

impl Rule for HelmReleaseDependencyMissing {
    fn code(&self) -> &'static str {
        "GO318"
    }
    fn name(&self) -> &'static str {
        "helm-release-dependency-missing"
    }
    fn summary(&self) -> &'static str {
        "A HelmRelease's dependsOn names a HelmRelease that is not in the tree."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nEvery `spec.dependsOn` entry (namespace defaulting to the \
         HelmRelease's) names a HelmRelease of the tree. A warning by default, an error with \
         `--self-contained`.\n\n\
         ## Why it matters\nhelm-controller does not install the release until the \
         dependency is ready, so a wrong name blocks it for good.\n\n\
         ## Example\n```yaml\ndependsOn:\n  - name: cert-manger   # GO318\n```\n\n\
         ## Fix\nCorrect the name or the namespace."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        out.outside_tree();
        for (i, hr) in helm_releases(ctx) {
            // One finding per dependency, however often it is listed.
            let mut seen = std::collections::BTreeSet::new();
            for (j, d) in hr
                .at("/spec/dependsOn")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                // An empty name is the schema's to report (minLength).
                let Some(name) = d
                    .get("name")
                    .and_then(Value::as_str)
                    .filter(|n| !n.is_empty())
                else {
                    continue;
                };
                let namespace = d.get("namespace").and_then(Value::as_str).unwrap_or(ns(hr));
                if !seen.insert((namespace, name)) {
                    continue;
                }
                if ctx.find("HelmRelease", namespace, name).is_empty() {
                    out.object(
                        i,
                        &format!("/spec/dependsOn/{j}/name"),
                        format!(
                            "{} depends on HelmRelease {}, which is not in this tree",
                            hr.id(),
                            super::qualified(namespace, name)
                        ),
                        not_in_tree_help(),
                    );
                }
            }
        }
    }
}
