//! GO408: an HTTPRoute or GRPCRoute attached to a Gateway, or a listener of it, that does
//! not exist.

use super::gateway_api::{gateway, listener_set_names, listeners, parents, routes};
use crate::validate::rule::{Context, Findings, Rule};

/// GO408
pub struct RouteParentUnknown;

impl Rule for RouteParentUnknown {
    fn code(&self) -> &'static str {
        "GO408"
    }
    fn name(&self) -> &'static str {
        "route-parent-unknown"
    }
    fn summary(&self) -> &'static str {
        "An HTTPRoute or GRPCRoute names a Gateway that is neither in the tree nor declared with --gateway, or a listener (sectionName) that Gateway lacks."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nEvery `parentRefs` entry of kind Gateway (group \
         `gateway.networking.k8s.io`, the defaults; the namespace defaulting to the route's) \
         names a Gateway of the tree or one declared external with `--gateway \
         namespace/name` (a Gateway of a namespace where a HelmRelease of the tree installs \
         a chart is taken to be the chart's), and its `sectionName`, when given, names a listener of that \
         Gateway (or of a ListenerSet of the tree attached to it). Parents of other kinds, \
         such as a Service of the mesh (GAMMA), are not Gateways and are not checked.\n\n\
         ## Why it matters\nThe route is never attached: the gateway answers 404 for its \
         hosts, and only the route's status says why.\n\n\
         ## Example\n```yaml\nparentRefs:\n- {name: public, namespace: edge, sectionName: htps}   # GO408\n```\n\n\
         ## Fix\nName the Gateway and listener exactly, or declare a platform Gateway with \
         `--gateway namespace/name`."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        for (i, route) in routes(ctx) {
            for p in parents(route).into_iter().filter(|p| p.is_gateway()) {
                let full = format!("{}/{}", p.namespace, p.name);
                if ctx.options.gateways.contains(&full) {
                    continue;
                }
                let Some(gw) = gateway(ctx, p.namespace, p.name) else {
                    // A chart (HelmRelease) of that namespace may make the Gateway.
                    if ctx.pods_made_elsewhere(p.namespace) {
                        continue;
                    }
                    out.object(
                        i,
                        &format!("{}/name", p.pointer),
                        format!(
                            "{} is attached to Gateway {full}, which is not in the tree",
                            route.id()
                        ),
                        Some("declare a platform gateway with --gateway namespace/name".into()),
                    );
                    continue;
                };
                let Some(section) = p.section else { continue };
                let mut names: Vec<&str> = listeners(gw)
                    .iter()
                    .filter_map(|l| l.get("name").and_then(serde_json::Value::as_str))
                    .collect();
                names.extend(listener_set_names(ctx, p.namespace, p.name));
                if !names.contains(&section) {
                    out.object(
                        i,
                        &format!("{}/sectionName", p.pointer),
                        format!(
                            "{} is attached to listener `{section}` of Gateway {full}, which has listeners {names:?}",
                            route.id()
                        ),
                        None,
                    );
                }
            }
        }
    }
}
