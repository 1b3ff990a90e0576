//! What a validation rule is, and the context it runs in.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::blueprint::cluster::Policy;
use crate::diag::{Diagnostic, Severity};
use crate::source::Span;

use super::apiserver::settings::ServerSettings;
use super::schema::SchemaStore;
use super::tree::{Object, Tree};

/// Annotation listing codes to ignore on one object: `fluxprint.io/ignore: "GO101,GO102"`.
pub const IGNORE_ANNOTATION: &str = "fluxprint.io/ignore";

/// How a rule's findings are graded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grade {
    /// The tree is broken: always an error.
    Broken,
    /// Unsafe or fragile: an error under the strict policy, a warning under relaxed.
    Hygiene,
    /// Worth knowing: always a warning.
    Notice,
}

/// One check. Implementations are unit structs, one per file under `rules/`.
pub trait Rule: Sync {
    /// Stable code, e.g. `GO201`. Never reused.
    fn code(&self) -> &'static str;
    /// The bad pattern, kebab-case (`service-selects-nothing`).
    fn name(&self) -> &'static str;
    /// One line: what it reports.
    fn summary(&self) -> &'static str;
    /// The documentation: `## What it checks`, `## Why it matters`, `## Example`, `## Fix`.
    fn doc(&self) -> &'static str;
    /// How findings are graded.
    fn grade(&self) -> Grade {
        Grade::Broken
    }
    /// Reports findings. A rule that judges each object on its own implements
    /// [`Rule::check_object`] instead and keeps this default.
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        for (i, o) in ctx.tree.objects.iter().enumerate() {
            self.check_object(ctx, i, o, out);
        }
    }
    /// Whether the rule judges each object on its own, by [`Rule::check_object`]. Such rules
    /// run object by object, all of them on one object while it is in the processor's
    /// cache, rather than each over the whole tree: looking at an object costs mostly the
    /// reading of its maps from memory.
    fn per_object(&self) -> bool {
        false
    }
    /// Reports the findings of object `i` of the tree, for a rule that judges each object on
    /// its own (see [`Rule::per_object`]).
    fn check_object(&self, _ctx: &Context<'_>, _i: usize, _o: &Object, _out: &mut Findings<'_>) {}
}

/// Options of a validation run.
#[derive(Clone, Debug)]
pub struct Options {
    /// Strict (production) or relaxed grading.
    pub policy: Policy,
    /// Codes not to report.
    pub ignore: BTreeSet<String>,
    /// Unknown kinds are errors rather than warnings.
    pub strict_kinds: bool,
    /// Gateways that exist outside the tree (`namespace/name`).
    pub gateways: BTreeSet<String>,
    /// Flux Kustomizations that exist outside the tree (platform infrastructure), by name.
    pub external_kustomizations: BTreeSet<String>,
    /// The tree is all there is: a reference to something not in it is an error, not a
    /// "not in this tree" warning (GO315, GO317, GO318).
    pub self_contained: bool,
    /// The API server settings the tree is judged under (Service ranges, feature gates).
    pub server: ServerSettings,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            policy: Policy::Relaxed,
            ignore: BTreeSet::new(),
            strict_kinds: false,
            gateways: BTreeSet::new(),
            external_kustomizations: BTreeSet::new(),
            self_contained: false,
            server: ServerSettings::default(),
        }
    }
}

/// A workload as [`Context`] indexes it: object index, pod template pointer, pod labels.
pub type IndexedWorkload<'a> = (
    usize,
    &'static str,
    Option<&'a serde_json::Map<String, Value>>,
);

/// A Service as [`Context`] indexes it: object index, `spec.selector` when a map.
pub type Selecting<'a> = (usize, Option<&'a serde_json::Map<String, Value>>);

/// A workload of a namespace ([`Context::workloads_in`]): object index, object, pod template
/// pointer, pod labels.
pub type Workload<'a> = (
    usize,
    &'a super::tree::Object,
    &'static str,
    Option<&'a serde_json::Map<String, Value>>,
);

/// What rules see.
pub struct Context<'a> {
    /// The tree.
    pub tree: &'a Tree,
    /// Known schemas.
    pub schemas: &'a SchemaStore,
    /// The options.
    pub options: &'a Options,
    /// Objects by `(kind, namespace, name)`.
    pub index: BTreeMap<(String, String, String), Vec<usize>>,
    /// Workloads by namespace: the object, the pointer to its pod template and the pod
    /// labels (looked up once: every selector of the namespace is matched against them).
    pub workloads: BTreeMap<String, Vec<IndexedWorkload<'a>>>,
    /// Services by namespace.
    pub services: BTreeMap<String, Vec<Selecting<'a>>>,
    /// Namespaces where charts or operators may make pods ([`Context::pods_made_elsewhere`]).
    elsewhere: BTreeSet<String>,
    /// Per object: whether its kind has a schema ([`Context::has_schema`]).
    judged: Vec<bool>,
}

