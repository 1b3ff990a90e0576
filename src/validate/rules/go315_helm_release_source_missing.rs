//! GO315: a HelmRelease's chart source is not in the tree.

use super::helm::{helm_releases, reference};
use super::not_in_tree_help;
use crate::validate::rule::{Context, Findings, Rule};

/// GO315
pub struct HelmReleaseSourceMissing;

impl Rule for HelmReleaseSourceMissing {
    fn code(&self) -> &'static str {
        "GO315"
    }
    fn name(&self) -> &'static str {
        "helm-release-source-missing"
    }
    fn summary(&self) -> &'static str {
        "A HelmRelease's chart.spec.sourceRef or chartRef names no source in the tree."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\n`spec.chart.spec.sourceRef` (HelmRepository, GitRepository, Bucket) \
         and `spec.chartRef` (OCIRepository, HelmChart), the namespace defaulting to the \
         HelmRelease's, name an object of the tree. The `flux-system` GitRepository of \
         `flux bootstrap` always counts as present. A warning by default (another repository \
         may define the source), an error with `--self-contained`.\n\n\
         ## Why it matters\nhelm-controller cannot fetch the chart: the release never installs \
         and everything depending on it waits.\n\n\
         ## Example\n```yaml\nchartRef: {kind: OCIRepository, name: podinfo}   # GO315: no such OCIRepository\n```\n\n\
         ## Fix\nAdd the source next to the release, or correct the reference."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        out.outside_tree();
        for (i, hr) in helm_releases(ctx) {
            for pointer in ["/spec/chart/spec/sourceRef", "/spec/chartRef"] {
                let Some((kind, name, namespace)) = reference(hr, pointer) else {
                    continue;
                };
                if !kind.is_empty()
                    && !super::go303_flux_source_missing::created_by_flux(
                        ctx, kind, namespace, name,
                    )
                    && ctx.find(kind, namespace, name).is_empty()
                {
                    out.object(
                        i,
                        &format!("{pointer}/name"),
                        format!(
                            "{} takes its chart from {kind} {}, which is not in this tree",
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
