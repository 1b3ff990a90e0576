//! Semantic checks: what the schema cannot say. Each problem is a diagnostic at the field.
//!
//! [`blueprint`] checks one blueprint as it applies to one cluster; [`project`] checks what
//! spans files (unique names, name clashes, overrides, cluster image settings);
//! [`dependencies`] checks the `dependsOn` targets and cycles of one cluster.

use std::collections::{BTreeMap, BTreeSet};

use super::cluster::{Cluster, Policy};
use super::common::PortRef;
use super::load::{BlueprintInput, ClusterInput};
use super::names;
use super::service::{Blueprint, Probe, Resources, WorkloadKind};
use crate::diag::{field_path, Diagnostic};
use crate::source::yaml::Node;

/// A name that Kubernetes would reject.
pub const INVALID_NAME: &str = "BP101";
/// A name used twice.
pub const DUPLICATE: &str = "BP102";
/// File name and `name` differ.
pub const FILE_NAME: &str = "BP103";
/// A port problem (name, protocol prefix, unknown port referenced).
pub const PORT: &str = "BP104";
/// A probe problem.
pub const PROBE: &str = "BP105";
/// A scaling problem.
pub const SCALING: &str = "BP106";
/// A resources problem.
pub const RESOURCES: &str = "BP107";
/// An environment variable problem.
pub const ENV: &str = "BP108";
/// `overrides` names a cluster that does not exist.
pub const UNKNOWN_CLUSTER: &str = "BP109";
/// `dependsOn` names nothing known.
pub const UNKNOWN_DEPENDENCY: &str = "BP110";
/// `dependsOn` forms a cycle.
pub const DEPENDENCY_CYCLE: &str = "BP111";
/// A statefulset-only field on a deployment.
pub const STATEFULSET_ONLY: &str = "BP112";
/// Image or tag problem, including unpinned tags on strict clusters.
pub const IMAGE: &str = "BP113";
/// A route or mesh setting problem.
pub const ROUTE: &str = "BP114";
/// A `mesh.callers` entry that is not a blueprint.
pub const CALLER_UNKNOWN: &str = "BP124";
/// Routes on a cluster with neither an Istio mesh nor an ingress.
pub const ROUTES_NOWHERE: &str = "BP125";
/// A route `rewrite` that the cluster's ingress class cannot render.
pub const REWRITE_UNSUPPORTED: &str = "BP126";
/// `mesh` settings on a cluster without an Istio mesh.
pub const MESH_WITHOUT_MESH: &str = "BP127";
/// A relative route host on a cluster without `domain`.
pub const HOST_WITHOUT_DOMAIN: &str = "BP128";
/// Retries whose attempts outlast the route timeout (warning).
pub const RETRIES_EXCEED_TIMEOUT: &str = "BP129";
/// A cluster `mesh.gateway` or `mesh.gatewayServiceAccount` that is not `namespace/name`.
pub const MESH_REF_INVALID: &str = "BP130";
/// Two services routing the same host and path in a cluster.
pub const ROUTE_TAKEN: &str = "BP131";
/// An image automation setting problem (policy, semver range, tag pattern, git).
pub const IMAGES: &str = "BP115";
/// Image automation pushes straight to the reconciled branch of a strict cluster (warning).
pub const AUTO_ON_STRICT: &str = "BP116";
/// A service name that clashes with a Flux Kustomization the cluster already has.
pub const NAME_CLASH: &str = "BP117";
/// Secret variables without a sealed value for a cluster (error on strict clusters).
pub const MISSING_SEALED: &str = "BP118";
/// A sealed values file that does not fit its blueprint.
pub const SEALED_FILE: &str = "BP119";
/// A mesh service that nothing may call (warning).
pub const DENIES_EVERYTHING: &str = "BP121";
/// A monitoring or alert problem (alert name, duplicate alert, severity, empty expression).
pub const ALERT: &str = "BP122";
/// The most replicas cannot serve the declared peak load (strict clusters).
pub const CAPACITY: &str = "BP123";

/// Builds diagnostics for one document.
struct At<'a> {
    file: &'a str,
    node: &'a Node,
    out: &'a mut Vec<Diagnostic>,
}

impl At<'_> {
    fn error(
        &mut self,
        code: &'static str,
        pointer: &str,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        self.error_at(code, pointer, pointer, message, help);
    }

    /// An error about the field at `field` (which may be missing), shown at `at`.
    fn error_at(
        &mut self,
        code: &'static str,
        at: &str,
        field: &str,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        let mut d = Diagnostic::error(code, self.file, self.node.span_for_pointer(at), message)
            .with_field(field_path(field));
        if let Some(help) = help {
            d = d.with_help(help);
        }
        self.out.push(d);
    }
}

