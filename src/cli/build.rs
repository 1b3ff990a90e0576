//! `fluxprint build`: a thin layer over [`fluxprint::build`].

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use fluxprint::build::{run, BuildRequest};
use fluxprint::Error;

use super::output::Output;

/// Arguments of `build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The repository (default: the current directory).
    #[arg(default_value = ".", value_name = "PATH")]
    path: PathBuf,
    /// Only this cluster (`prod` for `clusters/prod`, or the directory).
    #[arg(long, value_name = "NAME")]
    cluster: Option<String>,
    /// Only this Flux Kustomization.
    #[arg(long, value_name = "NAMESPACE/NAME")]
    kustomization: Option<String>,
    /// Precede each object with `# from file:line`.
    #[arg(long)]
    show_origin: bool,
    /// Build one plain kustomize directory, like `kustomize build DIR`.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["cluster", "kustomization"])]
    kustomize: Option<PathBuf>,
}

/// `fluxprint build`.
pub fn build(args: &BuildArgs, out: &mut Output) -> Result<ExitCode, Error> {
    let request = BuildRequest {
        path: args.kustomize.clone().unwrap_or_else(|| args.path.clone()),
        cluster: args.cluster.clone(),
        kustomization: args.kustomization.clone(),
        show_origin: args.show_origin,
        kustomize: args.kustomize.is_some(),
    };
    let built = run(&request)?;
    out.stdout(&built.yaml);
    if built.problems.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    out.status(&format!(
        "error: these do not build (left out above):\n  {}",
        built.problems.join("\n  ")
    ));
    Ok(ExitCode::from(2))
}
