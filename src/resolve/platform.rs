//! A platform component in one cluster: its chart, values, `valuesFrom`, CRD policy,
//! dependencies and resource files checked and defaulted. What spans components (names,
//! `dependsOn` targets and cycles, CRD ordering) is checked in [`super::project`].
//!
//! A component renders in up to two parts: the *chart part* (the chart's source and
//! HelmRelease, the SealedSecret of `secretEnv`, and the ConfigMaps and Secrets of
//! `resources`, which `valuesFrom` may read) in the component's `layer`, and the *config part*
//! (every other resource, which usually needs the chart's CRDs) in `configs`. Each part is
//! one Flux Kustomization ([`ResolvedComponent::parts`]).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component as PathPart, Path};
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::Value;

use super::codes::{CHART, COMPONENT_RESOURCE, DUPLICATE, ENV, INVALID_NAME, VALUES_FROM};
use super::resolver::Resolver;
use crate::blueprint::component::{Component, CrdsPolicy, Layer, ValuesFrom};
use crate::blueprint::names;
use crate::blueprint::semver::Range;
use crate::diag::Severity;
use crate::source::yaml::{parse_documents, Kind};

/// Name of the Flux Kustomization applying the namespaces of the platform components.
pub const NAMESPACES: &str = "platform-namespaces";

/// Namespaces that every cluster has (or that `flux bootstrap` owns): never rendered.
pub const SYSTEM_NAMESPACES: &[&str] = &[
    "default",
    "kube-system",
    "kube-public",
    "kube-node-lease",
    "flux-system",
];

/// Kinds without a namespace that a component's resources may hold (beside every kind whose
/// name starts with `Cluster`, such as ClusterIssuer): left without one. Every other object
/// without `metadata.namespace` is put in the component's namespace.
const CLUSTER_SCOPED: &[&str] = &[
    "Namespace",
    "CustomResourceDefinition",
    "StorageClass",
    "PriorityClass",
    "IngressClass",
    "GatewayClass",
    "PersistentVolume",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
];

/// Where a chart comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedChart {
    /// `oci://` (an OCIRepository and `chartRef`) rather than `https://` (a HelmRepository).
    pub oci: bool,
    /// The repository as written, without a trailing `/`.
    pub repository: String,
    /// Chart name.
    pub name: String,
    /// Exact version, or a semver range (relaxed clusters only).
    pub version: String,
    /// `version` is a range, not one version.
    pub range: bool,
}

impl ResolvedChart {
    /// The OCI artifact of the chart (`oci://registry/path/<chart>`), or the repository.
    pub fn url(&self) -> String {
        if self.oci {
            format!("{}/{}", self.repository, self.name)
        } else {
            self.repository.clone()
        }
    }
}

/// One object of a component's `resources` files.
#[derive(Clone, Debug, PartialEq)]
pub struct ComponentResource {
    /// The file it is rendered to: `<kind>-<name>.yaml`, lower-case.
    pub file: String,
    /// The object as written.
    pub object: Value,
    /// Its API group (empty for the core group).
    pub group: String,
    /// A ConfigMap or Secret: applied with the chart, whose values may come from it.
    pub with_chart: bool,
    /// Pointer of its entry in `resources`, for findings.
    pub pointer: String,
}

/// One Flux Kustomization of a component.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    /// Kustomization name.
    pub kustomization: String,
    /// Directory under `infrastructure/`.
    pub layer: Layer,
    /// What it depends on, in order.
    pub depends_on: Vec<String>,
    /// It holds the chart part.
    pub chart: bool,
}

/// A component as it runs in one cluster: complete, defaults applied.
#[derive(Clone, Debug, PartialEq)]
pub struct ResolvedComponent {
    /// Name (of its last Flux Kustomization).
    pub name: String,
    /// Namespace of the HelmRelease.
    pub namespace: String,
    /// Layer of the chart part.
    pub layer: Layer,
    /// The chart, when the component has one.
    pub chart: Option<ResolvedChart>,
    /// Whether `values` were validated against the chart's own schema.
    pub values_check: super::chart_values::ValuesCheck,
    /// Values, per-cluster overrides merged in.
    pub values: Option<Value>,
    /// `valuesFrom`, in order.
    pub values_from: Vec<ValuesFrom>,
    /// Secret variables (sorted).
    pub secret_env: Vec<String>,
    /// Sealed values for this cluster, by variable.
    pub sealed: BTreeMap<String, String>,
    /// CRD policy.
    pub crds: CrdsPolicy,
    /// Components (and external infrastructure) it waits for.
    pub depends_on: Vec<String>,
    /// Objects of `resources`.
    pub resources: Vec<ComponentResource>,
    /// API groups whose CRDs the chart installs.
    pub provides: BTreeSet<String>,
    /// Display path of the component file.
    pub source: String,
}

