//! GO410: an HTTPRoute or GRPCRoute backend that is no Service of the tree, or a port that
//! Service lacks.

use serde_json::Value;

use super::gateway_api::{backends, routes};
use crate::validate::rule::{Context, Findings, Rule};

/// GO410
pub struct RouteBackendUnknown;

impl Rule for RouteBackendUnknown {
    fn code(&self) -> &'static str {
        "GO410"
    }
    fn name(&self) -> &'static str {
        "route-backend-unknown"
    }
    fn summary(&self) -> &'static str {
        "An HTTPRoute or GRPCRoute sends requests to a Service that is not in the tree, or to a port that Service lacks."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nEvery `rules[].backendRefs` entry of kind Service (group `\"\"`, \
         the defaults; the namespace defaulting to the route's) names a Service of the tree \
         and one of its `ports[].port`. Backends of other kinds (an implementation's own, a \
         ServiceImport) are not checked, nor the Services Flagger makes for a Canary of the \
         tree (`<service>`, `<service>-primary`, `<service>-canary`), nor Services of a \
         namespace where a HelmRelease or an operator's resource of the tree makes objects \
         the tree does not show.\n\n\
         ## Why it matters\nThe gateway answers 500 for the rule (`ResolvedRefs: False, \
         BackendNotFound`), and only the route's status says why.\n\n\
         ## Example\n```yaml\nbackendRefs:\n- {name: ordr, port: 8080}   # GO410\n```\n\n\
         ## Fix\nName an existing Service and one of its ports (the Service port, not the \
         container port)."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        for (i, route) in routes(ctx) {
            for b in backends(route).into_iter().filter(|b| b.is_service()) {
                let Some(&j) = ctx.find("Service", b.namespace, b.name).first() else {
                    // A chart (HelmRelease) or an operator of that namespace may make it.
                    if flagger_service(ctx, b.namespace, b.name)
                        || ctx.pods_made_elsewhere(b.namespace)
                    {
                        continue;
                    }
                    out.object(
                        i,
                        &format!("{}/name", b.pointer),
                        format!(
                            "{} sends requests to Service {}/{}, which is not in the tree",
                            route.id(),
                            b.namespace,
                            b.name
                        ),
                        None,
                    );
                    continue;
                };
                let svc = &ctx.tree.objects[j];
                let Some(port) = b.port else { continue };
                let ports: Vec<i64> = svc
                    .items("/spec/ports")
                    .filter_map(|p| p.get("port").and_then(Value::as_i64))
                    .collect();
                if !ports.contains(&port) {
                    out.object(
                        i,
                        &format!("{}/port", b.pointer),
                        format!(
                            "{} sends requests to port {port} of {}, which has ports {ports:?}",
                            route.id(),
                            svc.id()
                        ),
                        None,
                    );
                }
            }
        }
    }
}

/// True when a Flagger Canary of the tree in `namespace` makes the Service `name`: the
/// Canary's service name (`spec.service.name`, default its target's name), with or without
/// `-primary` or `-canary`.
fn flagger_service(ctx: &Context<'_>, namespace: &str, name: &str) -> bool {
    ctx.tree
        .of_kind("Canary")
        .filter(|(_, o)| o.group() == "flagger.app" && o.namespace() == Some(namespace))
        .any(|(_, c)| {
            let base = c
                .at("/spec/service/name")
                .or_else(|| c.at("/spec/targetRef/name"))
                .and_then(Value::as_str)
                .unwrap_or("");
            !base.is_empty()
                && [
                    base.to_owned(),
                    format!("{base}-primary"),
                    format!("{base}-canary"),
                ]
                .iter()
                .any(|n| n == name)
        })
}
