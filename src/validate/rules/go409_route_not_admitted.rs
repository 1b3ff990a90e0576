//! GO409: an HTTPRoute or GRPCRoute that its Gateway's listeners do not admit.

use super::gateway_api::{gateway, listeners, parents, refusal, routes};
use crate::validate::rule::{Context, Findings, Rule};

/// GO409
pub struct RouteNotAdmitted;

impl Rule for RouteNotAdmitted {
    fn code(&self) -> &'static str {
        "GO409"
    }
    fn name(&self) -> &'static str {
        "route-not-admitted"
    }
    fn summary(&self) -> &'static str {
        "An HTTPRoute or GRPCRoute is attached to a Gateway listener that does not admit it: another namespace, another route kind, or no host in common."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nFor every `parentRefs` entry naming a Gateway of the tree: the \
         listener it names (`sectionName`), or at least one listener when it names none, \
         admits the route: `allowedRoutes.namespaces` admits the route's namespace (`Same`, \
         the default, only the Gateway's own; `Selector` by the namespace's labels, with \
         `kubernetes.io/metadata.name` that every namespace has), `allowedRoutes.kinds` (or \
         the protocol: HTTP and HTTPS take HTTPRoutes and GRPCRoutes) takes the route's \
         kind, and the listener's `hostname` and the route's `hostnames` have a host in \
         common (`*.example.com` covers every host below `example.com`, not \
         `example.com` itself). A selector on labels of a namespace the tree does not hold is \
         not judged.\n\n\
         ## Why it matters\nThe route is accepted by the API server and silently not \
         attached (`Accepted: False, NotAllowedByListeners` or `NoMatchingListenerHostname` \
         in its status): its hosts answer 404.\n\n\
         ## Example\n```yaml\n# Gateway edge/public, listener https: allowedRoutes.namespaces.from: Same\nparentRefs:\n- {name: public, namespace: edge, sectionName: https}   # GO409 (route in namespace shop)\n```\n\n\
         ## Fix\nAdmit the route's namespace on the listener (`from: Selector` or `All`), \
         attach to the listener of its host, or correct the hostnames."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        for (i, route) in routes(ctx) {
            for p in parents(route).into_iter().filter(|p| p.is_gateway()) {
                let Some(gw) = gateway(ctx, p.namespace, p.name) else {
                    continue;
                };
                let all = listeners(gw);
                let named: Vec<_> = match p.section {
                    Some(section) => all
                        .iter()
                        .filter(|l| {
                            l.get("name").and_then(serde_json::Value::as_str) == Some(section)
                        })
                        .copied()
                        .collect(),
                    None => all,
                };
                // An unknown listener is GO408's.
                if named.is_empty() {
                    continue;
                }
                let refusals: Vec<String> = named
                    .iter()
                    .filter_map(|l| {
                        let why = refusal(ctx, gw, l, route)?;
                        Some(match p.section {
                            Some(_) => why,
                            None => format!(
                                "`{}` {why}",
                                l.get("name")
                                    .and_then(serde_json::Value::as_str)
                                    .unwrap_or("")
                            ),
                        })
                    })
                    .collect();
                if refusals.len() == named.len() {
                    let message = match p.section {
                        Some(section) => format!(
                            "{} is attached to listener `{section}` of {}, which does not admit it: it {}",
                            route.id(),
                            gw.id(),
                            refusals.join("; ")
                        ),
                        None => format!(
                            "{} is attached to {}, and no listener admits it: {}",
                            route.id(),
                            gw.id(),
                            refusals.join("; ")
                        ),
                    };
                    out.object(i, &p.pointer, message, None);
                }
            }
        }
    }
}
