//! The platform layer: each component's chart source, HelmRelease, SealedSecret and
//! resources, and its Flux Kustomizations.
//!
//! Layout (the convention of Flux's flux2-kustomize-helm-example, one directory per
//! component):
//! - `infrastructure/controllers/<component>/`: the chart part of a component in the
//!   `controllers` layer (source in `flux-system`, HelmRelease, SealedSecret, ConfigMaps and
//!   Secrets of its `resources`);
//! - `infrastructure/configs/<component>/`: its other resources, or its chart part when the
//!   component is in the `configs` layer;
//! - `infrastructure/namespaces/`: the components' namespaces, applied by
//!   `platform-namespaces` before any component;
//! - `clusters/<cluster>/infrastructure/<kustomization>.yaml`: one Flux Kustomization per
//!   component part ([`ResolvedComponent::parts`]).

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::flux::{kustomization, meta, FLUX_NAMESPACE};
use super::{single, Dir};
use crate::emit::RenderedFile;
use crate::error::Error;
use crate::resolve::platform::{group_of, NAMESPACES, SYSTEM_NAMESPACES};
use crate::resolve::{labels, ResolvedCluster, ResolvedComponent};
use crate::resources::flux::{
    CrossNamespaceRef, DriftDetection, HelmChartTemplate, HelmChartTemplateSpec, HelmInstall,
    HelmRelease, HelmReleaseSpec, HelmRepository, HelmRepositorySpec, HelmUpgrade,
    InstallRemediation, Kustomization, LayerSelector, NamedRef, OCIRepository, OciReference,
    OciRepositorySpec, UpgradeRemediation, ValuesReference,
};
use crate::resources::sealed_secrets::{SealedSecret, SealedSecretSpec, SecretTemplate};

/// The media type of a Helm chart's content layer in an OCI artifact.
const HELM_CHART_LAYER: &str = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";

/// Retries of a failed install or upgrade before the HelmRelease gives up (and, for an
/// upgrade, rolls back).
const RETRIES: i64 = 3;

/// Metadata of a component's object in its namespace.
fn component_meta(c: &ResolvedComponent, name: &str) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_owned()),
        namespace: Some(c.namespace.clone()),
        labels: Some(
            [
                (labels::MANAGED_BY.to_owned(), "fluxprint".to_owned()),
                (labels::PART_OF.to_owned(), c.name.clone()),
            ]
            .into(),
        ),
        ..ObjectMeta::default()
    }
}

/// The chart's source in `flux-system`, named after the component: a HelmRepository for an
/// `https://` repository, an OCIRepository for an `oci://` one.
pub fn source(
    cluster: &ResolvedCluster,
    c: &ResolvedComponent,
) -> Option<(Option<HelmRepository>, Option<OCIRepository>)> {
    let chart = c.chart.as_ref()?;
    let interval = cluster.flux.interval.clone();
    if !chart.oci {
        return Some((
            Some(HelmRepository {
                metadata: meta(&c.name),
                spec: HelmRepositorySpec {
                    url: chart.url(),
                    interval,
                },
            }),
            None,
        ));
    }
    let reference = if chart.range {
        OciReference {
            tag: None,
            semver: Some(chart.version.clone()),
        }
    } else {
        OciReference {
            tag: Some(chart.version.clone()),
            semver: None,
        }
    };
    Some((
        None,
        Some(OCIRepository {
            metadata: meta(&c.name),
            spec: OciRepositorySpec {
                url: chart.url(),
                interval,
                reference,
                layer_selector: LayerSelector {
                    media_type: HELM_CHART_LAYER.into(),
                    operation: "copy".into(),
                },
            },
        }),
    ))
}

