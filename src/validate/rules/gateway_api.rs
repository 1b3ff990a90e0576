//! Helpers shared by the Gateway API rules (GO408–GO412): routes, their parent and backend
//! references with the API's defaults applied, listeners, host name intersection and the
//! namespaces a listener admits.

use serde_json::Value;

use super::{label_selector_matches, ns};
use crate::validate::rule::Context;
use crate::validate::tree::Object;

/// The API group of the Gateway API.
pub const GROUP: &str = "gateway.networking.k8s.io";
/// The route kinds these rules read.
pub const ROUTE_KINDS: &[&str] = &["HTTPRoute", "GRPCRoute"];

/// Gateway API objects only.
pub fn is_gateway_api(o: &Object) -> bool {
    o.group() == GROUP
}

/// Every HTTPRoute and GRPCRoute of the tree.
pub fn routes<'a>(ctx: &'a Context<'_>) -> impl Iterator<Item = (usize, &'a Object)> + 'a {
    ROUTE_KINDS
        .iter()
        .flat_map(move |k| ctx.tree.of_kind(k).filter(|(_, o)| is_gateway_api(o)))
}

/// A parent reference with its defaults (group `gateway.networking.k8s.io`, kind `Gateway`,
/// the route's namespace).
pub struct ParentRef<'a> {
    /// JSON pointer of the reference in the route.
    pub pointer: String,
    /// Group.
    pub group: &'a str,
    /// Kind.
    pub kind: &'a str,
    /// Name.
    pub name: &'a str,
    /// Namespace.
    pub namespace: &'a str,
    /// Listener name, when given.
    pub section: Option<&'a str>,
}

impl ParentRef<'_> {
    /// True for a Gateway (not a Service of the mesh, GAMMA, nor another implementation's
    /// parent kind).
    pub fn is_gateway(&self) -> bool {
        self.group == GROUP && self.kind == "Gateway"
    }
}

/// The parent references of a route.
pub fn parents(route: &Object) -> Vec<ParentRef<'_>> {
    route
        .at("/spec/parentRefs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .filter_map(|(i, p)| {
            Some(ParentRef {
                pointer: format!("/spec/parentRefs/{i}"),
                group: p.get("group").and_then(Value::as_str).unwrap_or(GROUP),
                kind: p.get("kind").and_then(Value::as_str).unwrap_or("Gateway"),
                name: p.get("name").and_then(Value::as_str)?,
                namespace: p
                    .get("namespace")
                    .and_then(Value::as_str)
                    .unwrap_or(ns(route)),
                section: p.get("sectionName").and_then(Value::as_str),
            })
        })
        .collect()
}

/// The Gateway (`gateway.networking.k8s.io`) of the tree named `name` in `namespace`.
pub fn gateway<'a>(ctx: &'a Context<'_>, namespace: &str, name: &str) -> Option<&'a Object> {
    ctx.find("Gateway", namespace, name)
        .iter()
        .map(|&j| &ctx.tree.objects[j])
        .find(|o| is_gateway_api(o))
}

/// The listeners of a Gateway.
pub fn listeners(gateway: &Object) -> Vec<&Value> {
    gateway
        .at("/spec/listeners")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect()
}

/// The names of listeners that ListenerSets of the tree add to a Gateway.
pub fn listener_set_names<'a>(ctx: &'a Context<'_>, namespace: &str, name: &str) -> Vec<&'a str> {
    ctx.tree
        .of_kind("ListenerSet")
        .filter(|(_, o)| is_gateway_api(o))
        .filter(|(_, o)| {
            o.at("/spec/parentRef/name").and_then(Value::as_str) == Some(name)
                && o.at("/spec/parentRef/namespace")
                    .and_then(Value::as_str)
                    .unwrap_or(ns(o))
                    == namespace
        })
        .flat_map(|(_, o)| {
            o.at("/spec/listeners")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|l| l.get("name").and_then(Value::as_str))
        })
        .collect()
}

