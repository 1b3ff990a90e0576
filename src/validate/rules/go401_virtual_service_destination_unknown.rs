//! GO401: a VirtualService route to a host or port that does not exist.

use crate::validate::tree::Lookup;
use serde_json::Value;

use super::istio::{
    destinations, is_istio, made_by_flagger, service, service_entry_declares, service_of,
};
use super::ns;
use crate::validate::rule::{Context, Findings, Rule};

/// GO401
pub struct VirtualServiceDestinationUnknown;

impl Rule for VirtualServiceDestinationUnknown {
    fn code(&self) -> &'static str {
        "GO401"
    }
    fn name(&self) -> &'static str {
        "virtual-service-destination-unknown"
    }
    fn summary(&self) -> &'static str {
        "A VirtualService routes to a cluster host that is no Service of the tree (nor a ServiceEntry), or to a port that Service lacks."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nEvery `destination.host` of the `http`, `tcp` and `tls` routes of a \
         VirtualService that names a cluster Service (`name`, `name.ns`, \
         `name.ns.svc.cluster.local`) resolves to a Service of the tree or a ServiceEntry host, \
         and its `port.number`, when given, is a port of that Service.\n\n\
         ## Why it matters\nRequests fail with 503 (no healthy upstream) and Istio's own \
         analyzers that caught this need a live cluster.\n\n\
         ## Example\n```yaml\nroute:\n- destination: {host: ordr.orders.svc.cluster.local}   # GO401\n```\n\n\
         ## Fix\nName an existing Service and one of its ports."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        for (i, vs) in ctx
            .tree
            .of_kind("VirtualService")
            .filter(|(_, o)| is_istio(o))
        {
            for (pointer, dest) in destinations(vs) {
                let Some(host) = dest.lookup("/destination/host").and_then(Value::as_str) else {
                    continue;
                };
                if service_of(host, ns(vs)).is_none()
                    || service_entry_declares(ctx, host)
                    || made_by_flagger(ctx, host, ns(vs))
                {
                    continue;
                }
                match service(ctx, host, ns(vs)) {
                    None => out.object(
                        i,
                        &format!("{pointer}/host"),
                        format!(
                            "{} routes to `{host}`, which is no Service of the tree",
                            vs.id()
                        ),
                        None,
                    ),
                    Some(svc) => {
                        let Some(port) = dest
                            .lookup("/destination/port/number")
                            .and_then(Value::as_i64)
                        else {
                            continue;
                        };
                        let ports: Vec<i64> = svc
                            .items("/spec/ports")
                            .filter_map(|p| p.get("port").and_then(Value::as_i64))
                            .collect();
                        if !ports.contains(&port) {
                            out.object(
                                i,
                                &format!("{pointer}/port/number"),
                                format!(
                                    "{} routes to port {port} of {}, which has ports {ports:?}",
                                    vs.id(),
                                    svc.id()
                                ),
                                None,
                            );
                        }
                    }
                }
            }
        }
    }
}
