//! What a `fluxprint validate` run is asked, turned into validator runs: which repositories
//! (a `gitops/` directory stands for its cluster repositories), the CRDs to learn, and each
//! repository's grading from the fluxprint cluster file of the same name.

use std::path::{Path, PathBuf};

use super::apiserver::settings::ServerSettings;
use super::rule::Options;
use super::schema::{SchemaError, SchemaStore};
use super::tree::Tree;
use super::Report;
use crate::blueprint::cluster::{Cluster, Policy};
use crate::error::Error;

/// A validation run, as the command line states it.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// Trees or files to validate.
    pub paths: Vec<PathBuf>,
    /// CRD files or directories to learn schemas from.
    pub crds: Vec<PathBuf>,
    /// The grading; `None`: strict when a matching cluster file says so, else relaxed.
    pub policy: Option<Policy>,
    /// Codes not to report.
    pub ignore: Vec<String>,
    /// Unknown kinds are errors.
    pub strict_kinds: bool,
    /// Gateways outside the tree, `namespace/name`.
    pub gateways: Vec<String>,
    /// Flux Kustomizations outside the tree.
    pub external: Vec<String>,
    /// A reference to something not in the tree is an error.
    pub self_contained: bool,
    /// The directory of fluxprint cluster files (need not exist).
    pub clusters: PathBuf,
    /// The target API server's settings (`--service-cluster-ip-range`, `--feature-gates`).
    pub server: ServerSettings,
}

/// The last component of `path`, resolving `.` and `..`.
fn last_name(path: &Path) -> Option<String> {
    path.canonicalize()
        .unwrap_or_else(|_| path.to_owned())
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
}

/// Where the fluxprint cluster files of the trees at `paths` are, when not given: the
/// `clusters/` beside the first path or above it (`shop/gitops/prod` → `shop/clusters`) that
/// holds fluxprint cluster files (a Flux tree has `clusters/` directories of its own), so
/// `validate` works the same from any working directory; else `clusters/` here (which need
/// not exist).
pub fn clusters_dir_for(paths: &[PathBuf]) -> PathBuf {
    let ours = |dir: &Path| {
        crate::blueprint::load::load_clusters(dir)
            .is_ok_and(|l| !l.clusters.is_empty() || !l.diagnostics.is_empty())
    };
    let beside = paths.first().and_then(|p| {
        let abs = p.canonicalize().ok()?;
        // The path itself, its parent and grandparent: a project, its gitops/, a cluster tree.
        abs.ancestors()
            .take(3)
            .map(|a| a.join("clusters"))
            .find(|c| c.is_dir() && ours(c))
    });
    beside.unwrap_or_else(|| PathBuf::from("clusters"))
}

/// The fluxprint cluster files of `dir`. An invalid one is an error (exit 2) like any invalid
/// input; files of other tools in the directory are left alone.
pub fn cluster_files(dir: &Path) -> Result<Vec<Cluster>, Error> {
    let loaded = crate::blueprint::load::load_clusters(dir)?;
    if crate::diag::has_errors(&loaded.diagnostics) {
        return Err(Error::Invalid {
            diagnostics: loaded.diagnostics,
            sources: loaded.sources,
        });
    }
    Ok(loaded.clusters.into_iter().map(|c| c.cluster).collect())
}

/// The repositories to validate: a directory holding one subdirectory per cluster (the
/// `gitops/` that `render` writes) stands for those subdirectories. `Some` when every path is
/// then a cluster repository, which is validated on its own with its cluster's settings.
fn cluster_roots(clusters: &[Cluster], paths: &[PathBuf]) -> Option<Vec<PathBuf>> {
    let is_cluster = |p: &Path| last_name(p).is_some_and(|n| clusters.iter().any(|c| c.name == n));
    let mut roots = Vec::new();
    for p in paths {
        if is_cluster(p) {
            roots.push(p.clone());
            continue;
        }
        let subs: Vec<PathBuf> = clusters
            .iter()
            .map(|c| p.join(&c.name))
            .filter(|d| d.is_dir())
            .collect();
        if subs.is_empty() || !p.is_dir() {
            return None;
        }
        roots.extend(subs);
    }
    roots.sort();
    roots.dedup();
    Some(roots)
}

