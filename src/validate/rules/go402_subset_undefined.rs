//! GO402: a route to a subset that no DestinationRule defines, or that selects no pods.

use crate::validate::tree::Lookup;
use serde_json::Value;

use super::istio::{destinations, is_istio, service_of};
use super::{ns, selects};
use crate::validate::rule::{Context, Findings, Rule};

/// GO402
pub struct SubsetUndefined;

impl Rule for SubsetUndefined {
    fn code(&self) -> &'static str {
        "GO402"
    }
    fn name(&self) -> &'static str {
        "subset-undefined"
    }
    fn summary(&self) -> &'static str {
        "A VirtualService routes to a subset that no DestinationRule for the host defines, or whose labels match no pods."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nFor every route destination with a `subset`, a DestinationRule of \
         the tree for the same host defines that subset, and the subset's labels match the pods \
         of some workload in the host's namespace.\n\n## Why it matters\nIstio answers 503 \
         (`NR`, no route) for every request of that route.\n\n\
         ## Example\n```yaml\ndestination: {host: order, subset: v2}   # GO402, the DestinationRule has only v1\n```\n\n\
         ## Fix\nDefine the subset, or route to an existing one."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        for (i, vs) in ctx
            .tree
            .of_kind("VirtualService")
            .filter(|(_, o)| is_istio(o))
        {
            for (dest_pointer, dest) in destinations(vs) {
                let (Some(host), Some(subset)) = (
                    dest.lookup("/destination/host").and_then(Value::as_str),
                    dest.lookup("/destination/subset").and_then(Value::as_str),
                ) else {
                    continue;
                };
                let target = service_of(host, ns(vs));
                let defined = ctx
                    .tree
                    .of_kind("DestinationRule")
                    .filter(|(_, o)| is_istio(o))
                    .find_map(|(_, dr)| {
                        let h = dr.at("/spec/host").and_then(Value::as_str)?;
                        let same =
                            h == host || (target.is_some() && service_of(h, ns(dr)) == target);
                        if !same {
                            return None;
                        }
                        dr.at("/spec/subsets")
                            .and_then(Value::as_array)?
                            .iter()
                            .find(|s| s.get("name").and_then(Value::as_str) == Some(subset))
                            .cloned()
                    });
                let pointer = format!("{dest_pointer}/subset");
                match defined {
                    None => out.object(i, &pointer, format!("{} routes to subset `{subset}` of `{host}`, which no DestinationRule defines", vs.id()), None),
                    Some(s) => {
                        let (Some((svc_ns, _)), Some(labels)) = (target, s.get("labels").and_then(Value::as_object)) else { continue };
                        let matched = ctx.workloads_in(&svc_ns).any(|(_, _, _, pod)| pod.is_some_and(|l| selects(labels, l)));
                        if !matched {
                            out.object(i, &pointer, format!("subset `{subset}` of `{host}` selects no pods (labels {})", Value::Object(labels.clone())), None);
                        }
                    }
                }
            }
        }
    }
}
