//! Field specs: which fields of which kinds a transformer touches, kustomize's built-in
//! defaults (its `builtinpluginconsts`, restated as data), and the walk that visits them.

use std::sync::{Arc, OnceLock};

use serde_json::{Map, Value};

use super::item::{esc, Id};

/// One field spec: a path in objects of the selected kinds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FieldSpec {
    pub group: Option<String>,
    pub version: Option<String>,
    pub kind: Option<String>,
    /// `/`-separated; `[]` after a segment walks a list; `\/` is a slash inside a key.
    pub path: String,
    /// Create the field (and the maps leading to it) when missing.
    pub create: bool,
    /// `path` split, once: a spec is walked on every object it selects.
    pub segs: Segments,
}

/// A field spec's path segments, computed on first use; never part of its identity.
#[derive(Clone, Debug, Default)]
pub(crate) struct Segments(OnceLock<Arc<[String]>>);

impl PartialEq for Segments {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Segments {}

impl FieldSpec {
    /// `path` as segments (see [`segments`]).
    pub fn segments(&self) -> &[String] {
        self.segs.0.get_or_init(|| segments(&self.path).into())
    }

    /// Whether the spec applies to an object with id `id`.
    pub fn selects(&self, id: &Id) -> bool {
        id.selected_by(
            self.group.as_deref(),
            self.version.as_deref(),
            self.kind.as_deref(),
        )
    }

    /// kustomize's `effectivelyEquals`: the same path, and this spec's kinds selected by
    /// `other`'s (an empty part of `other` matches any).
    fn same_as(&self, other: &FieldSpec) -> bool {
        let sel =
            |mine: &Option<String>, theirs: &Option<String>| theirs.is_none() || mine == theirs;
        self.path == other.path
            && sel(&self.group, &other.group)
            && sel(&self.version, &other.version)
            && sel(&self.kind, &other.kind)
    }

