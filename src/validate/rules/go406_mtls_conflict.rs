//! GO406: STRICT mTLS for a workload whose clients are told to send plain text.

use serde_json::Value;

use super::istio::{is_istio, service_of};
use super::ns;
use crate::validate::rule::{Context, Findings, Rule};

/// GO406
pub struct MtlsConflict;

impl Rule for MtlsConflict {
    fn code(&self) -> &'static str {
        "GO406"
    }
    fn name(&self) -> &'static str {
        "mtls-conflict"
    }
    fn summary(&self) -> &'static str {
        "A DestinationRule disables TLS (tls.mode DISABLE) for a host whose namespace requires STRICT mTLS."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nFor each DestinationRule with `trafficPolicy.tls.mode: DISABLE` \
         whose host is a Service of namespace N, no PeerAuthentication in N (or in the mesh \
         root `istio-system`) sets `mtls.mode: STRICT`. Istio retired its own analyzer for \
         this.\n\n## Why it matters\nClients send plain text, servers accept only mTLS: every \
         connection is reset.\n\n\
         ## Example\n```yaml\ntrafficPolicy: {tls: {mode: DISABLE}}   # GO406, namespace orders is STRICT\n```\n\n\
         ## Fix\nUse `ISTIO_MUTUAL`, or make the namespace PERMISSIVE."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        for (i, dr) in ctx
            .tree
            .of_kind("DestinationRule")
            .filter(|(_, o)| is_istio(o))
        {
            if dr
                .at("/spec/trafficPolicy/tls/mode")
                .and_then(Value::as_str)
                != Some("DISABLE")
            {
                continue;
            }
            let Some(host) = dr.at("/spec/host").and_then(Value::as_str) else {
                continue;
            };
            let Some((svc_ns, _)) = service_of(host, ns(dr)) else {
                continue;
            };
            let strict = ctx
                .tree
                .of_kind("PeerAuthentication")
                .filter(|(_, o)| is_istio(o))
                .any(|(_, pa)| {
                    matches!(pa.namespace(), Some(n) if n == svc_ns || n == "istio-system")
                        && pa.at("/spec/mtls/mode").and_then(Value::as_str) == Some("STRICT")
                        && pa.at("/spec/selector").is_none()
                });
            if strict {
                out.object(i, "/spec/trafficPolicy/tls/mode", format!("{} disables TLS to `{host}`, but namespace {svc_ns} requires STRICT mTLS: every connection fails", dr.id()), Some("use tls.mode ISTIO_MUTUAL".into()));
            }
        }
    }
}
