//! GO602: a hand-written VirtualService or HTTPRoute for a route that a Flagger Canary
//! generates.

use std::collections::BTreeSet;

use serde_json::Value;

use super::flagger::{apex, canaries, gateways, hosts, provider, strings};
use super::istio::service_of;
use super::ns;
use crate::validate::rule::{Context, Findings, Rule};
use crate::validate::tree::Object;

/// GO602
pub struct RouteOwnedByCanary;

impl Rule for RouteOwnedByCanary {
    fn code(&self) -> &'static str {
        "GO602"
    }
    fn name(&self) -> &'static str {
        "route-owned-by-canary"
    }
    fn summary(&self) -> &'static str {
        "A VirtualService or HTTPRoute of the tree routes a host on a gateway that a Flagger Canary's generated route owns, or has that route's name."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nFor a Canary with `provider: istio`: a VirtualService named as the \
         apex (`spec.service.name`, else `spec.targetRef.name`) in the Canary's namespace, or \
         one that shares a gateway with the Canary's route (`spec.service.gateways`, `mesh` \
         when unset; `ns/name`, `name.ns.svc.cluster.local` and bare names compared alike) and \
         lists one of its hosts: a host of `spec.service.hosts`, or, on `mesh`, the apex \
         Service in any of its forms (`name`, `name.ns`, `name.ns.svc.cluster.local`). For \
         `provider: gatewayapi:…`: an HTTPRoute named as the apex in the Canary's namespace; \
         an HTTPRoute or GRPCRoute with a hostname of `spec.service.hosts` and a Gateway \
         parent of `spec.service.gatewayRefs` (group, kind, namespace and name alike, and the \
         listener when both name one); or one whose parent is a Service that the Canary's \
         `gatewayRefs` name (GAMMA: it would decide the in-mesh calls Flagger shifts). A Canary without `provider` (Flagger's own default, \
         which the tree does not tell) and wildcard hosts are not judged.\n\n\
         ## Why it matters\nFlagger writes that route itself and shifts its weights during \
         the analysis. A route of the same name is overwritten at every step and rewritten by \
         Flux at every reconciliation; two routes for one host on one gateway are merged in an \
         undefined order, so requests may never reach the canary, or always.\n\n## Example\n\
         ```yaml\nkind: VirtualService\nmetadata: {name: edge, namespace: istio-ingress}\nspec:\n  \
         gateways: [istio-ingress/public]\n  hosts: [app.example.com]   # GO602 (a Canary routes it)\n```\n\n\
         ## Fix\nLet the Canary own the host: move the route's settings into \
         `spec.service` (match, timeout, retries, rewrite) and delete the hand-written route."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        for (_, canary) in canaries(ctx) {
            let (Some(apex), Some(provider)) = (apex(canary), provider(canary)) else {
                continue;
            };
            let namespace = ns(canary);
            match provider {
                "istio" => istio(ctx, canary, apex, namespace, out),
                "gatewayapi" => gateway_api(ctx, canary, apex, namespace, out),
                _ => {}
            }
        }
    }
}

fn istio(ctx: &Context<'_>, canary: &Object, apex: &str, namespace: &str, out: &mut Findings<'_>) {
    let mut bound: BTreeSet<String> = gateways(canary.at("/spec/service/gateways"), namespace)
        .into_iter()
        .collect();
    // Flagger adds `mesh` only when no gateway is listed.
    let on_mesh = bound.contains("mesh");
    bound.remove("mesh");
    let edge_hosts = hosts(canary);
    for (i, vs) in ctx
        .tree
        .of_kind("VirtualService")
        .filter(|(_, o)| o.group() == "networking.istio.io")
    {
        let vs_ns = ns(vs);
        if vs_ns == namespace && vs.name() == apex {
            out.object(
                i,
                "/metadata/name",
                format!(
                    "{} has the name of the VirtualService Flagger generates for {}",
                    vs.id(),
                    canary.id()
                ),
                None,
            );
            continue;
        }
        let vs_gateways = gateways(vs.at("/spec/gateways"), vs_ns);
        let shares_edge = vs_gateways.iter().any(|g| bound.contains(g));
        let shares_mesh = on_mesh && vs_gateways.iter().any(|g| g == "mesh");
        for (h, host) in strings(vs.at("/spec/hosts")).enumerate() {
            let edge = shares_edge && edge_hosts.contains(&host);
            let mesh = shares_mesh
                && service_of(host, vs_ns) == Some((namespace.to_owned(), apex.to_owned()));
            if edge || mesh {
                out.object(
                    i,
                    &format!("/spec/hosts/{h}"),
                    format!(
                        "{} routes `{host}`, which the route Flagger generates for {} owns",
                        vs.id(),
                        canary.id()
                    ),
                    Some("move its settings into the Canary's `spec.service` and delete it".into()),
                );
            }
        }
    }
}