    /// Reads a spec written as in kustomize's configurations (`path`, `kind`, `group`,
    /// `version`, `create`).
    pub fn from_value(v: &Value) -> Option<FieldSpec> {
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
        Some(FieldSpec {
            group: s("group"),
            version: s("version"),
            kind: s("kind"),
            path: s("path")?,
            create: v.get("create").and_then(Value::as_bool).unwrap_or(false),
            segs: Default::default(),
        })
    }
}

/// Adds `incoming` to `specs` as kustomize's `FsSlice.MergeAll` does: a spec already
/// there (same path, kinds selected) is kept; `Err` when the two disagree on `create`.
/// Returns whether a spec was added.
pub(crate) fn merge_specs(
    specs: &mut Vec<FieldSpec>,
    incoming: &[FieldSpec],
) -> Result<bool, String> {
    let mut added = false;
    for x in incoming {
        match specs.iter().find(|s| s.same_as(x)) {
            Some(s) if s.create != x.create => {
                return Err(format!("conflicting fieldspecs for path `{}`", x.path))
            }
            Some(_) => {}
            None => {
                specs.push(x.clone());
                added = true;
            }
        }
    }
    Ok(added)
}

/// A name reference: fields that name an object of kind `kind`.
#[derive(Clone, Debug)]
pub(crate) struct NameRef {
    pub group: Option<String>,
    pub version: Option<String>,
    pub kind: String,
    pub referrers: Vec<FieldSpec>,
}

/// Specs shared between configurations until one is extended (every directory of a build
/// starts from the defaults; cloning must stay cheap).
type Specs = Arc<Vec<FieldSpec>>;

/// The field specs of each transformer: kustomize's `TransformerConfig`, the built-in
/// defaults extended by `configurations` files.
#[derive(Clone, Debug, Default)]
pub(crate) struct Config {
    pub name_prefix: Specs,
    pub name_suffix: Specs,
    pub common_labels: Specs,
    /// Added to every `labels` entry (selectors and templates included or not).
    pub labels: Specs,
    pub template_labels: Specs,
    pub common_annotations: Specs,
    pub namespace: Specs,
    pub replicas: Specs,
    pub images: Specs,
    pub name_reference: Arc<Vec<NameRef>>,
    /// True once a merge added a spec (a configuration beyond the defaults).
    pub extended: bool,
}

/// The keys a configurations file may hold (kustomize reads it strictly).
const CONFIG_KEYS: &[&str] = &[
    "namePrefix",
    "nameSuffix",
    "namespace",
    "commonLabels",
    "labels",
    "templateLabels",
    "volumeClaimTemplateLabels",
    "commonAnnotations",
    "nameReference",
    "varReference",
    "images",
    "replicas",
];

impl Config {
    /// Reads a configurations file (one mapping); `Err` names what kustomize refuses.
    pub fn from_value(v: &Value) -> Result<Config, String> {
        let map = match v {
            Value::Object(m) => m,
            Value::Null => return Ok(Config::default()),
            _ => return Err("a configurations file must be a mapping".into()),
        };
        if let Some(k) = map.keys().find(|k| !CONFIG_KEYS.contains(&k.as_str())) {
            return Err(format!("unknown field `{k}` in a configurations file"));
        }
        let list = |key: &str| -> Result<Vec<FieldSpec>, String> {
            match map.get(key) {
                None | Some(Value::Null) => Ok(Vec::new()),
                Some(Value::Array(a)) => a
                    .iter()
                    .map(|e| {
                        FieldSpec::from_value(e)
                            .ok_or_else(|| format!("a `{key}` field spec needs a `path`"))
                    })
                    .collect(),
                Some(_) => Err(format!("`{key}` must be a list of field specs")),
            }
        };
        let mut name_reference = Vec::new();
        match map.get("nameReference") {
            None | Some(Value::Null) => {}
            Some(Value::Array(a)) => {
                for e in a {
                    let s = |k: &str| e.get(k).and_then(Value::as_str).map(str::to_owned);
                    let Some(kind) = s("kind") else {
                        return Err("a `nameReference` entry needs a `kind`".into());
                    };
                    let referrers = match e.get("fieldSpecs") {
                        None | Some(Value::Null) => Vec::new(),
                        Some(Value::Array(f)) => f
                            .iter()
                            .map(|x| {
                                FieldSpec::from_value(x).ok_or_else(|| {
                                    "a `nameReference` field spec needs a `path`".to_owned()
                                })
                            })
                            .collect::<Result<_, _>>()?,
                        Some(_) => return Err("`fieldSpecs` must be a list".into()),
                    };
                    name_reference.push(NameRef {
                        group: s("group").filter(|g| !g.is_empty()),
                        version: s("version").filter(|g| !g.is_empty()),
                        kind,
                        referrers,
                    });
                }
            }
            Some(_) => return Err("`nameReference` must be a list".into()),
        }
        list("varReference")?;
        list("volumeClaimTemplateLabels")?;
        Ok(Config {
            name_prefix: Arc::new(list("namePrefix")?),
            name_suffix: Arc::new(list("nameSuffix")?),
            common_labels: Arc::new(list("commonLabels")?),
            labels: Arc::new(list("labels")?),
            template_labels: Arc::new(list("templateLabels")?),
            common_annotations: Arc::new(list("commonAnnotations")?),
            namespace: Arc::new(list("namespace")?),
            replicas: Arc::new(list("replicas")?),
            images: Arc::new(list("images")?),
            name_reference: Arc::new(name_reference),
            extended: true,
        })
    }

