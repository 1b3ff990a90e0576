//! GO407: a Service port whose protocol Istio cannot tell.

use serde_json::Value;

use crate::blueprint::names::app_protocol;
use crate::validate::rule::{Context, Findings, Grade, Rule};

/// GO407
pub struct PortNameWithoutProtocol;

impl Rule for PortNameWithoutProtocol {
    fn code(&self) -> &'static str {
        "GO407"
    }
    fn name(&self) -> &'static str {
        "port-name-without-protocol"
    }
    fn summary(&self) -> &'static str {
        "A Service port has neither appProtocol nor a name with an Istio protocol prefix (http, grpc, tcp…)."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nEach Service port sets `appProtocol`, or is named `<protocol>` or \
         `<protocol>-<suffix>` with a protocol Istio knows (http, http2, https, grpc, grpc-web, \
         tcp, tls, mongo, mysql, redis). Error under the strict policy, warning under relaxed; \
         only in trees that contain Istio objects.\n\n\
         ## Why it matters\nIstio falls back to protocol sniffing or plain TCP: HTTP retries, \
         timeouts and per-request metrics silently do not apply.\n\n\
         ## Example\n```yaml\nports:\n- {name: web, port: 80}   # GO407\n```\n\n## Fix\nName it `http-web` or set `appProtocol: http`."
    }
    fn grade(&self) -> Grade {
        Grade::Hygiene
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        if !ctx.tree.objects.iter().any(super::istio::is_istio) {
            return;
        }
        for (i, svc) in ctx.tree.of_kind("Service") {
            for (p, port) in svc.items("/spec/ports").enumerate() {
                if port.get("appProtocol").is_some() {
                    continue;
                }
                let name = port.get("name").and_then(Value::as_str).unwrap_or("");
                if app_protocol(name).is_none() {
                    out.object(
                        i,
                        &format!("/spec/ports/{p}"),
                        format!("port `{name}` of {} has no protocol for Istio", svc.id()),
                        Some(
                            "name it <protocol>[-suffix] (http, grpc, tcp, …) or set appProtocol"
                                .into(),
                        ),
                    );
                }
            }
        }
    }
}
