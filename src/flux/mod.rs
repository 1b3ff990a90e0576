//! What Flux applies from a repository: the Flux `Kustomization`s reached from its entry
//! points, each built the way kustomize-controller builds it ([`crate::kustomize`] plus
//! `spec.targetNamespace`, `spec.patches`, `spec.images`, `spec.components`,
//! `spec.namePrefix`/`nameSuffix`, `spec.commonMetadata` and post-build substitution).
//!
//! Entry points, in order:
//! 1. a `FluxInstance` (`spec.sync.path`) or a Kustomization named `flux-system` (what
//!    `flux bootstrap` commits);
//! 2. else every Flux Kustomization that nothing builds: the directory holding it stands
//!    for the cluster path a bootstrap would apply (a generated tree, before bootstrap);
//! 3. else (no Flux object at all) every kustomize directory that no other includes.
//!
//! Children are the Flux Kustomizations a build yields, built in turn. A Kustomization
//! whose source is not this repository (another GitRepository, an OCIRepository, an
//! ExternalArtifact) is noted as not built: what it applies is not in the tree.

pub mod artifacts;
mod spec;
pub mod substitute;

use crate::source::Lookup as _;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde_json::Value;

use crate::kustomize::Documents;

use crate::kustomize::{self, Origin, Overlay, Problem, Resource, Source};
pub use spec::{is_flux_kustomization, FluxSpec};
pub use substitute::{Undefined, Vars};

/// The label or annotation that turns substitution off for one object.
pub const SUBSTITUTE_KEY: &str = "kustomize.toolkit.fluxcd.io/substitute";

/// One build: a Flux Kustomization, or a plain kustomize directory (fallback 3).
#[derive(Clone, Debug)]
pub struct Unit {
    /// `namespace/name` of the Flux Kustomization, or the directory for a plain build.
    pub id: String,
    /// Where the Flux Kustomization is written (none for a plain directory or a cluster
    /// directory standing for a bootstrap).
    pub origin: Option<Origin>,
    /// The directory built (repository-relative).
    pub path: String,
    /// The cluster entry point it belongs to (index in [`Applied::clusters`]).
    pub cluster: usize,
    /// The Flux Kustomization that applied this one's object.
    pub parent: Option<usize>,
    /// What it applies.
    pub resources: Vec<Resource>,
    /// Strict-substitution failures: `(resource, what)`.
    pub undefined: Vec<(usize, Undefined)>,
    /// True when post-build substitution ran on its objects (`postBuild` with variables, or
    /// `substituteStrategy: Always`); else a `${var}` in them is applied as written.
    pub substituted: bool,
    /// What kustomize would fail on.
    pub errors: Vec<Problem>,
    /// What was not built and why.
    pub notes: Vec<Problem>,
    /// Files the build read.
    pub files: BTreeSet<String>,
}

/// A unit's build: what kustomize built, the strict-substitution failures, and whether
/// substitution ran.
type UnitBuild = (kustomize::Build, Vec<(usize, Undefined)>, bool);

/// Everything a repository applies.
#[derive(Clone, Debug, Default)]
pub struct Applied {
    /// The builds, parents before children.
    pub units: Vec<Unit>,
    /// Cluster entry points: a name for messages (`flux-system` at `clusters/prod`).
    pub clusters: Vec<String>,
    /// The directory of each cluster entry point.
    pub cluster_dirs: Vec<String>,
    /// Every file some build read.
    pub covered: BTreeSet<String>,
    /// True when the repository has Flux entry points (else only plain kustomize
    /// directories were built, and loose manifests stand for themselves).
    pub flux: bool,
    /// Flux Kustomizations not built, and why (source not in this repository).
    pub notes: Vec<Problem>,
}

/// `./a/b/` → `a/b`.
pub fn clean_path(path: &str) -> String {
    kustomize::resolve_path("", path).unwrap_or_else(|| path.to_owned())
}

/// Source kinds whose artifact is this repository when the root uses them.
fn own_sources(roots: &[(FluxSpec, Origin)]) -> BTreeSet<(String, String)> {
    let mut own: BTreeSet<(String, String)> = roots
        .iter()
        .map(|(s, _)| (s.source.0.clone(), s.source.1.clone()))
        .collect();
    own.insert(("GitRepository".into(), "flux-system".into()));
    own.insert(("OCIRepository".into(), "flux-system".into()));
    own
}

