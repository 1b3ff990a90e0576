//! `fluxprint init`: a new platform repository, or only its `.gitlab-ci.yml`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use fluxprint::blueprint::cluster::Policy;
use fluxprint::emit;
use fluxprint::render::scaffold::{gitlab_ci, https_repo, init_files, CiCluster, InitOptions};
use fluxprint::{Error, Inputs, Project};

use super::output::Output;

/// Arguments of `init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Directory of the new repository (created if missing).
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Git host of the GitOps repositories.
    #[arg(long, default_value = "gitlab.com")]
    git_host: String,
    /// Group holding the GitOps repositories `gitops-dev` and `gitops-prod`.
    #[arg(long, default_value = "example")]
    git_group: String,
    /// Image repository of the example service `hello`.
    #[arg(long, default_value = "registry.gitlab.com/example/hello")]
    example_image: String,
    /// Image of the CI jobs; it needs fluxprint and git.
    #[arg(long, default_value = "registry.gitlab.com/example/fluxprint:latest")]
    fluxprint_image: String,
    /// Write only `.gitlab-ci.yml`, with one publish job per existing cluster file.
    #[arg(long)]
    ci_only: bool,
}

/// Publish targets from the cluster files of an existing repository.
fn ci_clusters(dir: &Path) -> Result<Vec<CiCluster>, Error> {
    let project = Project::load(&Inputs::under(dir))?;
    project
        .clusters
        .iter()
        .map(|c| {
            let git = c.git.as_ref();
            let url = git.map(|g| g.url.as_str()).unwrap_or_default();
            let repo = https_repo(url).ok_or_else(|| {
                Error::Usage(format!(
                    "{}: `git.url` (`{url}`) is needed to publish cluster `{}`",
                    c.file, c.name
                ))
            })?;
            let branch = git.and_then(|g| g.branch.as_deref()).unwrap_or("main");
            Ok(CiCluster::new(
                &c.name,
                repo,
                branch,
                c.policy == Policy::Strict,
            ))
        })
        .collect()
}

/// `fluxprint init`.
pub fn init(args: &InitArgs, out: &mut Output) -> Result<ExitCode, Error> {
    let files = if args.ci_only {
        vec![(
            ".gitlab-ci.yml".to_owned(),
            gitlab_ci(&ci_clusters(&args.dir)?, &args.fluxprint_image)?,
        )]
    } else {
        init_files(&InitOptions {
            git_host: args.git_host.clone(),
            git_group: args.git_group.clone(),
            example_image: args.example_image.clone(),
            fluxprint_image: args.fluxprint_image.clone(),
        })?
    };
    // All or nothing: refuse before writing anything.
    let existing: Vec<String> = files
        .iter()
        .map(|(path, _)| args.dir.join(path))
        .filter(|p| p.exists())
        .map(|p| p.display().to_string())
        .collect();
    if !existing.is_empty() {
        return Err(Error::Usage(format!(
            "refusing to overwrite {}",
            existing.join(", ")
        )));
    }
    for (path, text) in &files {
        emit::write_atomic(&args.dir.join(path), text)?;
    }
    if args.ci_only {
        out.status(&format!(
            "wrote {}",
            args.dir.join(".gitlab-ci.yml").display()
        ));
        return Ok(ExitCode::SUCCESS);
    }
    // The drift gate expects the rendered trees committed next to the blueprints.
    let project = Project::load(&Inputs::under(&args.dir))?;
    let rendered = project.render(&[])?;
    let roots: Vec<String> = project.clusters.iter().map(|c| c.name.clone()).collect();
    let gitops = args.dir.join("gitops");
    let tree = fluxprint::files::OutTree::open(
        &gitops,
        fluxprint::files::Lock::Exclusive,
        fluxprint::files::tree::DEFAULT_WAIT,
    )?;
    let planned = emit::plan(&tree, &roots, &rendered)?;
    emit::apply(&tree, &planned)?;
    out.status(&format!(
        "wrote {} files and {}/; next: edit clusters/*.yaml (git URLs, nodes) and blueprints/hello.yaml, run `fluxprint render`, commit, and define the CI/CD variables listed in .gitlab-ci.yml",
        files.len(),
        gitops.display()
    ));
    Ok(ExitCode::SUCCESS)
}
