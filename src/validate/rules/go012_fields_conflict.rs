//! GO012: fields of a built-in kind that the API server refuses together.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::validate::apiserver::values::{int, quantity_value};
use crate::validate::rule::{Context, Findings, Rule};
use crate::validate::tree::Object;

/// GO012
pub struct FieldsConflict;

impl Rule for FieldsConflict {
    fn code(&self) -> &'static str {
        "GO012"
    }
    fn name(&self) -> &'static str {
        "fields-conflict"
    }
    fn summary(&self) -> &'static str {
        "Fields of a built-in kind that the API server refuses together: PDB minAvailable with maxUnavailable, HPA min above max, requests above limits, two probe handlers, duplicate names."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nRules between fields that kube-apiserver enforces in code:\n\
         - a PodDisruptionBudget sets `minAvailable` or `maxUnavailable`, not both;\n\
         - a HorizontalPodAutoscaler's `minReplicas` is at most its `maxReplicas`;\n\
         - a Deployment's `progressDeadlineSeconds` is greater than its `minReadySeconds`;\n\
         - a pod's `restartPolicy` fits its workload: `Always` for Deployments, \
         ReplicaSets, StatefulSets, DaemonSets and ReplicationControllers, `OnFailure` or \
         `Never` for Jobs and CronJobs;\n\
         - container names are unique in a pod (containers and init containers together);\n\
         - a container's resource request is at most its limit;\n\
         - a probe has one handler (`exec`, `httpGet`, `tcpSocket` or `grpc`);\n\
         - a volume has one source (`emptyDir`, `configMap`, …);\n\
         - every `volumeMount` names a volume of the pod (or a StatefulSet's claim template);\n\
         - a Service with more than one port names every port, each name once.\n\n\
         ## Why it matters\nThe API server refuses the object, so Flux fails the whole \
         Kustomization it belongs to.\n\n\
         ## Example\n```yaml\nkind: PodDisruptionBudget\nspec:\n  minAvailable: 1\n  maxUnavailable: 1   # GO012\n```\n\n\
         ## Fix\nKeep one of the two fields, or make the values agree."
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
            ("policy", "PodDisruptionBudget")
                if set(o, "/spec/minAvailable") && set(o, "/spec/maxUnavailable") =>
            {
                say(
                    "/spec/maxUnavailable",
                    "`minAvailable` and `maxUnavailable` cannot both be set".into(),
                );
            }
            ("autoscaling", "HorizontalPodAutoscaler") => {
                let min = o.at("/spec/minReplicas").and_then(int);
                let max = o.at("/spec/maxReplicas").and_then(int);
                if let (Some(min), Some(max)) = (min, max) {
                    if min > max {
                        say(
                            "/spec/minReplicas",
                            format!("`minReplicas` ({min}) is greater than `maxReplicas` ({max})"),
                        );
                    }
                }
            }
            ("apps", "Deployment") => {
                let ready = o.at("/spec/minReadySeconds").and_then(int).unwrap_or(0);
                if let Some(deadline) = o.at("/spec/progressDeadlineSeconds").and_then(int) {
                    if deadline <= ready {
                        say(
                            "/spec/progressDeadlineSeconds",
                            format!("`progressDeadlineSeconds` ({deadline}) must be greater than `minReadySeconds` ({ready})"),
                        );
                    }
                }
            }
            ("", "Service") => service_ports(o, &mut say),
            _ => {}
        }
        if let Some(template) = super::pod_template(o) {
            pod(o, template, &mut say);
        }
    }
}

/// True when the field is there and not `null` (the API server drops a `null`).
fn set(o: &Object, pointer: &str) -> bool {
    o.at(pointer).is_some_and(|v| !v.is_null())
}

/// `restartPolicy` values a workload kind allows (`None`: any).
fn restart_policies(o: &Object) -> Option<&'static [&'static str]> {
    match (o.group(), o.kind()) {
        ("apps", "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet")
        | ("", "ReplicationController") => Some(&["Always"]),
        ("batch", "Job" | "CronJob") => Some(&["OnFailure", "Never"]),
        _ => None,
    }
}

const PROBE_HANDLERS: [&str; 4] = ["exec", "httpGet", "tcpSocket", "grpc"];

