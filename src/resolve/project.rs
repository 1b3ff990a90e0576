//! The project's files resolved together. [`clusters`] resolves and checks every cluster
//! file, with what spans files: cluster and blueprint files named for what they hold and
//! unique, service names that clash with Flux Kustomizations, overrides of unknown clusters.
//! [`services`] runs the per-cluster loop: every blueprint merged for the cluster and
//! resolved, then what spans its services (the `dependsOn` graph, route collisions) and
//! their sealed values.

use std::collections::{BTreeMap, BTreeSet};

use super::cluster::{split_ref, ResolvedCluster};
use super::codes::{
    CANARY_HOST_SHARED, CRD_ORDER, DEPENDENCY_CYCLE, DUPLICATE, FILE_NAME, INVALID_NAME,
    JOB_NAME_CLASH, MESH_REF_INVALID, MISSING_SEALED, NAME_CLASH, ROUTE_TAKEN, UNKNOWN_CLUSTER,
    UNKNOWN_DEPENDENCY,
};
use super::delivery;
use super::gateway_api;
use super::images;
use super::platform::{self, ResolvedComponent, NAMESPACES};
use super::resolver::{Place, Resolver};
use super::routes::{full_host, path};
use super::service::{self, ResolvedService};
use crate::blueprint::load::{BlueprintInput, ClusterInput, ComponentInput};
use crate::blueprint::names;
use crate::blueprint::structure::closest;
use crate::blueprint::Blueprint;
use crate::diag::{Diagnostic, Severity};
use crate::seal::values::SealedValues;
use crate::source::yaml::Node;

/// Resolves every cluster file, with the checks across files: names, file names,
/// duplicates, name clashes and overrides. `services` are the names of every blueprint.
pub fn clusters(
    blueprints: &[BlueprintInput],
    clusters: &[ClusterInput],
    services: &BTreeSet<String>,
    out: &mut Vec<Diagnostic>,
) -> Vec<ResolvedCluster> {
    let mut resolved = Vec::new();
    let mut cluster_names: BTreeMap<&str, &str> = BTreeMap::new();
    for c in clusters {
        let at = Place {
            file: &c.file,
            node: &c.node,
        };
        named_file(at, ["cluster"; 2], &c.cluster.name, &mut cluster_names, out);
        resolved.push(cluster(c, services, out));
    }
    let mut names_seen: BTreeMap<&str, &str> = BTreeMap::new();
    for b in blueprints {
        let at = Place {
            file: &b.file,
            node: &b.node,
        };
        named_file(
            at,
            ["blueprint", "service"],
            &b.base.name,
            &mut names_seen,
            out,
        );
        for c in &resolved {
            let reserved = ["infrastructure", "flux-system"];
            if c.infrastructure.contains(&b.base.name) || reserved.contains(&b.base.name.as_str()) {
                out.push(at.error(NAME_CLASH, "/name", format!("service name `{}` clashes with a Flux Kustomization of cluster `{}`", b.base.name, c.name), Some("`infrastructure`, `flux-system` and the cluster's infrastructure names are taken".into())));
            }
        }
        for cluster in b.base.overrides.iter().flat_map(|o| o.keys()) {
            if !cluster_names.contains_key(cluster.as_str()) {
                let known = cluster_names.keys().copied().collect::<Vec<_>>().join(", ");
                out.push(at.error(
                    UNKNOWN_CLUSTER,
                    &format!("/overrides/{cluster}"),
                    format!("overrides name cluster `{cluster}`, which does not exist"),
                    Some(format!("clusters: {known}")),
                ));
            }
        }
    }
    resolved
}

