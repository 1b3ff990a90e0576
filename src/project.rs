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
use crate::resolve::{self, ResolvedCluster, ResolvedComponent, ResolvedService};
use crate::seal::values::SealedValues;
use crate::source::{SourceFile, SourceMap, Span};
use crate::validate::tree::Known;

/// Where the inputs are.
#[derive(Clone, Debug)]
pub struct Inputs {
    /// The blueprints directory (`blueprints/`).
    pub blueprints: PathBuf,
    /// The clusters directory (`clusters/`).
    pub clusters: PathBuf,
    /// The platform components directory (`platform/`); a missing one holds no components.
    pub platform: PathBuf,
    /// Chart-schema directories, searched in order for
    /// `<chart>/<version>/values.schema.json` (missing ones hold none).
    pub charts: Vec<PathBuf>,
}

/// What the output validation of a project found.
pub struct OutputFindings {
    /// Findings in generated files, as the bugs they are, at the input each file came from;
    /// findings in files a person added to the tree, at their place in that file.
    pub diagnostics: Vec<Diagnostic>,
    /// The texts of the hand-written files that findings point into.
    pub sources: SourceMap,
    /// The parsed trees (a process about to exit can leave freeing them to the system).
    pub trees: Vec<crate::validate::tree::Tree>,
}

/// Where chart schemas are looked for by default, relative to the project: its own
/// `charts/`, then a shared checkout beside it.
pub const DEFAULT_CHARTS: [&str; 2] = ["charts", "../shared/charts"];

impl Inputs {
    /// The project's verdict cache: `.fluxprint-cache/` beside the clusters directory.
    pub fn cache(&self) -> crate::cache::Cache {
        let root = self.clusters.parent().unwrap_or(Path::new(""));
        crate::cache::Cache::at(root.join(crate::cache::DIR))
    }