    /// Adds `other`'s specs, as kustomize's `TransformerConfig.Merge`.
    pub fn merge(&mut self, other: &Config) -> Result<(), String> {
        if !other.extended {
            // Only the defaults, which every configuration holds already.
            return Ok(());
        }
        for (mine, theirs) in [
            (&mut self.name_prefix, &other.name_prefix),
            (&mut self.name_suffix, &other.name_suffix),
            (&mut self.common_labels, &other.common_labels),
            (&mut self.labels, &other.labels),
            (&mut self.template_labels, &other.template_labels),
            (&mut self.common_annotations, &other.common_annotations),
            (&mut self.namespace, &other.namespace),
            (&mut self.replicas, &other.replicas),
            (&mut self.images, &other.images),
        ] {
            if theirs.is_empty() || Arc::ptr_eq(mine, theirs) {
                continue;
            }
            self.extended |= merge_specs(Arc::make_mut(mine), theirs)?;
        }
        if Arc::ptr_eq(&self.name_reference, &other.name_reference) {
            return Ok(());
        }
        let refs = Arc::make_mut(&mut self.name_reference);
        for r in other.name_reference.iter() {
            match refs
                .iter_mut()
                .find(|m| m.kind == r.kind && m.group == r.group && m.version == r.version)
            {
                Some(m) => self.extended |= merge_specs(&mut m.referrers, &r.referrers)?,
                None => {
                    refs.push(r.clone());
                    self.extended = true;
                }
            }
        }
        Ok(())
    }
}

// Each line: `kind group version create path` (`-` for any).
const METADATA_LABELS: &str = "
- - - c metadata/labels
ReplicationController - v1 c spec/template/metadata/labels
Deployment - - c spec/template/metadata/labels
ReplicaSet - - c spec/template/metadata/labels
DaemonSet - - c spec/template/metadata/labels
StatefulSet apps - c spec/template/metadata/labels
StatefulSet apps - c spec/volumeClaimTemplates[]/metadata/labels
Job batch - c spec/template/metadata/labels
CronJob batch - c spec/jobTemplate/metadata/labels
CronJob batch - c spec/jobTemplate/spec/template/metadata/labels
";

const SELECTOR_LABELS: &str = "
Service - v1 c spec/selector
ReplicationController - v1 c spec/selector
Deployment - - c spec/selector/matchLabels
Deployment apps - - spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels
Deployment apps - - spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels
Deployment apps - - spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels
Deployment apps - - spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels
Deployment apps - - spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels
ReplicaSet - - c spec/selector/matchLabels
DaemonSet - - c spec/selector/matchLabels
StatefulSet apps - c spec/selector/matchLabels
StatefulSet apps - - spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels
StatefulSet apps - - spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels
StatefulSet apps - - spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels
StatefulSet apps - - spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels
StatefulSet apps - - spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels
Job batch - - spec/selector/matchLabels
CronJob batch - - spec/jobTemplate/spec/selector/matchLabels
PodDisruptionBudget policy - - spec/selector/matchLabels
NetworkPolicy networking.k8s.io - - spec/podSelector/matchLabels
NetworkPolicy networking.k8s.io - - spec/ingress/from/podSelector/matchLabels
NetworkPolicy networking.k8s.io - - spec/egress/to/podSelector/matchLabels
";

const ANNOTATIONS: &str = "
- - - c metadata/annotations
ReplicationController - v1 c spec/template/metadata/annotations
Deployment - - c spec/template/metadata/annotations
ReplicaSet - - c spec/template/metadata/annotations
DaemonSet - - c spec/template/metadata/annotations
StatefulSet - - c spec/template/metadata/annotations
Job batch - c spec/template/metadata/annotations
CronJob batch - c spec/jobTemplate/metadata/annotations
CronJob batch - c spec/jobTemplate/spec/template/metadata/annotations
";

const NAMESPACE: &str = "
Namespace - - c metadata/name
APIService apiregistration.k8s.io - c spec/service/namespace
CustomResourceDefinition apiextensions.k8s.io - - spec/conversion/webhook/clientConfig/service/namespace
";

const NAME: &str = "
- - - - metadata/name
";

const IMAGES: &str = "
- - - c spec/containers[]/image
- - - c spec/initContainers[]/image
- - - c spec/volumes[]/image/reference
- - - c spec/template/spec/containers[]/image
- - - c spec/template/spec/initContainers[]/image
- - - c spec/template/spec/volumes[]/image/reference
";

const REPLICAS: &str = "
Deployment - - c spec/replicas
ReplicationController - - c spec/replicas
ReplicaSet - - c spec/replicas
StatefulSet - - c spec/replicas
";

/// Pod-spec paths that name ConfigMaps, Secrets and other objects, per workload kind.
const WORKLOADS: &[(&str, &str, &str)] = &[
    ("Pod", "v1", "spec/"),
    ("PodTemplate", "", "template/spec/"),
    ("Deployment", "", "spec/template/spec/"),
    ("ReplicaSet", "", "spec/template/spec/"),
    ("DaemonSet", "", "spec/template/spec/"),
    ("StatefulSet", "", "spec/template/spec/"),
    ("Job", "", "spec/template/spec/"),
    ("CronJob", "", "spec/jobTemplate/spec/template/spec/"),
];

// Each line: `target-kind target-group referrer-kind referrer-group path`.
const NAME_REFERENCES: &str = "
Deployment - HorizontalPodAutoscaler - spec/scaleTargetRef/name
ReplicationController - HorizontalPodAutoscaler - spec/scaleTargetRef/name
ReplicaSet - HorizontalPodAutoscaler - spec/scaleTargetRef/name
StatefulSet - HorizontalPodAutoscaler - spec/scaleTargetRef/name
ConfigMap - Node - spec/configSource/configMap
ConfigMap - Role - rules/resourceNames
ConfigMap - ClusterRole - rules/resourceNames
ConfigMap - Ingress - metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap
Secret - Ingress - spec/tls/secretName
Secret - Ingress - metadata/annotations/ingress.kubernetes.io\\/auth-secret
Secret - Ingress - metadata/annotations/nginx.ingress.kubernetes.io\\/auth-secret
Secret - Ingress - metadata/annotations/nginx.ingress.kubernetes.io\\/auth-tls-secret
Secret - ServiceAccount - imagePullSecrets/name
Secret - StorageClass - parameters/secretName
Secret - StorageClass - parameters/adminSecretName
Secret - StorageClass - parameters/userSecretName
Secret - StorageClass - parameters/secretRef
Secret - Role - rules/resourceNames
Secret - ClusterRole - rules/resourceNames
Secret - PersistentVolume - spec/azureFile/secretName
Service - StatefulSet apps spec/serviceName
Service - Ingress - spec/rules/http/paths/backend/serviceName
Service - Ingress - spec/backend/serviceName
Service - Ingress - spec/rules/http/paths/backend/service/name
Service - Ingress - spec/defaultBackend/service/name
Service - APIService apiregistration.k8s.io spec/service/name
Service - ValidatingWebhookConfiguration admissionregistration.k8s.io webhooks/clientConfig/service
Service - MutatingWebhookConfiguration admissionregistration.k8s.io webhooks/clientConfig/service
Role rbac.authorization.k8s.io RoleBinding rbac.authorization.k8s.io roleRef/name
ClusterRole rbac.authorization.k8s.io RoleBinding rbac.authorization.k8s.io roleRef/name
ClusterRole rbac.authorization.k8s.io ClusterRoleBinding rbac.authorization.k8s.io roleRef/name
ServiceAccount - RoleBinding rbac.authorization.k8s.io subjects
ServiceAccount - ClusterRoleBinding rbac.authorization.k8s.io subjects
ServiceAccount - Pod - spec/serviceAccountName
ServiceAccount - StatefulSet - spec/template/spec/serviceAccountName
ServiceAccount - Deployment - spec/template/spec/serviceAccountName
ServiceAccount - ReplicationController - spec/template/spec/serviceAccountName
ServiceAccount - CronJob - spec/jobTemplate/spec/template/spec/serviceAccountName
ServiceAccount - Job - spec/template/spec/serviceAccountName
ServiceAccount - DaemonSet - spec/template/spec/serviceAccountName
PersistentVolumeClaim - Pod - spec/volumes/persistentVolumeClaim/claimName
PersistentVolumeClaim - StatefulSet - spec/template/spec/volumes/persistentVolumeClaim/claimName
PersistentVolumeClaim - Deployment - spec/template/spec/volumes/persistentVolumeClaim/claimName
PersistentVolumeClaim - ReplicationController - spec/template/spec/volumes/persistentVolumeClaim/claimName
PersistentVolumeClaim - CronJob - spec/jobTemplate/spec/template/spec/volumes/persistentVolumeClaim/claimName
PersistentVolumeClaim - Job - spec/template/spec/volumes/persistentVolumeClaim/claimName
PersistentVolumeClaim - DaemonSet - spec/template/spec/volumes/persistentVolumeClaim/claimName
PersistentVolume - PersistentVolumeClaim - spec/volumeName
PersistentVolume - ClusterRole - rules/resourceNames
StorageClass storage.k8s.io PersistentVolume - spec/storageClassName
StorageClass storage.k8s.io PersistentVolumeClaim - spec/storageClassName
StorageClass storage.k8s.io StatefulSet - spec/volumeClaimTemplates/spec/storageClassName
PriorityClass scheduling.k8s.io Pod - spec/priorityClassName
PriorityClass scheduling.k8s.io StatefulSet - spec/template/spec/priorityClassName
PriorityClass scheduling.k8s.io Deployment - spec/template/spec/priorityClassName
PriorityClass scheduling.k8s.io ReplicationController - spec/template/spec/priorityClassName
PriorityClass scheduling.k8s.io CronJob - spec/jobTemplate/spec/template/spec/priorityClassName
PriorityClass scheduling.k8s.io Job - spec/template/spec/priorityClassName
PriorityClass scheduling.k8s.io DaemonSet - spec/template/spec/priorityClassName
IngressClass networking.k8s.io/v1 Ingress - spec/ingressClassName
ValidatingAdmissionPolicy admissionregistration.k8s.io ValidatingAdmissionPolicyBinding admissionregistration.k8s.io spec/policyName
";

fn opt(s: &str) -> Option<String> {
    (s != "-" && !s.is_empty()).then(|| s.to_owned())
}

fn specs(table: &str) -> Vec<FieldSpec> {
    table
        .lines()
        .filter_map(|line| {
            let p: Vec<&str> = line.split_whitespace().collect();
            let [kind, group, version, create, path] = p[..] else {
                return None;
            };
            Some(FieldSpec {
                group: opt(group),
                version: opt(version),
                kind: opt(kind),
                path: path.to_owned(),
                create: create == "c",
                segs: Default::default(),
            })
        })
        .collect()
}

fn name_references() -> Vec<NameRef> {
    let mut refs: Vec<NameRef> = Vec::new();
    let mut add =
        |kind: &str, group: Option<String>, version: Option<String>, spec: FieldSpec| match refs
            .iter_mut()
            .find(|r| r.kind == kind && r.group == group)
        {
            Some(r) => r.referrers.push(spec),
            None => refs.push(NameRef {
                group,
                version,
                kind: kind.to_owned(),
                referrers: vec![spec],
            }),
        };
    let spec = |kind: &str, version: &str, path: String| FieldSpec {
        group: None,
        version: opt(version),
        kind: Some(kind.to_owned()),
        path,
        create: false,
        segs: Default::default(),
    };
    for (kind, version, pod) in WORKLOADS {
        for (target, path) in [
            ("ConfigMap", "volumes/configMap/name"),
            ("ConfigMap", "containers/env/valueFrom/configMapKeyRef/name"),
            (
                "ConfigMap",
                "initContainers/env/valueFrom/configMapKeyRef/name",
            ),
            ("ConfigMap", "containers/envFrom/configMapRef/name"),
            ("ConfigMap", "initContainers/envFrom/configMapRef/name"),
            ("ConfigMap", "volumes/projected/sources/configMap/name"),
            ("Secret", "volumes/secret/secretName"),
            ("Secret", "containers/env/valueFrom/secretKeyRef/name"),
            ("Secret", "initContainers/env/valueFrom/secretKeyRef/name"),
            ("Secret", "containers/envFrom/secretRef/name"),
            ("Secret", "initContainers/envFrom/secretRef/name"),
            ("Secret", "imagePullSecrets/name"),
            ("Secret", "volumes/projected/sources/secret/name"),
        ] {
            add(
                target,
                None,
                Some("v1".into()),
                spec(kind, version, format!("{pod}{path}")),
            );
        }
    }
    // knative Services name Secrets too.
    add(
        "Secret",
        None,
        Some("v1".into()),
        FieldSpec {
            group: Some("serving.knative.dev".into()),
            version: Some("v1".into()),
            kind: Some("Service".into()),
            path: "spec/template/spec/containers/env/valueFrom/secretKeyRef/name".into(),
            create: false,
            segs: Default::default(),
        },
    );
    for line in NAME_REFERENCES.lines() {
        let p: Vec<&str> = line.split_whitespace().collect();
        let [target, tgroup, kind, group, path] = p[..] else {
            continue;
        };
        add(
            target,
            opt(tgroup),
            None,
            FieldSpec {
                group: opt(group),
                version: None,
                kind: Some(kind.to_owned()),
                path: path.to_owned(),
                create: false,
                segs: Default::default(),
            },
        );
    }
    refs
}

/// kustomize's default transformer configuration.
pub(crate) fn defaults() -> &'static Config {
    static CONFIG: OnceLock<Config> = OnceLock::new();
    CONFIG.get_or_init(|| {
        let metadata = specs(METADATA_LABELS);
        let mut common = specs(SELECTOR_LABELS);
        common.extend(metadata.iter().cloned());
        Config {
            name_prefix: Arc::new(specs(NAME)),
            name_suffix: Arc::new(specs(NAME)),
            common_labels: Arc::new(common),
            labels: Arc::default(),
            template_labels: Arc::new(metadata),
            common_annotations: Arc::new(specs(ANNOTATIONS)),
            namespace: Arc::new(specs(NAMESPACE)),
            replicas: Arc::new(specs(REPLICAS)),
            images: Arc::new(specs(IMAGES)),
            name_reference: Arc::new(name_references()),
            extended: false,
        }
    })
}