/// True when the host names `a` and `b` (either may be a `*.` wildcard) can name the same
/// request host: a wildcard matches every host below its suffix, not the suffix itself.
pub fn hostnames_intersect(a: &str, b: &str) -> bool {
    let a = a.to_ascii_lowercase();
    let b = b.to_ascii_lowercase();
    let covers = |wild: &str, host: &str| {
        wild.strip_prefix('*')
            .is_some_and(|suffix| host.len() > suffix.len() && host.ends_with(suffix))
    };
    a == b || covers(&a, &b) || covers(&b, &a)
}

/// Why `listener` of `gateway` does not admit `route`, or `None` when it does (or when it
/// cannot be known: a namespace selector on labels of a namespace the tree lacks).
pub fn refusal(
    ctx: &Context<'_>,
    gateway: &Object,
    listener: &Value,
    route: &Object,
) -> Option<String> {
    let route_ns = ns(route);
    let namespaces = listener.pointer("/allowedRoutes/namespaces");
    let from = namespaces
        .and_then(|n| n.get("from"))
        .and_then(Value::as_str)
        .unwrap_or("Same");
    match from {
        "All" => {}
        "Same" if route_ns != ns(gateway) => {
            return Some(format!(
                "admits routes of its own namespace `{}` only (`allowedRoutes.namespaces.from: Same`, the default)",
                ns(gateway)
            ));
        }
        "Selector" => {
            let selector = namespaces
                .and_then(|n| n.get("selector"))
                .cloned()
                .unwrap_or(Value::Null);
            if let Some(false) = namespace_selected(ctx, &selector, route_ns) {
                return Some(format!(
                    "admits routes of the namespaces its `allowedRoutes.namespaces.selector` selects, and `{route_ns}` is not one"
                ));
            }
        }
        _ => {}
    }
    let kinds: Vec<(&str, &str)> = listener
        .pointer("/allowedRoutes/kinds")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|k| {
            Some((
                k.get("group").and_then(Value::as_str).unwrap_or(GROUP),
                k.get("kind").and_then(Value::as_str)?,
            ))
        })
        .collect();
    let kind = route.kind();
    if !kinds.is_empty() {
        if !kinds.contains(&(GROUP, kind)) {
            return Some(format!("admits only the route kinds {kinds:?}"));
        }
    } else {
        let protocol = listener
            .get("protocol")
            .and_then(Value::as_str)
            .unwrap_or("");
        let fits = match protocol {
            "HTTP" | "HTTPS" => Some(matches!(kind, "HTTPRoute" | "GRPCRoute")),
            "TLS" | "TCP" | "UDP" => Some(false),
            // Implementation-specific protocols: their route kinds are unknown here.
            _ => None,
        };
        if fits == Some(false) {
            return Some(format!("speaks {protocol}, which takes no {kind}"));
        }
    }
    if let Some(host) = listener.get("hostname").and_then(Value::as_str) {
        let hostnames: Vec<&str> = route
            .at("/spec/hostnames")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        if !hostnames.is_empty() && !hostnames.iter().any(|h| hostnames_intersect(host, h)) {
            return Some(format!(
                "serves host `{host}`, which none of the route's hostnames {hostnames:?} names"
            ));
        }
    }
    None
}

/// Whether `selector` selects namespace `name`: its labels are the tree's Namespace's plus
/// `kubernetes.io/metadata.name`, which the API server sets. `None` when the selector asks
/// for other labels of a namespace the tree does not hold.
fn namespace_selected(ctx: &Context<'_>, selector: &Value, name: &str) -> Option<bool> {
    let object = ctx
        .find("Namespace", "", name)
        .first()
        .map(|&j| &ctx.tree.objects[j]);
    let mut labels = object
        .and_then(|o| o.at("/metadata/labels"))
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    labels.insert(
        "kubernetes.io/metadata.name".into(),
        Value::String(name.to_owned()),
    );
    if object.is_none() {
        let keys = selector
            .get("matchLabels")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|m| m.keys().map(String::as_str))
            .chain(
                selector
                    .get("matchExpressions")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|e| e.get("key").and_then(Value::as_str)),
            );
        if keys.into_iter().any(|k| k != "kubernetes.io/metadata.name") {
            return None;
        }
    }
    Some(label_selector_matches(selector, &labels))
}