/// Resolves a cluster file and checks what it alone can get wrong: its name, its image
/// automation, its mesh references and its infrastructure names. The cluster resolves even
/// with errors, so that every blueprint is still checked against it (any error stops the
/// run before anything renders).
fn cluster(
    input: &ClusterInput,
    services: &BTreeSet<String>,
    out: &mut Vec<Diagnostic>,
) -> ResolvedCluster {
    let resolved = ResolvedCluster::new(&input.cluster, &input.file);
    let place = Place {
        file: &input.file,
        node: &input.node,
    };
    let mut r = Resolver::new(place, &resolved, services, out);
    let c = &input.cluster;
    if let Some(why) = names::dns1123_label(&c.name, 63) {
        r.error(
            INVALID_NAME,
            "/name",
            format!("cluster name `{}` {why}", c.name),
            None,
        );
    }
    if let Some(ci) = &c.images {
        images::check_cluster(ci, c.git.is_some(), &mut r);
    }
    gateway_api::check_cluster(c, &mut r);
    if let Some(m) = &c.mesh {
        for (field, value) in [
            ("gateway", &m.gateway),
            ("gatewayServiceAccount", &m.gateway_service_account),
        ] {
            if let Some(v) = value.as_ref().filter(|v| split_ref(v).is_none()) {
                r.error(
                    MESH_REF_INVALID,
                    &format!("/mesh/{field}"),
                    format!("mesh.{field} `{v}` is not `namespace/name`"),
                    None,
                );
            }
        }
    }
    let mut infra = BTreeSet::new();
    for (i, name) in c.infrastructure.iter().flatten().enumerate() {
        if let Some(why) = names::dns1123_label(name, 63) {
            r.error(
                INVALID_NAME,
                &format!("/infrastructure/{i}"),
                format!("infrastructure name `{name}` {why}"),
                None,
            );
        }
        if !infra.insert(name) || name == "infrastructure" {
            r.error(
                DUPLICATE,
                &format!("/infrastructure/{i}"),
                format!("infrastructure name `{name}` is used twice or reserved"),
                None,
            );
        }
    }
    resolved
}

/// Resolves every blueprint for `cluster`, sorted by name, with the checks across the
/// cluster's services (`dependsOn` targets and cycles, route collisions) and each service's
/// sealed values (`sealed`: by service name). Services with errors are left out; their
/// findings are in `out`.
pub fn services(
    cluster: &ResolvedCluster,
    blueprints: &[BlueprintInput],
    names: &BTreeSet<String>,
    components: &[ResolvedComponent],
    sealed: &BTreeMap<String, SealedValues>,
    out: &mut Vec<Diagnostic>,
) -> Vec<ResolvedService> {
    let mut deps = BTreeMap::new();
    let mut routed = Vec::new();
    let mut resolved = Vec::new();
    for b in blueprints {
        let (node, bp) = match b.for_cluster(&cluster.name) {
            Ok(merged) => merged,
            Err(found) => {
                out.extend(found);
                continue;
            }
        };
        let values = sealed
            .get(&bp.name)
            .and_then(|s| s.clusters.get(&cluster.name))
            .map(|c| c.values.clone())
            .unwrap_or_default();
        let place = Place {
            file: &b.file,
            node: &node,
        };
        let mut r = Resolver::new(place, cluster, names, out);
        let service = service::resolve(&bp, &mut r);
        sealed_values(&bp.name, bp.secret_env.as_deref(), &values, &mut r);
        if let Some(mut service) = service {
            service.sealed = values
                .into_iter()
                .filter(|(k, _)| service.secret_env.contains(k))
                .collect();
            resolved.push(service);
        }
        deps.insert(
            bp.name.clone(),
            (
                b.file.clone(),
                node.clone(),
                bp.depends_on.clone().unwrap_or_default(),
            ),
        );
        routed.push((b.file.clone(), node, bp));
    }
    let mut external: BTreeSet<String> = cluster.infrastructure.iter().cloned().collect();
    external.extend(components.iter().map(|c| c.name.clone()));
    let what = if components.is_empty() {
        "a blueprint nor infrastructure"
    } else {
        "a blueprint, a component nor infrastructure"
    };
    dependencies(cluster, &deps, &external, what, out);
    route_collisions(cluster, &routed, out);
    canary_hosts(cluster, &routed, out);
    job_names(cluster, &routed, names, components, out);
    component_clashes(cluster, &routed, components, out);
    resolved.sort_by(|a, b| a.name.cmp(&b.name));
    resolved
}

