//! Helpers shared by the Istio rules: host names and the Services they resolve to.

use serde_json::Value;

use crate::validate::rule::Context;
use crate::validate::tree::Object;

/// The `(namespace, name)` of the Service a mesh host names, for hosts of the forms `name`,
/// `name.ns`, `name.ns.svc` and `name.ns.svc.cluster.local`; `None` for external hosts and
/// wildcards. Short names resolve in `namespace` (the referring object's).
pub fn service_of(host: &str, namespace: &str) -> Option<(String, String)> {
    if host.contains('*') {
        return None;
    }
    let parts: Vec<&str> = host.split('.').collect();
    match parts.as_slice() {
        [name] => Some((namespace.to_owned(), (*name).to_owned())),
        [name, ns] | [name, ns, "svc"] | [name, ns, "svc", "cluster", "local"] => {
            Some(((*ns).to_owned(), (*name).to_owned()))
        }
        _ => None,
    }
}

/// True when a ServiceEntry of the tree declares `host`.
pub fn service_entry_declares(ctx: &Context<'_>, host: &str) -> bool {
    ctx.tree.of_kind("ServiceEntry").any(|(_, se)| {
        se.at("/spec/hosts")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .any(|h| h.as_str() == Some(host))
    })
}

/// Istio objects only (the group is `networking.istio.io` or `security.istio.io`).
pub fn is_istio(o: &Object) -> bool {
    matches!(o.group(), "networking.istio.io" | "security.istio.io")
}

/// `(pointer of the destination, destination)` of every route of a VirtualService.
pub fn destinations(vs: &Object) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    for kind in ["http", "tcp", "tls"] {
        for (r, route) in vs
            .at(&format!("/spec/{kind}"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            for (d, dest) in route
                .get("route")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                out.push((format!("/spec/{kind}/{r}/route/{d}/destination"), dest));
            }
        }
    }
    out
}

/// True when a Flagger Canary of the tree makes the Service a mesh host names (`<apex>`,
/// `<apex>-primary`, `<apex>-canary` exist on the cluster, not in the tree).
pub fn made_by_flagger(ctx: &Context<'_>, host: &str, namespace: &str) -> bool {
    service_of(host, namespace)
        .is_some_and(|(ns, name)| super::flagger::generates_service(ctx, &ns, &name))
}

/// The Service a host resolves to in the tree, if any.
pub fn service<'a>(ctx: &'a Context<'_>, host: &str, namespace: &str) -> Option<&'a Object> {
    let (ns, name) = service_of(host, namespace)?;
    ctx.find("Service", &ns, &name)
        .first()
        .map(|&i| &ctx.tree.objects[i])
}

#[cfg(test)]
mod tests {
    use super::service_of;

    #[test]
    fn hosts() {
        assert_eq!(
            service_of("order", "shop"),
            Some(("shop".into(), "order".into()))
        );
        assert_eq!(
            service_of("order.orders.svc.cluster.local", "x"),
            Some(("orders".into(), "order".into()))
        );
        assert_eq!(service_of("api.foodbuzz.com.bd", "x"), None);
        assert_eq!(service_of("*.local", "x"), None);
    }
}