fn pod(o: &Object, template: &str, say: &mut impl FnMut(&str, String)) {
    let spec = format!("{template}/spec");
    if let (Some(allowed), Some(policy)) = (
        restart_policies(o),
        o.at(&format!("{spec}/restartPolicy"))
            .and_then(Value::as_str),
    ) {
        if !policy.is_empty() && !allowed.contains(&policy) {
            say(
                &format!("{spec}/restartPolicy"),
                format!(
                    "a {}'s pods restart {}, not `{policy}`",
                    o.kind(),
                    allowed
                        .iter()
                        .map(|a| format!("`{a}`"))
                        .collect::<Vec<_>>()
                        .join(" or ")
                ),
            );
        }
    }
    let mut volumes = BTreeSet::new();
    // A StatefulSet's claim templates are volumes of its pods too.
    if (o.group(), o.kind()) == ("apps", "StatefulSet") {
        for claim in o
            .at("/spec/volumeClaimTemplates")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(name) = claim.pointer("/metadata/name").and_then(Value::as_str) {
                volumes.insert(name.to_owned());
            }
        }
    }
    for (v, volume) in o
        .at(&format!("{spec}/volumes"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        if let Some(name) = volume.get("name").and_then(Value::as_str) {
            volumes.insert(name.to_owned());
        }
        let sources: Vec<&String> = volume
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, x)| *k != "name" && !x.is_null())
            .map(|(k, _)| k)
            .collect();
        if sources.len() > 1 {
            say(
                &format!("{spec}/volumes/{v}/{}", sources[1]),
                format!(
                    "a volume has one source, this one has {}",
                    sources
                        .iter()
                        .map(|s| format!("`{s}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
    }
    let mut names = BTreeSet::new();
    for (pointer, c) in super::containers(o, template) {
        if let Some(name) = c.get("name").and_then(Value::as_str) {
            if !names.insert(name.to_owned()) {
                say(
                    &format!("{pointer}/name"),
                    format!("container name `{name}` is used twice in the pod"),
                );
            }
        }
        for (m, mount) in c
            .get("volumeMounts")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            if let Some(name) = mount.get("name").and_then(Value::as_str) {
                if !volumes.contains(name) {
                    say(
                        &format!("{pointer}/volumeMounts/{m}/name"),
                        format!("volumeMount `{name}` names no volume of the pod"),
                    );
                }
            }
        }
        for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
            let Some(p) = c.get(probe).and_then(Value::as_object) else {
                continue;
            };
            let handlers: Vec<&str> = PROBE_HANDLERS
                .iter()
                .copied()
                .filter(|h| p.get(*h).is_some_and(|x| !x.is_null()))
                .collect();
            if handlers.len() > 1 {
                say(
                    &format!("{pointer}/{probe}/{}", handlers[1]),
                    format!(
                        "a probe has one handler, `{probe}` has `{}` and `{}`",
                        handlers[0], handlers[1]
                    ),
                );
            }
        }
        let requests = c.pointer("/resources/requests").and_then(Value::as_object);
        let limits = c.pointer("/resources/limits").and_then(Value::as_object);
        for (name, request) in requests.into_iter().flatten() {
            let limit = limits.and_then(|l| l.get(name));
            if let (Some(r), Some(l)) = (quantity_value(request), limit.and_then(quantity_value)) {
                if r > l {
                    say(
                        &format!(
                            "{pointer}/resources/requests/{}",
                            crate::source::yaml::escape_pointer_token(name)
                        ),
                        format!("the {name} request is greater than its limit"),
                    );
                }
            }
        }
    }
}

fn service_ports(o: &Object, say: &mut impl FnMut(&str, String)) {
    let ports = o
        .at("/spec/ports")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    if ports.len() < 2 {
        return;
    }
    let mut seen = BTreeSet::new();
    for (p, port) in ports.iter().enumerate() {
        match port
            .get("name")
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
        {
            None => say(
                &format!("/spec/ports/{p}"),
                "a Service with several ports names each of them".into(),
            ),
            Some(name) => {
                if !seen.insert(name) {
                    say(
                        &format!("/spec/ports/{p}/name"),
                        format!("port name `{name}` is used twice"),
                    );
                }
            }
        }
    }
}
