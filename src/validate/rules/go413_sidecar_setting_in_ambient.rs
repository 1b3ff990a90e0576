//! GO413: sidecar-only settings in a namespace of Istio's ambient mode.

use serde_json::Value;

use super::{ns, pod_template};
use crate::validate::rule::{Context, Findings, Grade, Rule};

/// GO413
pub struct SidecarSettingInAmbient;

impl Rule for SidecarSettingInAmbient {
    fn code(&self) -> &'static str {
        "GO413"
    }
    fn name(&self) -> &'static str {
        "sidecar-setting-in-ambient"
    }
    fn summary(&self) -> &'static str {
        "A namespace in Istio's ambient mode holds pods with sidecar.istio.io annotations, or a PeerAuthentication that disables mTLS: ambient ignores both."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nIn every namespace of the tree labelled \
         `istio.io/dataplane-mode: ambient`: pod templates with `sidecar.istio.io/` \
         annotations (except `sidecar.istio.io/inject` itself, and pods labelled \
         `sidecar.istio.io/inject: \"true\"`, which run a sidecar on purpose), and \
         PeerAuthentications whose `mtls.mode` is `DISABLE`.\n\n\
         ## Why it matters\nNo sidecar is injected in ambient mode, so the proxy settings do \
         nothing; ztunnel always speaks mutual TLS between mesh pods, so `DISABLE` is \
         ignored. Both say something the mesh does not do, typically left over from sidecar \
         mode.\n\n\
         ## Example\n```yaml\n# namespace shop: istio.io/dataplane-mode: ambient\nannotations:\n  sidecar.istio.io/proxyCPU: 100m   # GO413\n```\n\n\
         ## Fix\nDrop the annotation (size the waypoint instead), and the PeerAuthentication \
         (or use `PERMISSIVE`)."
    }
    fn grade(&self) -> Grade {
        Grade::Notice
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        let ambient: std::collections::BTreeSet<&str> = ctx
            .tree
            .of_kind("Namespace")
            .filter(|(_, o)| o.group().is_empty())
            .filter(|(_, o)| {
                o.at("/metadata/labels/istio.io~1dataplane-mode")
                    .and_then(Value::as_str)
                    == Some("ambient")
            })
            .map(|(_, o)| o.name())
            .collect();
        if ambient.is_empty() {
            return;
        }
        for (i, o) in ctx.tree.objects.iter().enumerate() {
            if !ambient.contains(ns(o)) {
                continue;
            }
            if let Some(template) = pod_template(o) {
                let meta = format!("{template}/metadata");
                let sidecar = o
                    .at(&format!("{meta}/labels/sidecar.istio.io~1inject"))
                    .and_then(Value::as_str)
                    == Some("true");
                if sidecar {
                    continue;
                }
                let annotations = o
                    .at(&format!("{meta}/annotations"))
                    .and_then(Value::as_object);
                for key in annotations.into_iter().flat_map(|a| a.keys()) {
                    if key.starts_with("sidecar.istio.io/") && key != "sidecar.istio.io/inject" {
                        out.object(
                            i,
                            &format!("{meta}/annotations/{}", key.replace('~', "~0").replace('/', "~1")),
                            format!(
                                "{} sets `{key}`, but namespace `{}` is in ambient mode: no sidecar is injected",
                                o.id(),
                                ns(o)
                            ),
                            None,
                        );
                    }
                }
            }
            let peer = o.kind() == "PeerAuthentication" && o.group() == "security.istio.io";
            if peer && o.at("/spec/mtls/mode").and_then(Value::as_str) == Some("DISABLE") {
                out.object(
                    i,
                    "/spec/mtls/mode",
                    format!(
                        "{} disables mTLS, but namespace `{}` is in ambient mode: ztunnel ignores DISABLE",
                        o.id(),
                        ns(o)
                    ),
                    None,
                );
            }
        }
    }
}
