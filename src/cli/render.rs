//! `fluxprint render` and `fluxprint check`: one rendering, two sinks (write or compare).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use fluxprint::emit::{self, Change, Planned};
use fluxprint::{Error, Project};

use super::output::{Output, FINDINGS};
use super::InputArgs;

/// Arguments of `render`.
#[derive(Debug, Args)]
pub struct RenderArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Output directory; one subdirectory per cluster.
    #[arg(long, default_value = "gitops", value_name = "DIR")]
    out: PathBuf,
    /// Render only this cluster (repeatable).
    #[arg(long = "cluster", id = "only_cluster", value_name = "NAME")]
    clusters: Vec<String>,
    /// List what would be created, changed and deleted, and write nothing.
    #[arg(long)]
    dry_run: bool,
}

/// Arguments of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Output directory to compare with.
    #[arg(long, default_value = "gitops", value_name = "DIR")]
    out: PathBuf,
    /// Check only this cluster (repeatable).
    #[arg(long = "cluster", id = "only_cluster", value_name = "NAME")]
    clusters: Vec<String>,
}

/// Loads, renders and plans; prints warnings.
fn planned(
    input: &InputArgs,
    out_dir: &std::path::Path,
    clusters: &[String],
    out: &mut Output,
) -> Result<(Project, Vec<Planned>), Error> {
    out.format = input.format;
    let project = Project::load(&input.inputs())?;
    if !project.warnings.is_empty() {
        out.diagnostics(&project.warnings, &project.sources);
    }
    let files = project.render(clusters)?;
    let roots: Vec<String> = project
        .select(clusters)?
        .iter()
        .map(|c| c.name.clone())
        .collect();
    let planned = emit::plan(out_dir, &roots, &files)?;
    Ok((project, planned))
}

/// Runs the validator over each rendered cluster tree, graded by the cluster's policy;
/// prints findings and says whether any is an error.
fn validate_output(
    project: &Project,
    out_dir: &std::path::Path,
    clusters: &[String],
    out: &Output,
) -> Result<bool, Error> {
    let mut failed = false;
    for cluster in project.select(clusters)? {
        let options = fluxprint::validate::rule::Options {
            policy: cluster.policy,
            external_kustomizations: cluster
                .spec
                .infrastructure
                .iter()
                .flatten()
                .cloned()
                .collect(),
            // A gateway the platform provides is outside the tree.
            gateways: cluster
                .mesh
                .iter()
                .filter(|m| m.create_gateway.is_none())
                .map(|m| format!("{}/{}", m.gateway.0, m.gateway.1))
                .collect(),
            ..Default::default()
        };
        let report =
            super::validate::run_validation(&[out_dir.join(&cluster.name)], &[], &options)?;
        if !report.diagnostics.is_empty() {
            out.diagnostics(&report.diagnostics, &report.sources);
        }
        failed |= fluxprint::diag::has_errors(&report.diagnostics);
    }
    Ok(failed)
}

fn counts(planned: &[Planned]) -> String {
    let s = emit::summary(planned);
    let n = |c: Change| s.get(&c).copied().unwrap_or(0);
    format!(
        "{} created, {} updated, {} deleted, {} unchanged",
        n(Change::Create),
        n(Change::Update),
        n(Change::Delete),
        n(Change::Unchanged)
    )
}

/// `fluxprint render`.
pub fn render(args: &RenderArgs, out: &mut Output) -> Result<ExitCode, Error> {
    let (project, planned) = planned(&args.input, &args.out, &args.clusters, out)?;
    if args.dry_run {
        let mut text = String::new();
        for p in planned.iter().filter(|p| p.change != Change::Unchanged) {
            let verb = match p.change {
                Change::Create => "create",
                Change::Update => "update",
                Change::Delete => "delete",
                Change::Unchanged => "keep",
            };
            text.push_str(&format!("{verb} {}\n", args.out.join(&p.path).display()));
        }
        out.stdout(&text);
        out.status(&format!("dry run: would leave {}", counts(&planned)));
        return Ok(ExitCode::SUCCESS);
    }
    emit::apply(&args.out, &planned)?;
    out.status(&format!("{}: {}", args.out.display(), counts(&planned)));
    // The output goes through the same validation as any repository.
    if validate_output(&project, &args.out, &args.clusters, out)? {
        out.status("the rendered trees have validation errors (above)");
        return Ok(ExitCode::from(FINDINGS));
    }
    Ok(ExitCode::SUCCESS)
}

/// `fluxprint check`.
pub fn check(args: &CheckArgs, out: &mut Output) -> Result<ExitCode, Error> {
    let (project, planned) = planned(&args.input, &args.out, &args.clusters, out)?;
    let stale = planned
        .iter()
        .filter(|p| p.change != Change::Unchanged)
        .count();
    if stale == 0 {
        out.status(&format!("{} is up to date", args.out.display()));
        if validate_output(&project, &args.out, &args.clusters, out)? {
            return Ok(ExitCode::from(FINDINGS));
        }
        return Ok(ExitCode::SUCCESS);
    }
    // With `--format json` standard output carries only the JSON diagnostics.
    match args.input.format {
        super::Format::Human => out.stdout(&emit::diff(&planned)),
        super::Format::Json => out.status(&emit::diff(&planned)),
    }
    out.status(&format!(
        "{} is stale: {stale} file(s) differ ({}); run `fluxprint render`",
        args.out.display(),
        counts(&planned)
    ));
    Ok(ExitCode::from(FINDINGS))
}
