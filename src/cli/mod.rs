//! The command line: clap definitions, dispatch, terminal output and exit codes. Everything
//! else lives in the library.
//!
//! Exit codes: 0 success, 1 findings or stale output, 2 invalid input or usage error.

mod build;
mod diff;
mod graph;
mod init;
mod new;
mod output;
mod plan;
mod promote;
mod render;
mod schema;
mod seal;
mod validate;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

pub use output::Output;

/// fluxprint: typed service blueprints → FluxCD GitOps repositories.
#[derive(Debug, Parser)]
#[command(name = "fluxprint", version, about, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Render every cluster's GitOps tree from the blueprints (write, update, prune).
    Render(render::RenderArgs),
    /// Render in memory and compare with the output tree; print a diff and exit 1 when stale.
    Check(render::CheckArgs),
    /// Print the JSON Schema of blueprint or cluster files (for editor completion).
    Schema(schema::SchemaArgs),
    /// Write a commented starter blueprint for a new service.
    New(new::NewArgs),
    /// Seal a secret value (read from standard input) for a service, per cluster.
    Seal(seal::SealArgs),
    /// Sealed secrets of the project.
    #[command(subcommand)]
    Secrets(seal::SecretsCommand),
    /// Validate any manifest tree: schemas, cross-object rules, Flux, secrets.
    Validate(validate::ValidateArgs),
    /// Print what Flux would apply (a cluster, one Kustomization, or a kustomize directory).
    Build(build::BuildArgs),
    /// Print the documentation of a validation rule.
    Explain(validate::ExplainArgs),
    /// Scaffold a new platform repository (blueprints, clusters, .gitlab-ci.yml, rendered trees).
    Init(init::InitArgs),
    /// What `render` would change, grouped by object (exit 1 when something would).
    Diff(diff::DiffArgs),
    /// The Flux dependsOn graph and the call graph, as Mermaid or DOT.
    Graph(graph::GraphArgs),
    /// Pin the tag running in one cluster (or --tag) for another, in the blueprint.
    Promote(promote::PromoteArgs),
    /// Capacity and cost per cluster: pods at peak, nodes at min and max replicas, cost.
    Plan(plan::PlanArgs),
}

/// Where inputs are, shared by the commands that read them.
#[derive(Debug, Args)]
pub struct InputPaths {
    /// Directory of blueprint files.
    #[arg(long, default_value = "blueprints", value_name = "DIR")]
    pub blueprints: PathBuf,
    /// Directory of cluster files.
    #[arg(long, default_value = "clusters", value_name = "DIR")]
    pub clusters: PathBuf,
    /// Directory of platform component files (none when it does not exist).
    #[arg(long, default_value = "platform", value_name = "DIR")]
    pub platform: PathBuf,
    /// Directory of chart schemas, `<chart>/<version>/values.schema.json` (repeatable,
    /// searched in order; missing directories hold none).
    #[arg(long = "charts", value_name = "DIR", default_values_t = fluxprint::project::DEFAULT_CHARTS.map(String::from))]
    pub charts: Vec<String>,
    /// Also say what was not checked (component values without a chart schema).
    #[arg(long)]
    pub verbose: bool,
}

impl InputPaths {
    fn inputs(&self) -> fluxprint::Inputs {
        fluxprint::Inputs {
            blueprints: self.blueprints.clone(),
            clusters: self.clusters.clone(),
            platform: self.platform.clone(),
            charts: self.charts.iter().map(PathBuf::from).collect(),
        }
    }
}

/// Loads the project at `paths`, printing its warnings (errors stop the command).
fn load_project(paths: &InputPaths, out: &Output) -> Result<fluxprint::Project, fluxprint::Error> {
    let project = fluxprint::Project::load(&paths.inputs())?;
    if !project.warnings.is_empty() {
        out.diagnostics(&project.warnings, &project.sources);
    }
    if paths.verbose {
        for note in project.unchecked_values() {
            out.status(&format!("note: {note}"));
        }
    }
    Ok(project)
}

/// Input paths and the diagnostics format.
#[derive(Debug, Args)]
pub struct InputArgs {
    #[command(flatten)]
    pub paths: InputPaths,
    /// Diagnostics format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

impl InputArgs {
    fn inputs(&self) -> fluxprint::Inputs {
        self.paths.inputs()
    }
}

/// Output format for diagnostics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Readable text on standard error, colored on a terminal.
    Human,
    /// A JSON array on standard output.
    Json,
}

/// True when the (innermost) subcommand was given `--format json`.
fn asks_for_json(matches: &ArgMatches) -> bool {
    let mut m = matches;
    while let Some((_, sub)) = m.subcommand() {
        m = sub;
    }
    m.try_get_raw("format")
        .ok()
        .flatten()
        .is_some_and(|mut values| values.any(|v| v == "json"))
}

/// True when raw arguments ask for `--format json` (for a command line that does not parse).
fn args_ask_for_json(args: &[std::ffi::OsString]) -> bool {
    args.iter()
        .zip(args.iter().skip(1))
        .any(|(a, b)| a == "--format" && b == "json")
        || args.iter().any(|a| a == "--format=json")
}

/// Parses arguments, runs the command, maps the result to an exit code.
pub fn run() -> ExitCode {
    let mut out = Output::new();
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let parsed = Cli::command()
        .try_get_matches_from(&args)
        .and_then(|m| Cli::from_arg_matches(&m).map(|cli| (cli, m)));
    let cli = match parsed {
        Ok((cli, matches)) => {
            out.json_errors = asks_for_json(&matches);
            cli
        }
        Err(e) if !e.use_stderr() => e.exit(),
        Err(e) => {
            out.json_errors = args_ask_for_json(&args);
            return out.usage_error(&e.render().to_string());
        }
    };
    let result = match cli.command {
        Command::Render(args) => render::render(&args, &mut out),
        Command::Check(args) => render::check(&args, &mut out),
        Command::Schema(args) => schema::schema(&args, &mut out),
        Command::New(args) => new::new(&args, &mut out),
        Command::Seal(args) => seal::seal(&args, &mut out),
        Command::Secrets(seal::SecretsCommand::Status(args)) => seal::status(&args, &mut out),
        Command::Validate(args) => validate::validate(&args, &mut out),
        Command::Build(args) => build::build(&args, &mut out),
        Command::Explain(args) => validate::explain(&args, &mut out),
        Command::Plan(args) => plan::plan(&args, &mut out),
        Command::Init(args) => init::init(&args, &mut out),
        Command::Promote(args) => promote::promote(&args, &mut out),
        Command::Diff(args) => diff::diff(&args, &mut out),
        Command::Graph(args) => graph::graph(&args, &mut out),
    };
    match result {
        Ok(code) => code,
        Err(err) => out.error(&err),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn arguments_are_well_formed() {
        // clap checks ids, names and defaults of every subcommand only when it builds them.
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