/// Splits a field-spec path into segments (`\/` is a slash inside a segment).
pub(crate) fn segments(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'/') => {
                cur.push('/');
                chars.next();
            }
            '/' => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out.retain(|s| !s.is_empty());
    out
}

/// Visits the fields at `segs` below `node`, calling `f(value, pointer)` on each; lists on
/// the way are walked element by element. With `create`, missing maps on the way and the
/// missing leaf (made by `create`) are added.
pub(crate) fn visit(
    node: &mut Value,
    segs: &[String],
    create: Option<&dyn Fn() -> Value>,
    ptr: &mut String,
    f: &mut dyn FnMut(&mut Value, &str),
) {
    if let Value::Array(items) = node {
        for (i, item) in items.iter_mut().enumerate() {
            let len = ptr.len();
            ptr.push_str(&format!("/{i}"));
            visit(item, segs, create, ptr, f);
            ptr.truncate(len);
        }
        return;
    }
    let Some((seg, rest)) = segs.split_first() else {
        f(node, ptr);
        return;
    };
    let (name, is_list) = match seg.strip_suffix("[]") {
        Some(n) => (n, true),
        None => (seg.as_str(), false),
    };
    let Value::Object(map) = node else {
        return;
    };
    let missing = map.get(name).is_none_or(Value::is_null);
    if missing {
        let Some(make) = create else { return };
        if is_list {
            return;
        }
        let fresh = if rest.is_empty() {
            make()
        } else {
            Value::Object(Map::new())
        };
        map.insert(name.to_owned(), fresh);
    }
    let Some(child) = map.get_mut(name) else {
        return;
    };
    let len = ptr.len();
    ptr.push('/');
    ptr.push_str(&esc(name));
    if is_list {
        if let Value::Array(items) = child {
            for (i, item) in items.iter_mut().enumerate() {
                let l2 = ptr.len();
                ptr.push_str(&format!("/{i}"));
                visit(item, rest, create, ptr, f);
                ptr.truncate(l2);
            }
        }
    } else {
        visit(child, rest, create, ptr, f);
    }
    ptr.truncate(len);
}
