//! `fluxprint build`: what Flux would apply, printed as multi-document YAML — for one
//! Kustomization, one cluster or a whole repository (the same builder `validate` judges),
//! or for one plain kustomize directory like `kustomize build`.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::emit::yaml::Doc;
use crate::error::Error;
use crate::kustomize::{self, disk::DiskSource};
use crate::validate::tree::Tree;

/// What to build.
#[derive(Clone, Debug, Default)]
pub struct BuildRequest {
    /// The repository (or a directory of it).
    pub path: PathBuf,
    /// Only this cluster: its directory or any part of it (`prod` for `clusters/prod`,
    /// `main` for `kubernetes/main/cluster`).
    pub cluster: Option<String>,
    /// Only this Flux Kustomization, `namespace/name`.
    pub kustomization: Option<String>,
    /// A `# from file:line` comment before each object.
    pub show_origin: bool,
    /// Build `path` as one plain kustomize directory instead (`kustomize build`).
    pub kustomize: bool,
}

fn yaml(value: &Value, origin: Option<String>) -> Result<String, Error> {
    let mut text = String::from("---\n");
    if let Some(origin) = origin {
        text.push_str(&format!("# from {origin}\n"));
    }
    text.push_str(
        &Doc {
            value: value.clone(),
            comments: Default::default(),
        }
        .to_yaml()?,
    );
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

/// What a build printed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Built {
    /// The objects of every Kustomization that builds, as multi-document YAML.
    pub yaml: String,
    /// Kustomizations that do not build, each with why (their objects are left out, as
    /// Flux applies nothing of them).
    pub problems: Vec<String>,
}

/// Runs the build. A Kustomization that fails is left out and named in
/// [`Built::problems`]; the others are printed.
pub fn run(request: &BuildRequest) -> Result<Built, Error> {
    if !request.path.is_dir() {
        return Err(Error::Usage(format!(
            "{} is not a directory",
            request.path.display()
        )));
    }
    if request.kustomize {
        return plain(&request.path, request.show_origin);
    }
    let tree = Tree::load(std::slice::from_ref(&request.path))?;
    let applied = &tree.applied;
    if applied.units.is_empty() {
        return Err(Error::Usage(format!(
            "{}: no Flux Kustomization or kustomization.yaml to build",
            request.path.display()
        )));
    }
    // A cluster is named by its directory or any part of it: `prod` for `clusters/prod`,
    // `main` for `kubernetes/main/cluster`.
    let wanted_cluster = |c: usize| {
        request.cluster.as_deref().is_none_or(|want| {
            let dir = &applied.cluster_dirs[c];
            let want = want.trim_matches('/');
            dir == want
                || dir.split('/').any(|part| part == want)
                || dir.starts_with(&format!("{want}/"))
        })
    };
    let wanted = |u: usize| {
        let unit = &applied.units[u];
        wanted_cluster(unit.cluster)
            && request
                .kustomization
                .as_deref()
                .is_none_or(|want| unit.id == want)
    };
    if !(0..applied.units.len()).any(wanted) {
        return Err(Error::Usage(format!(
            "nothing matches{}{}; the clusters are {} and the builds are: {}",
            request
                .cluster
                .as_deref()
                .map(|c| format!(" --cluster {c}"))
                .unwrap_or_default(),
            request
                .kustomization
                .as_deref()
                .map(|k| format!(" --kustomization {k}"))
                .unwrap_or_default(),
            {
                let mut dirs: Vec<&str> = applied.cluster_dirs.iter().map(|d| d.as_str()).collect();
                dirs.sort_unstable();
                dirs.dedup();
                dirs.iter()
                    .map(|d| {
                        if d.is_empty() {
                            "`.`".to_owned()
                        } else {
                            format!("`{d}`")
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            applied
                .units
                .iter()
                .map(|u| u.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let mut problems = Vec::new();
    let mut failed = std::collections::BTreeSet::new();
    for (u, unit) in applied.units.iter().enumerate().filter(|(u, _)| wanted(*u)) {
        for e in &unit.errors {
            failed.insert(u);
            problems.push(format!(
                "{}: {} (at {}{})",
                unit.id, e.message, e.origin.file, e.origin.pointer
            ));
        }
    }
    let mut out = String::new();
    for o in &tree.objects {
        if !o.unit.is_some_and(|u| wanted(u) && !failed.contains(&u)) {
            continue;
        }
        let origin = request.show_origin.then(|| {
            let (file, span) = tree.locate(o, "");
            format!("{}:{}", tree.file(file).display, span.line)
        });
        out.push_str(&yaml(&o.value, origin)?);
    }
    Ok(Built {
        yaml: out,
        problems,
    })
}

/// The root a plain build may read below, and `dir` relative to it: the enclosing git
/// repository (an overlay's `../base` lies outside `dir`, as kustomize allows for
/// directories), else the working directory when it holds `dir`, else `dir` itself.
fn build_root(dir: &Path) -> Result<(PathBuf, String), Error> {
    let dir = dir
        .canonicalize()
        .map_err(|e| Error::Usage(format!("{}: {e}", dir.display())))?;
    let git = dir.ancestors().find(|a| a.join(".git").exists());
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|c| c.canonicalize().ok())
        .filter(|c| dir.starts_with(c));
    let root = git
        .map(Path::to_path_buf)
        .or(cwd)
        .unwrap_or_else(|| dir.clone());
    let rel = dir
        .strip_prefix(&root)
        .map(|r| {
            r.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/")
        })
        .unwrap_or_default();
    Ok((root, rel))
}

/// `kustomize build DIR`: nothing is printed when it fails, as with kustomize.
fn plain(dir: &Path, show_origin: bool) -> Result<Built, Error> {
    let (root, rel) = build_root(dir)?;
    let src = DiskSource::new(root);
    let build = kustomize::build(&src, &rel, None);
    if !build.errors.is_empty() {
        let problems = build
            .errors
            .iter()
            .map(|e| format!("{}: {} (at {})", e.origin.file, e.message, e.origin.pointer))
            .collect();
        return Ok(Built {
            yaml: String::new(),
            problems,
        });
    }
    let mut out = String::new();
    for r in &build.resources {
        let origin =
            show_origin.then(|| format!("{} (document {})", r.origin.file, r.origin.doc + 1));
        out.push_str(&yaml(&r.value, origin)?);
    }
    Ok(Built {
        yaml: out,
        problems: Vec::new(),
    })
}
