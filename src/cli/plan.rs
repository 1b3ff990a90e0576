//! `fluxprint plan`: capacity and cost per cluster.

use std::process::ExitCode;

use clap::{Args, ValueEnum};
use fluxprint::capacity::{self, report};
use fluxprint::Error;

use super::output::Output;
use super::InputPaths;

/// Output format of the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// Aligned tables.
    Human,
    /// The plan as JSON (docs/planning.md).
    Json,
    /// Markdown tables, for merge request comments.
    Markdown,
}

/// Arguments of `plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    input: InputPaths,
    /// Plan only this cluster (repeatable).
    #[arg(long = "cluster", id = "only_cluster", value_name = "NAME")]
    clusters: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PlanFormat::Human)]
    format: PlanFormat,
}

/// `fluxprint plan`.
pub fn plan(args: &PlanArgs, out: &mut Output) -> Result<ExitCode, Error> {
    let project = super::load_project(&args.input, out)?;
    let plans = capacity::plan(&project, &project.select(&args.clusters)?);
    let text = match args.format {
        PlanFormat::Human => report::human(&plans),
        PlanFormat::Markdown => report::markdown(&plans),
        PlanFormat::Json => {
            serde_json::to_string_pretty(&plans).map_err(|e| Error::Internal(e.to_string()))? + "\n"
        }
    };
    out.stdout(&text);
    Ok(ExitCode::SUCCESS)
}
