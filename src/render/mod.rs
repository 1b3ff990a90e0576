//! Rendering: resolved services of one cluster → the files of that cluster's GitOps tree.
//!
//! One module per output family builds typed objects (k8s-openapi structs); this module
//! places them in files, adds the generated header and the `kustomization.yaml` of every
//! directory. Rendering is pure: the same input gives the same bytes, on any machine.
//!
//! Layout of `<out>/<cluster>/`:
//! - `apps/<service>/`: one kustomize directory per service, one object per file;
//! - `apps/<service>-<job>/`: one per before-rollout job, applied before the service's (it
//!   also holds the objects the Job's pod needs: the ServiceAccount, ConfigMap and
//!   SealedSecret, when it is the service's first such job);
//! - `infrastructure/`: namespaces (shared by services), the edge objects (Istio Gateway and
//!   VirtualServices, or the Gateway API Gateways and their redirect routes) and the
//!   ambient waypoints, with its own kustomization;
//! - `infrastructure/controllers/<component>/`, `infrastructure/configs/<component>/` and
//!   `infrastructure/namespaces/`: the platform components ([`platform`]);
//! - `clusters/<cluster>/`: the Flux objects (`flux bootstrap --path=clusters/<cluster>`
//!   adds its own `flux-system/` beside them, which is never written).

pub mod delivery;
pub mod flux;
pub mod gateway_api;
pub mod images;
pub mod jobs;
pub mod kustomize;
pub mod mesh;
pub mod monitoring;
pub mod namespace;
pub mod network;
pub mod platform;
pub mod presets;
pub mod scaffold;
pub mod scaling;
pub mod secrets;
pub mod text;
pub mod workload;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::emit::yaml::Doc;
use crate::emit::RenderedFile;
use crate::error::Error;
use crate::resolve::{ResolvedCluster, ResolvedComponent, ResolvedService};
use kustomize::KustomizeConfig;

/// Files of one directory being assembled.
#[derive(Default)]
struct Dir {
    files: BTreeMap<String, Doc>,
}

impl Dir {
    fn add<T: Serialize>(&mut self, file: &str, object: Option<T>) -> Result<(), Error> {
        if let Some(object) = object {
            self.files
                .insert(file.to_owned(), Doc::from_object(&object)?);
        }
        Ok(())
    }

    /// Marks the files that run the service's image for Flux image automation: setter
    /// markers on the image and version labels, and the blueprint image as an annotation
    /// (see `emit::keep_automation`). `files` are each file with the pointer of its pod
    /// template (`/spec/template`, `/spec/jobTemplate/spec/template`).
    fn mark_images(
        &mut self,
        cluster: &ResolvedCluster,
        svc: &ResolvedService,
        files: &[(String, &str)],
    ) {
        let (Some(image), Some(tag)) = (
            images::marker(cluster, svc, ""),
            images::marker(cluster, svc, ":tag"),
        ) else {
            return;
        };
        const VERSION: &str = "metadata/labels/app.kubernetes.io~1version";
        for (file, template) in files {
            let Some(doc) = self.files.remove(file) else {
                continue;
            };
            let mut doc = doc
                .with_comment(
                    &format!("{template}/spec/containers/0/image"),
                    image.clone(),
                )
                .with_comment(&format!("/{VERSION}"), tag.clone())
                .with_comment(&format!("{template}/{VERSION}"), tag.clone());
            if let Some(meta) = doc
                .value
                .get_mut("metadata")
                .and_then(|m| m.as_object_mut())
            {
                let annotations = meta
                    .entry("annotations")
                    .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
                if let Some(a) = annotations.as_object_mut() {
                    a.insert(crate::emit::BLUEPRINT_TAG.into(), svc.image_ref().into());
                }
            }
            self.files.insert(file.clone(), doc);
        }
    }

    /// Moves every file of `other` into this directory.
    fn absorb(&mut self, other: Dir) {
        self.files.extend(other.files);
    }

    /// The directory's files plus its `kustomization.yaml`, under `path`, with `source` in
    /// the header.
    fn finish(self, path: &str, source: &str, out: &mut Vec<RenderedFile>) -> Result<(), Error> {
        let resources: Vec<String> = self.files.keys().cloned().collect();
        for (name, doc) in self.files {
            out.push(RenderedFile::of_doc(format!("{path}/{name}"), source, doc)?);
        }
        let kustomization = Doc::from_object(&KustomizeConfig::new(resources))?;
        out.push(RenderedFile::of_doc(
            format!("{path}/kustomization.yaml"),
            source,
            kustomization,
        )?);
        Ok(())
    }
}

/// One object in one file under `clusters/<cluster>/`.
fn single<T: Serialize>(path: String, source: &str, object: &T) -> Result<RenderedFile, Error> {
    RenderedFile::of_doc(path, source, Doc::from_object(object)?)
}