/// Checks one blueprint as merged for `cluster`. `all_names` are every blueprint's name.
pub fn blueprint(
    bp: &Blueprint,
    node: &Node,
    file: &str,
    cluster: &Cluster,
    all_names: &BTreeSet<String>,
    out: &mut Vec<Diagnostic>,
) {
    let mut at = At { file, node, out };
    let strict = cluster.policy.unwrap_or_default() == Policy::Strict;

    if let Some(why) = names::dns1035_label(&bp.name, 40) {
        at.error(INVALID_NAME, "/name", format!("service name `{}` {why}", bp.name), Some("use a DNS-1123 label of at most 40 characters starting with a letter, e.g. `order`".into()));
    }
    if let Some(why) = names::dns1123_label(&bp.team, 63) {
        at.error(
            INVALID_NAME,
            "/team",
            format!("team `{}` {why}", bp.team),
            Some("the team becomes a label value and the default namespace".into()),
        );
    }
    let namespace = bp.namespace.as_deref().unwrap_or(&bp.team);
    if let Some(why) = names::dns1123_label(namespace, 63) {
        let pointer = if bp.namespace.is_some() {
            "/namespace"
        } else {
            "/team"
        };
        at.error(
            INVALID_NAME,
            pointer,
            format!("namespace `{namespace}` {why}"),
            None,
        );
    }

    // Image and tag.
    if let Some(why) = names::image_repository(&bp.image) {
        at.error(IMAGE, "/image", format!("image `{}` {why}", bp.image), None);
    }
    match bp.tag.as_deref() {
        Some(tag) => {
            if let Some(why) = names::image_tag(tag) {
                at.error(IMAGE, "/tag", format!("tag `{tag}` {why}"), None);
            } else if strict && tag == "latest" {
                at.error(
                    IMAGE,
                    "/tag",
                    format!(
                        "tag `latest` is refused in strict cluster `{}`",
                        cluster.name
                    ),
                    Some("pin a version, e.g. tag: \"1.4.2\"".into()),
                );
            }
        }
        // Shown at the blueprint's name: a missing field has no line of its own.
        None if strict => at.error_at(
            IMAGE,
            "/name",
            "/tag",
            format!(
                "no `tag`: strict cluster `{}` needs a pinned image tag",
                cluster.name
            ),
            Some(format!(
                "add `tag: \"1.0.0\"` (or overrides.{}.tag)",
                cluster.name
            )),
        ),
        None => {}
    }

    // Ports: main and sidecars share the pod's network namespace and the Service.
    let mut port_names: BTreeMap<&str, String> = BTreeMap::new();
    let mut port_numbers: BTreeMap<u16, String> = BTreeMap::new();
    let mut all_ports = Vec::new();
    for (i, p) in bp.ports.iter().flatten().enumerate() {
        all_ports.push((format!("/ports/{i}"), p));
    }
    for (s, sidecar) in bp.sidecars.iter().flatten().enumerate() {
        for (i, p) in sidecar.ports.iter().flatten().enumerate() {
            all_ports.push((format!("/sidecars/{s}/ports/{i}"), p));
        }
    }
    for (pointer, p) in &all_ports {
        if let Some(why) = names::port_name(&p.name) {
            at.error(
                PORT,
                &format!("{pointer}/name"),
                format!("port name `{}` {why}", p.name),
                None,
            );
        } else if names::app_protocol(&p.name).is_none() {
            at.error(
                PORT,
                &format!("{pointer}/name"),
                format!("port name `{}` has no protocol prefix", p.name),
                Some("start it with http, http2, https, grpc, grpc-web, tcp, tls, mongo, mysql or redis, e.g. `http-api` (Istio picks the protocol from it)".into()),
            );
        }
        if let Some(first) = port_names.insert(&p.name, pointer.clone()) {
            at.error(
                DUPLICATE,
                &format!("{pointer}/name"),
                format!(
                    "port name `{}` is used twice (also at {})",
                    p.name,
                    field_path(&first)
                ),
                None,
            );
        }
        if let Some(first) = port_numbers.insert(p.port, pointer.clone()) {
            at.error(
                DUPLICATE,
                &format!("{pointer}/port"),
                format!(
                    "port {} is used twice (also at {})",
                    p.port,
                    field_path(&first)
                ),
                None,
            );
        }
    }
    let main_ports: Vec<_> = bp.ports.iter().flatten().collect();
    let service_ports: Vec<_> = all_ports.iter().map(|(_, p)| *p).collect();
    let service_port_exists = |r: &PortRef| match r {
        PortRef::Name(n) => service_ports.iter().any(|p| &p.name == n),
        PortRef::Number(n) => service_ports.iter().any(|p| p.port == *n),
    };
    let port_exists = |r: &PortRef| match r {
        PortRef::Name(n) => main_ports.iter().any(|p| &p.name == n),
        PortRef::Number(n) => main_ports.iter().any(|p| p.port == *n),
    };

    // Environment.
    let mut secret_seen = BTreeSet::new();
    for (i, key) in bp.secret_env.iter().flatten().enumerate() {
        let pointer = format!("/secretEnv/{i}");
        if !names::is_c_identifier(key) {
            at.error(
                ENV,
                &pointer,
                format!("secret variable name `{key}` is not a valid identifier"),
                Some(
                    "use letters, digits and '_', not starting with a digit, e.g. DATABASE_URL"
                        .into(),
                ),
            );
        }
        if !secret_seen.insert(key.as_str()) {
            at.error(
                DUPLICATE,
                &pointer,
                format!("secret variable `{key}` is listed twice"),
                None,
            );
        }
        if bp.env.as_ref().is_some_and(|e| e.contains_key(key)) {
            at.error(
                ENV,
                &pointer,
                format!("`{key}` is both in `env` and in `secretEnv`"),
                Some("keep secrets only in secretEnv".into()),
            );
        }
    }
    for key in bp.env.iter().flat_map(|e| e.keys()) {
        if !names::is_c_identifier(key) {
            let pointer = format!("/env/{}", crate::source::yaml::escape_pointer_token(key));
            at.error(
                ENV,
                &pointer,
                format!("variable name `{key}` is not a valid identifier"),
                Some(
                    "use letters, digits and '_', not starting with a digit, e.g. LOG_LEVEL".into(),
                ),
            );
        }
    }

    // Resources.
    check_resources(
        &mut at,
        "/resources",
        bp.resources.as_ref(),
        strict,
        &cluster.name,
    );
    for (s, sidecar) in bp.sidecars.iter().flatten().enumerate() {
        check_resources(
            &mut at,
            &format!("/sidecars/{s}/resources"),
            sidecar.resources.as_ref(),
            strict,
            &cluster.name,
        );
    }

    // Probes.
    if let Some(probes) = &bp.probes {
        check_probes(&mut at, "/probes", probes, &main_ports, &port_exists);
    }

    for (s, sidecar) in bp.sidecars.iter().flatten().enumerate() {
        let ports: Vec<&super::service::Port> = sidecar.ports.iter().flatten().collect();
        let exists = |r: &PortRef| match r {
            PortRef::Name(n) => ports.iter().any(|p| &p.name == n),
            PortRef::Number(n) => ports.iter().any(|p| p.port == *n),
        };
        if let Some(probes) = &sidecar.probes {
            check_probes(
                &mut at,
                &format!("/sidecars/{s}/probes"),
                probes,
                &ports,
                &exists,
            );
        }
    }

    // Scaling.
    if let Some(a) = &bp.autoscaling {
        if bp.replicas.is_some() {
            at.error(
                SCALING,
                "/replicas",
                "`replicas` and `autoscaling` are both set",
                Some("the autoscaler owns the replica count; remove `replicas`".into()),
            );
        }
        if a.min < 1 {
            at.error(
                SCALING,
                "/autoscaling/min",
                "autoscaling.min must be at least 1",
                None,
            );
        }
        if a.min > a.max {
            at.error(
                SCALING,
                "/autoscaling/min",
                format!(
                    "autoscaling.min ({}) is greater than autoscaling.max ({})",
                    a.min, a.max
                ),
                None,
            );
        }
        if a.cpu.is_none() && a.memory.is_none() {
            at.error(
                SCALING,
                "/autoscaling",
                "autoscaling needs a target: set `cpu` or `memory` (percent)",
                None,
            );
        }
        let res = bp.resources.clone().unwrap_or_default();
        if a.cpu.is_some() && res.cpu.is_none() {
            at.error(
                SCALING,
                "/autoscaling/cpu",
                "a CPU target needs a CPU request (resources.cpu)",
                Some("utilization is measured against the request".into()),
            );
        }
        for (s, sidecar) in bp.sidecars.iter().flatten().enumerate() {
            let r = sidecar.resources.clone().unwrap_or_default();
            if (a.cpu.is_some() && r.cpu.is_none()) || (a.memory.is_some() && r.memory.is_none()) {
                at.error(
                    SCALING,
                    &format!("/sidecars/{s}"),
                    format!(
                        "sidecar `{}` needs requests for every resource the autoscaler targets",
                        sidecar.name
                    ),
                    Some(
                        "the autoscaler measures utilization over all containers of the pod".into(),
                    ),
                );
            }
        }
        if a.memory.is_some() && res.memory.is_none() {
            at.error(
                SCALING,
                "/autoscaling/memory",
                "a memory target needs a memory request (resources.memory)",
                Some("utilization is measured against the request".into()),
            );
        }
    }

    // Capacity: the autoscaler must be allowed to reach the pods the peak needs.
    if let Some(c) = &bp.capacity {
        match crate::capacity::peak::pods_at_peak(c) {
            None => at.error(
                SCALING,
                "/capacity/rpsPerPod",
                "capacity.rpsPerPod must be greater than 0",
                None,
            ),
            Some(needed) if strict => {
                let (max, pointer) = match (&bp.autoscaling, bp.replicas) {
                    (Some(a), _) => (a.max, "/autoscaling/max"),
                    (None, Some(r)) => (r, "/replicas"),
                    (None, None) => (2, "/capacity"),
                };
                if max < needed {
                    at.error(
                        CAPACITY,
                        pointer,
                        format!(
                            "at most {max} replicas run in strict cluster `{}`, but {needed} pods are needed at the peak of {} requests/s",
                            cluster.name, c.peak_rps
                        ),
                        Some(format!("raise the maximum to at least {needed}, or revise `capacity`")),
                    );
                }
            }
            Some(_) => {}
        }
    }

    // Workload kind.
    let statefulset = bp.workload.unwrap_or_default() == WorkloadKind::Statefulset;
    if !statefulset && bp.storage.is_some() {
        at.error(
            STATEFULSET_ONLY,
            "/storage",
            "`storage` is only for statefulsets",
            Some("add `workload: statefulset`, or remove `storage`".into()),
        );
    }
    let mut volume_names = BTreeSet::new();
    for (i, s) in bp.storage.iter().flatten().enumerate() {
        if let Some(why) = names::dns1123_label(&s.name, 63) {
            at.error(
                INVALID_NAME,
                &format!("/storage/{i}/name"),
                format!("volume name `{}` {why}", s.name),
                None,
            );
        }
        if s.name == "tmp" || !volume_names.insert(s.name.as_str()) {
            at.error(
                DUPLICATE,
                &format!("/storage/{i}/name"),
                format!("volume name `{}` is already used", s.name),
                Some("`tmp` is reserved for the writable /tmp".into()),
            );
        }
        if names::parse_quantity(&s.size.0).is_none_or(|q| q <= 0.0) {
            at.error(
                RESOURCES,
                &format!("/storage/{i}/size"),
                format!("volume size `{}` must be a positive quantity", s.size.0),
                None,
            );
        }
        if !s.path.starts_with('/') {
            at.error(
                INVALID_NAME,
                &format!("/storage/{i}/path"),
                format!("mount path `{}` must be absolute", s.path),
                None,
            );
        }
    }
    let mut containers = BTreeSet::from([bp.name.as_str()]);
    for (i, s) in bp.sidecars.iter().flatten().enumerate() {
        if let Some(why) = names::dns1123_label(&s.name, 63) {
            at.error(
                INVALID_NAME,
                &format!("/sidecars/{i}/name"),
                format!("sidecar name `{}` {why}", s.name),
                None,
            );
        }
        if !containers.insert(s.name.as_str()) {
            at.error(
                DUPLICATE,
                &format!("/sidecars/{i}/name"),
                format!("container name `{}` is already used", s.name),
                None,
            );
        }
        if let Some(why) = names::image_repository(&s.image) {
            at.error(
                IMAGE,
                &format!("/sidecars/{i}/image"),
                format!("image `{}` {why}", s.image),
                None,
            );
        }
        if let Some(why) = names::image_tag(&s.tag) {
            at.error(
                IMAGE,
                &format!("/sidecars/{i}/tag"),
                format!("tag `{}` {why}", s.tag),
                None,
            );
        } else if strict && s.tag == "latest" {
            at.error(
                IMAGE,
                &format!("/sidecars/{i}/tag"),
                format!(
                    "tag `latest` is refused in strict cluster `{}`",
                    cluster.name
                ),
                None,
            );
        }
    }

    // Image automation settings of this service.
    if let Some(images) = &bp.images {
        check_image_policy(
            &mut at,
            "/images",
            images.policy,
            images.semver.as_deref(),
            images.build_tag_pattern.as_deref(),
            false,
        );
    }
    if let (Some(ci), Some(own)) = (&cluster.images, &bp.images) {
        // The blueprint's choice completed by the cluster's must be whole.
        use super::cluster::ImagePolicyKind;
        let policy = own.policy.or(ci.policy);
        let has_range = own.semver.is_some() || ci.semver.is_some();
        let has_pattern = own.build_tag_pattern.is_some() || ci.build_tag_pattern.is_some();
        let missing = match policy {
            Some(ImagePolicyKind::Semver) if !has_range => Some("`semver` range"),
            Some(ImagePolicyKind::Build) if !has_pattern => Some("`buildTagPattern`"),
            _ => None,
        };
        if let Some(what) = missing {
            at.error(IMAGES, "/images", format!("the image policy needs a {what}: set it in this blueprint or in the `images` of cluster `{}`", cluster.name), None);
        }
    }
    if let Some(ci) = &cluster.images {
        use super::cluster::{Automation, ImagePolicyKind};
        let own = bp.images.clone().unwrap_or_default();
        let range = own.semver.as_deref().or(ci.semver.as_deref());
        let semver_policy = own.policy.or(ci.policy) == Some(ImagePolicyKind::Semver);
        let automated = ci.automation.unwrap_or(Automation::Review) != Automation::Off;
        if let (true, true, Some(range), Some(tag)) =
            (semver_policy, automated, range, bp.tag.as_deref())
        {
            // `latest` is BP113's (refused on strict clusters, allowed on relaxed ones): one
            // finding, not two.
            if let (Ok(parsed), false) = (super::semver::Range::parse(range), tag == "latest") {
                if !parsed.matches(tag) {
                    // Suggest a range only for a tag that is a version.
                    let example = if super::semver::Range::parse(&format!("^{tag}"))
                        .is_ok_and(|r| r.matches(tag))
                    {
                        format!(", e.g. \"^{tag}\"")
                    } else {
                        String::new()
                    };
                    at.error(
                        IMAGES,
                        "/tag",
                        format!("tag `{tag}` is outside the image policy range `{range}` of cluster `{}`: image automation would replace it", cluster.name),
                        Some(format!("use a release tag inside the range, or set overrides.{}.images.semver to a range containing it{example}", cluster.name)),
                    );
                }
            }
        }
    }

    let mut deps_seen = BTreeSet::new();
    for (i, d) in bp.depends_on.iter().flatten().enumerate() {
        if !deps_seen.insert(d.as_str()) {
            at.error(
                DUPLICATE,
                &format!("/dependsOn/{i}"),
                format!("`{d}` is listed twice in dependsOn"),
                None,
            );
        }
    }

    // Routes and mesh (rendered by the mesh layer; checked here so mistakes surface early).
    for (i, r) in bp.routes.iter().flatten().enumerate() {
        let host_ok = if r.host.contains('.') {
            names::dns1123_subdomain(&r.host)
        } else {
            names::dns1123_label(&r.host, 63)
        };
        if let Some(why) = host_ok {
            at.error(
                ROUTE,
                &format!("/routes/{i}/host"),
                format!("route host `{}` {why}", r.host),
                None,
            );
        }
        if r.path.as_deref().is_some_and(|p| !p.starts_with('/')) {
            at.error(
                ROUTE,
                &format!("/routes/{i}/path"),
                "route path must start with `/`",
                None,
            );
        }
        match &r.port {
            Some(p) if !service_port_exists(p) => at.error(
                PORT,
                &format!("/routes/{i}/port"),
                format!("route port `{p}` is not a port of this service"),
                Some(declared(&service_ports)),
            ),
            None if main_ports.is_empty() => at.error(
                PORT,
                &format!("/routes/{i}"),
                "a route needs a port, but the service declares none",
                None,
            ),
            _ => {}
        }
    }
    for (i, caller) in bp
        .mesh
        .iter()
        .flat_map(|m| m.callers.iter().flatten())
        .enumerate()
    {
        if !all_names.contains(caller) {
            at.error(
                CALLER_UNKNOWN,
                &format!("/mesh/callers/{i}"),
                format!("caller `{caller}` is not a blueprint"),
                None,
            );
        }
    }
    // Routes and mesh settings need somewhere to be rendered.
    let istio = cluster.mesh.as_ref().is_some_and(|m| m.istio == Some(true));
    let has_routes = bp.routes.as_ref().is_some_and(|r| !r.is_empty());
    if has_routes && !istio && cluster.ingress.is_none() {
        at.error(ROUTES_NOWHERE, "/routes", format!("these routes cannot be rendered: there is neither `mesh.istio` nor `ingress` in cluster `{}`", cluster.name), Some("add `mesh: {istio: true, ...}` or `ingress: {className: nginx}` to the cluster file".into()));
    }
    if let (false, Some(ingress)) = (istio, &cluster.ingress) {
        if ingress.class_name != "nginx" {
            for (i, r) in bp.routes.iter().flatten().enumerate() {
                if r.rewrite.is_some() {
                    at.error(
                        REWRITE_UNSUPPORTED,
                        &format!("/routes/{i}/rewrite"),
                        format!(
                            "ingress class `{}` of cluster `{}` has no portable prefix rewrite",
                            ingress.class_name, cluster.name
                        ),
                        Some("rewrites render for Istio and for the `nginx` class; drop `rewrite` or rewrite in the service".into()),
                    );
                }
            }
        }
    }
    if bp.mesh.is_some() && !istio {
        at.error(
            MESH_WITHOUT_MESH,
            "/mesh",
            format!(
                "these settings need an Istio mesh (`mesh.istio: true`), which is off in cluster `{}`",
                cluster.name
            ),
            None,
        );
    }
    for (i, r) in bp.routes.iter().flatten().enumerate() {
        if !r.host.contains('.') && cluster.domain.is_none() {
            at.error(
                HOST_WITHOUT_DOMAIN,
                &format!("/routes/{i}/host"),
                format!(
                    "relative host `{}` needs a `domain`, which is not set in cluster `{}`",
                    r.host, cluster.name
                ),
                Some("write the full host name, or set `domain` in the cluster file".into()),
            );
        }
        if let (Some(t), Some(rt)) = (&r.timeout, &r.retries) {
            if let Some(per_try) = &rt.per_try_timeout {
                if per_try.millis() * f64::from(rt.attempts) > t.millis() {
                    let d = Diagnostic::warning(RETRIES_EXCEED_TIMEOUT, at.file, at.node.span_for_pointer(&format!("/routes/{i}/retries")), format!("{} attempts × perTryTimeout {} exceed the route timeout {}: the last attempts never run", rt.attempts, per_try, t))
                        .with_field(format!("routes[{i}].retries"));
                    at.out.push(d);
                }
            }
        }
    }
    if istio
        && !has_routes
        && bp
            .mesh
            .as_ref()
            // `callers: []` says so on purpose (a queue worker); only an absent list warns.
            .is_none_or(|m| m.callers.is_none())
    {
        let d = Diagnostic::warning(DENIES_EVERYTHING, at.file, at.node.span_for_pointer("/name"), format!("`{}` has no routes and no `mesh.callers`: its AuthorizationPolicy in cluster `{}` denies every request", bp.name, cluster.name))
            .with_field("mesh.callers")
            .with_help("list the services that call it in `mesh.callers`");
        at.out.push(d);
    }

    if let Some(m) = &bp.monitoring {
        if !main_ports.iter().any(|p| p.name == m.port) {
            at.error(
                PORT,
                "/monitoring/port",
                format!("monitoring port `{}` is not a port of this service", m.port),
                Some(declared(&main_ports)),
            );
        }
        if let Some(path) = m.path.as_deref().filter(|p| !p.starts_with('/')) {
            at.error(
                ALERT,
                "/monitoring/path",
                format!("metrics path `{path}` must start with `/`"),
                None,
            );
        }
    }
    check_alerts(&mut at, bp);
}