/// A backend reference of a route rule with its defaults (group `""`, kind `Service`, the
/// route's namespace).
pub struct BackendRef<'a> {
    /// JSON pointer of the reference.
    pub pointer: String,
    /// Group.
    pub group: &'a str,
    /// Kind.
    pub kind: &'a str,
    /// Name.
    pub name: &'a str,
    /// Namespace.
    pub namespace: &'a str,
    /// Port, when given.
    pub port: Option<i64>,
}

impl BackendRef<'_> {
    /// True for a core Service.
    pub fn is_service(&self) -> bool {
        self.group.is_empty() && self.kind == "Service"
    }
}

/// The backend references of every rule of a route.
pub fn backends(route: &Object) -> Vec<BackendRef<'_>> {
    let mut out = Vec::new();
    for (r, rule) in route
        .at("/spec/rules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        for (b, backend) in rule
            .get("backendRefs")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let Some(name) = backend.get("name").and_then(Value::as_str) else {
                continue;
            };
            out.push(BackendRef {
                pointer: format!("/spec/rules/{r}/backendRefs/{b}"),
                group: backend.get("group").and_then(Value::as_str).unwrap_or(""),
                kind: backend
                    .get("kind")
                    .and_then(Value::as_str)
                    .unwrap_or("Service"),
                name,
                namespace: backend
                    .get("namespace")
                    .and_then(Value::as_str)
                    .unwrap_or(ns(route)),
                port: backend.get("port").and_then(Value::as_i64),
            });
        }
    }
    out
}

/// True when a ReferenceGrant in `to_namespace` lets objects of `from_kind` in
/// `from_namespace` refer to the `to_kind` (core group) named `to_name`.
pub fn granted(
    ctx: &Context<'_>,
    from_kind: &str,
    from_namespace: &str,
    to_kind: &str,
    to_namespace: &str,
    to_name: &str,
) -> bool {
    ctx.tree
        .of_kind("ReferenceGrant")
        .filter(|(_, o)| is_gateway_api(o) && ns(o) == to_namespace)
        .any(|(_, g)| {
            let from = g
                .at("/spec/from")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .any(|f| {
                    f.get("group").and_then(Value::as_str) == Some(GROUP)
                        && f.get("kind").and_then(Value::as_str) == Some(from_kind)
                        && f.get("namespace").and_then(Value::as_str) == Some(from_namespace)
                });
            let to = g
                .at("/spec/to")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .any(|t| {
                    t.get("group").and_then(Value::as_str) == Some("")
                        && t.get("kind").and_then(Value::as_str) == Some(to_kind)
                        && t.get("name")
                            .and_then(Value::as_str)
                            .is_none_or(|n| n == to_name)
                });
            from && to
        })
}

#[cfg(test)]
mod tests {
    use super::hostnames_intersect;

    #[test]
    fn wildcards_cover_hosts_below_their_suffix() {
        assert!(hostnames_intersect("api.example.com", "api.example.com"));
        assert!(hostnames_intersect("*.example.com", "api.example.com"));
        assert!(hostnames_intersect("a.b.example.com", "*.example.com"));
        assert!(hostnames_intersect("*.example.com", "*.b.example.com"));
        assert!(!hostnames_intersect("*.example.com", "example.com"));
        assert!(!hostnames_intersect("api.example.com", "web.example.com"));
        assert!(hostnames_intersect("API.example.com", "api.example.com"));
    }
}