/// The Flux objects of a cluster, under `clusters/<cluster>/` (no kustomization.yaml there:
/// the bootstrap Kustomization builds the directory as Flux generates it).
fn flux_files(
    cluster: &ResolvedCluster,
    services: &[ResolvedService],
    infrastructure_deps: Vec<String>,
) -> Result<Vec<RenderedFile>, Error> {
    let base = format!("{0}/clusters/{0}", cluster.name);
    let mut out = vec![single(
        format!("{base}/infrastructure.yaml"),
        &cluster.file,
        &flux::infrastructure(cluster, infrastructure_deps),
    )?];
    for svc in services {
        out.push(single(
            format!("{base}/apps/{}.yaml", svc.name),
            &svc.source,
            &flux::service(cluster, svc),
        )?);
        for job in svc.before_rollout() {
            out.push(single(
                format!("{base}/apps/{}.yaml", job.object),
                &svc.source,
                &flux::job(cluster, svc, &job.object),
            )?);
        }
        if let Some((repository, policy)) = images::policy(cluster, svc) {
            out.push(single(
                format!("{base}/images/{}-repository.yaml", svc.name),
                &svc.source,
                &repository,
            )?);
            out.push(single(
                format!("{base}/images/{}-policy.yaml", svc.name),
                &svc.source,
                &policy,
            )?);
        }
    }
    if let Some(automation) = images::automation(cluster) {
        out.push(single(
            format!("{base}/image-automation.yaml"),
            &cluster.file,
            &automation,
        )?);
    }
    if let Some((provider, alert)) = flux::notifications(cluster) {
        out.push(single(
            format!("{base}/notifications-provider.yaml"),
            &cluster.file,
            &provider,
        )?);
        out.push(single(
            format!("{base}/notifications-alert.yaml"),
            &cluster.file,
            &alert,
        )?);
    }
    Ok(out)
}