impl ResolvedComponent {
    /// The Secret holding the sealed `secretEnv` values.
    pub fn secret_name(&self) -> String {
        format!("{}-secrets", self.name)
    }

    /// There is a chart part: the chart, a sealed Secret or ConfigMaps and Secrets.
    pub fn has_chart_part(&self) -> bool {
        self.chart.is_some()
            || !self.secret_env.is_empty()
            || self.resources.iter().any(|r| r.with_chart)
    }

    /// There are resources of the config part.
    pub fn has_config_part(&self) -> bool {
        self.resources.iter().any(|r| !r.with_chart)
    }

    /// The component's Flux Kustomizations, in apply order. The last one is named after the
    /// component, so that whoever depends on it waits for all of it: a chart part in
    /// `controllers` with resources for `configs` is `<name>-controllers`, then `<name>`.
    pub fn parts(&self) -> Vec<Part> {
        let mut base = vec![NAMESPACES.to_owned()];
        base.extend(self.depends_on.iter().cloned());
        let chart = self.has_chart_part();
        if chart && self.layer == Layer::Controllers && self.has_config_part() {
            let first = format!("{}-controllers", self.name);
            return vec![
                Part {
                    kustomization: first.clone(),
                    layer: Layer::Controllers,
                    depends_on: base,
                    chart: true,
                },
                Part {
                    kustomization: self.name.clone(),
                    layer: Layer::Configs,
                    depends_on: vec![first],
                    chart: false,
                },
            ];
        }
        let layer = if chart { self.layer } else { Layer::Configs };
        vec![Part {
            kustomization: self.name.clone(),
            layer,
            depends_on: base,
            chart,
        }]
    }

    /// The names of its Flux Kustomizations.
    pub fn kustomizations(&self) -> Vec<String> {
        self.parts().into_iter().map(|p| p.kustomization).collect()
    }
}

/// One entry of `presets/crds.yaml`.
#[derive(Deserialize)]
struct ChartCrds {
    repository: String,
    chart: String,
    groups: Vec<String>,
}

/// The API groups whose CRDs the chart `name` of `repository` installs (`presets/crds.yaml`).
pub fn chart_groups(repository: &str, name: &str) -> BTreeSet<String> {
    static TABLE: OnceLock<Vec<ChartCrds>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        parse_documents(include_str!("../../presets/crds.yaml"))
            .ok()
            .and_then(|docs| docs.into_iter().next())
            .and_then(|doc| serde_json::from_value(doc.to_json()).ok())
            .unwrap_or_default()
    });
    let repository = repository.trim_end_matches('/');
    table
        .iter()
        .filter(|c| c.repository == repository && c.chart == name)
        .flat_map(|c| c.groups.iter().cloned())
        .collect()
}

/// The group of an `apiVersion` (`""` for `v1`).
pub fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

/// An exact chart version: `X.Y.Z`, optionally with a leading `v` and a pre-release or build
/// suffix (what Helm and OCI tags accept as one version).
fn exact_version(version: &str) -> bool {
    let v = version.strip_prefix('v').unwrap_or(version);
    let core = v.split(['-', '+']).next().unwrap_or("");
    let suffix_ok = v[core.len()..]
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '+' | '.'));
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && suffix_ok
}

