//! The registry of blueprint diagnostic codes (BP…): plain data, one entry per code, in code
//! order, like the validator's rule registry. `fluxprint explain BP118` prints an entry, the
//! code table of `docs/blueprint.md` is generated from it, and tests hold the source, the
//! invalid-input catalog and the docs to it.

/// One diagnostic code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Code {
    /// `BP118`.
    pub code: &'static str,
    /// A kebab-case name for the problem (`sealed-value-missing`).
    pub name: &'static str,
    /// `error`, `warning`, or both (`error on strict clusters, warning on relaxed`).
    pub severity: &'static str,
    /// What it reports, one line.
    pub summary: &'static str,
    /// A message it prints.
    pub example: &'static str,
    /// How to fix it.
    pub fix: &'static str,
}

const fn code(
    code: &'static str,
    name: &'static str,
    severity: &'static str,
    summary: &'static str,
    example: &'static str,
    fix: &'static str,
) -> Code {
    Code {
        code,
        name,
        severity,
        summary,
        example,
        fix,
    }
}

/// Every code, in order. Codes are never reused.
pub const CODES: &[Code] = &[
    code("BP001", "yaml-syntax", "error",
        "YAML syntax error, duplicate key, non-scalar key, unknown alias, alias expansion over 100,000 nodes in a file (5,000,000 in a run), nesting over 200 levels",
        "duplicate key `team` (first defined at line 4)",
        "Fix the YAML at the line shown: indentation, a missing `:` or quote, or the repeated key."),
    code("BP002", "wrong-document", "error",
        "not one mapping document of the expected kind: empty file, several documents, not a mapping, wrong `kind`, not UTF-8, no cluster files",
        "expected kind `Blueprint`, found `Cluster`",
        "Keep one document per file, a mapping with the expected `kind`; clusters go in `clusters/`, blueprints in `blueprints/`."),
    code("BP003", "unknown-field", "error",
        "unknown field (the hint names the closest known field, or the allowed ones)",
        "unknown field `replica` (help: did you mean `replicas`?)",
        "Rename the field as the hint says, or check its indentation: it may belong to another section."),
    code("BP004", "missing-field", "error",
        "missing required field (also in the merged blueprint of a cluster)",
        "missing required field `max`",
        "Add the field; `fluxprint schema` and docs/blueprint.md list what each section requires."),
    code("BP005", "invalid-value", "error",
        "wrong type, value out of range, bad quantity or duration, value not in the allowed set",
        "expected string, found number `1.4` (help: quote the value: \"1.4\")",
        "Write a value of the type the field takes; quote strings that look like numbers."),
    code("BP006", "field-not-overridable", "error",
        "a field that `overrides` may not change",
        "`name` cannot be overridden per cluster",
        "Set the field once at the top of the blueprint."),
    code("BP101", "invalid-name", "error",
        "invalid name (service, team, namespace, cluster, infrastructure, sidecar, volume) or relative mount path",
        "service name `Order_Service` may contain only lower-case letters, digits and '-'",
        "Use a DNS label: lower-case letters, digits and '-', starting with a letter."),
    code("BP102", "duplicate-name", "error",
        "name or number used twice (services, clusters, ports, secret variables, containers, volumes, infrastructure)",
        "port 8080 is used twice (also at ports[0])",
        "Give each entry its own name or number."),
    code("BP103", "file-name-mismatch", "error",
        "file name differs from `name`",
        "blueprint `order` is in file `blueprints/orders.yaml`",
        "Rename the file to `<name>.yaml`, or the `name` to the file's."),
    code("BP104", "port-invalid", "error",
        "port problem: invalid port name, missing protocol prefix, route or monitoring port unknown, route or `mesh.timeout`/`mesh.retries` without any port",
        "port name `web` has no protocol prefix",
        "Name ports `<protocol>[-suffix]` (`http`, `grpc-api`) and refer to declared ports only."),
    code("BP105", "probe-invalid", "error",
        "probe problem: not exactly one kind, path without `/`, unknown port, no port at all, exec without a command or with a port; on strict clusters a container (main or sidecar) without a liveness probe, or serving a Service port without a readiness probe",
        "sidecar `nginx` has no readiness probe: strict cluster `prod` needs one on a container that serves a Service port",
        "Give each probe exactly one kind (`path`, `tcp: true`, `grpc: true` or `exec`) and a port the container declares; on strict clusters give every container `probes.liveness`, and `probes.readiness` when it has ports behind the Service."),
    code("BP106", "scaling-invalid", "error",
        "scaling problem: `replicas` with `autoscaling`, min < 1, min > max, no target, target without request",
        "autoscaling.min (5) is greater than autoscaling.max (2)",
        "Use either `replicas` or `autoscaling`, with 1 <= min <= max and a target whose resource is requested."),
    code("BP107", "resources-invalid", "error",
        "resources problem: request missing in a strict cluster, limit below request, zero request",
        "memoryLimit (256Mi) is below the request memory (512Mi)",
        "Request cpu and memory; keep limits at or above the requests."),
    code("BP108", "env-invalid", "error",
        "environment variable problem: not an identifier, in both `env` and `secretEnv`",
        "`DATABASE_URL` is both in `env` and in `secretEnv`",
        "Use identifiers (letters, digits, `_`); keep secrets only in `secretEnv`."),
    code("BP109", "override-cluster-unknown", "error",
        "`overrides` names a cluster that does not exist",
        "overrides name cluster `staging`, which does not exist",
        "Name a cluster of `clusters/`, or add the cluster file."),
    code("BP110", "dependency-unknown", "error",
        "`dependsOn` names neither a blueprint nor infrastructure of the cluster",
        "`kafak` is neither a blueprint nor infrastructure of clusters `dev` and `prod`",
        "Name a blueprint, or add the name to the cluster's `infrastructure` list."),
    code("BP111", "dependency-cycle", "error",
        "`dependsOn` on itself or in a cycle",
        "dependsOn forms a cycle: order → payment → rider → order",
        "Remove one `dependsOn` entry of the cycle: Flux would wait forever."),
    code("BP112", "statefulset-field-on-deployment", "error",
        "a statefulset-only field (`storage`) on a deployment",
        "`storage` is only for statefulsets",
        "Set `workload: statefulset`, or remove the field."),
    code("BP113", "image-invalid", "error",
        "image or tag problem, including a missing or `latest` tag in a strict cluster",
        "tag `latest` is refused in strict cluster `prod`",
        "Pin a tag: `tag: \"1.4.2\"` (or per cluster in `overrides.<cluster>.tag`)."),
    code("BP114", "route-host-or-path-invalid", "error",
        "a route host that is not a DNS name (a label, or a subdomain of at most 253 characters), or a route path without a leading `/`",
        "route host `api_v2.foodbuzz.com.bd` may contain only lower-case letters, digits and '-'",
        "Write a lower-case DNS host (`api` or `api.example.com`) and a path starting with `/`."),
    code("BP115", "image-automation-invalid", "error",
        "image automation problem: missing `policy`, range or pattern; range that does not parse; pattern that does not compile or has no `ts` group; `pinned` with a range or pattern; missing `git`; tag outside the semver range",
        "buildTagPattern has no `ts` group to order builds by",
        "Complete the cluster's `images` section; docs/flux.md shows both policies."),
    code("BP116", "automation-auto-on-strict", "warning",
        "`images.automation: auto` on a strict cluster: every new image deploys without review",
        "automation `auto` deploys every new image to strict cluster `prod` without review",
        "Use `automation: review` on strict clusters, so updates go through a merge request."),
    code("BP117", "service-name-clashes", "error",
        "a service name that is also a Flux Kustomization name of a cluster (`infrastructure`, `flux-system`, an `infrastructure` entry)",
        "service name `kafka` clashes with a Flux Kustomization of cluster `dev`",
        "Rename the service."),
    code("BP118", "sealed-value-missing", "error on strict clusters, warning on relaxed",
        "a `secretEnv` variable without a sealed value for a cluster",
        "no sealed value for DATABASE_URL, PAYMENT_TOKEN in cluster `prod`",
        "Seal it: `printf %s \"$VALUE\" | fluxprint seal <service> <KEY> --cluster <cluster>`; the cluster needs `sealing.cert` (get it with `kubeseal --fetch-cert`)."),
    code("BP119", "sealed-file-mismatch", "error; a warning for an unknown cluster",
        "a `<name>.sealed.yaml` file that does not fit its blueprint (other name, unknown cluster, not a SealedValues file)",
        "sealed values of `payment` are in the file of `order`",
        "Let `fluxprint seal` write the file; never edit it by hand."),
    code("BP120", "sealing-cert-expiring", "warning (`seal`)",
        "the sealing certificate of a cluster expires within 30 days",
        "the certificate of cluster `prod` expires on 2027-01-01T00:00:00Z",
        "Fetch the renewed certificate (`kubeseal --fetch-cert`) and reseal (`fluxprint secrets status` lists what is stale)."),
    code("BP121", "mesh-service-denies-everything", "warning",
        "a mesh service with neither routes nor `mesh.callers`: its AuthorizationPolicy denies every request",
        "`notification` has no routes and no `mesh.callers`: its AuthorizationPolicy in cluster `dev` denies every request",
        "List the callers in `mesh.callers`, or `mesh: {callers: []}` for a service nothing calls on purpose."),
    code("BP122", "alert-invalid", "error",
        "monitoring or alert problem: metrics path without `/`, alert name not a metric name or used twice, empty expression, unknown severity",
        "alert `OrderErrors` is defined twice",
        "Give each alert a unique metric-style name, an expression and a known severity."),
    code("BP123", "capacity-below-peak", "error on strict clusters (a note in `plan` elsewhere)",
        "the most replicas (`autoscaling.max` or `replicas`) are fewer than the pods `capacity` needs at the peak",
        "at most 16 replicas run in strict cluster `prod`, but 18 pods are needed at the peak of 6000 requests/s",
        "Raise `autoscaling.max` to at least the pods needed, or revise `capacity`."),
    code("BP124", "mesh-caller-unknown", "error",
        "a `mesh.callers` entry that is not the name of a blueprint",
        "caller `ridr` is not a blueprint",
        "Name the calling service's blueprint, as in its `name`."),
    code("BP125", "routes-without-mesh-or-ingress", "error",
        "routes on a cluster with none of `mesh.istio`, `gatewayApi` and `ingress`: nothing could render them",
        "these routes cannot be rendered: there is neither `mesh.istio`, `gatewayApi` nor `ingress` in cluster `edge`",
        "Add `mesh: {istio: true, ...}`, `gatewayApi: {...}` or `ingress: {className: nginx}` to the cluster file, or drop the routes for that cluster in `overrides`."),
    code("BP126", "rewrite-unsupported-by-ingress-class", "error",
        "a route `rewrite` on an Ingress class other than `nginx`, which has no portable prefix rewrite",
        "ingress class `traefik` of cluster `edge` has no portable prefix rewrite",
        "Drop `rewrite`, or rewrite in the service; rewrites render for Istio and for the `nginx` class."),
    code("BP127", "mesh-settings-without-mesh", "error",
        "`mesh` settings in a blueprint for a cluster without an Istio mesh",
        "these settings need an Istio mesh (`mesh.istio: true`), which is off in clusters `dev` and `prod`",
        "Turn the mesh on in the cluster file, or drop `mesh` for that cluster in `overrides`."),
    code("BP128", "relative-host-without-domain", "error",
        "a relative route host (no dot) on a cluster without `domain`",
        "relative host `api` needs a `domain`, which is not set in cluster `dev`",
        "Write the full host name, or set `domain` in the cluster file."),
    code("BP129", "retries-exceed-timeout", "warning",
        "`attempts × perTryTimeout` of a route's retries are longer than its timeout: the last attempts never run",
        "3 attempts × perTryTimeout 2s exceed the route timeout 5s: the last attempts never run",
        "Lower `attempts` or `perTryTimeout`, or raise `timeout`."),
    code("BP130", "mesh-ref-not-namespace-name", "error",
        "a cluster's `mesh.gateway` or `mesh.gatewayServiceAccount` that is not `namespace/name`",
        "mesh.gateway `ingressgateway` is not `namespace/name`",
        "Write both parts: `istio-ingress/ingressgateway`."),
    code("BP131", "route-taken", "error",
        "two services route the same host and path in one cluster",
        "`api.example.com/orders` is also routed by `payment` (blueprints/payment.yaml) in clusters `dev` and `prod`",
        "Give one of them another path or host."),
    code("BP132", "service-setting-on-worker", "error",
        "`routes`, `monitoring` or `mesh` on a `worker`, which has no Service for them to reach",
        "`monitoring` needs a Service, and a `worker` has none",
        "Use `workload: deployment` for a service that is called or scraped, or drop the section."),
    code("BP133", "job-trigger-invalid", "error",
        "a job with neither or both of `when: before-rollout` and `schedule`, without a command, with a schedule that is not a cron expression or a `timeZone` that is not a zone name, or with CronJob settings (`timeZone`, `concurrencyPolicy`) before a rollout",
        "job `migrate` needs exactly one of `when: before-rollout` and `schedule`",
        "Write `when: before-rollout` for work before each rollout (migrations), or `schedule: \"0 3 * * *\"` for a CronJob, with the zone in `timeZone`."),
    code("BP134", "job-ttl-before-rollout", "error",
        "`ttlSecondsAfterFinished` on a before-rollout job: Flux would re-create the deleted Job and run it again",
        "a before-rollout Job must not expire: Flux would re-create the deleted Job at its next reconciliation and run it again",
        "Drop `ttlSecondsAfterFinished`: the Job is replaced when the image changes, and kept until then."),
    code("BP135", "job-name-clashes", "error",
        "a job whose object name `<service>-<job>` is also a service, a Flux Kustomization of the cluster or another service's job",
        "job `shop-migrate` has the name of the service `shop-migrate`",
        "Rename the job (or the service): a job's Job or CronJob, NetworkPolicy and Flux Kustomization are named `<service>-<job>`."),
    code("BP136", "chart-invalid", "error; a warning for a version range on a relaxed cluster",
        "a component's chart problem: repository neither `oci://` nor `https://`, invalid chart name, a version that is neither a version nor a range, a version range on a strict cluster; `values` without a chart; a component with neither chart nor resources",
        "chart version `>=21.0.0` is a range: strict cluster `prod` needs an exact version",
        "Pin one chart version (`overrides.<cluster>.chart.version` for one cluster) and write the repository as `oci://…` or `https://…`."),
    code("BP137", "crd-before-its-controller", "error",
        "a component's resource whose CRD another component's chart installs, without `dependsOn` that component (or a chart in `configs` with resources of its own CRDs)",
        "Kafka `events` needs the CRDs of component `strimzi`, which `kafka-cluster` does not depend on",
        "Add the component that installs the CRD to `dependsOn`, or put the chart that installs it in `layer: controllers`."),
    code("BP138", "component-resource-invalid", "error",
        "a component `resources` file that is outside the component's directory, cannot be read, is not YAML, holds a document that is not an object, an object of another namespace, or an object twice",
        "resource `kafka/cluster.yaml` cannot be read: no such regular file beside the component",
        "Put the manifest beside the component file and name it relative to it; one object per document, in the component's namespace."),
    code("BP139", "values-from-unknown", "error",
        "a `valuesFrom` ConfigMap or Secret that is not rendered with the component (its `resources`, or the Secret of its `secretEnv`): the HelmRelease would wait for it forever",
        "valuesFrom Secret `redis-auth` is not rendered with the component: the HelmRelease would wait for it",
        "Add the object to `resources`, use `secretEnv`, or set `optional: true` for an object made outside the repository."),
    code("BP140", "gateway-api-invalid", "error",
        "a cluster's `gatewayApi` problem: a className that is no DNS name, no gateways, a gateway name or namespace that is no DNS label, a name used twice, a public gateway without `tls`, a `certificateRef` that is no Secret name",
        "public gateway `public` has no `tls`: its hosts would be served in plain HTTP",
        "Give every gateway its own name and a namespace; public gateways terminate HTTPS with `tls: {certificateRef: <Secret in the gateway's namespace>}` (or say `internal: true`)."),
    code("BP141", "gateway-api-with-ingress", "error",
        "a cluster with both `gatewayApi` and `ingress` (or `mesh.createGateway`, the Istio edge Gateway): routes render one way only",
        "`gatewayApi` and `ingress` both route the cluster's traffic: routes can render only one way",
        "Keep `gatewayApi` (Gateways, HTTPRoutes) or `ingress` (Ingresses), not both."),
    code("BP142", "route-gateway-unknown", "error",
        "a route's `gateway` that names no gateway of the cluster's `gatewayApi`, or `gateway` on a cluster without `gatewayApi`",
        "route gateway `publik` is no gateway of cluster `dev` (gateways: public, internal)",
        "Name one of the cluster's `gatewayApi.gateways`, or drop `gateway` to use the first."),
    code("BP143", "setting-not-rendered", "warning on strict clusters (relaxed ones go without quietly)",
        "a route or mesh setting that Gateway API's standard channel cannot express, so it is not rendered: route or `mesh` `retries` (HTTPRoute has no retry field), `timeout` on a gRPC route (GRPCRoute has no timeouts)",
        "route retries are not rendered: the Gateway API standard channel has no HTTPRoute retry field",
        "Drop the setting for the cluster (`overrides.<cluster>`), retry in the caller, or accept that the gateway does not retry."),
    code("BP144", "grpc-route-unsupported", "error",
        "a route to a gRPC port that a GRPCRoute cannot express: a path other than `/` or `/<package.Service>`, or a `rewrite`",
        "gRPC route path `/api/v1` is neither `/` nor `/<package.Service>`",
        "Route `/` (every method) or `/<package.Service>` (one service); gRPC has no path rewrite."),
    code("BP145", "mesh-mode-conflict", "error",
        "a cluster's `mesh.mode` and its deprecated alias `mesh.injection` disagree",
        "mesh.injection `sidecar` contradicts mesh.mode `ambient`",
        "Drop `injection`; `mode` is the field."),
    code("BP146", "gateway-identity-unknown", "warning",
        "a mesh cluster whose `gatewayApi.className` is not `istio` and that has no `mesh.gatewayServiceAccount`: the routed services' AuthorizationPolicies allow no gateway",
        "the `envoy-gateway` gateways' identity in the mesh is unknown: the AuthorizationPolicies of routed services allow no gateway, so the mesh refuses their requests",
        "Set `mesh.gatewayServiceAccount` to the gateway proxies' service account (enrolled in the mesh), or use `className: istio`."),
    code("BP150", "delivery-analysis-invalid", "error",
        "a `delivery.analysis` value Flagger would refuse or misread: an interval that is not whole seconds or minutes, `threshold` or `iterations` below 1, weights outside 0 < stepWeight ≤ maxWeight ≤ 100, `successRate` outside 0–100, a `latencyP99` under 1ms (checked whatever the strategy, so that a base blueprint can hold the analysis for the clusters that release by canary)",
        "stepWeight (60) is greater than maxWeight (50): the canary would never reach a step",
        "Use the ranges of docs/delivery.md: `stepWeight`/`maxWeight` for `canary`, `iterations` for `blue-green`, intervals such as `30s`, `90s` or `1m`."),
    code("BP151", "delivery-without-traffic-provider", "error",
        "`strategy: canary` or `blue-green` on a cluster with no traffic provider Flagger can drive: an Istio mesh in sidecar mode, without `gatewayApi` (provider `istio`) or with it (provider `gatewayapi:v1`); Gateway API without the mesh has no source for Flagger's built-in metrics, and on an ambient mesh they find no values (waypoints report `reporter=\"waypoint\"`), so every analysis would roll back",
        "`canary` needs a traffic provider for Flagger: an Istio mesh, which is missing in cluster `edge`",
        "Release with `strategy: rolling` on that cluster (`overrides.<cluster>.delivery`), or run the mesh in sidecar mode in the cluster file (`mesh.istio`, `mode: sidecar`)."),
    code("BP152", "delivery-needs-deployment", "error",
        "`strategy: canary` or `blue-green` on a `statefulset` or `worker`, or on a service without ports: Flagger releases Deployments behind a Service",
        "`canary` releases a Deployment with a Service, and `search` is a `statefulset`",
        "Use `strategy: rolling` for statefulsets and workers; give a deployment a port."),
    code("BP153", "delivery-webhook-invalid", "error",
        "a `delivery.webhooks` entry with a name used twice, an address that is not `http://` or `https://`, or a timeout that is not whole seconds or minutes",
        "webhook `load-test` is defined twice",
        "Name each webhook once, write its full address, and a timeout such as `30s`."),
    code("BP154", "canary-host-shared", "error",
        "a canary or blue-green service routes a host that another service also routes: Flagger writes the whole route of that host and would fight the shared edge VirtualService (Istio provider) or the other service's HTTPRoute on the same listener (Gateway API provider)",
        "host `api.example.com` of canary service `payment` is also routed by `order` (blueprints/order.yaml)",
        "Give the canary service a host of its own, or release it with `strategy: rolling`."),
    code("BP155", "canary-routes-unrenderable", "error",
        "canary routes that Flagger's one generated route cannot express: a route to a port other than the primary port, a `rewrite`, or timeouts and retries that differ between routes or from `mesh.timeout`/`mesh.retries`; with the Gateway API provider also a route to a gRPC port (Flagger writes an HTTPRoute only) or a path other than `/` (its matches hold for in-mesh calls too)",
        "route 1 has timeout `10s` and route 0 `5s`: Flagger gives the service one timeout",
        "Route the canary service's primary port, with the same timeout and retries on every route (and in `mesh`), and rewrite in the service."),
    code("BP156", "canary-mesh-setting-unrenderable", "error",
        "a `mesh` setting of a canary or blue-green service that Flagger's Canary cannot carry to the DestinationRules it writes: `connectionPool.maxConnections` (the Canary has no TCP pool); with the Gateway API provider, which writes no DestinationRule, any `connectionPool`, `outlierDetection` or `loadBalancer`",
        "`mesh.connectionPool.maxConnections` cannot be rendered for canary service `payment`: Flagger's Canary has no TCP connection pool",
        "Drop `maxConnections` for the clusters where the service is a canary (keep it in the other clusters' `overrides`), or release it with `strategy: rolling`."),
    code("BP160", "values-fail-chart-schema", "error",
        "a component's `values` (merged for the cluster, over the chart's `values.yaml` when it is beside the schema) fail the chart's own `values.schema.json` from a chart-schema directory (`--charts`): Helm would refuse the install",
        "values of chart `redis` 23.2.3 fail its schema at `/architecture`: \"cluster\" is not one of \"standalone\" or \"replication\"",
        "Correct the value the message points at; the chart's schema and its documentation list what it accepts."),
];