impl<'a> Context<'a> {
    /// A context over `tree`, with its indexes built once.
    pub fn new(tree: &'a Tree, schemas: &'a SchemaStore, options: &'a Options) -> Self {
        // Four indexes of the whole tree, two at a time.
        let ((workloads, services, elsewhere), (judged, index)) = crate::par::join(
            || {
                let mut workloads: BTreeMap<String, Vec<IndexedWorkload<'a>>> = BTreeMap::new();
                for (i, o) in tree.objects.iter().enumerate() {
                    if let Some(t) = super::rules::pod_template(o) {
                        workloads
                            .entry(o.namespace().unwrap_or("").to_owned())
                            .or_default()
                            .push((i, t, super::rules::pod_labels(o, t)));
                    }
                }
                let mut services: BTreeMap<String, Vec<Selecting<'a>>> = BTreeMap::new();
                let mut elsewhere: BTreeSet<String> = BTreeSet::from(["kube-system".to_owned()]);
                for (i, o) in tree.objects.iter().enumerate() {
                    if o.kind() == "Service" && o.group().is_empty() {
                        services
                            .entry(o.namespace().unwrap_or("").to_owned())
                            .or_default()
                            .push((i, o.at("/spec/selector").and_then(Value::as_object)));
                    }
                    if let Some(ns) = makes_pods_in(o) {
                        elsewhere.insert(ns.to_owned());
                    }
                }
                (workloads, services, elsewhere)
            },
            || {
                let judged = tree
                    .objects
                    .iter()
                    .map(|o| {
                        matches!(
                            schemas.lookup(o.api_version(), o.kind()),
                            super::schema::Lookup::Found(_)
                        )
                    })
                    .collect();
                (judged, tree.index())
            },
        );
        Context {
            judged,
            index,
            workloads,
            services,
            elsewhere,
            tree,
            schemas,
            options,
        }
    }

    /// Workloads of `namespace`: `(index, object, pod template pointer, pod labels)`.
    pub fn workloads_in(&self, namespace: &str) -> impl Iterator<Item = Workload<'a>> + '_ {
        self.workloads
            .get(namespace)
            .into_iter()
            .flatten()
            .map(|&(i, t, labels)| (i, &self.tree.objects[i], t, labels))
    }
    /// True when pods of `namespace` may come from outside the tree: a HelmRelease installs
    /// a chart there (its pods are rendered on the cluster), or it is `kube-system`, where
    /// the control plane runs static pods. Selectors there are not judged against the tree.
    pub fn pods_made_elsewhere(&self, namespace: &str) -> bool {
        self.elsewhere.contains(namespace)
    }

    /// True when the kind of object `index` has a schema: only then is it a Kubernetes
    /// object that an API server judges (and not, say, a configuration file of another tool).
    pub fn has_schema(&self, index: usize) -> bool {
        self.judged.get(index).copied().unwrap_or(false)
    }

    /// Objects of `kind` named `name` in `namespace`.
    pub fn find(&self, kind: &str, namespace: &str, name: &str) -> &[usize] {
        self.index
            .get(&(kind.to_owned(), namespace.to_owned(), name.to_owned()))
            .map_or(&[], Vec::as_slice)
    }
}

/// API groups whose objects never make pods: Kubernetes' own (their workloads are in the
/// tree as themselves) and the ecosystem's configuration kinds. A custom resource of any
/// other group (an operator's: CloudNativePG `Cluster`, Strimzi `Kafka`, Flagger `Canary`…)
/// may run pods of its own.
const NO_PODS: &[&str] = &[
    "",
    "apps",
    "batch",
    "autoscaling",
    "policy",
    "networking.k8s.io",
    "rbac.authorization.k8s.io",
    "storage.k8s.io",
    "scheduling.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "apiextensions.k8s.io",
    "admissionregistration.k8s.io",
    "kustomize.toolkit.fluxcd.io",
    "source.toolkit.fluxcd.io",
    "source.extensions.fluxcd.io",
    "notification.toolkit.fluxcd.io",
    "image.toolkit.fluxcd.io",
    "networking.istio.io",
    "security.istio.io",
    "telemetry.istio.io",
    "monitoring.coreos.com",
    "bitnami.com",
    "cert-manager.io",
    "external-secrets.io",
    "gateway.networking.k8s.io",
];

/// Kinds of a [`NO_PODS`] group that do run pods: the Prometheus operator's servers, each a
/// StatefulSet it makes (kube-prometheus selects their pods with a Service and a
/// PodDisruptionBudget), beside its configuration kinds (ServiceMonitor, PrometheusRule…).
const PODS_OF_CONFIG_GROUPS: &[(&str, &str)] = &[
    ("monitoring.coreos.com", "Prometheus"),
    ("monitoring.coreos.com", "PrometheusAgent"),
    ("monitoring.coreos.com", "Alertmanager"),
    ("monitoring.coreos.com", "ThanosRuler"),
];