/// Resolves one component (merged for the cluster), reading its `resources` from `dir`.
pub fn resolve(
    c: &Component,
    dir: &Path,
    charts: &[std::path::PathBuf],
    r: &mut Resolver<'_>,
) -> Option<ResolvedComponent> {
    let mark = r.mark();
    if let Some(why) = names::dns1123_label(&c.name, 63) {
        r.error(
            INVALID_NAME,
            "/name",
            format!("component name `{}` {why}", c.name),
            None,
        );
    }
    let namespace = c.namespace.clone().unwrap_or_else(|| c.name.clone());
    if let Some(why) = names::dns1123_label(&namespace, 63) {
        r.error(
            INVALID_NAME,
            "/namespace",
            format!("namespace `{namespace}` {why}"),
            None,
        );
    }
    let chart = c.chart.as_ref().and_then(|chart| {
        let repository = chart.repository.trim_end_matches('/').to_owned();
        let oci = repository.starts_with("oci://");
        if !oci && !repository.starts_with("https://") {
            r.error(
                CHART,
                "/chart/repository",
                format!("chart repository `{}` is neither `oci://` nor `https://`", chart.repository),
                Some("an OCI registry path (`oci://registry-1.docker.io/bitnamicharts`) or a Helm repository address (`https://charts.jetstack.io`)".into()),
            );
            return None;
        }
        if let Some(why) = names::dns1123_subdomain(&chart.name) {
            r.error(CHART, "/chart/name", format!("chart name `{}` {why}", chart.name), None);
            return None;
        }
        let range = !exact_version(&chart.version);
        if range {
            if let Err(e) = Range::parse(&chart.version) {
                r.error(
                    CHART,
                    "/chart/version",
                    format!("chart version `{}` is neither a version nor a semver range: {e}", chart.version),
                    None,
                );
                return None;
            }
            let cluster = &r.cluster().name;
            let (severity, message) = if r.strict() {
                (Severity::Error, format!("chart version `{}` is a range: strict cluster `{cluster}` needs an exact version", chart.version))
            } else {
                (Severity::Warning, format!("chart version `{}` is a range: each new chart release in it installs by itself in cluster `{cluster}`", chart.version))
            };
            r.report(severity, CHART, "/chart/version", "/chart/version", message, Some("pin one version (`21.2.5`), per cluster in `overrides` if need be".into()));
        }
        Some(ResolvedChart {
            oci,
            repository,
            name: chart.name.clone(),
            version: chart.version.clone(),
            range,
        })
    });
    let mut secret_env = Vec::new();
    for (i, key) in c.secret_env.iter().flatten().enumerate() {
        if !names::is_c_identifier(key) {
            r.error(
                ENV,
                &format!("/secretEnv/{i}"),
                format!("secret variable `{key}` is not an identifier"),
                Some("letters, digits and `_`, not starting with a digit".into()),
            );
        } else if secret_env.contains(key) {
            r.error(
                DUPLICATE,
                &format!("/secretEnv/{i}"),
                format!("`{key}` is listed twice in secretEnv"),
                None,
            );
        } else {
            secret_env.push(key.clone());
        }
    }
    secret_env.sort();
    let mut depends_on: Vec<String> = Vec::new();
    for (i, d) in c.depends_on.iter().flatten().enumerate() {
        if depends_on.contains(d) {
            r.error(
                DUPLICATE,
                &format!("/dependsOn/{i}"),
                format!("`{d}` is listed twice in dependsOn"),
                None,
            );
        } else {
            depends_on.push(d.clone());
        }
    }
    let resources = resources(c, &namespace, dir, r);
    let secret = format!("{}-secrets", c.name);
    for (i, v) in c.values_from.iter().flatten().enumerate() {
        let kind = v.kind.as_str();
        let found = (kind == "Secret" && v.name == secret && !secret_env.is_empty())
            || resources.iter().any(|res| {
                res.with_chart
                    && res.object["kind"] == kind
                    && res.object["metadata"]["name"] == v.name.as_str()
                    && res.object["metadata"]["namespace"]
                        .as_str()
                        .is_none_or(|ns| ns == namespace)
            });
        if !found && v.optional != Some(true) {
            r.error(
                VALUES_FROM,
                &format!("/valuesFrom/{i}"),
                format!(
                    "valuesFrom {kind} `{}` is not rendered with the component: the HelmRelease would wait for it",
                    v.name
                ),
                Some(format!(
                    "add it to `resources`, name the Secret of `secretEnv` (`{secret}`), or set `optional: true` for one made outside the repository"
                )),
            );
        }
    }
    let provides = chart
        .as_ref()
        .map(|ch| chart_groups(&ch.repository, &ch.name))
        .unwrap_or_default();
    if chart.is_none() && c.values.is_some() {
        r.error(
            CHART,
            "/values",
            "`values` without a `chart`: nothing would read them",
            None,
        );
    }
    let values = c.values.clone().map(Value::Object);
    let values_check = match &chart {
        Some(ch) => super::chart_values::check(ch, values.as_ref(), charts, r),
        None => super::chart_values::ValuesCheck::NotChecked,
    };
    let resolved = ResolvedComponent {
        name: c.name.clone(),
        namespace,
        layer: c.layer.unwrap_or_default(),
        chart,
        values_check,
        values,
        values_from: c.values_from.clone().unwrap_or_default(),
        secret_env,
        sealed: BTreeMap::new(),
        crds: c.crds.unwrap_or_default(),
        depends_on,
        resources,
        provides,
        source: r.file().to_owned(),
    };
    if c.chart.is_none() && c.resources.as_ref().is_none_or(Vec::is_empty) {
        r.error(
            CHART,
            "/name",
            format!(
                "component `{}` has neither a `chart` nor `resources`: it would render nothing",
                c.name
            ),
            None,
        );
    }
    r.finish(mark, resolved)
}

