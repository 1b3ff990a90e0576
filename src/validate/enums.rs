//! Enum values of built-in fields, read from the Kubernetes OpenAPI descriptions.
//!
//! The Kubernetes 1.35 OpenAPI documents carry no `enum` keyword (upstream dropped the
//! `+enum` markers from the published documents), but many field descriptions list the values
//! the API server's validation accepts, in prose: `Valid values are 'ClusterFirstWithHostNet',
//! 'ClusterFirst', 'Default' or 'None'.`. [`ENUMS`] names those fields and the passage of their
//! description that lists the values; [`apply`] reads the values out of that passage and sets
//! them as the property's `enum` (on its `items` for a list). Nothing is written by hand but the
//! field and where its description lists the values: when upstream rewords a description the
//! passage is no longer found and the build fails ([`apply`] returns the problems), so the list
//! is revisited rather than silently stale.
//!
//! The empty string is always allowed as well: for the API server an empty optional string is
//! the same as an absent one (it is defaulted, or left unset), and fluxprint must never refuse
//! what the API server accepts.
//!
//! Used twice, on the same documents: by `build.rs` (included with `#[path]`) before it drops
//! the descriptions and compiles the schemas in, and by `SchemaStore::add_kubernetes_openapi`
//! for documents read from files.

use serde_json::{Map, Value};

/// How the values are written in a description's passage.
#[derive(Clone, Copy, Debug)]
pub enum Style {
    /// Words that start with an upper-case letter (`One of Always, Never, IfNotPresent`).
    Words,
    /// Quoted words, in `"…"`, `'…'` or backticks (`Can be "Recreate" or "RollingUpdate"`).
    Quoted,
    /// The word after each `* ` bullet, before its `:` (`* Exact: …`).
    Bullets,
}

/// One field: `(definition, property, passage start, passage end, style)`. The passage is the
/// text of the description from its start (included) to its end (excluded, the first one after
/// the start; `""` for the end of the description).
pub type EnumField = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Style,
);

/// The built-in fields whose descriptions list their values, and where.
pub const ENUMS: &[EnumField] = &[
    (
        "io.k8s.api.apps.v1.DaemonSetUpdateStrategy",
        "type",
        "Can be ",
        ". ",
        Style::Quoted,
    ),
    (
        "io.k8s.api.apps.v1.DeploymentStrategy",
        "type",
        "Can be ",
        ". ",
        Style::Quoted,
    ),
    (
        "io.k8s.api.apps.v1.StatefulSetSpec",
        "podManagementPolicy",
        "The default policy is",
        "",
        Style::Quoted,
    ),
    (
        "io.k8s.api.autoscaling.v2.MetricSpec",
        "type",
        "It should be one of",
        ", each",
        Style::Quoted,
    ),
    (
        "io.k8s.api.autoscaling.v2.MetricTarget",
        "type",
        "metric type is",
        "",
        Style::Words,
    ),
    (
        "io.k8s.api.batch.v1.CronJobSpec",
        "concurrencyPolicy",
        "Valid values are:",
        "",
        Style::Quoted,
    ),
    (
        "io.k8s.api.batch.v1.JobSpec",
        "completionMode",
        "It can be ",
        ".",
        Style::Quoted,
    ),
    (
        "io.k8s.api.core.v1.Container",
        "imagePullPolicy",
        "One of ",
        ". ",
        Style::Words,
    ),
    (
        "io.k8s.api.core.v1.ContainerPort",
        "protocol",
        "Must be ",
        ". ",
        Style::Words,
    ),
    (
        "io.k8s.api.core.v1.NodeSelectorRequirement",
        "operator",
        "Valid operators are ",
        "",
        Style::Words,
    ),
    (
        "io.k8s.api.core.v1.PodSpec",
        "dnsPolicy",
        "Valid values are ",
        ". ",
        Style::Quoted,
    ),
    (
        "io.k8s.api.core.v1.PodSpec",
        "preemptionPolicy",
        "One of ",
        ". ",
        Style::Words,
    ),
    (
        "io.k8s.api.core.v1.PodSpec",
        "restartPolicy",
        "One of ",
        ". ",
        Style::Words,
    ),
    (
        "io.k8s.api.core.v1.SeccompProfile",
        "type",
        "Valid options are:",
        "",
        Style::Words,
    ),
    (
        "io.k8s.api.core.v1.ServicePort",
        "protocol",
        "Supports ",
        ". ",
        Style::Quoted,
    ),
    (
        "io.k8s.api.core.v1.ServiceSpec",
        "ipFamilyPolicy",
        "Services can be ",
        ". ",
        Style::Quoted,
    ),
    (
        "io.k8s.api.core.v1.ServiceSpec",
        "sessionAffinity",
        "Must be ",
        ". ",
        Style::Words,
    ),
    (
        "io.k8s.api.core.v1.ServiceSpec",
        "type",
        "Valid options are ",
        ". ",
        Style::Words,
    ),
    (
        "io.k8s.api.core.v1.Toleration",
        "effect",
        "allowed values are ",
        ".",
        Style::Words,
    ),
    (
        "io.k8s.api.core.v1.Toleration",
        "operator",
        "Valid operators are ",
        ". ",
        Style::Words,
    ),
    (
        "io.k8s.api.core.v1.TopologySpreadConstraint",
        "whenUnsatisfiable",
        "indicates how to deal",
        "A constraint",
        Style::Bullets,
    ),
    (
        "io.k8s.api.networking.v1.HTTPIngressPath",
        "pathType",
        "following values:",
        "\nImplementations",
        Style::Bullets,
    ),
    (
        "io.k8s.api.networking.v1.IngressClassParametersReference",
        "scope",
        "This may be set to ",
        ".",
        Style::Quoted,
    ),
    (
        "io.k8s.api.networking.v1.NetworkPolicySpec",
        "policyTypes",
        "Valid options are ",
        ". ",
        Style::Quoted,
    ),
    (
        "io.k8s.api.policy.v1.PodDisruptionBudgetSpec",
        "unhealthyPodEvictionPolicy",
        "Valid policies are ",
        ". ",
        Style::Words,
    ),
    (
        "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement",
        "operator",
        "Valid operators are ",
        ".",
        Style::Words,
    ),
];

