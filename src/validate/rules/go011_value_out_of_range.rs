//! GO011: a number, percentage or quantity of a built-in kind outside what the API server
//! accepts.

use serde_json::Value;

use crate::source::yaml::escape_pointer_token;
use crate::validate::apiserver::formats::parse_ip_sloppy;
use crate::validate::apiserver::settings::{Gate, ServerSettings};
use crate::validate::apiserver::values::{
    int, int_or_percent, non_negative, non_negative_quantity, port_number,
};
use crate::validate::rule::{Context, Findings, Rule};
use crate::validate::tree::Object;

/// GO011
pub struct ValueOutOfRange;

impl Rule for ValueOutOfRange {
    fn code(&self) -> &'static str {
        "GO011"
    }
    fn name(&self) -> &'static str {
        "value-out-of-range"
    }
    fn summary(&self) -> &'static str {
        "A port, count, percentage or quantity of a built-in kind that the API server refuses."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nValues that kube-apiserver range-checks in code (the OpenAPI schema \
         only says `integer` or `string`):\n\
         - port numbers from 1 to 65535: `containerPort`, a non-zero `hostPort`, ports of \
         `httpGet` and `tcpSocket` probes, a Service's `port` and a non-zero numeric \
         `targetPort`;\n\
         - counts of at least 0: `replicas` of Deployments, ReplicaSets, StatefulSets and \
         ReplicationControllers, `minReadySeconds`, `revisionHistoryLimit`, a Job's \
         `parallelism`, `completions` and `backoffLimit`;\n\
         - a HorizontalPodAutoscaler's `minReplicas` of at least 0, and at least 1 where \
         `--feature-gates HPAScaleToZero=false` says the cluster has that gate off (its \
         Kubernetes 1.35 default; clusters that scale to zero turn it on in a configuration \
         the tree does not hold, so 0 is accepted unless told), and `maxReplicas` of at \
         least 1;\n\
         - a Service's `clusterIP` and `clusterIPs` inside the cluster's Service range of \
         their family, and not its network or (IPv4) broadcast address, when \
         `--service-cluster-ip-range` gives the range (the tree does not tell it);\n\
         - integers or percentages (`25%`) where the API takes either: a Deployment's \
         `maxSurge` and `maxUnavailable` (`maxUnavailable` at most 100%), a \
         PodDisruptionBudget's `minAvailable` and `maxUnavailable` (at most 100%);\n\
         - container resource requests and limits of at least 0.\n\n\
         ## Why it matters\nThe API server refuses the object, so Flux fails the whole \
         Kustomization it belongs to.\n\n\
         ## Example\n```yaml\nports:\n  - containerPort: 70000   # GO011\n```\n\n\
         ## Fix\nUse a value in the range the message names."
    }
    fn per_object(&self) -> bool {
        true
    }
    fn check_object(&self, ctx: &Context<'_>, i: usize, o: &Object, out: &mut Findings<'_>) {
        if !ctx.has_schema(i) {
            return;
        }
        let mut v = Out { i, o, out };
        match (o.group(), o.kind()) {
            ("apps", "Deployment" | "ReplicaSet" | "StatefulSet")
            | ("", "ReplicationController") => {
                for f in ["replicas", "minReadySeconds", "revisionHistoryLimit"] {
                    v.count(&format!("/spec/{f}"));
                }
            }
            ("apps", "DaemonSet") => {
                v.count("/spec/minReadySeconds");
                v.count("/spec/revisionHistoryLimit");
            }
            ("batch", "Job") => {
                for f in ["parallelism", "completions", "backoffLimit"] {
                    v.count(&format!("/spec/{f}"));
                }
            }
            ("autoscaling", "HorizontalPodAutoscaler") => {
                // `minReplicas: 0` is valid where the HPAScaleToZero gate is on: an error
                // only when the user says the cluster has it off.
                let zero = ctx.options.server.gate(Gate::HpaScaleToZero) != Some(false);
                for (f, least) in [
                    ("minReplicas", if zero { 0 } else { 1 }),
                    ("maxReplicas", 1),
                ] {
                    let at = format!("/spec/{f}");
                    let Some(n) = o.at(&at).and_then(int).filter(|n| *n < least) else {
                        continue;
                    };
                    let why = if n == 0 && f == "minReplicas" {
                        " (0 needs the HPAScaleToZero feature gate, which \
                         --feature-gates says is off)"
                    } else {
                        ""
                    };
                    v.say(
                        &at,
                        format!("`{f}` must be greater than or equal to {least}{why}"),
                    );
                }
            }
            ("policy", "PodDisruptionBudget") => {
                v.percent("/spec/minAvailable", false);
                v.percent("/spec/maxUnavailable", true);
            }
            ("", "Service") => {
                for (p, port) in o.items("/spec/ports").enumerate() {
                    v.port(|| format!("/spec/ports/{p}/port"), port.get("port"), false);
                    v.port(
                        || format!("/spec/ports/{p}/targetPort"),
                        port.get("targetPort"),
                        true,
                    );
                }
                v.cluster_ips(&ctx.options.server);
            }
            _ => {}
        }
        if o.kind() == "Deployment" && o.group() == "apps" {
            v.percent("/spec/strategy/rollingUpdate/maxSurge", false);
            v.percent("/spec/strategy/rollingUpdate/maxUnavailable", true);
        }
        if let Some(template) = super::pod_template(o) {
            for (pointer, c) in super::containers(o, template) {
                v.container(&pointer, c);
            }
        }
    }
}

