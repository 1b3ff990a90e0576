//! `fluxprint graph`: the Flux dependsOn graph and the call graph, for reviewers.

use std::process::ExitCode;

use clap::{Args, ValueEnum};
use fluxprint::{graph, Error};

use super::output::Output;
use super::InputPaths;

/// Output format of `graph`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Markdown with Mermaid blocks (GitLab renders them).
    Mermaid,
    /// Graphviz DOT.
    Dot,
}

/// Arguments of `graph`.
#[derive(Debug, Args)]
pub struct GraphArgs {
    #[command(flatten)]
    input: InputPaths,
    /// Only this cluster (repeatable).
    #[arg(long = "cluster", id = "only_cluster", value_name = "NAME")]
    clusters: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
    format: GraphFormat,
}

/// `fluxprint graph`.
pub fn graph(args: &GraphArgs, out: &mut Output) -> Result<ExitCode, Error> {
    let project = super::load_project(&args.input, out)?;
    let mut graphs = Vec::new();
    for c in project.select(&args.clusters)? {
        let files = project.render(std::slice::from_ref(&c.name))?;
        graphs.push(graph::cluster_graph(
            c,
            project.services_of(&c.name),
            &files,
        ));
    }
    out.stdout(&match args.format {
        GraphFormat::Mermaid => graph::mermaid(&graphs),
        GraphFormat::Dot => graph::dot(&graphs),
    });
    Ok(ExitCode::SUCCESS)
}