/// One field whose description lists no values: `(definition, property, values)`.
pub type KnownEnum = (&'static str, &'static str, &'static [&'static str]);

/// Built-in fields whose descriptions name no values, with the values from the Go API types
/// (`k8s.io/api` 1.35: the type's constants, which the API server's validation accepts and
/// nothing else). Written by hand, so kept small: each one was checked against a real
/// kube-apiserver through the `tests/fixtures/apiserver/` corpus.
pub const KNOWN: &[KnownEnum] = &[
    // `LimitType`: `LimitTypePod`, `LimitTypeContainer`, `LimitTypePersistentVolumeClaim`.
    (
        "io.k8s.api.core.v1.LimitRangeItem",
        "type",
        &["Pod", "Container", "PersistentVolumeClaim"],
    ),
    // `PersistentVolumeAccessMode`: `ReadWriteOnce`, `ReadOnlyMany`, `ReadWriteMany`,
    // `ReadWriteOncePod`; the same type for volumes and claims (and claim templates).
    (
        "io.k8s.api.core.v1.PersistentVolumeClaimSpec",
        "accessModes",
        &[
            "ReadWriteOnce",
            "ReadOnlyMany",
            "ReadWriteMany",
            "ReadWriteOncePod",
        ],
    ),
    (
        "io.k8s.api.core.v1.PersistentVolumeSpec",
        "accessModes",
        &[
            "ReadWriteOnce",
            "ReadOnlyMany",
            "ReadWriteMany",
            "ReadWriteOncePod",
        ],
    ),
    // `RoleRef.Kind`: the RBAC validation accepts `Role` and `ClusterRole` (a
    // ClusterRoleBinding only `ClusterRole`, which GO003 leaves to the API server).
    (
        "io.k8s.api.rbac.v1.RoleRef",
        "kind",
        &["Role", "ClusterRole"],
    ),
];