struct Out<'a, 'b, 'c> {
    i: usize,
    o: &'a Object,
    out: &'b mut Findings<'c>,
}

impl Out<'_, '_, '_> {
    fn say(&mut self, pointer: &str, problem: String) {
        let message = format!("{}: {problem}", self.o.id());
        self.out.object(self.i, pointer, message, None);
    }

    fn count(&mut self, pointer: &str) {
        if let Some(problem) = self.o.at(pointer).and_then(int).and_then(non_negative) {
            let field = pointer.rsplit('/').next().unwrap_or("");
            self.say(pointer, format!("`{field}` {problem}"));
        }
    }

    fn percent(&mut self, pointer: &str, at_most_100: bool) {
        if let Some(problem) = self
            .o
            .at(pointer)
            .and_then(|v| int_or_percent(v, at_most_100))
        {
            let field = pointer.rsplit('/').next().unwrap_or("");
            self.say(pointer, format!("`{field}` {problem}"));
        }
    }

    /// A port number; `zero_ok` where 0 means unset (and is defaulted).
    /// `pointer` is made only for a finding: most ports have none.
    fn port(&mut self, pointer: impl FnOnce() -> String, value: Option<&Value>, zero_ok: bool) {
        let Some(n) = value.and_then(int) else { return };
        if zero_ok && n == 0 {
            return;
        }
        if let Some(problem) = port_number(n) {
            let pointer = pointer();
            let field = pointer.rsplit('/').next().unwrap_or("");
            self.say(&pointer, format!("`{field}` {problem}"));
        }
    }

    /// The Service's cluster IPs against the cluster's Service ranges, when they are given.
    fn cluster_ips(&mut self, server: &ServerSettings) {
        let mut seen = Vec::new();
        let ips = self.o.at("/spec/clusterIPs").and_then(Value::as_array);
        let listed = ips
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(k, ip)| (format!("/spec/clusterIPs/{k}"), ip));
        let single = self
            .o
            .at("/spec/clusterIP")
            .map(|ip| ("/spec/clusterIP".to_owned(), ip));
        for (pointer, ip) in single.into_iter().chain(listed) {
            // `None` (headless) and empty (allocate one) are no addresses; a malformed one
            // is not this rule's.
            let Some(addr) = ip.as_str().and_then(parse_ip_sloppy) else {
                continue;
            };
            if seen.contains(&addr) {
                continue;
            }
            seen.push(addr);
            if let Some(problem) = server.cluster_ip_problem(addr) {
                let field = if pointer.contains("clusterIPs") {
                    "clusterIPs"
                } else {
                    "clusterIP"
                };
                self.say(&pointer, format!("`{field}` {addr} {problem}"));
            }
        }
    }

    fn container(&mut self, pointer: &str, c: &Value) {
        for (p, port) in c
            .get("ports")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            self.port(
                || format!("{pointer}/ports/{p}/containerPort"),
                port.get("containerPort"),
                false,
            );
            self.port(
                || format!("{pointer}/ports/{p}/hostPort"),
                port.get("hostPort"),
                true,
            );
        }
        for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
            for handler in ["httpGet", "tcpSocket"] {
                let port = c.get(probe).and_then(|p| p.get(handler)?.get("port"));
                self.port(|| format!("{pointer}/{probe}/{handler}/port"), port, false);
            }
        }
        for kind in ["requests", "limits"] {
            for (name, q) in c
                .get("resources")
                .and_then(|r| r.get(kind))
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                if let Some(problem) = non_negative_quantity(q) {
                    let at = format!("{pointer}/resources/{kind}/{}", escape_pointer_token(name));
                    self.say(
                        &at,
                        format!("the {name} {} {problem}", &kind[..kind.len() - 1]),
                    );
                }
            }
        }
    }
}
