//! A project: the blueprints and clusters of one platform repository, loaded, checked and
//! resolved — the entry point of the library (`load → resolve → render → write`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::blueprint::load;
use crate::diag::{self, Diagnostic};
use crate::emit::RenderedFile;
use crate::error::Error;
use crate::render;
use crate::resolve::codes::SEALED_FILE;
use crate::resolve::{self, ResolvedCluster, ResolvedService};
use crate::seal::values::SealedValues;
use crate::source::{SourceFile, SourceMap, Span};

/// Where the inputs are.
#[derive(Clone, Debug)]
pub struct Inputs {
    /// The blueprints directory (`blueprints/`).
    pub blueprints: PathBuf,
    /// The clusters directory (`clusters/`).
    pub clusters: PathBuf,
}

impl Inputs {
    /// The conventional layout under `root`: `root/blueprints`, `root/clusters`.
    pub fn under(root: &Path) -> Self {
        Inputs {
            blueprints: root.join("blueprints"),
            clusters: root.join("clusters"),
        }
    }
}

/// Valid, resolved input: every cluster with the services it runs.
#[derive(Debug)]
pub struct Project {
    /// Clusters, sorted by name.
    pub clusters: Vec<ResolvedCluster>,
    /// Services per cluster name, sorted by service name.
    pub services: BTreeMap<String, Vec<ResolvedService>>,
    /// Warnings found while loading (errors make [`Project::load`] fail instead).
    pub warnings: Vec<Diagnostic>,
    /// Every input file, for quoting in messages.
    pub sources: SourceMap,
}

impl Project {
    /// Loads, checks and resolves every blueprint for every cluster. Fails with
    /// [`Error::Invalid`] carrying all problems of all files when any is an error.
    pub fn load(inputs: &Inputs) -> Result<Project, Error> {
        let mut loaded = load::load(&inputs.blueprints, &inputs.clusters)?;
        let mut diagnostics = std::mem::take(&mut loaded.diagnostics);
        if loaded.clusters.is_empty() && !diag::has_errors(&diagnostics) {
            diagnostics.push(
                Diagnostic::error(
                    load::WRONG_DOCUMENT,
                    inputs.clusters.display().to_string(),
                    Span::START,
                    "no cluster files found",
                )
                .with_help("add clusters/<name>.yaml with `kind: Cluster`"),
            );
        }
        let names: BTreeSet<String> = loaded
            .blueprints
            .iter()
            .map(|b| b.base.name.clone())
            .collect();
        let mut clusters = resolve::project::clusters(
            &loaded.blueprints,
            &loaded.clusters,
            &names,
            &mut diagnostics,
        );
        let sealed = read_sealed(inputs, &loaded, &mut diagnostics);
        let mut services = BTreeMap::new();
        // What is found per cluster is tagged with it, so that a problem found in every
        // cluster is reported once, naming the clusters.
        let mut tagged: Vec<(Diagnostic, Option<String>)> =
            diagnostics.drain(..).map(|d| (d, None)).collect();
        for cluster in &clusters {
            let resolved = resolve::project::services(
                cluster,
                &loaded.blueprints,
                &names,
                &sealed,
                &mut diagnostics,
            );
            tagged.extend(
                diagnostics
                    .drain(..)
                    .map(|d| (d, Some(cluster.name.clone()))),
            );
            services.insert(cluster.name.clone(), resolved);
        }
        let mut diagnostics = diag::collapse_clusters(tagged);
        diag::normalize(&mut diagnostics);
        if diag::has_errors(&diagnostics) {
            return Err(Error::Invalid {
                diagnostics,
                sources: loaded.sources,
            });
        }
        clusters.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(Project {
            clusters,
            services,
            warnings: diagnostics,
            sources: loaded.sources,
        })
    }

    /// The clusters named in `only` (all when empty); an unknown name is a usage error.
    pub fn select(&self, only: &[String]) -> Result<Vec<&ResolvedCluster>, Error> {
        for name in only {
            if !self.clusters.iter().any(|c| &c.name == name) {
                let known: Vec<&str> = self.clusters.iter().map(|c| c.name.as_str()).collect();
                return Err(Error::Usage(format!(
                    "unknown cluster `{name}`; clusters: {}",
                    known.join(", ")
                )));
            }
        }
        Ok(self
            .clusters
            .iter()
            .filter(|c| only.is_empty() || only.contains(&c.name))
            .collect())
    }

    /// The services of a cluster, sorted by name (none for an unknown cluster).
    pub fn services_of(&self, cluster: &str) -> &[ResolvedService] {
        self.services.get(cluster).map_or(&[][..], Vec::as_slice)
    }