/// The manifests Flux lists for a directory without a kustomization file: every
/// `.yaml`/`.yml` below it, a subdirectory with a kustomization file standing for itself.
fn generated_resources(src: &dyn Source, dir: &str, skip_kustomize_dirs: bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        let mut subdirs = Vec::new();
        for (name, is_dir) in src.entries(&d) {
            let path = if d.is_empty() {
                name.clone()
            } else {
                format!("{d}/{name}")
            };
            if is_dir {
                if name.starts_with('.') {
                    continue;
                }
                if kustomize::kustomization_file(src, &path).is_some() {
                    if !skip_kustomize_dirs {
                        out.push(relative_to(dir, &path));
                    }
                } else {
                    subdirs.push(path);
                }
            } else if (name.ends_with(".yaml") || name.ends_with(".yml"))
                && !kustomize::KUSTOMIZATION_FILES.contains(&name.as_str())
            {
                out.push(relative_to(dir, &path));
            }
        }
        stack.extend(subdirs.into_iter().rev());
    }
    out.sort();
    out
}

fn relative_to(dir: &str, path: &str) -> String {
    let rest = if dir.is_empty() {
        path
    } else {
        path.strip_prefix(dir)
            .and_then(|p| p.strip_prefix('/'))
            .unwrap_or(path)
    };
    format!("./{rest}")
}

struct Builder<'a> {
    src: &'a dyn Source,
    /// Raw objects of every file, for `substituteFrom` lookups not built yet.
    raw: &'a [(&'a str, usize, &'a Value)],
    own: BTreeSet<(String, String)>,
    artifacts: BTreeMap<(String, String), artifacts::Artifact>,
    out: Applied,
    seen: BTreeSet<(usize, String)>,
}