/// The objects of the component's `resources` files, each file relative to the component
/// file's directory and inside it.
fn resources(
    c: &Component,
    namespace: &str,
    dir: &Path,
    r: &mut Resolver<'_>,
) -> Vec<ComponentResource> {
    let mut out: Vec<ComponentResource> = Vec::new();
    for (i, file) in c.resources.iter().flatten().enumerate() {
        let pointer = format!("/resources/{i}");
        let relative = Path::new(file);
        if file.is_empty()
            || !relative
                .components()
                .all(|p| matches!(p, PathPart::Normal(_)))
        {
            r.error(
                COMPONENT_RESOURCE,
                &pointer,
                format!("resource `{file}` is not a path inside the component's directory"),
                Some("name a file beside the component file, such as `kafka/cluster.yaml`, without `..`".into()),
            );
            continue;
        }
        let text = match crate::files::read_input(&dir.join(relative)) {
            Ok(Some(bytes)) => String::from_utf8(bytes).ok(),
            Ok(None) | Err(_) => {
                r.error(
                    COMPONENT_RESOURCE,
                    &pointer,
                    format!("resource `{file}` cannot be read: no such regular file beside the component"),
                    None,
                );
                continue;
            }
        };
        let docs = text.as_deref().map(parse_documents);
        let Some(Ok(docs)) = docs else {
            r.error(
                COMPONENT_RESOURCE,
                &pointer,
                format!("resource `{file}` is not YAML text"),
                None,
            );
            continue;
        };
        for doc in docs.into_iter().filter(|d| d.kind != Kind::Null) {
            let mut object = doc.to_json();
            let api_version = object["apiVersion"].as_str().unwrap_or("").to_owned();
            let kind = object["kind"].as_str().unwrap_or("").to_owned();
            let name = object["metadata"]["name"].as_str().unwrap_or("").to_owned();
            let kind = kind.as_str();
            if api_version.is_empty() || kind.is_empty() || name.is_empty() {
                r.error(
                    COMPONENT_RESOURCE,
                    &pointer,
                    format!("resource `{file}` holds a document (line {}) without `apiVersion`, `kind` and `metadata.name`", doc.span.line),
                    None,
                );
                continue;
            }
            if object["metadata"]["namespace"]
                .as_str()
                .is_some_and(|ns| ns != namespace)
            {
                r.error(
                    COMPONENT_RESOURCE,
                    &pointer,
                    format!("{kind} `{name}` of `{file}` is in another namespace than the component's (`{namespace}`)"),
                    Some("leave `metadata.namespace` out or write the component's".into()),
                );
                continue;
            }
            let namespaced = !kind.starts_with("Cluster") && !CLUSTER_SCOPED.contains(&kind);
            let group = group_of(&api_version).to_owned();
            if namespaced && object["metadata"]["namespace"].is_null() {
                object["metadata"]["namespace"] = Value::String(namespace.to_owned());
            }
            let with_chart = group.is_empty() && matches!(kind, "ConfigMap" | "Secret");
            let object_file = format!("{}-{}.yaml", kind.to_lowercase(), name);
            if out.iter().any(|o| o.file == object_file) {
                r.error(
                    COMPONENT_RESOURCE,
                    &pointer,
                    format!("{kind} `{name}` is defined twice in the component's resources"),
                    None,
                );
                continue;
            }
            out.push(ComponentResource {
                file: object_file,
                object,
                group,
                with_chart,
                pointer: pointer.clone(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_versions_and_ranges() {
        for v in ["21.2.5", "v1.30.3", "1.0.0-rc.1", "0.29.0+build.5"] {
            assert!(exact_version(v), "{v}");
        }
        for v in [
            "21.x",
            ">=21.0.0",
            "^1.2",
            "21.2",
            "~1.30.0",
            "1.2.3 - 1.4.0",
        ] {
            assert!(!exact_version(v), "{v}");
        }
    }

    #[test]
    fn the_crd_table_parses_and_knows_the_presets_charts() {
        let istio = chart_groups(
            "https://istio-release.storage.googleapis.com/charts/",
            "base",
        );
        assert!(istio.contains("networking.istio.io"), "{istio:?}");
        assert!(
            chart_groups("oci://quay.io/strimzi-helm", "strimzi-kafka-operator")
                .contains("kafka.strimzi.io")
        );
        assert!(chart_groups("https://example.com", "base").is_empty());
    }

    #[test]
    fn groups_of_api_versions() {
        assert_eq!(group_of("v1"), "");
        assert_eq!(group_of("kafka.strimzi.io/v1beta2"), "kafka.strimzi.io");
    }
}