    /// Renders the trees of the selected clusters, in memory, sorted by path.
    pub fn render(&self, only: &[String]) -> Result<Vec<RenderedFile>, Error> {
        // Clusters render independently: one per core.
        let clusters = self.select(only)?;
        let mut files = Vec::new();
        for rendered in crate::emit::par::map(&clusters, |cluster| {
            render::render_cluster(cluster, self.services_of(&cluster.name))
        }) {
            files.extend(rendered?);
        }
        files.sort();
        Ok(files)
    }
}

impl Project {
    /// Validates the trees rendered under `out` for the selected clusters, as any repository
    /// is validated, each with its cluster's policy.
    ///
    /// Every rule the validation holds a cluster's output to is checked on the blueprints
    /// first, where a finding has the line of the field. So a finding here is a bug of
    /// fluxprint, and is reported as one: at the blueprint that the generated file names in
    /// its header (its `name` line), never at a line of a generated file nobody edits.
    pub fn validate_output(&self, out: &Path, only: &[String]) -> Result<Vec<Diagnostic>, Error> {
        let mut found = Vec::new();
        // One tree at a time: each run already works on every core where it can, and two
        // side by side were slower on two cores and held both trees (70 % more memory).
        for cluster in self.select(only)? {
            let options = crate::validate::request::options_for_cluster(cluster);
            let (report, _tree) =
                crate::validate::request::run_with_crds(&[out.join(&cluster.name)], &[], &options)?;
            found.extend(
                report
                    .diagnostics
                    .iter()
                    .map(|d| self.internal(cluster, d, &report.sources)),
            );
        }
        diag::normalize(&mut found);
        Ok(found)
    }

    /// A finding of the output validation as the bug it is, at the input the file came from.
    fn internal(
        &self,
        cluster: &ResolvedCluster,
        d: &Diagnostic,
        rendered: &SourceMap,
    ) -> Diagnostic {
        let input = rendered
            .get(&d.file)
            .and_then(|f| f.line(1))
            .and_then(generated_from)
            .unwrap_or_else(|| cluster.file.clone());
        let span = self
            .sources
            .get(&input)
            .and_then(name_line)
            .unwrap_or(Span::START);
        Diagnostic {
            file: input,
            span,
            code: d.code,
            severity: d.severity,
            message: format!(
                "internal: generated output fails {} — please report: {} ({} of cluster `{}`)",
                d.code, d.message, d.file, cluster.name
            ),
            field: None,
            help: Some(format!(
                "the input passed every check that {} stands for, so this is a bug of fluxprint; `fluxprint explain {}` says what the rule wants",
                d.code, d.code
            )),
        }
    }
}

/// The first input a generated file's header names (`# Generated by fluxprint from
/// blueprints/order.yaml. Do not edit.`; a namespace lists every blueprint using it).
fn generated_from(header: &str) -> Option<String> {
    let rest = header.strip_prefix(crate::emit::HEADER_PREFIX)?;
    let sources = rest
        .strip_prefix(" from ")?
        .strip_suffix(". Do not edit.")?;
    sources.split(", ").next().map(str::to_owned)
}

/// Where a blueprint's or cluster file's top-level `name` is.
fn name_line(file: &SourceFile) -> Option<Span> {
    file.text
        .split('\n')
        .position(|l| l.starts_with("name:"))
        .and_then(|i| u32::try_from(i + 1).ok())
        .map(|line| Span::new(line, 1))
}

/// Reads `<blueprint>.sealed.yaml` of every blueprint that has one.
fn read_sealed(
    inputs: &Inputs,
    loaded: &load::Loaded,
    diagnostics: &mut Vec<Diagnostic>,
) -> BTreeMap<String, SealedValues> {
    let clusters: BTreeSet<&str> = loaded
        .clusters
        .iter()
        .map(|c| c.cluster.name.as_str())
        .collect();
    let mut sealed = BTreeMap::new();
    for b in &loaded.blueprints {
        let path = SealedValues::path(&inputs.blueprints, &b.base.name);
        let file = format!(
            "{}.sealed.yaml",
            b.file.trim_end_matches(".yaml").trim_end_matches(".yml")
        );
        match SealedValues::read(&path) {
            Ok(None) => {}
            Ok(Some(values)) => {
                if values.name != b.base.name {
                    diagnostics.push(Diagnostic::error(
                        SEALED_FILE,
                        &file,
                        Span::START,
                        format!(
                            "sealed values of `{}` are in the file of `{}`",
                            values.name, b.base.name
                        ),
                    ));
                }
                for cluster in values
                    .clusters
                    .keys()
                    .filter(|c| !clusters.contains(c.as_str()))
                {
                    diagnostics.push(Diagnostic::warning(
                        SEALED_FILE,
                        &file,
                        Span::START,
                        format!("sealed values for cluster `{cluster}`, which does not exist"),
                    ));
                }
                sealed.insert(b.base.name.clone(), values);
            }
            Err((span, message)) => {
                diagnostics.push(Diagnostic::error(SEALED_FILE, &file, span, message))
            }
        }
    }
    sealed
}
