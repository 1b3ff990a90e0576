//! GO412: two routes that match the same requests on the same listener.

use std::collections::BTreeMap;

use serde_json::Value;

use super::gateway_api::{parents, routes};
use crate::validate::rule::{Context, Findings, Rule};

/// GO412
pub struct RouteMatchTaken;

impl Rule for RouteMatchTaken {
    fn code(&self) -> &'static str {
        "GO412"
    }
    fn name(&self) -> &'static str {
        "route-match-taken"
    }
    fn summary(&self) -> &'static str {
        "Two routes of the same kind attached to the same parent (Gateway listener or Service) match the same host and the same requests: one of them never gets any."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nFor HTTPRoutes and for GRPCRoutes separately: two routes \
         attached to the same parent (the same Gateway and `sectionName`, or the same \
         Service) with a host in common (an absent `hostnames` is every host) and a rule \
         match that is exactly the same (an HTTPRoute rule without `matches` is a `PathPrefix \
         /` match; path, headers, query parameters and method compared as written).\n\n\
         ## Why it matters\nThe Gateway API resolves the tie by the routes' creation time, \
         then by name: the other route's rule gets no request, whatever it says, and which one \
         wins can change when a route is re-created.\n\n\
         ## Example\n```yaml\n# HTTPRoute orders/order and HTTPRoute payments/payment, both on edge/public https:\nhostnames: [api.example.com]\nrules:\n- matches: [{path: {type: PathPrefix, value: /orders}}]   # GO412 (on the second route)\n```\n\n\
         ## Fix\nGive one of them another path or host, or merge the rules into one route."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        // (cluster, kind, parent, host, match) → the first route that has it. Routes of
        // different clusters (Flux entry points) never share a parent; the same route applied
        // twice is GO307's finding.
        let mut seen: BTreeMap<(Option<usize>, String, String, String, String), String> =
            BTreeMap::new();
        for (i, route) in routes(ctx) {
            let cluster = route
                .unit
                .and_then(|u| ctx.tree.applied.units.get(u))
                .map(|u| u.cluster);
            let hosts: Vec<String> = match route.at("/spec/hostnames").and_then(Value::as_array) {
                Some(h) if !h.is_empty() => h
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_ascii_lowercase)
                    .collect(),
                _ => vec!["*".into()],
            };
            let keys: Vec<String> = parents(route)
                .iter()
                .map(|p| {
                    format!(
                        "{}/{} {}/{} {}",
                        p.group,
                        p.kind,
                        p.namespace,
                        p.name,
                        p.section.unwrap_or("")
                    )
                })
                .collect();
            let mut mine: BTreeMap<(Option<usize>, String, String, String, String), String> =
                BTreeMap::new();
            for (r, rule) in route
                .at("/spec/rules")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                for (pointer, m) in matches(route.kind(), r, rule) {
                    for parent in &keys {
                        for host in &hosts {
                            let key = (
                                cluster,
                                route.kind().to_owned(),
                                parent.clone(),
                                host.clone(),
                                m.clone(),
                            );
                            if let Some(first) = seen.get(&key).filter(|f| **f != route.id()) {
                                out.object(
                                    i,
                                    &pointer,
                                    format!(
                                        "{} matches the same requests for `{host}` as {first} on the same parent: one of them never gets them",
                                        route.id()
                                    ),
                                    Some("give one of them another path or host".into()),
                                );
                            } else {
                                mine.entry(key).or_insert_with(|| route.id());
                            }
                        }
                    }
                }
            }
            seen.extend(mine);
        }
    }
}

/// `(pointer, canonical text)` of every match of rule `r`; an HTTPRoute rule without matches
/// is `PathPrefix /`, a GRPCRoute rule without matches every method.
fn matches(kind: &str, r: usize, rule: &Value) -> Vec<(String, String)> {
    let list = rule.get("matches").and_then(Value::as_array);
    let Some(list) = list.filter(|l| !l.is_empty()) else {
        let all = if kind == "HTTPRoute" {
            r#"{"path":{"type":"PathPrefix","value":"/"}}"#
        } else {
            "{}"
        };
        return vec![(format!("/spec/rules/{r}"), all.to_owned())];
    };
    list.iter()
        .enumerate()
        .map(|(m, v)| {
            let mut v = v.clone();
            if kind == "HTTPRoute" {
                if let Some(o) = v.as_object_mut() {
                    let path = o.entry("path").or_insert_with(|| serde_json::json!({}));
                    if let Some(p) = path.as_object_mut() {
                        p.entry("type").or_insert_with(|| "PathPrefix".into());
                        p.entry("value").or_insert_with(|| "/".into());
                    }
                }
            }
            (format!("/spec/rules/{r}/matches/{m}"), v.to_string())
        })
        .collect()
}
