//! GO008: a name the API server refuses: the object's own, a container's or a port's.

use serde_json::Value;

use crate::validate::apiserver::names::{dns1123_label, iana_svc_name, name_problem, name_rule};
use crate::validate::rule::{Context, Findings, Rule};
use crate::validate::tree::Object;

/// GO008
pub struct NameInvalid;

/// True for a value a build has not substituted yet (`${var}`): GO308 judges those.
pub(crate) fn unsubstituted(s: &str) -> bool {
    s.contains("${")
}

/// The Flux Kustomization that applies `o` without post-build substitution (it has no
/// `postBuild` with variables, or the object turns substitution off), so that a `${var}` in it
/// reaches the API server as written. Only for Kustomizations another one applies: what a
/// cluster's root is patched with at bootstrap is not all in the tree.
pub(crate) fn stays_literal<'a>(ctx: &'a Context<'_>, o: &Object) -> Option<&'a str> {
    let applied = &ctx.tree.applied;
    let unit = applied.units.get(o.unit?)?;
    let literal = applied.flux
        && unit.parent.is_some()
        && (!unit.substituted || crate::flux::substitution_disabled(&o.value));
    literal.then_some(unit.id.as_str())
}

/// `message`, with why a `${var}` in it is judged as written.
pub(crate) fn literal_note(message: String, literal: Option<&str>) -> String {
    match literal {
        Some(unit) if message.contains("${") => format!(
            "{message} (no post-build substitution reaches it: Kustomization {unit} applies `${{…}}` as written)"
        ),
        _ => message,
    }
}

impl Rule for NameInvalid {
    fn code(&self) -> &'static str {
        "GO008"
    }
    fn name(&self) -> &'static str {
        "name-invalid"
    }
    fn summary(&self) -> &'static str {
        "A name the API server refuses: the object's name for its kind, a container's name, a port's name."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nNames as kube-apiserver validates them:\n\
         - `metadata.name` per kind: a DNS-1123 subdomain (lower-case letters, digits, `-` and \
         `.`, at most 253 characters) for most kinds and every custom resource; a DNS-1123 \
         label (no dots, at most 63) for a Namespace and a StatefulSet; a DNS-1035 label \
         (a label that starts with a letter) for a Service; any path segment (no `/` or `%`) \
         for the RBAC kinds;\n\
         - container and init container names: DNS-1123 labels;\n\
         - container port names, and ports given by name in probes and in a Service's \
         `targetPort`: IANA service names (at most 15 lower-case letters, digits and `-`, \
         at least one letter, no `--`);\n\
         - Service port names: DNS-1123 labels.\n\n\
         A value with `${var}` is judged as written where no post-build substitution \
         reaches it (its Flux Kustomization, applied by another, has no `postBuild` \
         variables, or the object turns substitution off): the API server receives it so. \
         Where a substitution reaches it, or may (a cluster's root Kustomization), GO308 \
         judges the variable instead.\n\n\
         ## Why it matters\nThe API server refuses the object, so Flux fails the whole \
         Kustomization it belongs to.\n\n\
         ## Example\n```yaml\nkind: Service\nmetadata:\n  name: api.v2   # GO008 a Service name has no dots\n```\n\n\
         ## Fix\nRename (and update what refers to the name)."
    }
    fn per_object(&self) -> bool {
        true
    }
    fn check_object(&self, ctx: &Context<'_>, i: usize, o: &Object, out: &mut Findings<'_>) {
        if !ctx.has_schema(i) {
            return;
        }
        let name = o.name();
        let literal = stays_literal(ctx, o);
        if !name.is_empty() && (!unsubstituted(name) || literal.is_some()) {
            if let Some(problem) = name_problem(name, name_rule(o.group(), o.kind())) {
                out.object(
                    i,
                    "/metadata/name",
                    literal_note(format!("{}: the name {problem}", o.id()), literal),
                    None,
                );
            }
        }
        if let Some(template) = super::pod_template(o) {
            for (pointer, c) in super::containers(o, template) {
                check_container(i, o, &pointer, c, out);
            }
        }
        if (o.group(), o.kind()) == ("", "Service") {
            check_service_ports(i, o, out);
        }
    }
}

fn check_container(i: usize, o: &Object, pointer: &str, c: &Value, out: &mut Findings<'_>) {
    if let Some(name) = c.get("name").and_then(Value::as_str) {
        if !unsubstituted(name) {
            if let Some(problem) = dns1123_label(name) {
                out.object(
                    i,
                    &format!("{pointer}/name"),
                    format!("{}: container name `{name}` {problem}", o.id()),
                    None,
                );
            }
        }
    }
    for (p, port) in c
        .get("ports")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        if let Some(name) = port.get("name").and_then(Value::as_str) {
            port_name(i, o, &format!("{pointer}/ports/{p}/name"), name, out);
        }
    }
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        for handler in ["httpGet", "tcpSocket"] {
            let port = c.get(probe).and_then(|p| p.get(handler)?.get("port"));
            if let Some(name) = port.and_then(Value::as_str) {
                port_name(
                    i,
                    o,
                    &format!("{pointer}/{probe}/{handler}/port"),
                    name,
                    out,
                );
            }
        }
    }
}

fn check_service_ports(i: usize, o: &Object, out: &mut Findings<'_>) {
    for (p, port) in o.items("/spec/ports").enumerate() {
        if let Some(name) = port.get("name").and_then(Value::as_str) {
            if !name.is_empty() && !unsubstituted(name) {
                if let Some(problem) = dns1123_label(name) {
                    out.object(
                        i,
                        &format!("/spec/ports/{p}/name"),
                        format!("{}: port name `{name}` {problem}", o.id()),
                        None,
                    );
                }
            }
        }
        if let Some(name) = port.get("targetPort").and_then(Value::as_str) {
            port_name(i, o, &format!("/spec/ports/{p}/targetPort"), name, out);
        }
    }
}

/// A port given by name (`IsValidPortName`). A numeric string is left alone: the API server
/// reads `"8080"` as an IntOrString string and refuses it, but GO003's types say more.
fn port_name(i: usize, o: &Object, pointer: &str, name: &str, out: &mut Findings<'_>) {
    if unsubstituted(name) {
        return;
    }
    if let Some(problem) = iana_svc_name(name) {
        out.object(
            i,
            pointer,
            format!("{}: port name `{name}` {problem}", o.id()),
            None,
        );
    }
}