/// The namespace where `o` (a HelmRelease, or an operator's custom resource) may make
/// pods the tree does not hold.
pub(crate) fn makes_pods_in(o: &super::tree::Object) -> Option<&str> {
    let release = o.kind() == "HelmRelease" && o.group() == "helm.toolkit.fluxcd.io";
    if !release
        && NO_PODS.contains(&o.group())
        && !PODS_OF_CONFIG_GROUPS.contains(&(o.group(), o.kind()))
    {
        return None;
    }
    let target = if release {
        o.at("/spec/targetNamespace")
            .and_then(serde_json::Value::as_str)
            .or(o.namespace())
    } else {
        o.namespace()
    };
    Some(target.unwrap_or("default"))
}

/// Collects one rule's findings.
pub struct Findings<'a> {
    ctx: &'a Context<'a>,
    code: &'static str,
    severity: Severity,
    /// What was found.
    pub diagnostics: Vec<Diagnostic>,
}

impl<'a> Findings<'a> {
    /// An empty collector for `rule`.
    pub fn new(ctx: &'a Context<'a>, rule: &dyn Rule) -> Self {
        let severity = match (rule.grade(), ctx.options.policy) {
            (Grade::Broken, _) | (Grade::Hygiene, Policy::Strict) => Severity::Error,
            _ => Severity::Warning,
        };
        Findings {
            ctx,
            code: rule.code(),
            severity,
            diagnostics: Vec::new(),
        }
    }

    /// Overrides the severity of what follows.
    pub fn with_severity(&mut self, severity: Severity) {
        self.severity = severity;
    }

    /// What follows names objects that another repository or a controller may hold: a
    /// warning ("not in this tree") unless the tree is declared self-contained.
    pub fn outside_tree(&mut self) {
        if !self.ctx.options.self_contained {
            self.severity = Severity::Warning;
        }
    }

    /// `report` graded as [`Findings::outside_tree`]; the severity is restored after it.
    pub fn outside_tree_with(&mut self, report: impl FnOnce(&mut Self)) {
        let saved = self.severity;
        self.outside_tree();
        report(self);
        self.severity = saved;
    }

    /// A reporter of findings on `object` (index `i`): `say(pointer, problem)` reports the
    /// problem at `pointer`, led by the object's id.
    pub fn saying<'s>(
        &'s mut self,
        i: usize,
        object: &'s Object,
    ) -> impl FnMut(&str, String) + use<'s, 'a> {
        move |pointer, problem| {
            self.object(i, pointer, format!("{}: {problem}", object.id()), None);
        }
    }

    /// A finding on object `object` at JSON pointer `pointer`; dropped when the object
    /// carries the ignore annotation for this code.
    pub fn object(
        &mut self,
        object: usize,
        pointer: &str,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        self.on(&self.ctx.tree.objects[object], pointer, message, help);
    }

    /// [`Findings::object`] for any object of the tree, also one no build applies
    /// ([`super::tree::Tree::unapplied`]).
    pub fn on(
        &mut self,
        o: &super::tree::Object,
        pointer: &str,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        let ignored = o
            .at(&format!(
                "/metadata/annotations/{}",
                IGNORE_ANNOTATION.replace('/', "~1")
            ))
            .and_then(serde_json::Value::as_str)
            .is_some_and(|codes| codes.split(',').any(|c| c.trim() == self.code));
        if ignored {
            return;
        }
        let (file, span) = self.ctx.tree.locate(o, pointer);
        let file = self.ctx.tree.file(file).display.clone();
        self.push(file, span, message, help, pointer);
    }

    /// A finding on object `object` at `pointer` as written in its own file, whatever a
    /// build changed there (for problems of the written object itself).
    pub fn at_source(
        &mut self,
        object: usize,
        pointer: &str,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        let o = &self.ctx.tree.objects[object];
        let file = self.ctx.tree.file(o.file).display.clone();
        let span = self.ctx.tree.span(o, pointer);
        self.push(file, span, message, help, pointer);
    }

    /// A finding in file `file` at `span`.
    pub fn file(
        &mut self,
        file: usize,
        span: Span,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        let display = self.ctx.tree.file(file).display.clone();
        self.push(display, span, message, help, "");
    }

    fn push(
        &mut self,
        file: String,
        span: Span,
        message: impl Into<String>,
        help: Option<String>,
        pointer: &str,
    ) {
        let mut d = Diagnostic {
            file,
            span,
            code: self.code,
            severity: self.severity,
            message: message.into(),
            field: None,
            help,
        };
        if !pointer.is_empty() {
            d = d.with_field(crate::diag::field_path(pointer));
        }
        self.diagnostics.push(d);
    }
}
