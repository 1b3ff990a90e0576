//! GO316: a HelmRelease installs whatever chart version is newest in a range.

use serde_json::Value;

use super::helm::helm_releases;
use crate::validate::rule::{Context, Findings, Grade, Rule};

/// GO316
pub struct HelmReleaseChartUnpinned;

/// `1.2.3`, `v1.2.3`, with an optional pre-release or build suffix: one version, not a range.
fn exact(version: &str) -> bool {
    let v = version.strip_prefix('v').unwrap_or(version);
    let core = v.split(['-', '+']).next().unwrap_or("");
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

impl Rule for HelmReleaseChartUnpinned {
    fn code(&self) -> &'static str {
        "GO316"
    }
    fn name(&self) -> &'static str {
        "helm-release-chart-unpinned"
    }
    fn summary(&self) -> &'static str {
        "A HelmRelease's chart.spec.version is a range or missing: each new chart release installs by itself."
    }
    fn grade(&self) -> Grade {
        Grade::Hygiene
    }
    fn doc(&self) -> &'static str {
        "## What it checks\n`spec.chart.spec.version` of a HelmRelease is one exact version \
         (`1.2.3`, `v1.2.3`, with an optional pre-release). A semver range (`>=1.0.0 <2.0.0`, \
         `1.x`, `~1.2`, `*`) or no version (Flux then takes `*`) is reported: an error under \
         `--policy strict` (production), a warning under `relaxed`. Releases that \
         take their chart through `chartRef` are pinned where the OCIRepository or HelmChart \
         is, and are not judged here.\n\n\
         ## Why it matters\nA chart release nobody reviewed is installed as soon as it is \
         published, with its new defaults and CRDs, in every cluster at once.\n\n\
         ## Example\n```yaml\nchart:\n  spec: {chart: redis, version: \">=20.0.0\"}   # GO316\n```\n\n\
         ## Fix\nPin the version (and let Renovate or Dependabot propose updates)."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        for (i, hr) in helm_releases(ctx) {
            if hr.at("/spec/chart/spec").is_none() {
                continue;
            }
            match hr.at("/spec/chart/spec/version").and_then(Value::as_str) {
                Some(v) if exact(v) => {}
                Some(v) => out.object(
                    i,
                    "/spec/chart/spec/version",
                    format!("{} installs any chart version in `{v}`", hr.id()),
                    Some("pin one version".into()),
                ),
                None => out.object(
                    i,
                    "/spec/chart/spec/chart",
                    format!(
                        "{} has no chart version: the newest release of the chart installs",
                        hr.id()
                    ),
                    Some("pin one version with `version:`".into()),
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn exact_versions_and_ranges() {
        for v in ["1.2.3", "v0.29.0", "1.0.0-rc.1", "2.1.0+build.5"] {
            assert!(super::exact(v), "{v}");
        }
        for v in [
            "*",
            "1.x",
            ">=1.0.0 <2.0.0",
            "~1.2",
            "^1.2.3",
            "1.2",
            "",
            "v1",
        ] {
            assert!(!super::exact(v), "{v}");
        }
    }
}