/// The HelmRelease of a component with a chart. Install and upgrade retry and roll back
/// (`remediation`); strict clusters correct in-cluster changes (`driftDetection`).
pub fn helm_release(cluster: &ResolvedCluster, c: &ResolvedComponent) -> Option<HelmRelease> {
    let chart = c.chart.as_ref()?;
    let source = CrossNamespaceRef {
        kind: if chart.oci {
            "OCIRepository"
        } else {
            "HelmRepository"
        }
        .into(),
        name: c.name.clone(),
        namespace: FLUX_NAMESPACE.into(),
    };
    let (chart_template, chart_ref) = if chart.oci {
        (None, Some(source))
    } else {
        (
            Some(HelmChartTemplate {
                spec: HelmChartTemplateSpec {
                    chart: chart.name.clone(),
                    version: chart.version.clone(),
                    source_ref: source,
                    interval: cluster.flux.interval.clone(),
                },
            }),
            None,
        )
    };
    let crds = c.crds.as_str().to_owned();
    Some(HelmRelease {
        metadata: component_meta(c, &c.name),
        spec: HelmReleaseSpec {
            interval: cluster.flux.interval.clone(),
            timeout: cluster.flux.timeout.clone(),
            release_name: c.name.clone(),
            chart: chart_template,
            chart_ref,
            install: HelmInstall {
                crds: crds.clone(),
                remediation: InstallRemediation { retries: RETRIES },
            },
            upgrade: HelmUpgrade {
                crds,
                remediation: UpgradeRemediation {
                    retries: RETRIES,
                    remediate_last_failure: true,
                },
            },
            drift_detection: cluster.strict().then(|| DriftDetection {
                mode: "enabled".into(),
            }),
            values: c.values.clone(),
            values_from: c
                .values_from
                .iter()
                .map(|v| ValuesReference {
                    kind: v.kind.as_str().into(),
                    name: v.name.clone(),
                    values_key: v.values_key.clone(),
                    target_path: v.target_path.clone(),
                    optional: v.optional,
                })
                .collect(),
        },
    })
}

/// The SealedSecret `<component>-secrets`, when `secretEnv` has sealed values.
pub fn sealed_secret(cluster: &ResolvedCluster, c: &ResolvedComponent) -> Option<SealedSecret> {
    if c.secret_env.is_empty() || c.sealed.is_empty() {
        return None;
    }
    let annotations: Option<BTreeMap<String, String>> = cluster
        .sealing_scope
        .annotation()
        .map(|(k, v)| BTreeMap::from([(k.to_owned(), v.to_owned())]));
    let name = c.secret_name();
    let mut metadata = component_meta(c, &name);
    metadata.annotations.clone_from(&annotations);
    let mut template = component_meta(c, &name);
    template.annotations = annotations;
    Some(SealedSecret {
        metadata,
        spec: SealedSecretSpec {
            encrypted_data: c.sealed.clone(),
            template: SecretTemplate {
                metadata: template,
                type_: "Opaque".into(),
            },
        },
    })
}

/// The Flux Kustomizations of a component, one per part, in `flux-system`.
pub fn kustomizations(cluster: &ResolvedCluster, c: &ResolvedComponent) -> Vec<Kustomization> {
    c.parts()
        .into_iter()
        .map(|p| {
            kustomization(
                cluster,
                &p.kustomization,
                &format!("./infrastructure/{}/{}", p.layer.dir(), c.name),
                p.depends_on.into_iter().map(NamedRef::new).collect(),
            )
        })
        .collect()
}

/// A namespace only components use: the managed-by label and nothing else, since charts
/// bring their own policies (node exporters, mesh gateways and CNI agents need privileges).
fn platform_namespace(name: &str) -> Namespace {
    Namespace {
        metadata: ObjectMeta {
            name: Some(name.to_owned()),
            labels: Some([(labels::MANAGED_BY.to_owned(), "fluxprint".to_owned())].into()),
            ..ObjectMeta::default()
        },
        ..Namespace::default()
    }
}

/// The namespaces the components need that the cluster does not have by itself, with the
/// component files using each.
pub fn namespaces(components: &[ResolvedComponent]) -> BTreeMap<&str, BTreeSet<&str>> {
    let mut out: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for c in components {
        if !SYSTEM_NAMESPACES.contains(&c.namespace.as_str()) {
            out.entry(&c.namespace).or_default().insert(&c.source);
        }
    }
    out
}

