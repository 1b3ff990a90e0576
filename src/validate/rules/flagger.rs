//! Helpers shared by the progressive delivery rules (GO6xx): Flagger Canaries, the objects
//! Flagger generates for them, and the hosts and gateways their routes bind.

use serde_json::Value;

use super::ns;
use crate::validate::rule::Context;
use crate::validate::tree::Object;

/// A Flagger `Canary` (group `flagger.app`).
pub fn is_canary(o: &Object) -> bool {
    o.kind() == "Canary" && o.group() == "flagger.app"
}

/// The Canaries of the tree.
pub fn canaries<'a>(ctx: &'a Context<'_>) -> impl Iterator<Item = (usize, &'a Object)> + 'a {
    ctx.tree.of_kind("Canary").filter(|(_, o)| is_canary(o))
}

/// The apex name: `spec.service.name`, else `spec.targetRef.name` (Flagger's rule). The
/// generated Services are `<apex>`, `<apex>-primary` and `<apex>-canary`; the generated
/// VirtualService or HTTPRoute is `<apex>`.
pub fn apex(canary: &Object) -> Option<&str> {
    canary
        .at("/spec/service/name")
        .and_then(Value::as_str)
        .or_else(|| canary.at("/spec/targetRef/name").and_then(Value::as_str))
}

/// The Services Flagger creates for a Canary.
pub fn generated_services(canary: &Object) -> Vec<String> {
    apex(canary).map_or_else(Vec::new, |a| {
        vec![a.to_owned(), format!("{a}-primary"), format!("{a}-canary")]
    })
}

/// True when a Canary of the tree makes Flagger create the Service `name` in `namespace`.
pub fn generates_service(ctx: &Context<'_>, namespace: &str, name: &str) -> bool {
    canaries(ctx)
        .any(|(_, c)| ns(c) == namespace && generated_services(c).iter().any(|s| s == name))
}

/// True when pods of `namespace` may come from outside the tree other than Flagger's own
/// primaries: a HelmRelease or another operator's resource there, or `kube-system`
/// ([`Context::pods_made_elsewhere`] counts the Canaries too).
pub fn made_elsewhere_but_by_flagger(ctx: &Context<'_>, namespace: &str) -> bool {
    namespace == "kube-system"
        || ctx.tree.objects.iter().any(|o| {
            !is_canary(o)
                && o.group() != "flagger.app"
                && crate::validate::rule::makes_pods_in(o) == Some(namespace)
        })
}

/// The provider family of a Canary: `istio`, `gatewayapi`, another, or `None` when it is
/// not set (Flagger then uses its own `-mesh-provider`, which the tree does not tell).
pub fn provider(canary: &Object) -> Option<&str> {
    let p = canary.at("/spec/provider").and_then(Value::as_str)?;
    Some(p.split(':').next().unwrap_or(p))
}

/// `spec.service.hosts`, without wildcards.
pub fn hosts(canary: &Object) -> Vec<&str> {
    strings(canary.at("/spec/service/hosts"))
        .filter(|h| !h.contains('*'))
        .collect()
}

/// The strings of a list value.
pub fn strings(v: Option<&Value>) -> impl Iterator<Item = &str> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
}

/// An Istio gateway reference as `namespace/name` (`mesh` stays `mesh`): `ns/name`,
/// `name.ns.svc.cluster.local` (or shorter) and a bare `name` in the referring namespace.
pub fn gateway(reference: &str, namespace: &str) -> String {
    if reference == "mesh" || reference.contains('/') {
        return reference.to_owned();
    }
    let parts: Vec<&str> = reference.split('.').collect();
    match parts.as_slice() {
        [name] => format!("{namespace}/{name}"),
        [name, gw_ns, ..] => format!("{gw_ns}/{name}"),
        [] => reference.to_owned(),
    }
}

/// The gateways a VirtualService (or a Canary's `service.gateways`) binds, normalized; an
/// empty list means `mesh`, as Istio (and Flagger) read it.
pub fn gateways(list: Option<&Value>, namespace: &str) -> Vec<String> {
    let out: Vec<String> = strings(list).map(|g| gateway(g, namespace)).collect();
    if out.is_empty() {
        vec!["mesh".to_owned()]
    } else {
        out
    }
}

/// Seconds of a Go duration (`90s`, `1m`, `1h30m`, `10m0s`).
pub fn seconds(text: &str) -> Option<f64> {
    let ok = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || b".hms".contains(&b));
    ok.then(|| crate::blueprint::common::Duration(text.to_owned()).millis() / 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gateway_forms() {
        assert_eq!(gateway("mesh", "x"), "mesh");
        assert_eq!(gateway("istio-ingress/public", "x"), "istio-ingress/public");
        assert_eq!(gateway("public", "shop"), "shop/public");
        assert_eq!(
            gateway("public-gateway.istio-system.svc.cluster.local", "x"),
            "istio-system/public-gateway"
        );
    }

    #[test]
    fn go_durations() {
        assert_eq!(seconds("10m0s"), Some(600.0));
        assert_eq!(seconds("90s"), Some(90.0));
        assert_eq!(seconds("1h"), Some(3600.0));
        assert_eq!(seconds("soon"), None);
    }
}
