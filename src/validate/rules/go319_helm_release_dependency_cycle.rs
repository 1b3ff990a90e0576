//! GO319: HelmReleases that depend on each other in a cycle.

use super::helm::helm_releases;
use crate::validate::rule::{Context, Findings, Rule};

/// GO319
pub struct HelmReleaseDependencyCycle;

impl Rule for HelmReleaseDependencyCycle {
    fn code(&self) -> &'static str {
        "GO319"
    }
    fn name(&self) -> &'static str {
        "helm-release-dependency-cycle"
    }
    fn summary(&self) -> &'static str {
        "The dependsOn graph of the tree's HelmReleases has a cycle."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nFollowing `spec.dependsOn` from HelmRelease to HelmRelease never \
         comes back to where it started. The cycle is reported once, at the `dependsOn` \
         entry of its first member (by namespace and name) that closes it.\n\n\
         ## Why it matters\nEach release waits for the other to be ready: none is ever \
         installed.\n\n\
         ## Example\n```yaml\n# redis dependsOn app, app dependsOn redis\ndependsOn:\n  - name: app   # GO319\n```\n\n\
         ## Fix\nRemove one of the edges."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        super::graph::report_dependency_cycles(helm_releases(ctx), "HelmRelease ", out);
    }
}