/// Severities the alert routing of the platform knows.
const SEVERITIES: [&str; 3] = ["critical", "warning", "info"];

/// Alert rules: Prometheus refuses names that are not metric names, and two rules of one
/// service with the same name page as one alert.
fn check_alerts(at: &mut At<'_>, bp: &Blueprint) {
    let mut seen = BTreeSet::new();
    for (i, a) in bp.alerts.iter().flatten().enumerate() {
        let valid = a
            .name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && a.name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':');
        if !valid {
            at.error(
                ALERT,
                &format!("/alerts/{i}/name"),
                format!("alert name `{}` is not a valid Prometheus metric name", a.name),
                Some("use letters, digits, `_` and `:`, not starting with a digit, e.g. `OrderHighLatency`".into()),
            );
        } else if !seen.insert(a.name.as_str()) {
            at.error(
                ALERT,
                &format!("/alerts/{i}/name"),
                format!("alert `{}` is defined twice", a.name),
                None,
            );
        }
        if a.expr.trim().is_empty() {
            at.error(
                ALERT,
                &format!("/alerts/{i}/expr"),
                "alert expression is empty",
                None,
            );
        }
        if let Some(sev) = a.severity.as_deref().filter(|s| !SEVERITIES.contains(s)) {
            at.error(
                ALERT,
                &format!("/alerts/{i}/severity"),
                format!("severity `{sev}` is not one of {}", SEVERITIES.join(", ")),
                None,
            );
        }
    }
}