/// Every secret variable needs a sealed value for the cluster: an error on strict clusters,
/// a warning on relaxed ones (the service then starts without the variable's Secret key).
fn sealed_values(
    name: &str,
    secret_env: Option<&[String]>,
    values: &BTreeMap<String, String>,
    r: &mut Resolver<'_>,
) {
    let missing: Vec<&str> = secret_env
        .into_iter()
        .flatten()
        .filter(|k| !values.contains_key(*k))
        .map(String::as_str)
        .collect();
    let Some(first) = missing.first() else {
        return;
    };
    let cluster = r.cluster();
    let message = format!(
        "no sealed value for {} in cluster `{}`",
        missing.join(", "),
        cluster.name
    );
    let mut help = format!(
        "seal each value, e.g. `printf %s \"$VALUE\" | fluxprint seal {} {first} --cluster {}`",
        name, cluster.name
    );
    if cluster.sealing_cert.is_none() {
        // Sealing needs the controller's public certificate, which nothing has fetched yet.
        help.push_str(&format!(
            "; the cluster has no sealing certificate yet: fetch it with `kubeseal --fetch-cert > clusters/{0}.pem` and set `sealing: {{cert: {0}.pem}}` in clusters/{0}.yaml",
            cluster.name
        ));
    }
    let severity = if r.strict() {
        Severity::Error
    } else {
        Severity::Warning
    };
    r.report(
        severity,
        MISSING_SEALED,
        "/secretEnv",
        "/secretEnv",
        message,
        Some(help),
    );
}

/// Two services must not route the same host and path prefix in one cluster: the edge
/// VirtualService of a host could send the requests to only one of them.
fn route_collisions(
    cluster: &ResolvedCluster,
    entries: &[(String, Node, Blueprint)],
    out: &mut Vec<Diagnostic>,
) {
    let mut seen: BTreeMap<(String, String), (String, String)> = BTreeMap::new();
    for (file, node, bp) in entries {
        for (i, r) in bp.routes.iter().flatten().enumerate() {
            let host = full_host(&r.host, cluster.domain.as_deref());
            let path = path(r);
            match seen.get(&(host.clone(), path.clone())) {
                Some((other, other_file)) if other != &bp.name => {
                    let at = Place { file, node };
                    out.push(at.error(ROUTE_TAKEN, &format!("/routes/{i}"), format!("`{host}{path}` is also routed by `{other}` ({other_file}) in cluster `{}`", cluster.name), Some("give one of them another path or host".into())));
                }
                _ => {
                    seen.insert((host, path), (bp.name.clone(), file.clone()));
                }
            }
        }
    }
}

/// Flagger writes the whole route of a canary service's hosts (its own VirtualService), so no
/// other service may route them: the shared edge VirtualService and Flagger's would fight.
fn canary_hosts(
    cluster: &ResolvedCluster,
    entries: &[(String, Node, Blueprint)],
    out: &mut Vec<Diagnostic>,
) {
    let mut routers: BTreeMap<String, Vec<(&str, &str)>> = BTreeMap::new();
    for (file, _, bp) in entries {
        for r in bp.routes.iter().flatten() {
            let host = full_host(&r.host, cluster.domain.as_deref());
            let list = routers.entry(host).or_default();
            if !list.iter().any(|(name, _)| *name == bp.name) {
                list.push((&bp.name, file));
            }
        }
    }
    for (file, node, bp) in entries
        .iter()
        .filter(|(_, _, bp)| delivery::progressive(bp))
    {
        for (i, r) in bp.routes.iter().flatten().enumerate() {
            let host = full_host(&r.host, cluster.domain.as_deref());
            let others = routers.get(&host).into_iter().flatten();
            if let Some((other, other_file)) = others.into_iter().find(|(n, _)| *n != bp.name) {
                let at = Place { file, node };
                out.push(at.error(CANARY_HOST_SHARED, &format!("/routes/{i}/host"), format!("host `{host}` of canary service `{}` is also routed by `{other}` ({other_file}) in cluster `{}`", bp.name, cluster.name), Some("Flagger writes the whole route of the host: give the canary service a host of its own, or release it with `strategy: rolling`".into())));
            }
        }
    }
}

