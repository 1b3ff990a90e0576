//! GO411: a cross-namespace reference of the Gateway API without the ReferenceGrant that
//! allows it.

use serde_json::Value;

use super::gateway_api::{backends, granted, is_gateway_api, listeners, routes};
use super::ns;
use crate::validate::rule::{Context, Findings, Rule};

/// GO411
pub struct ReferenceNotGranted;

impl Rule for ReferenceNotGranted {
    fn code(&self) -> &'static str {
        "GO411"
    }
    fn name(&self) -> &'static str {
        "reference-not-granted"
    }
    fn summary(&self) -> &'static str {
        "A route's backend or a Gateway's certificate lives in another namespace, and no ReferenceGrant there allows the reference."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nA `backendRefs` entry of an HTTPRoute or GRPCRoute naming a \
         Service of another namespace, and a Gateway listener's `tls.certificateRefs` entry \
         naming a Secret of another namespace, need a ReferenceGrant in that namespace whose \
         `from` names the route's (or Gateway's) kind and namespace and whose `to` names the \
         Service (Secret) kind, and the name when it gives one. Checked when the Service is in \
         the tree, or the Secret is (as a Secret, a SealedSecret, an ExternalSecret target or \
         a cert-manager Certificate's `secretName`): otherwise the namespace is someone \
         else's, and so may be its grant. Parent references are not grants' business.\n\n\
         ## Why it matters\nThe reference is refused (`ResolvedRefs: False, \
         RefNotPermitted`): the rule answers 500, or the listener has no certificate.\n\n\
         ## Example\n```yaml\nbackendRefs:\n- {name: order, namespace: orders, port: 8080}   # GO411 (route in namespace edge)\n```\n\n\
         ## Fix\nAdd a ReferenceGrant in the target namespace (`from: [{group: \
         gateway.networking.k8s.io, kind: HTTPRoute, namespace: edge}]`, `to: [{group: \"\", \
         kind: Service}]`), or move the route next to its backend."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        for (i, route) in routes(ctx) {
            for b in backends(route).into_iter().filter(|b| b.is_service()) {
                if b.namespace == ns(route) || ctx.find("Service", b.namespace, b.name).is_empty() {
                    continue;
                }
                if !granted(ctx, route.kind(), ns(route), "Service", b.namespace, b.name) {
                    out.object(
                        i,
                        &format!("{}/namespace", b.pointer),
                        format!(
                            "{} sends requests to Service {}/{}, but no ReferenceGrant in namespace `{}` allows {}s of namespace `{}` to",
                            route.id(),
                            b.namespace,
                            b.name,
                            b.namespace,
                            route.kind(),
                            ns(route)
                        ),
                        None,
                    );
                }
            }
        }
        for (i, gw) in ctx
            .tree
            .of_kind("Gateway")
            .filter(|(_, o)| is_gateway_api(o))
        {
            for (l, listener) in listeners(gw).into_iter().enumerate() {
                for (c, cert) in listener
                    .pointer("/tls/certificateRefs")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .enumerate()
                {
                    let group = cert.get("group").and_then(Value::as_str).unwrap_or("");
                    let kind = cert.get("kind").and_then(Value::as_str).unwrap_or("Secret");
                    let Some(name) = cert.get("name").and_then(Value::as_str) else {
                        continue;
                    };
                    let Some(cert_ns) = cert.get("namespace").and_then(Value::as_str) else {
                        continue;
                    };
                    if !group.is_empty() || kind != "Secret" || cert_ns == ns(gw) {
                        continue;
                    }
                    if !secret_in_tree(ctx, cert_ns, name) {
                        continue;
                    }
                    if !granted(ctx, "Gateway", ns(gw), "Secret", cert_ns, name) {
                        out.object(
                            i,
                            &format!("/spec/listeners/{l}/tls/certificateRefs/{c}/namespace"),
                            format!(
                                "{} uses Secret {cert_ns}/{name}, but no ReferenceGrant in namespace `{cert_ns}` allows Gateways of namespace `{}` to",
                                gw.id(),
                                ns(gw)
                            ),
                            None,
                        );
                    }
                }
            }
        }
    }
}

/// True when the tree makes Secret `name` in `namespace`: the Secret itself, a
/// SealedSecret, an ExternalSecret's target or a cert-manager Certificate's `secretName`.
fn secret_in_tree(ctx: &Context<'_>, namespace: &str, name: &str) -> bool {
    if !ctx.find("Secret", namespace, name).is_empty()
        || !ctx.find("SealedSecret", namespace, name).is_empty()
    {
        return true;
    }
    let writes = |kind: &str, pointer: &str| {
        ctx.tree
            .of_kind(kind)
            .filter(|(_, o)| ns(o) == namespace)
            .any(|(_, o)| o.at(pointer).and_then(Value::as_str).unwrap_or(o.name()) == name)
    };
    writes("ExternalSecret", "/spec/target/name")
        || ctx
            .tree
            .of_kind("Certificate")
            .filter(|(_, o)| ns(o) == namespace && o.group() == "cert-manager.io")
            .any(|(_, o)| o.at("/spec/secretName").and_then(Value::as_str) == Some(name))
}
