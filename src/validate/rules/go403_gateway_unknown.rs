//! GO403: a VirtualService bound to a Gateway that does not exist.

use serde_json::Value;

use super::istio::is_istio;
use super::ns;
use crate::validate::rule::{Context, Findings, Rule};

/// GO403
pub struct GatewayUnknown;

impl Rule for GatewayUnknown {
    fn code(&self) -> &'static str {
        "GO403"
    }
    fn name(&self) -> &'static str {
        "gateway-unknown"
    }
    fn summary(&self) -> &'static str {
        "A VirtualService names a Gateway that is neither in the tree nor declared with --gateway."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nEvery entry of `spec.gateways` except `mesh` (`name` or \
         `namespace/name`, the namespace defaulting to the VirtualService's) is a \
         networking.istio.io Gateway of the tree, or was declared external with \
         `--gateway namespace/name`.\n\n## Why it matters\nThe routes are never programmed into \
         any gateway: the service is unreachable from outside, silently.\n\n\
         ## Example\n```yaml\ngateways: [istio-ingress/publik]   # GO403\n```\n\n\
         ## Fix\nName the gateway exactly, or declare a platform gateway with `--gateway`."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        for (i, vs) in ctx
            .tree
            .of_kind("VirtualService")
            .filter(|(_, o)| is_istio(o))
        {
            for (g, gw) in vs
                .at("/spec/gateways")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                let Some(gw) = gw.as_str() else { continue };
                if gw == "mesh" {
                    continue;
                }
                let (gns, gname) = gw.split_once('/').unwrap_or((ns(vs), gw));
                let full = format!("{gns}/{gname}");
                let exists = ctx
                    .find("Gateway", gns, gname)
                    .iter()
                    .any(|&j| ctx.tree.objects[j].group() == "networking.istio.io");
                if !exists && !ctx.options.gateways.contains(&full) {
                    out.object(
                        i,
                        &format!("/spec/gateways/{g}"),
                        format!(
                            "{} is bound to Gateway {full}, which is not in the tree",
                            vs.id()
                        ),
                        Some("declare a platform gateway with --gateway namespace/name".into()),
                    );
                }
            }
        }
    }
}