/// A job's objects are named `<service>-<job>` (the Job or CronJob, its NetworkPolicy and,
/// before a rollout, its Flux Kustomization and directory), so that name must be no
/// service's, no Flux Kustomization's of the cluster and no other job's.
fn job_names(
    cluster: &ResolvedCluster,
    entries: &[(String, Node, Blueprint)],
    services: &BTreeSet<String>,
    components: &[ResolvedComponent],
    out: &mut Vec<Diagnostic>,
) {
    let platform: BTreeSet<String> = components.iter().flat_map(|c| c.kustomizations()).collect();
    let mut seen: BTreeMap<String, (String, String)> = BTreeMap::new();
    for (file, node, bp) in entries {
        for (i, job) in bp.jobs.iter().flatten().enumerate() {
            let object = format!("{}-{}", bp.name, job.name);
            let taken = if services.contains(&object) {
                Some(format!("the service `{object}`"))
            } else if cluster.infrastructure.contains(&object)
                || platform.contains(&object)
                || ["infrastructure", "flux-system", NAMESPACES].contains(&object.as_str())
            {
                Some(format!(
                    "a Flux Kustomization of cluster `{}`",
                    cluster.name
                ))
            } else {
                seen.get(&object)
                    .filter(|(other, _)| other != &bp.name)
                    .map(|(other, other_file)| format!("a job of `{other}` ({other_file})"))
            };
            match taken {
                Some(what) => {
                    let at = Place { file, node };
                    out.push(at.error(
                        JOB_NAME_CLASH,
                        &format!("/jobs/{i}/name"),
                        format!("job `{object}` has the name of {what}"),
                        Some("a job's objects are named `<service>-<job>`; rename the job".into()),
                    ));
                }
                None => {
                    seen.insert(object, (bp.name.clone(), file.clone()));
                }
            }
        }
    }
}

/// The `dependsOn` of every service of one cluster, by service: (file, node, targets).
type Dependencies = BTreeMap<String, (String, Node, Vec<String>)>;