impl Request {
    /// The validator options for `paths`: the request's, with the policy, external
    /// Kustomizations and platform gateways of the cluster files whose name is the last
    /// component of a path (`gitops/prod` → `clusters/prod.yaml`).
    pub fn options_for(&self, clusters: &[Cluster], paths: &[PathBuf]) -> Options {
        let names: Vec<Option<String>> = paths.iter().map(|p| last_name(p)).collect();
        let mut policy = None;
        let mut external: Vec<String> = self.external.clone();
        let mut gateways: Vec<String> = self.gateways.clone();
        for cluster in clusters {
            if !names.iter().flatten().any(|n| *n == cluster.name) {
                continue;
            }
            policy = Some(match (policy, cluster.policy.unwrap_or_default()) {
                (Some(Policy::Strict), _) | (_, Policy::Strict) => Policy::Strict,
                _ => Policy::Relaxed,
            });
            external.extend(cluster.infrastructure.clone().unwrap_or_default());
            if let Some(m) = cluster.mesh.clone().filter(|m| m.create_gateway.is_none()) {
                gateways.extend(m.gateway);
            }
        }
        Options {
            policy: self.policy.or(policy).unwrap_or(Policy::Relaxed),
            ignore: self.ignore.iter().map(|c| c.to_uppercase()).collect(),
            strict_kinds: self.strict_kinds,
            gateways: gateways.into_iter().collect(),
            external_kustomizations: external.into_iter().collect(),
            self_contained: self.self_contained,
            server: self.server.clone(),
        }
    }

    /// Runs the validation: each cluster repository on its own (Flux paths are relative to
    /// its root, and dev and prod are graded by their own policies), else all paths as one.
    /// The parsed trees come back too: freeing a large one object by object costs about a
    /// fifth of a run, which a process about to exit can leave to the system.
    pub fn run(&self) -> Result<(Report, Vec<Tree>), Error> {
        for code in &self.ignore {
            if super::registry::find(code).is_none() {
                return Err(Error::Usage(format!(
                    "--ignore {code}: no such rule (see docs/rules.md)"
                )));
            }
        }
        let clusters = cluster_files(&self.clusters)?;
        match cluster_roots(&clusters, &self.paths) {
            Some(roots) if roots.len() > 1 || roots != self.paths => {
                let mut all = Report::default();
                let mut trees = Vec::new();
                for root in &roots {
                    let one = std::slice::from_ref(root);
                    let (report, tree) =
                        run_with_crds(one, &self.crds, &self.options_for(&clusters, one))?;
                    all.merge_under(&crate::source::display_path(Path::new(""), root), report);
                    trees.push(tree);
                }
                crate::diag::normalize(&mut all.diagnostics);
                Ok((all, trees))
            }
            _ => run_with_crds(
                &self.paths,
                &self.crds,
                &self.options_for(&clusters, &self.paths),
            )
            .map(|(report, tree)| (report, vec![tree])),
        }
    }
}

/// The options a rendered cluster tree is validated with: its policy, its external
/// infrastructure, and the gateway the platform provides (outside the tree).
pub fn options_for_cluster(cluster: &crate::resolve::ResolvedCluster) -> Options {
    Options {
        policy: cluster.policy,
        external_kustomizations: cluster.infrastructure.iter().cloned().collect(),
        // What fluxprint renders holds every source, values object and dependency it names.
        self_contained: true,
        // Chart versions are judged at the component, per policy (BP136). GO314 only notes
        // what the validator does not fetch (a component's Kustomization of an upstream
        // repository, as the `gateway-api-crds` preset applies): not a defect of the output.
        ignore: ["GO316".to_owned(), "GO314".to_owned()].into(),
        gateways: cluster
            .mesh
            .iter()
            .filter(|m| m.create_gateway.is_none())
            .map(|m| format!("{}/{}", m.gateway.0, m.gateway.1))
            .collect(),
        ..Options::default()
    }
}

/// Validates `paths` with the built-in schemas, the CRDs of `crds` and `options`; returns
/// the report and the parsed tree.
pub fn run_with_crds(
    paths: &[PathBuf],
    crds: &[PathBuf],
    options: &Options,
) -> Result<(Report, Tree), Error> {
    // The CRDs load while the tree does.
    let schemas = || {
        let mut schemas = SchemaStore::with_builtins();
        for dir in crds {
            let learned = if dir.is_dir() {
                schemas.add_crd_dir(dir)
            } else {
                schemas.add_crd_file(dir)
            };
            learned.map_err(|e| match e {
                SchemaError::Read { path, source } => Error::Read { path, source },
                other => Error::Usage(other.to_string()),
            })?;
        }
        Ok(schemas)
    };
    super::run_loading_schemas(paths, schemas, options)
}
