//! GO404: a DestinationRule for a host that is no Service of the tree.

use serde_json::Value;

use super::istio::{is_istio, made_by_flagger, service, service_entry_declares, service_of};
use super::ns;
use crate::validate::rule::{Context, Findings, Rule};

/// GO404
pub struct DestinationRuleHostUnknown;

impl Rule for DestinationRuleHostUnknown {
    fn code(&self) -> &'static str {
        "GO404"
    }
    fn name(&self) -> &'static str {
        "destination-rule-host-unknown"
    }
    fn summary(&self) -> &'static str {
        "A DestinationRule's host names a cluster Service that is not in the tree (nor a ServiceEntry host)."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\n`spec.host` of a DestinationRule, when it names a cluster Service, \
         resolves to a Service of the tree or a ServiceEntry host.\n\n\
         ## Why it matters\nThe traffic policy (mTLS mode, pool limits, outlier ejection) \
         applies to nothing: the service runs without the protection it was written for.\n\n\
         ## Example\n```yaml\nhost: ordr.orders.svc.cluster.local   # GO404\n```\n\n## Fix\nName the Service."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        for (i, dr) in ctx
            .tree
            .of_kind("DestinationRule")
            .filter(|(_, o)| is_istio(o))
        {
            let Some(host) = dr.at("/spec/host").and_then(Value::as_str) else {
                continue;
            };
            if service_of(host, ns(dr)).is_none()
                || service_entry_declares(ctx, host)
                || made_by_flagger(ctx, host, ns(dr))
            {
                continue;
            }
            if service(ctx, host, ns(dr)).is_none() {
                out.object(
                    i,
                    "/spec/host",
                    format!(
                        "{} is for `{host}`, which is no Service of the tree",
                        dr.id()
                    ),
                    None,
                );
            }
        }
    }
}