/// Checks a policy choice with its parameters. `complete` asks for a policy to be chosen.
fn check_image_policy(
    at: &mut At<'_>,
    pointer: &str,
    policy: Option<super::cluster::ImagePolicyKind>,
    semver: Option<&str>,
    pattern: Option<&str>,
    complete: bool,
) {
    use super::cluster::ImagePolicyKind;
    if let Some(range) = semver {
        if let Err(e) = super::semver::Range::parse(range) {
            at.error(
                IMAGES,
                &format!("{pointer}/semver"),
                format!("semver range `{range}` does not parse: {e}"),
                Some("use a range such as \">=1.0.0 <2.0.0\" or \"^1.4\"".into()),
            );
        }
    }
    if let Some(p) = pattern {
        match regex::Regex::new(p) {
            Err(e) => at.error(
                IMAGES,
                &format!("{pointer}/buildTagPattern"),
                format!(
                    "buildTagPattern is not a valid regular expression: {}",
                    e.to_string().lines().last().unwrap_or_default()
                ),
                None,
            ),
            Ok(re) if !re.capture_names().any(|n| n == Some("ts")) => at.error(
                IMAGES,
                &format!("{pointer}/buildTagPattern"),
                "buildTagPattern has no `ts` group to order builds by",
                Some("name the timestamp group: (?P<ts>[0-9]{10,})".into()),
            ),
            Ok(_) => {}
        }
    }
    match policy {
        Some(ImagePolicyKind::Semver) if semver.is_none() && complete => at.error(
            IMAGES,
            pointer,
            "policy `semver` needs a `semver` range",
            None,
        ),
        Some(ImagePolicyKind::Build) if pattern.is_none() && complete => at.error(
            IMAGES,
            pointer,
            "policy `build` needs a `buildTagPattern`",
            None,
        ),
        None if complete => at.error(
            IMAGES,
            pointer,
            "image automation needs a `policy`: semver, build or pinned",
            None,
        ),
        Some(ImagePolicyKind::Pinned) if semver.is_some() || pattern.is_some() => at.error(
            IMAGES,
            pointer,
            "policy `pinned` is never automated: `semver` and `buildTagPattern` have no effect",
            Some("remove them, or choose policy `semver` or `build`".into()),
        ),
        _ => {}
    }
}