/// Every file of the platform layer of one cluster. `service_namespace` renders a
/// namespace that services use too (with their labels); the others are platform-only.
pub(super) fn files(
    cluster: &ResolvedCluster,
    components: &[ResolvedComponent],
    service_namespace: &dyn Fn(&str) -> Option<Namespace>,
    out: &mut Vec<RenderedFile>,
) -> Result<(), Error> {
    if components.is_empty() {
        return Ok(());
    }
    let root = &cluster.name;
    let flux_dir = format!("{root}/clusters/{root}/infrastructure");
    let mut ns_dir = Dir::default();
    let mut ns_sources = BTreeSet::new();
    for (ns, sources) in namespaces(components) {
        let object = service_namespace(ns).unwrap_or_else(|| platform_namespace(ns));
        ns_dir.add(&format!("namespace-{ns}.yaml"), Some(object))?;
        ns_sources.extend(sources);
    }
    let ns_source = ns_sources.into_iter().collect::<Vec<_>>().join(", ");
    ns_dir.finish(
        &format!("{root}/infrastructure/namespaces"),
        &ns_source,
        out,
    )?;
    out.push(single(
        format!("{flux_dir}/{NAMESPACES}.yaml"),
        &ns_source,
        &kustomization(
            cluster,
            NAMESPACES,
            "./infrastructure/namespaces",
            Vec::new(),
        ),
    )?);
    for c in components {
        for part in c.parts() {
            let mut dir = Dir::default();
            if part.chart {
                if let Some((helm, oci)) = source(cluster, c) {
                    dir.add("helmrepository.yaml", helm)?;
                    dir.add("ocirepository.yaml", oci)?;
                }
                dir.add("helmrelease.yaml", helm_release(cluster, c))?;
                dir.add("sealedsecret.yaml", sealed_secret(cluster, c))?;
            }
            // With one part, every resource is in it; with two, each in its own.
            let single_part = c.parts().len() == 1;
            for r in c
                .resources
                .iter()
                .filter(|r| single_part || r.with_chart == part.chart)
            {
                dir.add(&r.file, Some(&r.object))?;
            }
            dir.finish(
                &format!("{root}/infrastructure/{}/{}", part.layer.dir(), c.name),
                &c.source,
                out,
            )?;
        }
        for k in kustomizations(cluster, c) {
            let name = k.metadata.name.clone().unwrap_or_default();
            out.push(single(format!("{flux_dir}/{name}.yaml"), &c.source, &k)?);
        }
    }
    Ok(())
}

/// Istio's charts of the ambient data plane (repository, chart), node agents run by a
/// DaemonSet, one pod per node, that must run before a pod of an ambient namespace starts:
/// istio-cni sets up the pod's redirection when it is created (pods started before it are
/// not captured until restarted), ztunnel carries the traffic.
pub const AMBIENT_CHARTS: [(&str, &str); 2] = [
    ("https://istio-release.storage.googleapis.com/charts", "cni"),
    (
        "https://istio-release.storage.googleapis.com/charts",
        "ztunnel",
    ),
];

/// What the `infrastructure` Kustomization waits for: the platform namespaces (it applies
/// objects into namespaces services share with components), every component whose chart
/// installs the CRDs of an object that fluxprint renders for the services (`files`: the
/// rendered apps and infrastructure files; one object each), and on an `ambient` cluster the
/// components running Istio's `cni` and `ztunnel` charts (services wait for `infrastructure`).
pub fn infrastructure_dependencies(
    components: &[ResolvedComponent],
    files: &[RenderedFile],
    ambient: bool,
) -> Vec<String> {
    if components.is_empty() {
        return Vec::new();
    }
    let groups: BTreeSet<&str> = files
        .iter()
        .filter_map(|f| {
            f.content
                .lines()
                .find_map(|l| l.strip_prefix("apiVersion: "))
                .map(group_of)
        })
        .collect();
    let mut deps = vec![NAMESPACES.to_owned()];
    deps.extend(
        components
            .iter()
            .filter(|c| {
                c.provides.iter().any(|g| groups.contains(g.as_str()))
                    || (ambient
                        && c.chart.as_ref().is_some_and(|ch| {
                            AMBIENT_CHARTS
                                .iter()
                                .any(|(repo, name)| ch.repository == *repo && ch.name == *name)
                        }))
            })
            .map(|c| c.name.clone()),
    );
    deps
}
