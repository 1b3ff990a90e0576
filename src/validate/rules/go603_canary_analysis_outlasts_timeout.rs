//! GO603: a Canary whose shortest successful analysis outlasts the timeout of the Flux
//! Kustomization that applies it and waits for it.

use serde_json::Value;

use super::flagger::{canaries, seconds};
use super::ns;
use crate::validate::rule::{Context, Findings, Grade, Rule};
use crate::validate::tree::Object;

/// GO603
pub struct CanaryAnalysisOutlastsTimeout;

impl Rule for CanaryAnalysisOutlastsTimeout {
    fn code(&self) -> &'static str {
        "GO603"
    }
    fn name(&self) -> &'static str {
        "canary-analysis-outlasts-timeout"
    }
    fn summary(&self) -> &'static str {
        "The shortest analysis of a Flagger Canary that ends in promotion takes longer than the timeout of the Flux Kustomization that applies it and waits for it."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nFor a Canary applied by a Flux Kustomization that waits for it \
         (`spec.wait: true`, or a `spec.healthChecks` entry naming it), the shortest analysis \
         that promotes, `analysis.interval × steps`, against the Kustomization's \
         `spec.timeout` (its `spec.interval` when unset). The steps are `analysis.iterations` \
         (blue-green, A/B), else the length of `analysis.stepWeights`, else \
         `ceil(maxWeight / stepWeight)` (`maxWeight` 100 when unset); the interval is 1m when \
         unset. A Canary without a step setting, or a Kustomization that does not wait, is \
         not judged. The formula is a lower bound: failed checks (up to `threshold − 1`) \
         each repeat a step, and the promotion takes one more interval.\n\n\
         ## Why it matters\nThe Kustomization reports a health-check timeout on every release, \
         even one that Flagger then promotes; Kustomizations that depend on it wait, and \
         alerts fire for releases that are fine.\n\n## Example\n```yaml\n# Kustomization: \
         wait: true, timeout: 5m\nanalysis: {interval: 1m, stepWeight: 5, maxWeight: 50}   # GO603: at least 10m\n```\n\n\
         ## Fix\nRaise the Kustomization's `spec.timeout` to at least `interval × (steps + \
         threshold)`, or shorten the analysis (a shorter interval, bigger steps)."
    }
    fn grade(&self) -> Grade {
        Grade::Hygiene
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        let units = &ctx.tree.applied.units;
        for (i, canary) in canaries(ctx) {
            let Some(unit) = canary.unit.and_then(|u| units.get(u)) else {
                continue;
            };
            if unit.origin.is_none() {
                continue;
            }
            let Some((k_ns, k_name)) = unit.id.split_once('/') else {
                continue;
            };
            let Some(ks) = ctx
                .find("Kustomization", k_ns, k_name)
                .iter()
                .map(|&k| &ctx.tree.objects[k])
                .find(|k| k.group() == "kustomize.toolkit.fluxcd.io")
            else {
                continue;
            };
            if !waits_for(ks, canary) {
                continue;
            }
            let Some(steps) = steps(canary) else {
                continue;
            };
            let interval = match canary.at("/spec/analysis/interval").and_then(Value::as_str) {
                Some(text) => match seconds(text) {
                    Some(s) => s,
                    None => continue,
                },
                None => 60.0,
            };
            let timeout_text = ks
                .at("/spec/timeout")
                .or_else(|| ks.at("/spec/interval"))
                .and_then(Value::as_str);
            let Some(timeout) = timeout_text.and_then(seconds) else {
                continue;
            };
            let least = interval * f64::from(steps);
            if timeout < least {
                out.object(
                    i,
                    "/spec/analysis",
                    format!(
                        "{} needs at least {} to promote ({} × {steps} steps), longer than the timeout {} of Kustomization {}, which waits for it",
                        canary.id(),
                        human(least),
                        human(interval),
                        timeout_text.unwrap_or_default(),
                        unit.id
                    ),
                    Some("raise the Kustomization's `spec.timeout` to at least interval × (steps + threshold)".into()),
                );
            }
        }
    }
}

/// The Kustomization waits for the Canary to be ready: `wait: true`, or a health check
/// that names it.
fn waits_for(ks: &Object, canary: &Object) -> bool {
    if ks.at("/spec/wait").and_then(Value::as_bool) == Some(true) {
        return true;
    }
    ks.at("/spec/healthChecks")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|h| {
            h.get("kind").and_then(Value::as_str) == Some("Canary")
                && h.get("name").and_then(Value::as_str) == Some(canary.name())
                && h.get("namespace").and_then(Value::as_str).unwrap_or(ns(ks)) == ns(canary)
        })
}

/// The checks of an analysis that promotes without a failed one.
fn steps(canary: &Object) -> Option<u32> {
    let num = |p: &str| {
        canary
            .at(&format!("/spec/analysis/{p}"))
            .and_then(Value::as_f64)
    };
    if let Some(n) = num("iterations") {
        return (n >= 1.0).then(|| n.min(1e6) as u32);
    }
    let weights = canary
        .at("/spec/analysis/stepWeights")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    if weights > 0 {
        return u32::try_from(weights).ok();
    }
    let step = num("stepWeight").filter(|s| *s >= 1.0)?;
    let max = num("maxWeight").unwrap_or(100.0);
    Some((max / step).ceil().clamp(1.0, 1e6) as u32)
}

/// Seconds as Flux writes a duration: whole minutes as `10m`, else seconds.
fn human(seconds: f64) -> String {
    if seconds % 60.0 == 0.0 {
        format!("{}m", seconds / 60.0)
    } else {
        format!("{seconds}s")
    }
}