/// A parent reference: `(group, kind, namespace, name, sectionName)`, with the Gateway API
/// defaults filled in (`gateway.networking.k8s.io`, `Gateway`, the referrer's namespace).
type Parent = (String, String, String, String, Option<String>);

fn parent(v: &Value, default_ns: &str) -> Option<Parent> {
    let text = |key: &str| v.get(key).and_then(Value::as_str);
    let name = text("name")?;
    Some((
        text("group")
            .unwrap_or("gateway.networking.k8s.io")
            .to_owned(),
        text("kind").unwrap_or("Gateway").to_owned(),
        text("namespace").unwrap_or(default_ns).to_owned(),
        name.to_owned(),
        text("sectionName").map(str::to_owned),
    ))
}

/// The same parent: a listener named on one side and not the other may be the same one.
fn same(a: &Parent, b: &Parent) -> bool {
    a.0 == b.0
        && a.1 == b.1
        && a.2 == b.2
        && a.3 == b.3
        && (a.4.is_none() || b.4.is_none() || a.4 == b.4)
}

fn gateway_api(
    ctx: &Context<'_>,
    canary: &Object,
    apex: &str,
    namespace: &str,
    out: &mut Findings<'_>,
) {
    let parents: Vec<Parent> = canary
        .at("/spec/service/gatewayRefs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|g| parent(g, namespace))
        .collect();
    let mesh = |p: &Parent| p.0.is_empty() && p.1 == "Service";
    let edge_hosts = hosts(canary);
    let routes = ctx
        .tree
        .of_kind("HTTPRoute")
        .chain(ctx.tree.of_kind("GRPCRoute"))
        .filter(|(_, o)| o.group() == "gateway.networking.k8s.io");
    for (i, route) in routes {
        let route_ns = ns(route);
        if route.kind() == "HTTPRoute" && route_ns == namespace && route.name() == apex {
            out.object(
                i,
                "/metadata/name",
                format!(
                    "{} has the name of the HTTPRoute Flagger generates for {}",
                    route.id(),
                    canary.id()
                ),
                None,
            );
            continue;
        }
        let route_parents: Vec<(usize, Parent)> = route
            .at("/spec/parentRefs")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
            .filter_map(|(n, p)| Some((n, parent(p, route_ns)?)))
            .collect();
        // In-mesh (GAMMA): a route of the apex Service that Flagger's route has as parent
        // decides those calls instead of Flagger's weights, whatever its hostnames.
        let mut judged = false;
        for (n, p) in &route_parents {
            if mesh(p) && parents.iter().any(|c| mesh(c) && same(c, p)) {
                judged = true;
                out.object(
                    i,
                    &format!("/spec/parentRefs/{n}"),
                    format!(
                        "{} routes in-mesh calls of Service `{}/{}`, which the HTTPRoute Flagger generates for {} owns",
                        route.id(),
                        p.2,
                        p.3,
                        canary.id()
                    ),
                    Some("move its settings into the Canary's `spec.service` and delete it".into()),
                );
            }
        }
        if judged {
            continue;
        }
        let shares_gateway = route_parents
            .iter()
            .any(|(_, p)| !mesh(p) && parents.iter().any(|c| same(c, p)));
        if !shares_gateway {
            continue;
        }
        for (h, host) in strings(route.at("/spec/hostnames")).enumerate() {
            if edge_hosts.contains(&host) {
                out.object(
                    i,
                    &format!("/spec/hostnames/{h}"),
                    format!(
                        "{} routes `{host}`, which the HTTPRoute Flagger generates for {} owns",
                        route.id(),
                        canary.id()
                    ),
                    Some("move its settings into the Canary's `spec.service` and delete it".into()),
                );
            }
        }
    }
}