impl Builder<'_> {
    /// Builds the Flux Kustomization `spec` (written at `origin`) and, in turn, the ones it
    /// yields.
    fn flux_unit(
        &mut self,
        spec: FluxSpec,
        origin: Option<Origin>,
        cluster: usize,
        parent: Option<usize>,
        skip_kustomize_dirs: bool,
        prebuilt: Option<Option<kustomize::Build>>,
    ) {
        if !self.seen.insert((cluster, spec.id())) {
            return;
        }
        let at = origin.clone().unwrap_or_else(|| Origin::new("", 0, ""));
        let source = (spec.source.0.clone(), spec.source.1.clone());
        let artifact = (source.0 == "ExternalArtifact")
            .then(|| {
                self.artifacts
                    .get(&(spec.source.2.clone(), source.1.clone()))
            })
            .flatten()
            .cloned();
        if artifact.is_none() && origin.is_some() && !self.own.contains(&source) {
            self.out.notes.push(Problem {
                origin: at.join("/spec/sourceRef"),
                message: format!(
                    "Kustomization {} is not built: its source {} {} is not this repository",
                    spec.id(),
                    source.0,
                    source.1
                ),
            });
            return;
        }
        let (build, undefined, substituted) = match &artifact {
            Some(artifact) => {
                let mapped = artifacts::Mapped {
                    inner: self.src,
                    artifact,
                };
                let Some((mut build, undefined, substituted)) =
                    self.build_unit(&mapped, &spec, &at, cluster, skip_kustomize_dirs, prebuilt)
                else {
                    return;
                };
                // Findings point at the repository's files, not the artifact's.
                let mut files = BTreeSet::new();
                for f in std::mem::take(&mut build.files) {
                    files.insert(artifact.to_repository(&f).unwrap_or(f));
                }
                build.files = files;
                for r in &mut build.resources {
                    artifact.map_origin(&mut r.origin);
                    for (_, o) in &mut r.fields {
                        artifact.map_origin(o);
                    }
                }
                for p in build.errors.iter_mut().chain(build.notes.iter_mut()) {
                    artifact.map_origin(&mut p.origin);
                }
                (build, undefined, substituted)
            }
            None => {
                match self.build_unit(self.src, &spec, &at, cluster, skip_kustomize_dirs, prebuilt)
                {
                    Some(done) => done,
                    None => return,
                }
            }
        };
        self.out.covered.extend(build.files.iter().cloned());
        let index = self.out.units.len();
        let children: Vec<(FluxSpec, Origin)> = build
            .resources
            .iter()
            .filter_map(|r| Some((FluxSpec::read(&r.value)?, r.origin.clone())))
            .collect();
        self.out.units.push(Unit {
            id: spec.id(),
            origin,
            path: spec.path.clone(),
            cluster,
            parent,
            resources: build.resources,
            undefined,
            substituted,
            errors: build.errors,
            notes: build.notes,
            files: build.files,
        });
        // The children's kustomize builds depend on nothing built so far: run them on every
        // core, then substitute and descend in order, as before (substitution reads what the
        // units before it built).
        let prebuilt: Vec<Option<kustomize::Build>> = if children.len() > 1 {
            let this = &*self;
            crate::par::map(&children, |(child, at)| this.prebuild(child, at))
        } else {
            children.iter().map(|_| None).collect()
        };
        for ((child, at), pre) in children.into_iter().zip(prebuilt) {
            let pre = pre.map(Some);
            self.flux_unit(child, Some(at), cluster, Some(index), false, pre);
        }
    }

    /// The kustomize part of a child's build ([`kustomize_part`]) from its source, ahead of
    /// time; `None` when it will not be built from a source seen here (a note, or missing).
    fn prebuild(&self, spec: &FluxSpec, at: &Origin) -> Option<kustomize::Build> {
        let source = (spec.source.0.clone(), spec.source.1.clone());
        if source.0 == "ExternalArtifact" {
            let artifact = self
                .artifacts
                .get(&(spec.source.2.clone(), source.1.clone()))?;
            let mapped = artifacts::Mapped {
                inner: self.src,
                artifact,
            };
            return kustomize_part(&mapped, spec, at, false);
        }
        if !self.own.contains(&source) {
            return None;
        }
        kustomize_part(self.src, spec, at, false)
    }

    /// kustomize-controller's build of `spec` from `src`: kustomize with the overlay, then
    /// `commonMetadata` ([`kustomize_part`], or `prebuilt` when done ahead), then post-build
    /// substitution. `None` when the path is missing (GO304 reports it).
    fn build_unit(
        &self,
        src: &dyn Source,
        spec: &FluxSpec,
        at: &Origin,
        cluster: usize,
        skip_kustomize_dirs: bool,
        prebuilt: Option<Option<kustomize::Build>>,
    ) -> Option<UnitBuild> {
        let mut build = match prebuilt {
            Some(done) => done?,
            None => kustomize_part(src, spec, at, skip_kustomize_dirs)?,
        };
        let mut undefined = Vec::new();
        let mut substituted = false;
        if let Some(post) = &spec.post_build {
            let vars = self.vars(post, &spec.namespace, cluster);
            // Flux substitutes only when there are variables, unless told to always.
            let always = post.get("substituteStrategy").and_then(Value::as_str) == Some("Always");
            if !vars.known.is_empty() || vars.open || always {
                substituted = true;
                for (i, r) in build.resources.iter_mut().enumerate() {
                    // Shared with the document as written until a substitution changes it.
                    if substitution_disabled(&r.value) || !substitute::mentions_variables(&r.value)
                    {
                        continue;
                    }
                    let found = substitute::substitute(Arc::make_mut(&mut r.value), &vars);
                    undefined.extend(found.into_iter().map(|u| (i, u)));
                }
            }
        }
        Some((build, undefined, substituted))
    }

    /// The variables of `postBuild`: `substitute` over `substituteFrom` (ConfigMaps and
    /// Secrets of the Kustomization's namespace, built or in the repository).
    fn vars(&self, post: &Value, namespace: &str, cluster: usize) -> Vars {
        let mut vars = Vars::default();
        for from in post
            .get("substituteFrom")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let kind = from.get("kind").and_then(Value::as_str).unwrap_or("");
            let name = from.get("name").and_then(Value::as_str).unwrap_or("");
            match self.find(kind, namespace, name, cluster) {
                Some(object) => read_vars(kind, &object, &mut vars),
                // Made outside the repository (or by a build not seen): unknown values.
                None => vars.open = true,
            }
        }
        if let Some(map) = post.get("substitute").and_then(Value::as_object) {
            for (k, v) in map {
                let value = match v {
                    Value::String(s) => s.replace('\n', ""),
                    other => other.to_string(),
                };
                vars.known.insert(k.clone(), value);
            }
        }
        vars
    }

    /// The ConfigMap or Secret a `substituteFrom` names: built by this cluster's
    /// Kustomizations, else written once in the repository (several clusters writing one of
    /// that name leave it unknown).
    fn find(&self, kind: &str, namespace: &str, name: &str, cluster: usize) -> Option<Value> {
        let matches = |v: &Value| {
            v.get("kind").and_then(Value::as_str) == Some(kind)
                && v.lookup("/metadata/name").and_then(Value::as_str) == Some(name)
                && v.lookup("/metadata/namespace")
                    .and_then(Value::as_str)
                    .is_none_or(|ns| ns == namespace)
        };
        for unit in self.out.units.iter().filter(|u| u.cluster == cluster) {
            if let Some(r) = unit.resources.iter().find(|r| matches(&r.value)) {
                return Some(Value::clone(&r.value));
            }
        }
        let mut written = self.raw.iter().filter(|(_, _, v)| matches(v));
        match (written.next(), written.next()) {
            (Some((_, _, v)), None) => Some((*v).clone()),
            _ => None,
        }
    }
}