/// Renders every file of one cluster's tree, sorted by path.
pub fn render_cluster(
    cluster: &ResolvedCluster,
    services: &[ResolvedService],
    components: &[ResolvedComponent],
) -> Result<Vec<RenderedFile>, Error> {
    let root = &cluster.name;
    let mut files = Vec::new();
    let mut namespaces: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let namespace_of: BTreeMap<String, String> = services
        .iter()
        .map(|s| (s.name.clone(), s.namespace.clone()))
        .collect();
    let waypoints = gateway_api::waypoint_namespaces(cluster, services);
    let by_name = network::by_name(services);
    for svc in services {
        namespaces
            .entry(&svc.namespace)
            .or_default()
            .insert(&svc.source);
        // What any pod of the service needs before it starts; applied with the first
        // before-rollout job when there is one, as that Job runs before the service's
        // Kustomization applies anything.
        let mut needs = Dir::default();
        needs.add("serviceaccount.yaml", Some(workload::service_account(svc)))?;
        needs.add("configmap.yaml", workload::config_map(svc))?;
        needs.add("sealedsecret.yaml", secrets::sealed_secret(cluster, svc))?;
        let mut needs = Some(needs);
        let mut dir = Dir::default();
        dir.add(svc.workload.file(), workload::deployment(svc, cluster))?;
        dir.add(svc.workload.file(), workload::stateful_set(svc, cluster))?;
        // Flagger creates the Services, the in-mesh route and the DestinationRules of a
        // service it releases (see `delivery`).
        let owned = delivery::flagger_owned(svc);
        if !owned {
            dir.add("service.yaml", workload::service(svc))?;
        }
        dir.add("canary.yaml", delivery::canary(cluster, svc))?;
        dir.add("service-headless.yaml", workload::headless_service(svc))?;
        dir.add("hpa.yaml", scaling::autoscaler(svc))?;
        dir.add("pdb.yaml", scaling::disruption_budget(svc))?;
        dir.add("servicemonitor.yaml", monitoring::service_monitor(svc))?;
        dir.add("prometheusrule.yaml", monitoring::prometheus_rule(svc))?;
        dir.add(
            "networkpolicy.yaml",
            Some(network::service_policy(
                cluster,
                svc,
                &by_name,
                waypoints.contains(svc.namespace.as_str()),
            )),
        )?;
        if let Some(m) = &cluster.mesh {
            if !owned {
                dir.add("destinationrule.yaml", mesh::destination_rule(m, svc))?;
            }
            let waypoint = waypoints.contains(svc.namespace.as_str());
            dir.add(
                "authorizationpolicy.yaml",
                Some(mesh::authorization_policy(
                    cluster,
                    m,
                    svc,
                    &namespace_of,
                    waypoint,
                )),
            )?;
            if owned {
                // Flagger writes the in-mesh route of a service it releases.
            } else if gateway_api::gamma(cluster) {
                dir.add("httproute-mesh.yaml", gateway_api::mesh_route(svc))?;
            } else {
                dir.add("virtualservice.yaml", mesh::mesh_virtual_service(svc))?;
            }
        }
        if cluster.gateway_api.is_some() {
            // Flagger writes the one HTTPRoute of a service it releases (`service.gatewayRefs`).
            let (http, grpc) = if owned {
                (Vec::new(), Vec::new())
            } else {
                (
                    gateway_api::http_routes(cluster, svc),
                    gateway_api::grpc_routes(cluster, svc),
                )
            };
            for (file, route) in http {
                dir.add(&format!("{file}.yaml"), Some(route))?;
            }
            for (file, route) in grpc {
                dir.add(&format!("{file}.yaml"), Some(route))?;
            }
        } else if cluster.mesh.is_none() {
            dir.add("ingress.yaml", mesh::ingress(cluster, svc))?;
        }
        let mut marked = vec![(svc.workload.file().to_owned(), "/spec/template")];
        for job in &svc.jobs {
            let policy = Some(network::job_policy(cluster, svc, &job.object, &by_name));
            if job.before_rollout() {
                let mut own = needs.take().unwrap_or_default();
                own.add("job.yaml", jobs::job(svc, cluster, job))?;
                own.add("networkpolicy.yaml", policy)?;
                if job.service_image {
                    own.mark_images(cluster, svc, &[("job.yaml".into(), "/spec/template")]);
                }
                own.finish(
                    &format!("{root}/apps/{}", job.object),
                    &svc.source,
                    &mut files,
                )?;
            } else {
                let file = format!("cronjob-{}.yaml", job.name);
                dir.add(&file, jobs::cron_job(svc, cluster, job))?;
                dir.add(&format!("networkpolicy-{}.yaml", job.name), policy)?;
                if job.service_image {
                    marked.push((file, "/spec/jobTemplate/spec/template"));
                }
            }
        }
        if let Some(needs) = needs {
            dir.absorb(needs);
        }
        dir.mark_images(cluster, svc, &marked);
        dir.finish(
            &format!("{root}/apps/{}", svc.name),
            &svc.source,
            &mut files,
        )?;
    }
    let infra_dir = format!("{root}/infrastructure");
    // A namespace that components use too is applied with theirs, before any component.
    let platform_namespaces = platform::namespaces(components);
    for (ns, sources) in &namespaces {
        let source = sources.iter().copied().collect::<Vec<_>>().join(", ");
        if !platform_namespaces.contains_key(ns) {
            files.push(single(
                format!("{infra_dir}/namespace-{ns}.yaml"),
                &source,
                &namespace::namespace(ns, cluster, waypoints.contains(ns)),
            )?);
        }
        if waypoints.contains(ns) {
            files.push(single(
                format!("{infra_dir}/waypoint-{ns}.yaml"),
                &source,
                &gateway_api::waypoint(ns),
            )?);
            files.push(single(
                format!("{infra_dir}/networkpolicy-waypoint-{ns}.yaml"),
                &source,
                &network::waypoint_policy(ns),
            )?);
        }
        files.push(single(
            format!("{infra_dir}/networkpolicy-default-deny-{ns}.yaml"),
            &source,
            &network::default_deny(ns),
        )?);
        if let Some(m) = &cluster.mesh {
            files.push(single(
                format!("{infra_dir}/peerauthentication-{ns}.yaml"),
                &source,
                &mesh::peer_authentication(m, ns),
            )?);
        }
    }
    if let Some(api) = &cluster.gateway_api {
        let (gateways, redirects) = gateway_api::gateways(api, services);
        for (name, gw) in gateways {
            files.push(single(
                format!("{infra_dir}/gateway-{name}.yaml"),
                &cluster.file,
                &gw,
            )?);
        }
        for (name, route) in redirects {
            files.push(single(
                format!("{infra_dir}/httproute-{name}.yaml"),
                &cluster.file,
                &route,
            )?);
        }
    } else if let Some(m) = &cluster.mesh {
        for (name, vs) in mesh::edge_virtual_services(m, services) {
            files.push(single(
                format!("{infra_dir}/virtualservice-{name}.yaml"),
                &cluster.file,
                &vs,
            )?);
        }
        if let Some(gw) = mesh::gateway(m, services) {
            files.push(single(
                format!("{infra_dir}/gateway.yaml"),
                &cluster.file,
                &gw,
            )?);
        }
    }
    // Flagger's AlertProvider needs Flagger's CRDs: applied with `infrastructure`, after the
    // component that installs them (bootstrap applies `clusters/<cluster>/` before any).
    if let Some(provider) = delivery::alert_provider(cluster, services) {
        files.push(single(
            format!("{infra_dir}/alertprovider-slack.yaml"),
            &cluster.file,
            &provider,
        )?);
    }
    let ambient = cluster.mesh.as_ref().is_some_and(|m| m.ambient);
    let deps = platform::infrastructure_dependencies(components, &files, ambient);
    let infra: Vec<String> = files
        .iter()
        .filter_map(|f| {
            f.path
                .strip_prefix(&format!("{root}/infrastructure/"))
                .filter(|rest| !rest.contains('/'))
                .map(str::to_owned)
        })
        .collect();
    files.push(RenderedFile::of_doc(
        format!("{root}/infrastructure/kustomization.yaml"),
        &cluster.file,
        Doc::from_object(&KustomizeConfig::new(infra))?,
    )?);
    files.extend(flux_files(cluster, services, deps)?);
    let service_namespace = |ns: &str| {
        namespaces
            .contains_key(ns)
            .then(|| namespace::namespace(ns, cluster, waypoints.contains(ns)))
    };
    platform::files(cluster, components, &service_namespace, &mut files)?;
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}
