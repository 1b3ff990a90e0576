//! GO014: a field of a built-in kind that the API server requires, though the OpenAPI schema
//! leaves it optional.

use serde_json::Value;

use crate::validate::rule::{Context, Findings, Rule};
use crate::validate::tree::Object;

/// GO014
pub struct FieldRequired;

impl Rule for FieldRequired {
    fn code(&self) -> &'static str {
        "GO014"
    }
    fn name(&self) -> &'static str {
        "field-required"
    }
    fn summary(&self) -> &'static str {
        "A field the API server requires of a built-in kind: a container's image, a claim's storage request, a TLS Secret's keys, a Service's ports."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nFields that kube-apiserver requires in code (the OpenAPI schema \
         marks them optional, because other uses of the same type do without):\n\
         - every container and init container of a Pod or a workload's pod template has an \
         `image` (judged on the built object, after kustomize `images:` and patches);\n\
         - a PersistentVolumeClaim, and each `volumeClaimTemplates` entry of a StatefulSet, \
         requests `storage` in `spec.resources.requests`;\n\
         - a Secret of type `kubernetes.io/tls` has the keys `tls.crt` and `tls.key`, in \
         `data` or `stringData`;\n\
         - a Service has `ports`, unless it is headless (`clusterIP: None`) or of type \
         `ExternalName`.\n\n\
         ## Why it matters\nThe API server refuses the object, so Flux fails the whole \
         Kustomization it belongs to.\n\n\
         ## Example\n```yaml\nkind: PersistentVolumeClaim\nspec:   # GO014 no storage request\n  accessModes: [ReadWriteOnce]\n```\n\n\
         ## Fix\nSet the field the message names."
    }
    fn per_object(&self) -> bool {
        true
    }
    fn check_object(&self, ctx: &Context<'_>, i: usize, o: &Object, out: &mut Findings<'_>) {
        if !ctx.has_schema(i) {
            return;
        }
        let mut say = out.saying(i, o);
        match (o.group(), o.kind()) {
            ("", "PersistentVolumeClaim") => storage(o, "/spec", &mut say),
            ("apps", "StatefulSet") => {
                let n = o
                    .at("/spec/volumeClaimTemplates")
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len);
                for t in 0..n {
                    storage(o, &format!("/spec/volumeClaimTemplates/{t}/spec"), &mut say);
                }
            }
            ("", "Secret") => tls_secret(o, &mut say),
            ("", "Service") => service_ports(o, &mut say),
            _ => {}
        }
        if let Some(template) = super::pod_template(o) {
            for (pointer, c) in super::containers(o, template) {
                let image = c.get("image");
                if image.is_none_or(|v| v.is_null() || v.as_str() == Some("")) {
                    let name = c.get("name").and_then(Value::as_str).unwrap_or("");
                    let at = if image.is_some() {
                        format!("{pointer}/image")
                    } else {
                        pointer.clone()
                    };
                    say(&at, format!("container `{name}` has no `image`"));
                }
            }
        }
    }
}

/// The deepest existing prefix of `pointer` in `o`: where a missing field is reported.
fn deepest<'p>(o: &Object, pointer: &'p str) -> &'p str {
    let mut at = pointer;
    while !at.is_empty() && o.at(at).is_none() {
        at = at.rsplit_once('/').map_or("", |(head, _)| head);
    }
    at
}

/// `ValidatePersistentVolumeClaimSpec`: `resources.requests.storage` is required.
fn storage(o: &Object, spec: &str, say: &mut impl FnMut(&str, String)) {
    let requests = format!("{spec}/resources/requests");
    if o.at(&format!("{requests}/storage"))
        .is_some_and(|v| !v.is_null())
    {
        return;
    }
    // A claim that binds an existing volume (`volumeName`, `selector`) still needs it.
    say(
        deepest(o, &requests),
        "requests no `storage` in `resources.requests`: a claim needs its size".into(),
    );
}

/// `ValidateSecret` for `kubernetes.io/tls`: `tls.crt` and `tls.key` (the API server merges
/// `stringData` into `data` first).
fn tls_secret(o: &Object, say: &mut impl FnMut(&str, String)) {
    if o.at("/type").and_then(Value::as_str) != Some("kubernetes.io/tls") {
        return;
    }
    let has = |key: &str| {
        ["data", "stringData"]
            .iter()
            .any(|m| o.at(&format!("/{m}")).and_then(|d| d.get(key)).is_some())
    };
    let missing: Vec<&str> = ["tls.crt", "tls.key"]
        .into_iter()
        .filter(|k| !has(k))
        .collect();
    if missing.is_empty() {
        return;
    }
    let at = if o.at("/data").is_some() {
        "/data"
    } else {
        "/type"
    };
    say(
        at,
        format!(
            "has no {}: a `kubernetes.io/tls` Secret needs `tls.crt` and `tls.key`",
            missing
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(" and ")
        ),
    );
}

/// `ValidateService`: ports are required, except for headless and ExternalName Services.
fn service_ports(o: &Object, say: &mut impl FnMut(&str, String)) {
    if o.at("/spec/ports")
        .and_then(Value::as_array)
        .is_some_and(|p| !p.is_empty())
    {
        return;
    }
    let headless = o.at("/spec/clusterIP").and_then(Value::as_str) == Some("None")
        || o.at("/spec/clusterIPs/0").and_then(Value::as_str) == Some("None");
    let external = o.at("/spec/type").and_then(Value::as_str) == Some("ExternalName");
    if headless || external {
        return;
    }
    say(
        deepest(o, "/spec/ports"),
        "has no `ports`: only a headless (`clusterIP: None`) or `ExternalName` Service does without"
            .into(),
    );
}