/// The kustomize part of kustomize-controller's build of `spec` from `src`: kustomize with
/// the overlay (a generated kustomization when the path has none), then `commonMetadata`.
/// `None` when the path is missing.
fn kustomize_part(
    src: &dyn Source,
    spec: &FluxSpec,
    at: &Origin,
    skip_kustomize_dirs: bool,
) -> Option<kustomize::Build> {
    if !src.is_dir(&spec.path) {
        return None;
    }
    let generated = kustomize::kustomization_file(src, &spec.path)
        .is_none()
        .then(|| generated_resources(src, &spec.path, skip_kustomize_dirs));
    let overlay = Overlay {
        value: spec.overlay.clone(),
        origin: at.join("/spec"),
        generated_resources: generated,
    };
    let mut build = kustomize::build(src, &spec.path, Some(&overlay));
    // The overlay's `namespace` is written as `spec.targetNamespace`.
    let written = at.join("/spec/namespace");
    for r in &mut build.resources {
        for (_, o) in &mut r.fields {
            if *o == written {
                o.pointer = at.join("/spec/targetNamespace").pointer;
            }
        }
    }
    if let Some(meta) = &spec.common_metadata {
        common_metadata(&mut build.resources, meta, at);
    }
    Some(build)
}

/// Adds a ConfigMap's or Secret's keys to `vars`; values that cannot be read (encrypted)
/// make the set open.
fn read_vars(kind: &str, object: &Value, vars: &mut Vars) {
    use base64::Engine as _;
    if object.get("sops").is_some() {
        vars.open = true;
        return;
    }
    if let Some(data) = object.get("data").and_then(Value::as_object) {
        for (k, v) in data {
            let text = v.as_str().unwrap_or("");
            let value = if kind == "Secret" {
                match base64::engine::general_purpose::STANDARD.decode(text) {
                    Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                    Err(_) => {
                        vars.open = true;
                        continue;
                    }
                }
            } else {
                text.to_owned()
            };
            vars.known.insert(k.clone(), value.replace('\n', ""));
        }
    }
    if let Some(data) = object.get("stringData").and_then(Value::as_object) {
        for (k, v) in data {
            vars.known
                .insert(k.clone(), v.as_str().unwrap_or("").replace('\n', ""));
        }
    }
}

/// True when the object turns post-build substitution off for itself (the
/// [`SUBSTITUTE_KEY`] label or annotation set to `disabled`).
pub fn substitution_disabled(v: &Value) -> bool {
    let key = SUBSTITUTE_KEY.replace('/', "~1");
    ["labels", "annotations"].iter().any(|m| {
        v.lookup(&format!("/metadata/{m}/{key}"))
            .and_then(Value::as_str)
            == Some("disabled")
    })
}