    /// The conventional layout under `root`: `root/blueprints`, `root/clusters`,
    /// `root/platform`, and chart schemas in `root/charts` and `root/../shared/charts`.
    pub fn under(root: &Path) -> Self {
        Inputs {
            blueprints: root.join("blueprints"),
            clusters: root.join("clusters"),
            platform: root.join("platform"),
            charts: DEFAULT_CHARTS.iter().map(|d| root.join(d)).collect(),
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
    /// Platform components per cluster name, sorted by component name.
    pub components: BTreeMap<String, Vec<ResolvedComponent>>,
    /// Warnings found while loading (errors make [`Project::load`] fail instead).
    pub warnings: Vec<Diagnostic>,
    /// Every input file, for quoting in messages.
    pub sources: SourceMap,
    /// The chart-schema directories searched.
    pub charts: Vec<PathBuf>,
}

impl Project {
    /// Loads, checks and resolves every blueprint for every cluster. Fails with
    /// [`Error::Invalid`] carrying all problems of all files when any is an error.
    pub fn load(inputs: &Inputs) -> Result<Project, Error> {
        let mut loaded = load::load(&inputs.blueprints, &inputs.clusters)?;
        load::load_components(&inputs.platform, &mut loaded)?;
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
        resolve::project::component_files(&loaded.components, &clusters, &mut diagnostics);
        let sealed = read_sealed(inputs, &loaded, &mut diagnostics);
        let mut services = BTreeMap::new();
        let mut components = BTreeMap::new();
        // What is found per cluster is tagged with it, so that a problem found in every
        // cluster is reported once, naming the clusters.
        let mut tagged: Vec<(Diagnostic, Option<String>)> =
            diagnostics.drain(..).map(|d| (d, None)).collect();
        // Clusters resolve independently: one per core.
        let per_cluster = crate::par::map(&clusters, |cluster| {
            let mut found = Vec::new();
            let platform = resolve::project::components(
                cluster,
                &loaded.components,
                &inputs.charts,
                &names,
                &sealed.1,
                &mut found,
            );
            let resolved = resolve::project::services(
                cluster,
                &loaded.blueprints,
                &names,
                &platform,
                &sealed.0,
                &mut found,
            );
            (platform, resolved, found)
        });
        for (cluster, (platform, resolved, found)) in clusters.iter().zip(per_cluster) {
            components.insert(cluster.name.clone(), platform);
            tagged.extend(found.into_iter().map(|d| (d, Some(cluster.name.clone()))));
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
            components,
            warnings: diagnostics,
            sources: loaded.sources,
            charts: inputs.charts.clone(),
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

    /// The platform components of a cluster, sorted by name (none for an unknown cluster).
    pub fn components_of(&self, cluster: &str) -> &[ResolvedComponent] {
        self.components.get(cluster).map_or(&[][..], Vec::as_slice)
    }

    /// One line per component and chart version whose `values` were not validated against
    /// a chart schema, with why (for `--verbose`).
    pub fn unchecked_values(&self) -> Vec<String> {
        use crate::resolve::chart_values::ValuesCheck;
        let mut lines = BTreeSet::new();
        for c in self.components.values().flatten() {
            let Some(chart) = &c.chart else { continue };
            let what = format!(
                "values of component `{}` (chart `{}` {})",
                c.name, chart.name, chart.version
            );
            match &c.values_check {
                ValuesCheck::Checked(_) => {}
                ValuesCheck::NotChecked => {
                    lines.insert(format!(
                        "{what} not checked: no chart schema `{}/{}/values.schema.json` in {}",
                        chart.name,
                        chart.version,
                        self.charts
                            .iter()
                            .map(|d| d.display().to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
                ValuesCheck::Unusable(path, why) => {
                    lines.insert(format!(
                        "{what} not checked: {} cannot be used: {why}",
                        path.display()
                    ));
                }
            }
        }
        lines.into_iter().collect()
    }

    /// Renders the trees of the selected clusters, in memory, sorted by path.
    pub fn render(&self, only: &[String]) -> Result<Vec<RenderedFile>, Error> {
        // Clusters render independently: one per core.
        let clusters = self.select(only)?;
        let mut files = Vec::new();
        for rendered in crate::par::map(&clusters, |cluster| {
            render::render_cluster(
                cluster,
                self.services_of(&cluster.name),
                self.components_of(&cluster.name),
            )
        }) {
            files.extend(rendered?);
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
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
        self.validate_output_keeping(out, only, None, &Known::default())
            .map(|found| found.diagnostics)
    }

    /// [`Project::validate_output`], skipping the trees that `cache` remembers as clean for
    /// exactly their current content (see [`crate::cache`]) and remembering the ones that
    /// are; also returns the parsed trees: a process about to exit can leave freeing them (a
    /// tenth of a large run) to the system. The files of `known` (what this run rendered and
    /// found on disk, see [`crate::emit::known`]) are taken from memory, not read again.
    pub fn validate_output_keeping(
        &self,
        out: &Path,
        only: &[String],
        cache: Option<&crate::cache::Cache>,
        known: &Known<'_>,
    ) -> Result<OutputFindings, Error> {
        let mut found = Vec::new();
        let mut trees = Vec::new();
        let mut sources = SourceMap::new();
        // One tree at a time: each run already works on every core where it can, and two
        // side by side were slower on two cores and held both trees (70 % more memory).
        for cluster in self.select(only)? {
            let options = crate::validate::request::options_for_cluster(cluster);
            let root = out.join(&cluster.name);
            let key = cache.and_then(|_| crate::cache::key_known(&root, &options, known));
            if let (Some(cache), Some(key)) = (cache, &key) {
                if cache.is_clean(&cluster.name, key) {
                    continue;
                }
            }
            let schemas = crate::validate::schema::SchemaStore::with_builtins();
            let (report, tree) =
                crate::validate::run_known(std::slice::from_ref(&root), schemas, &options, known)?;
            // Remembered only when the tree did not change while it was read.
            if let (Some(cache), Some(key), true) = (cache, &key, report.diagnostics.is_empty()) {
                if crate::cache::key_known(&root, &options, known).as_ref() == Some(key) {
                    cache.remember_clean(&cluster.name, key);
                }
            }
            for d in &report.diagnostics {
                match report.sources.get(&d.file) {
                    // A file a person wrote into the tree: the finding is theirs, there.
                    Some(f) if !f.text.starts_with(crate::emit::HEADER_PREFIX) => {
                        let path = out.join(&cluster.name).join(&d.file);
                        let display = path.display().to_string();
                        sources
                            .entry(display.clone())
                            .or_insert_with(|| SourceFile::new(&display, &path, f.text.clone()));
                        found.push(Diagnostic {
                            file: display,
                            ..d.clone()
                        });
                    }
                    _ => found.push(self.internal(cluster, d, &report.sources)),
                }
            }
            trees.push(tree);
        }
        diag::normalize(&mut found);
        Ok(OutputFindings {
            diagnostics: found,
            sources,
            trees,
        })
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

/// Sealed values by name: of the blueprints (`blueprints/<name>.sealed.yaml`) and of the
/// components (`platform/<name>.sealed.yaml`).
type Sealed = (
    BTreeMap<String, SealedValues>,
    BTreeMap<String, SealedValues>,
);

/// Reads the sealed values of every blueprint and component that has them.
fn read_sealed(
    inputs: &Inputs,
    loaded: &load::Loaded,
    diagnostics: &mut Vec<Diagnostic>,
) -> Sealed {
    let blueprints: Vec<(&str, &str)> = loaded
        .blueprints
        .iter()
        .map(|b| (b.base.name.as_str(), b.file.as_str()))
        .collect();
    let components: Vec<(&str, &str)> = loaded
        .components
        .iter()
        .map(|c| (c.base.name.as_str(), c.file.as_str()))
        .collect();
    (
        read_sealed_in(&inputs.blueprints, &blueprints, loaded, diagnostics),
        read_sealed_in(&inputs.platform, &components, loaded, diagnostics),
    )
}

/// Reads `<name>.sealed.yaml` in `dir` of every `(name, file)` that has one.
fn read_sealed_in(
    dir: &Path,
    owners: &[(&str, &str)],
    loaded: &load::Loaded,
    diagnostics: &mut Vec<Diagnostic>,
) -> BTreeMap<String, SealedValues> {
    let clusters: BTreeSet<&str> = loaded
        .clusters
        .iter()
        .map(|c| c.cluster.name.as_str())
        .collect();
    let mut sealed = BTreeMap::new();
    for &(name, file) in owners {
        let path = SealedValues::path(dir, name);
        let file = format!(
            "{}.sealed.yaml",
            file.trim_end_matches(".yaml").trim_end_matches(".yml")
        );
        match SealedValues::read(&path) {
            Ok(None) => {}
            Ok(Some(values)) => {
                if values.name != name {
                    diagnostics.push(Diagnostic::error(
                        SEALED_FILE,
                        &file,
                        Span::START,
                        format!(
                            "sealed values of `{}` are in the file of `{name}`",
                            values.name
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
                sealed.insert(name.to_owned(), values);
            }
            Err((span, message)) => {
                diagnostics.push(Diagnostic::error(SEALED_FILE, &file, span, message))
            }
        }
    }
    sealed
}
