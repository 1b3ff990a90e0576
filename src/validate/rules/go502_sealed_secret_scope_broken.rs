//! GO502: a SealedSecret that cannot be decrypted where it will be applied.

use serde_json::Value;

use super::go303_flux_source_missing::flux_kustomizations;
use crate::validate::rule::{Context, Findings, Rule};
use crate::validate::tree::normalize;

/// GO502
pub struct SealedSecretScopeBroken;

const NAMESPACE_WIDE: &str = "sealedsecrets.bitnami.com/namespace-wide";
const CLUSTER_WIDE: &str = "sealedsecrets.bitnami.com/cluster-wide";

impl Rule for SealedSecretScopeBroken {
    fn code(&self) -> &'static str {
        "GO502"
    }
    fn name(&self) -> &'static str {
        "sealed-secret-scope-broken"
    }
    fn summary(&self) -> &'static str {
        "A strict or namespace-wide SealedSecret is moved to another namespace, or a strict one renamed, by a Flux Kustomization or kustomization.yaml."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nSealed values are bound to the final name and namespace (strict) or \
         namespace (namespace-wide). For SealedSecrets under the path of a Flux Kustomization \
         with `targetNamespace`, `namePrefix` or `nameSuffix`, or in a directory whose \
         `kustomization.yaml` sets `namespace`, `namePrefix` or `nameSuffix`, the final \
         namespace (and for strict scope the name) must be the ones written in the object.\n\n\
         ## Why it matters\nThe controller reports `no key could decrypt secret` after the \
         deployment, and the workload starts without its secrets.\n\n\
         ## Example\nA strict SealedSecret with `metadata.namespace: default` under a \
         Kustomization with `targetNamespace: orders` → GO502.\n\n\
         ## Fix\nSeal for the final namespace and name, or seal `cluster-wide`."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        // (directory prefix, target namespace, renames)
        let mut movers: Vec<(String, Option<String>, bool, String)> = Vec::new();
        for (_, k) in flux_kustomizations(ctx) {
            let path = normalize(
                "",
                k.at("/spec/path").and_then(Value::as_str).unwrap_or("./"),
            );
            let target = k
                .at("/spec/targetNamespace")
                .and_then(Value::as_str)
                .map(str::to_owned);
            let renames = k.at("/spec/namePrefix").is_some() || k.at("/spec/nameSuffix").is_some();
            if target.is_some() || renames {
                movers.push((path, target, renames, k.id()));
            }
        }
        for kz in &ctx.tree.kustomizations {
            let display = &ctx.tree.file(kz.file).display;
            let dir = display.rsplit_once('/').map_or("", |(d, _)| d).to_owned();
            let target = kz
                .value
                .get("namespace")
                .and_then(Value::as_str)
                .map(str::to_owned);
            let renames =
                kz.value.get("namePrefix").is_some() || kz.value.get("nameSuffix").is_some();
            if target.is_some() || renames {
                movers.push((dir, target, renames, display.clone()));
            }
        }
        for (i, s) in ctx.tree.of_kind("SealedSecret") {
            let annotation = |key: &str| {
                s.at(&format!("/metadata/annotations/{}", key.replace('/', "~1")))
                    .and_then(Value::as_str)
                    == Some("true")
            };
            if annotation(CLUSTER_WIDE) {
                continue;
            }
            let strict = !annotation(NAMESPACE_WIDE);
            if s.unit.is_some() {
                built(ctx, out, i, strict);
                continue;
            }
            let file = &ctx.tree.file(s.file).display;
            for (prefix, target, renames, by) in &movers {
                let under = prefix.is_empty() || file.starts_with(&format!("{prefix}/"));
                if !under {
                    continue;
                }
                if let Some(target) = target {
                    if s.namespace() != Some(target.as_str()) {
                        out.object(i, "/metadata", format!("{} is sealed for namespace {}, but {by} applies it in {target}: it cannot be decrypted there", s.id(), s.namespace().unwrap_or("(none)")), Some("seal for the final namespace, or seal cluster-wide".into()));
                    }
                }
                if *renames && strict {
                    out.object(i, "/metadata/name", format!("{} is sealed with strict scope, but {by} renames it: it cannot be decrypted", s.id()), Some("seal for the final name, or use namespace-wide scope".into()));
                }
            }
        }
    }
}

/// A built SealedSecret: its final namespace and name against the ones written in its file
/// (what it was sealed for); the finding names what moved or renamed it.
fn built(ctx: &Context<'_>, out: &mut Findings<'_>, i: usize, strict: bool) {
    let s = &ctx.tree.objects[i];
    let Some(written) = ctx.tree.written(s) else {
        return;
    };
    let text = |v: &Value, p: &str| v.pointer(p).and_then(Value::as_str).map(str::to_owned);
    let by = |pointer: &str| {
        let (file, span) = ctx.tree.locate(s, pointer);
        format!("{}:{}", ctx.tree.file(file).display, span.line)
    };
    let sealed_ns = text(written, "/metadata/namespace");
    if s.namespace().map(str::to_owned) != sealed_ns {
        out.at_source(
            i,
            "/metadata",
            format!(
                "{} is sealed for namespace {}, but {} applies it in {}: it cannot be decrypted there",
                s.id(),
                sealed_ns.as_deref().unwrap_or("(none)"),
                by("/metadata/namespace"),
                s.namespace().unwrap_or("(none)")
            ),
            Some("seal for the final namespace, or seal cluster-wide".into()),
        );
    }
    if strict && text(written, "/metadata/name").as_deref() != Some(s.name()) {
        out.at_source(
            i,
            "/metadata/name",
            format!(
                "{} is sealed with strict scope, but {} renames it: it cannot be decrypted",
                s.id(),
                by("/metadata/name")
            ),
            Some("seal for the final name, or use namespace-wide scope".into()),
        );
    }
}