/// `spec.commonMetadata`: labels and annotations set on every object.
fn common_metadata(resources: &mut [Resource], meta: &Value, at: &Origin) {
    for field in ["labels", "annotations"] {
        let Some(map) = meta.get(field).and_then(Value::as_object) else {
            continue;
        };
        for r in resources.iter_mut() {
            let Some(metadata) = Arc::make_mut(&mut r.value)
                .get_mut("metadata")
                .and_then(Value::as_object_mut)
            else {
                continue;
            };
            let target = metadata
                .entry(field)
                .or_insert_with(|| Value::Object(serde_json::Map::new()));
            let Some(target) = target.as_object_mut() else {
                continue;
            };
            for (k, v) in map {
                target.insert(k.clone(), v.clone());
                let token = crate::source::yaml::escape_pointer_token(k);
                r.fields.push((
                    format!("/metadata/{field}/{token}"),
                    at.join(&format!("/spec/commonMetadata/{field}/{token}")),
                ));
            }
        }
    }
}

/// Builds what the repository behind `src` applies. `files` lists its YAML files
/// (repository-relative).
pub fn build(src: &dyn Source, files: &[String]) -> Applied {
    // Every document as written, borrowed from the source (a copy of a large tree cost a
    // tenth of a validation).
    let held: Vec<(&String, Documents)> = files
        .iter()
        .filter_map(|file| match src.documents(file) {
            Some(Ok(docs)) => Some((file, docs)),
            _ => None,
        })
        .collect();
    let raw: Vec<(&str, usize, &Value)> = held
        .iter()
        .flat_map(|(file, docs)| {
            docs.iter()
                .enumerate()
                .filter(|(_, v)| v.is_object())
                .map(|(doc, v)| (file.as_str(), doc, &**v))
        })
        .collect();
    // 1. What bootstrap commits.
    let mut roots: Vec<(FluxSpec, Origin)> = Vec::new();
    for (file, doc, v) in &raw {
        if v.get("kind").and_then(Value::as_str) == Some("FluxInstance") {
            let Some(path) = v.lookup("/spec/sync/path").and_then(Value::as_str) else {
                continue;
            };
            let namespace = v
                .lookup("/metadata/namespace")
                .and_then(Value::as_str)
                .unwrap_or("flux-system");
            // The operator names the sync source and Kustomization `spec.sync.name`, or
            // after the instance's namespace.
            let name = v
                .lookup("/spec/sync/name")
                .and_then(Value::as_str)
                .unwrap_or(namespace);
            let spec = FluxSpec {
                name: name.to_owned(),
                namespace: namespace.to_owned(),
                path: clean_path(path),
                source: (
                    v.lookup("/spec/sync/kind")
                        .and_then(Value::as_str)
                        .unwrap_or("GitRepository")
                        .to_owned(),
                    name.to_owned(),
                    namespace.to_owned(),
                ),
                overlay: serde_json::json!({}),
                common_metadata: None,
                post_build: None,
            };
            roots.push((spec, Origin::new(*file, *doc, "")));
        } else if let Some(spec) = FluxSpec::read(v).filter(|s| s.name == "flux-system") {
            roots.push((spec, Origin::new(*file, *doc, "")));
        }
    }
    let own = own_sources(&roots);
    let artifacts = artifacts::artifacts(&raw, &|kind, name| {
        own.contains(&(kind.to_owned(), name.to_owned()))
    });
    let mut b = Builder {
        src,
        raw: &raw,
        artifacts,
        own,
        out: Applied::default(),
        seen: BTreeSet::new(),
    };
    for (spec, origin) in roots.iter().cloned() {
        let cluster = b.out.clusters.len();
        b.out
            .clusters
            .push(format!("{} at `{}`", spec.id(), display_dir(&spec.path)));
        b.out.cluster_dirs.push(spec.path.clone());
        // A FluxInstance is not a Kustomization object: its unit has no object.
        let is_instance = FluxSpec::read(&raw_value(&raw, &origin)).is_none();
        let written = (!is_instance).then_some(origin);
        b.flux_unit(spec, written, cluster, None, false, None);
    }
    // 2. Flux Kustomizations nothing builds: their directory stands for a cluster path.
    let mut orphans: Vec<(usize, String, String)> = raw
        .iter()
        .filter(|(file, _, v)| is_flux_kustomization(v) && !b.out.covered.contains(*file))
        .map(|(file, _, _)| {
            let dir = file.rsplit_once('/').map_or("", |(d, _)| d).to_owned();
            (dir.matches('/').count(), dir, (*file).to_owned())
        })
        .collect();
    orphans.sort();
    for (_, dir, file) in orphans {
        if b.out.covered.contains(&file) {
            continue;
        }
        // Below the path of a Kustomization that builds, a file it does not read is left out
        // on purpose (a commented-out `resources` entry): nothing applies it.
        let inside = |path: &str| path.is_empty() || file.starts_with(&format!("{path}/"));
        if b.out.units.iter().any(|u| inside(&u.path)) {
            continue;
        }
        let own = b.own.clone();
        let spec = FluxSpec {
            name: "flux-system".into(),
            namespace: "flux-system".into(),
            path: dir.clone(),
            source: own
                .iter()
                .next()
                .map(|(k, n)| (k.clone(), n.clone(), "flux-system".into()))
                .unwrap_or_default(),
            overlay: serde_json::json!({}),
            common_metadata: None,
            post_build: None,
        };
        let cluster = b.out.clusters.len();
        b.out
            .clusters
            .push(format!("the cluster directory `{}`", display_dir(&dir)));
        b.out.cluster_dirs.push(dir.clone());
        let before = b.out.units.len();
        // Builds below a kustomize subdirectory belong to the Kustomizations found here.
        b.flux_unit(spec, None, cluster, None, true, None);
        if b.out.units.len() == before {
            b.out.clusters.pop();
            b.out.cluster_dirs.pop();
        }
    }
    b.out.flux = !b.out.units.is_empty();
    if !b.out.flux {
        plain_builds(&mut b, files);
    }
    b.out
}