/// Checks `dependsOn` of every service (or component) of one cluster: targets exist (as one
/// of `deps` or in `external`), and there is no cycle; `what` says what a target may be.
fn dependencies(
    cluster: &ResolvedCluster,
    deps: &Dependencies,
    external: &BTreeSet<String>,
    what: &str,
    out: &mut Vec<Diagnostic>,
) {
    let infra: BTreeSet<&str> = external.iter().map(String::as_str).collect();
    for (name, (file, node, targets)) in deps {
        let at = Place { file, node };
        for (i, t) in targets.iter().enumerate() {
            if t == name {
                out.push(at.error(
                    DEPENDENCY_CYCLE,
                    &format!("/dependsOn/{i}"),
                    format!("`{name}` depends on itself"),
                    None,
                ));
            } else if !deps.contains_key(t) && !infra.contains(t.as_str()) {
                let mut known: Vec<&str> = infra.iter().copied().collect();
                known.extend(deps.keys().map(String::as_str));
                let known: Vec<String> = known.iter().map(|s| (*s).to_owned()).collect();
                let guess = match closest(t, &known) {
                    Some(best) => format!("did you mean `{best}`? Otherwise: "),
                    None => String::new(),
                };
                let help = if what.starts_with("a component") {
                    format!(
                        "{guess}a component's dependency must be a component of cluster `{}` (`platform/{t}.yaml`) or listed in its `infrastructure`",
                        cluster.name
                    )
                } else {
                    format!(
                        "{guess}a dependency must be a blueprint (`blueprints/{t}.yaml`){} or a Kustomization the platform provides, listed in the `infrastructure` of cluster `{}`",
                        if what.contains("component") { ", a component (`platform/<name>.yaml`)" } else { "" },
                        cluster.name
                    )
                };
                out.push(at.error(
                    UNKNOWN_DEPENDENCY,
                    &format!("/dependsOn/{i}"),
                    format!("`{t}` is neither {what} of cluster `{}`", cluster.name),
                    Some(help),
                ));
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
    deps: &'a Dependencies,
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
                    let at = Place { file, node };
                    out.push(at.error(
                        DEPENDENCY_CYCLE,
                        &format!("/dependsOn/{i}"),
                        format!("dependsOn forms a cycle: {}", shown.join(" → ")),
                        Some("Flux would never apply any of these; remove one edge".into()),
                    ));
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

/// The file at `at` is named for the `name` it holds, and no file before it (in `seen`: name →
/// file) holds that name; `kind` names the document in both messages (`blueprint`, `service`).
fn named_file<'a>(
    at: Place<'a>,
    kind: [&str; 2],
    name: &'a str,
    seen: &mut BTreeMap<&'a str, &'a str>,
    out: &mut Vec<Diagnostic>,
) {
    let [in_file, defined] = kind;
    if stem(at.file) != name {
        out.push(at.error(
            FILE_NAME,
            "/name",
            format!("{in_file} `{name}` is in file `{}`", at.file),
            Some(format!("name the file `{name}.yaml`")),
        ));
    }
    if let Some(first) = seen.insert(name, at.file) {
        out.push(at.error(
            DUPLICATE,
            "/name",
            format!("{defined} `{name}` is also defined in {first}"),
            None,
        ));
    }
}

/// The file name without directory and `.yaml` / `.yml`.
fn stem(file: &str) -> &str {
    let name = file.rsplit('/').next().unwrap_or(file);
    name.strip_suffix(".yaml")
        .or_else(|| name.strip_suffix(".yml"))
        .unwrap_or(name)
}

/// Checks the component files across files: each named for its component and defined once,
/// and `clusters` and `overrides` naming clusters that exist.
pub fn component_files(
    components: &[ComponentInput],
    clusters: &[ResolvedCluster],
    out: &mut Vec<Diagnostic>,
) {
    let known: BTreeSet<&str> = clusters.iter().map(|c| c.name.as_str()).collect();
    let list = known.iter().copied().collect::<Vec<_>>().join(", ");
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for c in components {
        let at = Place {
            file: &c.file,
            node: &c.node,
        };
        named_file(at, ["component"; 2], &c.base.name, &mut seen, out);
        for (i, cluster) in c.base.clusters.iter().flatten().enumerate() {
            if !known.contains(cluster.as_str()) {
                out.push(at.error(
                    UNKNOWN_CLUSTER,
                    &format!("/clusters/{i}"),
                    format!("clusters names cluster `{cluster}`, which does not exist"),
                    Some(format!("clusters: {list}")),
                ));
            }
        }
        for cluster in c.base.overrides.iter().flat_map(|o| o.keys()) {
            if !known.contains(cluster.as_str()) {
                out.push(at.error(
                    UNKNOWN_CLUSTER,
                    &format!("/overrides/{cluster}"),
                    format!("overrides name cluster `{cluster}`, which does not exist"),
                    Some(format!("clusters: {list}")),
                ));
            }
        }
    }
}

/// Resolves the components that run in `cluster` (their `clusters`, default all), sorted by
/// name, with what spans them: Kustomization names, `dependsOn` targets and cycles, CRD
/// ordering, and their sealed values (`sealed`: by component name).
pub fn components(
    cluster: &ResolvedCluster,
    inputs: &[ComponentInput],
    charts: &[std::path::PathBuf],
    names: &BTreeSet<String>,
    sealed: &BTreeMap<String, SealedValues>,
    out: &mut Vec<Diagnostic>,
) -> Vec<ResolvedComponent> {
    let mut resolved = Vec::new();
    let mut deps = BTreeMap::new();
    let mut places = BTreeMap::new();
    for c in inputs {
        let runs_here = c
            .base
            .clusters
            .as_ref()
            .is_none_or(|list| list.contains(&cluster.name));
        if !runs_here {
            continue;
        }
        let (node, component) = match c.for_cluster(&cluster.name) {
            Ok(merged) => merged,
            Err(found) => {
                out.extend(found);
                continue;
            }
        };
        let values = sealed
            .get(&component.name)
            .and_then(|s| s.clusters.get(&cluster.name))
            .map(|v| v.values.clone())
            .unwrap_or_default();
        let place = Place {
            file: &c.file,
            node: &node,
        };
        let mut r = Resolver::new(place, cluster, names, out);
        let done = platform::resolve(&component, &c.dir, charts, &mut r);
        sealed_values(
            &component.name,
            component.secret_env.as_deref(),
            &values,
            &mut r,
        );
        deps.insert(
            component.name.clone(),
            (
                c.file.clone(),
                node.clone(),
                component.depends_on.clone().unwrap_or_default(),
            ),
        );
        places.insert(component.name.clone(), (c.file.clone(), node));
        if let Some(mut done) = done {
            done.sealed = values
                .into_iter()
                .filter(|(k, _)| done.secret_env.contains(k))
                .collect();
            resolved.push(done);
        }
    }
    let external: BTreeSet<String> = cluster.infrastructure.iter().cloned().collect();
    dependencies(
        cluster,
        &deps,
        &external,
        "a component nor infrastructure",
        out,
    );
    resolved.sort_by(|a, b| a.name.cmp(&b.name));
    kustomization_names(cluster, &resolved, &places, out);
    crd_order(&resolved, &deps, &places, out);
    resolved
}

/// Every Kustomization name a component adds (`<name>`, `<name>-controllers`) is taken once
/// in the cluster, and is not one fluxprint or the cluster already uses.
fn kustomization_names(
    cluster: &ResolvedCluster,
    components: &[ResolvedComponent],
    places: &BTreeMap<String, (String, Node)>,
    out: &mut Vec<Diagnostic>,
) {
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for c in components {
        let Some((file, node)) = places.get(&c.name) else {
            continue;
        };
        let at = Place { file, node };
        for k in c.kustomizations() {
            let reserved = ["infrastructure", "flux-system", NAMESPACES].contains(&k.as_str())
                || cluster.infrastructure.contains(&k);
            if reserved {
                out.push(at.error(
                    NAME_CLASH,
                    "/name",
                    format!("component Kustomization `{k}` clashes with a Flux Kustomization of cluster `{}`", cluster.name),
                    Some(format!("`infrastructure`, `flux-system`, `{NAMESPACES}` and the cluster's `infrastructure` names are taken")),
                ));
            } else if let Some(other) = seen.insert(k.clone(), &c.name) {
                out.push(at.error(
                    DUPLICATE,
                    "/name",
                    format!("Flux Kustomization `{k}` of component `{}` is also one of component `{other}`", c.name),
                    None,
                ));
            }
        }
    }
}

/// Blueprints and components share one Kustomization namespace (`flux-system`): a service
/// named like a component's Kustomization is refused at the blueprint.
fn component_clashes(
    cluster: &ResolvedCluster,
    entries: &[(String, Node, Blueprint)],
    components: &[ResolvedComponent],
    out: &mut Vec<Diagnostic>,
) {
    for (file, node, bp) in entries {
        let names = ["platform-namespaces"];
        let clash = components
            .iter()
            .find(|c| c.kustomizations().contains(&bp.name));
        let at = Place { file, node };
        if let Some(c) = clash {
            out.push(at.error(
                NAME_CLASH,
                "/name",
                format!(
                    "service name `{}` clashes with a Flux Kustomization of component `{}` ({}) in cluster `{}`",
                    bp.name, c.name, c.source, cluster.name
                ),
                Some("rename the service or the component".into()),
            ));
        } else if names.contains(&bp.name.as_str()) && !components.is_empty() {
            out.push(at.error(
                NAME_CLASH,
                "/name",
                format!(
                    "service name `{}` clashes with a Flux Kustomization of cluster `{}`",
                    bp.name, cluster.name
                ),
                Some(format!(
                    "`{NAMESPACES}` applies the namespaces of the platform components"
                )),
            ));
        }
    }
}

/// An object of a group whose CRDs a component's chart installs must be applied after that
/// chart: by a component that depends (directly or not) on it, or by the component itself
/// in its config part while the chart is in `controllers`. The SealedSecret of `secretEnv`
/// counts as an object of the component's chart part.
fn crd_order(
    components: &[ResolvedComponent],
    deps: &Dependencies,
    places: &BTreeMap<String, (String, Node)>,
    out: &mut Vec<Diagnostic>,
) {
    for c in components {
        let Some((file, node)) = places.get(&c.name) else {
            continue;
        };
        let at = Place { file, node };
        let waits_for = reachable(&c.name, deps);
        let mut objects: Vec<(String, String, String, bool, String)> = c
            .resources
            .iter()
            .map(|r| {
                (
                    r.group.clone(),
                    r.object["kind"].as_str().unwrap_or("").to_owned(),
                    r.object["metadata"]["name"]
                        .as_str()
                        .unwrap_or("")
                        .to_owned(),
                    r.with_chart,
                    r.pointer.clone(),
                )
            })
            .collect();
        if !c.secret_env.is_empty() {
            objects.push((
                "bitnami.com".into(),
                "SealedSecret".into(),
                c.secret_name(),
                true,
                "/secretEnv".into(),
            ));
        }
        for (group, kind, name, with_chart, pointer) in objects {
            let providers: Vec<&ResolvedComponent> = components
                .iter()
                .filter(|p| p.provides.contains(&group))
                .collect();
            if providers.is_empty() {
                continue;
            }
            let own = providers.iter().any(|p| p.name == c.name);
            let ordered = if own {
                !with_chart && c.parts().len() == 2
            } else {
                providers.iter().any(|p| waits_for.contains(&p.name))
            };
            if ordered {
                continue;
            }
            let (message, help) = if own {
                (
                    format!("{kind} `{name}` needs the CRDs that the chart of `{}` installs, and would be applied with it", c.name),
                    "put the chart in `layer: controllers`: the component's other resources are then applied after it".to_owned(),
                )
            } else {
                let names: Vec<&str> = providers.iter().map(|p| p.name.as_str()).collect();
                (
                    format!(
                        "{kind} `{name}` needs the CRDs of component `{}`, which `{}` does not depend on",
                        names.join("` or `"),
                        c.name
                    ),
                    format!("add `{}` to `dependsOn`: Flux would apply the {kind} before its CRD exists", names[0]),
                )
            };
            out.push(at.error(CRD_ORDER, &pointer, message, Some(help)));
        }
    }
}

/// Every name `start` depends on, directly or not.
fn reachable(start: &str, deps: &Dependencies) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![start.to_owned()];
    while let Some(name) = stack.pop() {
        for t in deps.get(&name).map(|d| d.2.as_slice()).unwrap_or_default() {
            if seen.insert(t.clone()) {
                stack.push(t.clone());
            }
        }
    }
    seen
}