/// The values a passage lists, in order of appearance, without duplicates.
pub fn values(passage: &str, style: Style) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |w: &str| {
        if !w.is_empty()
            && w.bytes().all(|b| b.is_ascii_alphanumeric())
            && !out.iter().any(|v| v == w)
        {
            out.push(w.to_owned());
        }
    };
    match style {
        Style::Words => {
            for w in passage.split(|c: char| !c.is_ascii_alphanumeric()) {
                if w.starts_with(|c: char| c.is_ascii_uppercase()) {
                    push(w);
                }
            }
        }
        Style::Quoted => {
            let bytes = passage.as_bytes();
            let mut i = 0;
            while i < bytes.len() {
                let q = bytes[i];
                if matches!(q, b'"' | b'\'' | b'`') {
                    if let Some(len) = passage[i + 1..].find(q as char) {
                        let inner = &passage[i + 1..i + 1 + len];
                        if inner.bytes().all(|b| b.is_ascii_alphanumeric()) {
                            push(inner);
                            i += len + 2;
                            continue;
                        }
                    }
                }
                i += 1;
            }
        }
        Style::Bullets => {
            for marker in ["* ", "- "] {
                for item in passage.split(marker).skip(1) {
                    let word = item
                        .split(|c: char| !c.is_ascii_alphanumeric())
                        .next()
                        .unwrap_or("");
                    if word.starts_with(|c: char| c.is_ascii_uppercase()) {
                        push(word);
                    }
                }
            }
        }
    }
    out
}

/// The passage of `description` from `start` to `end`.
fn passage<'a>(description: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = description.find(start)? + start.len();
    let rest = &description[from..];
    if end.is_empty() {
        return Some(rest);
    }
    rest.find(end).map(|to| &rest[..to])
}

/// Sets the `enum` of every field of [`ENUMS`] found in `defs` (one OpenAPI document's
/// `components.schemas`, descriptions still in). Returns what could not be read: a field whose
/// description no longer has its passage, or a passage without two values.
pub fn apply(defs: &mut Map<String, Value>) -> Vec<String> {
    let mut problems = Vec::new();
    for (def, property, start, end, style) in ENUMS {
        let Some(prop) = defs
            .get_mut(*def)
            .and_then(|d| d.pointer_mut(&format!("/properties/{property}")))
        else {
            continue;
        };
        let description = prop
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or("");
        let found = passage(description, start, end).map(|p| values(p, *style));
        let Some(values) = found.filter(|v| v.len() >= 2) else {
            problems.push(format!(
                "{def}.{property}: its description no longer lists the values after {start:?}"
            ));
            continue;
        };
        set_enum(prop, values);
    }
    for (def, property, values) in KNOWN {
        let Some(prop) = defs
            .get_mut(*def)
            .and_then(|d| d.pointer_mut(&format!("/properties/{property}")))
        else {
            continue;
        };
        if prop.get("description").is_some_and(|d| {
            d.as_str()
                .is_some_and(|d| values.iter().all(|v| d.contains(&format!("\"{v}\""))))
        }) {
            // Upstream lists them now: the description should be read instead.
            problems.push(format!(
                "{def}.{property}: its description now lists the values; move it to ENUMS"
            ));
        }
        set_enum(prop, values.iter().map(|v| (*v).to_owned()).collect());
    }
    problems
}

/// Sets `values` and the empty string as the `enum` of `prop` (of its `items` for a list).
fn set_enum(prop: &mut Value, mut values: Vec<String>) {
    values.push(String::new());
    let target = if prop.get("type").and_then(Value::as_str) == Some("array") {
        match prop.get_mut("items") {
            Some(items) => items,
            None => return,
        }
    } else {
        prop
    };
    if let Value::Object(obj) = target {
        obj.insert(
            "enum".into(),
            Value::Array(values.into_iter().map(Value::String).collect()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::{values, Style};

    #[test]
    fn values_are_read_in_each_style() {
        assert_eq!(
            values("Always, Never, IfNotPresent", Style::Words),
            ["Always", "Never", "IfNotPresent"]
        );
        assert_eq!(
            values(
                "'ClusterFirstWithHostNet', 'ClusterFirst', 'Default' or 'None'",
                Style::Quoted
            ),
            ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"]
        );
        assert_eq!(
            values(
                r#"["Ingress"], ["Egress"], or ["Ingress", "Egress"]"#,
                Style::Quoted
            ),
            ["Ingress", "Egress"]
        );
        assert_eq!(
            values(
                " * Exact: Matches. * Prefix: Matches\n* ImplementationSpecific: x",
                Style::Bullets
            ),
            ["Exact", "Prefix", "ImplementationSpecific"]
        );
    }
}