/// The code `code` (case-insensitive).
pub fn find(code: &str) -> Option<&'static Code> {
    CODES.iter().find(|c| c.code.eq_ignore_ascii_case(code))
}

/// The text `fluxprint explain BPnnn` prints.
pub fn explain(c: &Code) -> String {
    format!(
        "# {} {}\n\n{} ({}).\n\n## Example\n{}\n\n## Fix\n{}\n",
        c.code, c.name, c.summary, c.severity, c.example, c.fix
    )
}

/// The code table of `docs/blueprint.md` (between its `codes` markers).
pub fn codes_markdown() -> String {
    let mut out = String::from(
        "| Code | Name | Severity | Meaning | Example |\n| --- | --- | --- | --- | --- |\n",
    );
    for c in CODES {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            c.code,
            c.name,
            c.severity,
            c.summary,
            md_code(c.example)
        ));
    }
    out
}

/// `text` as inline code, with enough backticks around it for the ones inside.
fn md_code(text: &str) -> String {
    let ticks = if text.contains("``") {
        "```"
    } else if text.contains('`') {
        "``"
    } else {
        "`"
    };
    format!("{ticks} {text} {ticks}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_ordered_named_and_complete() {
        let codes: Vec<&str> = CODES.iter().map(|c| c.code).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(codes, sorted, "unique and in order");
        for c in CODES {
            assert!(
                c.code.len() == 5
                    && c.code.starts_with("BP")
                    && c.code[2..].bytes().all(|b| b.is_ascii_digit()),
                "{}",
                c.code
            );
            assert!(
                c.name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-' || b.is_ascii_digit()),
                "{}",
                c.name
            );
            for text in [c.summary, c.example, c.fix, c.severity] {
                assert!(!text.is_empty() && !text.contains('\n'), "{}", c.code);
            }
            let found = find(&c.code.to_lowercase()).expect("found");
            assert!(explain(found).starts_with(&format!("# {} {}", c.code, c.name)));
        }
        assert!(find("BP999").is_none());
    }
}