fn raw_value(raw: &[(&str, usize, &Value)], at: &Origin) -> Value {
    raw.iter()
        .find(|(f, d, _)| *f == at.file && *d == at.doc)
        .map(|(_, _, v)| (*v).clone())
        .unwrap_or(Value::Null)
}

fn display_dir(dir: &str) -> String {
    if dir.is_empty() {
        ".".into()
    } else {
        dir.to_owned()
    }
}

/// 3. No Flux entry point: every kustomize directory that no other one includes.
fn plain_builds(b: &mut Builder<'_>, files: &[String]) {
    let dirs: BTreeSet<String> = files
        .iter()
        .filter_map(|f| {
            let (dir, name) = f.rsplit_once('/').unwrap_or(("", f));
            kustomize::KUSTOMIZATION_FILES
                .contains(&name)
                .then(|| dir.to_owned())
        })
        .collect();
    let mut built: BTreeMap<String, kustomize::Build> = dirs
        .iter()
        .map(|d| (d.clone(), kustomize::build(b.src, d, None)))
        .collect();
    let included: BTreeSet<String> = built
        .iter()
        .flat_map(|(dir, build)| {
            let dirs = &dirs;
            build.files.iter().filter(move |f| {
                let own_dir = f.rsplit_once('/').map_or("", |(d, _)| d);
                own_dir != dir && dirs.contains(own_dir)
            })
        })
        .map(|f| f.rsplit_once('/').map_or("", |(d, _)| d).to_owned())
        .collect();
    // Directories that no other includes, then (cycles) any whose files no build read yet.
    let (tops, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut built)
        .into_iter()
        .partition(|(dir, _)| !included.contains(dir));
    let mut chosen = tops;
    for (dir, build) in rest {
        let read = chosen
            .iter()
            .any(|(_, c)| build.files.iter().all(|f| c.files.contains(f)));
        if !read {
            chosen.push((dir, build));
        }
    }
    if !chosen.is_empty() {
        b.out.clusters.push("the repository".into());
        b.out.cluster_dirs.push(String::new());
    }
    for (dir, build) in chosen {
        b.out.covered.extend(build.files.iter().cloned());
        b.out.units.push(Unit {
            id: display_dir(&dir),
            origin: None,
            path: dir,
            cluster: 0,
            parent: None,
            resources: build.resources,
            undefined: Vec::new(),
            substituted: false,
            errors: build.errors,
            notes: build.notes,
            files: build.files,
        });
    }
}