/// Checks the image automation settings of a cluster file.
fn check_cluster_images(at: &mut At<'_>, cluster: &Cluster) {
    use super::cluster::Automation;
    let Some(images) = &cluster.images else {
        return;
    };
    check_image_policy(
        at,
        "/images",
        images.policy,
        images.semver.as_deref(),
        images.build_tag_pattern.as_deref(),
        true,
    );
    let automation = images.automation.unwrap_or(Automation::Review);
    if automation != Automation::Off && cluster.git.is_none() {
        at.error(
            IMAGES,
            "/images",
            "image automation needs the cluster's `git` repository",
            None,
        );
    }
    if automation == Automation::Auto && cluster.policy.unwrap_or_default() == Policy::Strict {
        let d = Diagnostic::warning(
            AUTO_ON_STRICT,
            at.file,
            at.node.span_for_pointer("/images/automation"),
            format!(
                "automation `auto` deploys every new image to strict cluster `{}` without review",
                cluster.name
            ),
        )
        .with_field("images.automation")
        .with_help("use `review` to push updates to a branch for a merge request");
        at.out.push(d);
    }
}

fn declared(ports: &[&super::service::Port]) -> String {
    if ports.is_empty() {
        "the service declares no ports".into()
    } else {
        format!(
            "declared ports: {}",
            ports
                .iter()
                .map(|p| format!("{} ({})", p.name, p.port))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

fn check_resources(
    at: &mut At<'_>,
    pointer: &str,
    res: Option<&Resources>,
    strict: bool,
    cluster: &str,
) {
    let empty = Resources::default();
    let res = res.unwrap_or(&empty);
    if strict {
        for (field, value) in [("cpu", &res.cpu), ("memory", &res.memory)] {
            if value.is_none() {
                // A missing section is reported at its parent: a sidecar's entry, or the
                // blueprint's `name` for the service itself (not the document's first line).
                let target = match pointer.rsplit_once('/') {
                    _ if res != &empty => pointer,
                    Some((parent, _)) if !parent.is_empty() => parent,
                    _ => "/name",
                };
                at.error_at(
                    RESOURCES,
                    target,
                    &format!("{pointer}/{field}"),
                    format!(
                        "`{}.{field}` is required in strict cluster `{cluster}`",
                        field_path(pointer)
                    ),
                    Some(format!("add {field} to {}", field_path(pointer))),
                );
            }
        }
    }
    let pairs = [
        ("cpu", &res.cpu, "cpuLimit", &res.cpu_limit),
        ("memory", &res.memory, "memoryLimit", &res.memory_limit),
    ];
    for (req_name, req, lim_name, lim) in pairs {
        let parsed_req = req.as_ref().and_then(|q| names::parse_quantity(&q.0));
        let parsed_lim = lim.as_ref().and_then(|q| names::parse_quantity(&q.0));
        if req.is_some() && parsed_req.is_none() {
            at.error(
                RESOURCES,
                &format!("{pointer}/{req_name}"),
                format!(
                    "`{}` is not a Kubernetes quantity",
                    req.as_ref().map(|q| q.0.as_str()).unwrap_or_default()
                ),
                None,
            );
        }
        if let (Some(r), Some(l)) = (parsed_req, parsed_lim) {
            if l < r {
                at.error(
                    RESOURCES,
                    &format!("{pointer}/{lim_name}"),
                    format!(
                        "{lim_name} ({}) is below the request {req_name} ({})",
                        lim.as_ref().map(|q| q.0.as_str()).unwrap_or_default(),
                        req.as_ref().map(|q| q.0.as_str()).unwrap_or_default()
                    ),
                    None,
                );
            }
        }
        if parsed_req.is_some_and(|r| r <= 0.0) {
            at.error(
                RESOURCES,
                &format!("{pointer}/{req_name}"),
                format!("{req_name} request must be greater than zero"),
                None,
            );
        }
        if parsed_lim.is_some_and(|l| l <= 0.0) {
            at.error(
                RESOURCES,
                &format!("{pointer}/{lim_name}"),
                format!("{lim_name} must be greater than zero"),
                None,
            );
        }
    }
}

/// Every probe of a container (`pointer` names its `probes`).
fn check_probes(
    at: &mut At<'_>,
    pointer: &str,
    probes: &super::service::Probes,
    ports: &[&super::service::Port],
    port_exists: &dyn Fn(&PortRef) -> bool,
) {
    for (name, probe) in [
        ("liveness", &probes.liveness),
        ("readiness", &probes.readiness),
        ("startup", &probes.startup),
    ] {
        if let Some(probe) = probe {
            check_probe(at, &format!("{pointer}/{name}"), probe, ports, port_exists);
        }
    }
}

fn check_probe(
    at: &mut At<'_>,
    pointer: &str,
    probe: &Probe,
    main_ports: &[&super::service::Port],
    port_exists: &dyn Fn(&PortRef) -> bool,
) {
    let kinds = [
        probe.path.is_some(),
        probe.tcp == Some(true),
        probe.grpc == Some(true),
    ];
    let count = kinds.iter().filter(|k| **k).count();
    if count != 1 {
        at.error(
            PROBE,
            pointer,
            format!(
                "probe must set exactly one of `path`, `tcp: true`, `grpc: true` (found {count})"
            ),
            None,
        );
    }
    if let Some(path) = &probe.path {
        if !path.starts_with('/') {
            at.error(
                PROBE,
                &format!("{pointer}/path"),
                format!("probe path `{path}` must start with `/`"),
                None,
            );
        }
    }
    match &probe.port {
        Some(p) if !port_exists(p) => at.error(
            PROBE,
            &format!("{pointer}/port"),
            format!("probe port `{p}` is not a port of this service"),
            Some(declared(main_ports)),
        ),
        None if main_ports.is_empty() => at.error(
            PROBE,
            pointer,
            "probe has no port and the service declares none",
            Some("add `ports`, or give the probe a `port`".into()),
        ),
        _ => {}
    }
}

/// Every secret variable needs a sealed value for the cluster: an error on strict clusters,
/// a warning on relaxed ones (the service then starts without the variable's Secret key).
pub fn sealed_values(
    bp: &Blueprint,
    node: &Node,
    file: &str,
    cluster: &Cluster,
    values: &BTreeMap<String, String>,
    out: &mut Vec<Diagnostic>,
) {
    let missing: Vec<&str> = bp
        .secret_env
        .iter()
        .flatten()
        .filter(|k| !values.contains_key(*k))
        .map(String::as_str)
        .collect();
    let Some(first) = missing.first() else {
        return;
    };
    let strict = cluster.policy.unwrap_or_default() == Policy::Strict;
    let message = format!(
        "no sealed value for {} in cluster `{}`",
        missing.join(", "),
        cluster.name
    );
    let span = node.span_for_pointer("/secretEnv");
    let d = if strict {
        Diagnostic::error(MISSING_SEALED, file, span, message)
    } else {
        Diagnostic::warning(MISSING_SEALED, file, span, message)
    };
    let mut help = format!(
        "seal each value, e.g. `printf %s \"$VALUE\" | fluxprint seal {} {first} --cluster {}`",
        bp.name, cluster.name
    );
    if cluster
        .sealing
        .as_ref()
        .and_then(|s| s.cert.as_ref())
        .is_none()
    {
        // Sealing needs the controller's public certificate, which nothing has fetched yet.
        help.push_str(&format!(
            "; the cluster has no sealing certificate yet: fetch it with `kubeseal --fetch-cert > clusters/{0}.pem` and set `sealing: {{cert: {0}.pem}}` in clusters/{0}.yaml",
            cluster.name
        ));
    }
    out.push(d.with_field("secretEnv").with_help(help));
}

/// Checks across files: names, name clashes, overrides and cluster image settings. Needs
/// the clusters and blueprints that loaded.
pub fn project(
    blueprints: &[BlueprintInput],
    clusters: &[ClusterInput],
    out: &mut Vec<Diagnostic>,
) {
    let mut cluster_names: BTreeMap<&str, &str> = BTreeMap::new();
    for c in clusters {
        let mut at = At {
            file: &c.file,
            node: &c.node,
            out,
        };
        if let Some(why) = names::dns1123_label(&c.cluster.name, 63) {
            at.error(
                INVALID_NAME,
                "/name",
                format!("cluster name `{}` {why}", c.cluster.name),
                None,
            );
        }
        if stem(&c.file) != c.cluster.name {
            at.error(
                FILE_NAME,
                "/name",
                format!("cluster `{}` is in file `{}`", c.cluster.name, c.file),
                Some(format!("name the file `{}.yaml`", c.cluster.name)),
            );
        }
        if let Some(first) = cluster_names.insert(&c.cluster.name, &c.file) {
            at.error(
                DUPLICATE,
                "/name",
                format!("cluster `{}` is also defined in {first}", c.cluster.name),
                None,
            );
        }
        check_cluster_images(&mut at, &c.cluster);
        if let Some(m) = &c.cluster.mesh {
            for (field, value) in [
                ("gateway", &m.gateway),
                ("gatewayServiceAccount", &m.gateway_service_account),
            ] {
                if let Some(v) = value {
                    if crate::resolve::split_ref(v).is_none() {
                        at.error(
                            MESH_REF_INVALID,
                            &format!("/mesh/{field}"),
                            format!("mesh.{field} `{v}` is not `namespace/name`"),
                            None,
                        );
                    }
                }
            }
        }
        let mut infra = BTreeSet::new();
        for (i, name) in c.cluster.infrastructure.iter().flatten().enumerate() {
            if let Some(why) = names::dns1123_label(name, 63) {
                at.error(
                    INVALID_NAME,
                    &format!("/infrastructure/{i}"),
                    format!("infrastructure name `{name}` {why}"),
                    None,
                );
            }
            if !infra.insert(name) || name == "infrastructure" {
                at.error(
                    DUPLICATE,
                    &format!("/infrastructure/{i}"),
                    format!("infrastructure name `{name}` is used twice or reserved"),
                    None,
                );
            }
        }
    }
    let mut names_seen: BTreeMap<&str, &str> = BTreeMap::new();
    for b in blueprints {
        let mut at = At {
            file: &b.file,
            node: &b.node,
            out,
        };
        if stem(&b.file) != b.base.name {
            at.error(
                FILE_NAME,
                "/name",
                format!("blueprint `{}` is in file `{}`", b.base.name, b.file),
                Some(format!("name the file `{}.yaml`", b.base.name)),
            );
        }
        if let Some(first) = names_seen.insert(&b.base.name, &b.file) {
            at.error(
                DUPLICATE,
                "/name",
                format!("service `{}` is also defined in {first}", b.base.name),
                None,
            );
        }
        for c in clusters {
            let reserved = ["infrastructure", "flux-system"];
            let infra = c
                .cluster
                .infrastructure
                .iter()
                .flatten()
                .any(|i| i == &b.base.name);
            if infra || reserved.contains(&b.base.name.as_str()) {
                at.error(NAME_CLASH, "/name", format!("service name `{}` clashes with a Flux Kustomization of cluster `{}`", b.base.name, c.cluster.name), Some("`infrastructure`, `flux-system` and the cluster's infrastructure names are taken".into()));
            }
        }
        for cluster in b.base.overrides.iter().flat_map(|o| o.keys()) {
            if !cluster_names.contains_key(cluster.as_str()) {
                let known = cluster_names.keys().copied().collect::<Vec<_>>().join(", ");
                at.error(
                    UNKNOWN_CLUSTER,
                    &format!("/overrides/{cluster}"),
                    format!("overrides name cluster `{cluster}`, which does not exist"),
                    Some(format!("clusters: {known}")),
                );
            }
        }
    }
}

/// Two services must not route the same host and path prefix in one cluster: the edge
/// VirtualService of a host could send the requests to only one of them.
pub fn route_collisions(
    cluster: &Cluster,
    entries: &[(String, Node, Blueprint)],
    out: &mut Vec<Diagnostic>,
) {
    let mut seen: BTreeMap<(String, String), (String, String)> = BTreeMap::new();
    for (file, node, bp) in entries {
        for (i, r) in bp.routes.iter().flatten().enumerate() {
            let host = crate::resolve::routes::full_host(&r.host, cluster.domain.as_deref());
            let path = r.path.clone().unwrap_or_else(|| "/".into());
            match seen.get(&(host.clone(), path.clone())) {
                Some((other, other_file)) if other != &bp.name => {
                    let mut at = At { file, node, out };
                    at.error(ROUTE_TAKEN, &format!("/routes/{i}"), format!("`{host}{path}` is also routed by `{other}` ({other_file}) in cluster `{}`", cluster.name), Some("give one of them another path or host".into()));
                }
                _ => {
                    seen.insert((host, path), (bp.name.clone(), file.clone()));
                }
            }
        }
    }
}

/// Checks `dependsOn` of every service of one cluster: targets exist, and there is no cycle.
/// `deps` maps service → (file, node, dependsOn list) as merged for the cluster.
pub fn dependencies(
    cluster: &Cluster,
    deps: &BTreeMap<String, (String, Node, Vec<String>)>,
    out: &mut Vec<Diagnostic>,
) {
    let infra: BTreeSet<&str> = cluster
        .infrastructure
        .iter()
        .flatten()
        .map(String::as_str)
        .collect();
    for (name, (file, node, targets)) in deps {
        let mut at = At { file, node, out };
        for (i, t) in targets.iter().enumerate() {
            if t == name {
                at.error(
                    DEPENDENCY_CYCLE,
                    &format!("/dependsOn/{i}"),
                    format!("`{name}` depends on itself"),
                    None,
                );
            } else if !deps.contains_key(t) && !infra.contains(t.as_str()) {
                let mut known: Vec<&str> = infra.iter().copied().collect();
                known.extend(deps.keys().map(String::as_str));
                let known: Vec<String> = known.iter().map(|s| (*s).to_owned()).collect();
                let guess = match super::structure::closest(t, &known) {
                    Some(best) => format!("did you mean `{best}`? Otherwise: "),
                    None => String::new(),
                };
                let help = format!(
                    "{guess}a dependency must be a blueprint (`blueprints/{t}.yaml`) or a Kustomization the platform provides, listed in the `infrastructure` of cluster `{}`",
                    cluster.name
                );
                at.error(
                    UNKNOWN_DEPENDENCY,
                    &format!("/dependsOn/{i}"),
                    format!(
                        "`{t}` is neither a blueprint nor infrastructure of cluster `{}`",
                        cluster.name
                    ),
                    Some(help),
                );
            }
        }
    }
    // Cycles: depth-first search with colours; report each cycle once, at its smallest member.
    let mut state: BTreeMap<&str, u8> = BTreeMap::new();
    let mut reported = BTreeSet::new();
    for start in deps.keys() {
        let mut path: Vec<&str> = Vec::new();
        visit(start, deps, &mut state, &mut path, &mut reported, out);
    }
}

fn visit<'a>(
    name: &'a str,
    deps: &'a BTreeMap<String, (String, Node, Vec<String>)>,
    state: &mut BTreeMap<&'a str, u8>,
    path: &mut Vec<&'a str>,
    reported: &mut BTreeSet<Vec<&'a str>>,
    out: &mut Vec<Diagnostic>,
) {
    match state.get(name) {
        Some(2) => return,
        Some(1) => {
            let Some(pos) = path.iter().position(|p| *p == name) else {
                return;
            };
            let mut cycle: Vec<&str> = path[pos..].to_vec();
            let min = cycle
                .iter()
                .enumerate()
                .min_by_key(|(_, n)| **n)
                .map_or(0, |(i, _)| i);
            cycle.rotate_left(min);
            if cycle.len() > 1 && reported.insert(cycle.clone()) {
                let first = cycle[0];
                if let Some((file, node, targets)) = deps.get(first) {
                    let next = cycle[1 % cycle.len()];
                    let i = targets.iter().position(|t| t == next).unwrap_or(0);
                    let mut shown = cycle.clone();
                    shown.push(first);
                    let mut at = At { file, node, out };
                    at.error(
                        DEPENDENCY_CYCLE,
                        &format!("/dependsOn/{i}"),
                        format!("dependsOn forms a cycle: {}", shown.join(" → ")),
                        Some("Flux would never apply any of these; remove one edge".into()),
                    );
                }
            }
            return;
        }
        _ => {}
    }
    state.insert(name, 1);
    path.push(name);
    if let Some((_, _, targets)) = deps.get(name) {
        for t in targets {
            if deps.contains_key(t) && t != name {
                visit(t, deps, state, path, reported, out);
            }
        }
    }
    path.pop();
    state.insert(name, 2);
}

fn stem(file: &str) -> &str {
    let name = file.rsplit('/').next().unwrap_or(file);
    name.strip_suffix(".yaml")
        .or_else(|| name.strip_suffix(".yml"))
        .unwrap_or(name)
}
