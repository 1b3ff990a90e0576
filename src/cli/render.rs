//! `fluxprint render` and `fluxprint check`: one rendering, two sinks (write or compare).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use fluxprint::emit::{self, Change, Planned, RenderedFile};
use fluxprint::files::{self, Lock, OutTree, Wait};
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
    /// Fail at once when another fluxprint is writing the output tree, instead of waiting
    /// up to 60 seconds for it.
    #[arg(long)]
    no_wait: bool,
    /// Validate the output even when `.fluxprint-cache/` remembers it as clean.
    #[arg(long)]
    no_cache: bool,
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
    /// Fail at once when another fluxprint is writing the output tree, instead of waiting
    /// up to 60 seconds for it.
    #[arg(long)]
    no_wait: bool,
    /// Validate the output even when `.fluxprint-cache/` remembers it as clean.
    #[arg(long)]
    no_cache: bool,
}

/// The lock wait `--no-wait` asks for.
pub(super) fn wait(no_wait: bool) -> Wait {
    if no_wait {
        Wait::No
    } else {
        files::tree::DEFAULT_WAIT
    }
}

/// A project rendered and planned against its output tree.
struct Run {
    project: Project,
    /// Held until the run ends.
    tree: OutTree,
    files: Vec<RenderedFile>,
    planned: Vec<Planned>,
}

impl Drop for Run {
    fn drop(&mut self) {
        // The process exits right after a run: the system reclaims the rendered and planned
        // files (tens of thousands of strings and values) at once, where freeing them one by
        // one took a twentieth of a large `check`. The lock is released as usual.
        std::mem::forget(std::mem::take(&mut self.files));
        std::mem::forget(std::mem::take(&mut self.planned));
    }
}

/// Loads, renders, opens and locks the output tree (only once the input is known to be
/// valid, so that invalid input creates nothing) and plans; prints warnings.
fn planned(
    input: &InputArgs,
    out_dir: &std::path::Path,
    lock: (Lock, Wait),
    clusters: &[String],
    out: &mut Output,
) -> Result<Run, Error> {
    out.format = input.format;
    let project = super::load_project(&input.paths, out)?;
    let files = project.render(clusters)?;
    let roots: Vec<String> = project
        .select(clusters)?
        .iter()
        .map(|c| c.name.clone())
        .collect();
    let tree = OutTree::open(out_dir, lock.0, lock.1)?;
    let planned = emit::plan(&tree, &roots, &files)?;
    Ok(Run {
        project,
        tree,
        files,
        planned,
    })
}

/// Runs the validator over each rendered cluster tree, graded by the cluster's policy;
/// prints findings and says whether any is an error.
/// The output validation: any finding is a bug of fluxprint, reported at the blueprint or
/// cluster file the generated file came from (never at a generated line).
fn validate_output(
    run: &Run,
    input: &InputArgs,
    (out_dir, clusters): (&std::path::Path, &[String]),
    no_cache: bool,
    out: &Output,
) -> Result<bool, Error> {
    let project = &run.project;
    let cache = (!no_cache).then(|| input.inputs().cache());
    let known = emit::known(out_dir, &run.files, &run.planned);
    let found = project.validate_output_keeping(out_dir, clusters, cache.as_ref(), &known)?;
    // The process exits soon: the system reclaims the parsed trees at once.
    std::mem::forget(found.trees);
    if !found.diagnostics.is_empty() {
        let mut sources = project.sources.clone();
        sources.extend(found.sources);
        out.diagnostics(&found.diagnostics, &sources);
    }
    Ok(fluxprint::diag::has_errors(&found.diagnostics))
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
    // The lock is held from planning through validation of the written tree.
    let lock = if args.dry_run {
        Lock::Shared
    } else {
        Lock::Exclusive
    };
    let run = planned(
        &args.input,
        &args.out,
        (lock, wait(args.no_wait)),
        &args.clusters,
        out,
    )?;
    let planned = &run.planned;
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
        out.status(&format!("dry run: would leave {}", counts(planned)));
        return Ok(ExitCode::SUCCESS);
    }
    emit::apply(&run.tree, planned)?;
    out.status(&format!("{}: {}", args.out.display(), counts(planned)));
    // The output goes through the same validation as any repository.
    let target = (args.out.as_path(), args.clusters.as_slice());
    if validate_output(&run, &args.input, target, args.no_cache, out)? {
        out.status("the rendered trees have validation errors (above)");
        return Ok(ExitCode::from(FINDINGS));
    }
    Ok(ExitCode::SUCCESS)
}

/// `fluxprint check`.
pub fn check(args: &CheckArgs, out: &mut Output) -> Result<ExitCode, Error> {
    let run = planned(
        &args.input,
        &args.out,
        (Lock::Shared, wait(args.no_wait)),
        &args.clusters,
        out,
    )?;
    let planned = &run.planned;
    let stale = planned
        .iter()
        .filter(|p| p.change != Change::Unchanged)
        .count();
    if stale == 0 {
        out.status(&format!("{} is up to date", args.out.display()));
        let target = (args.out.as_path(), args.clusters.as_slice());
        if validate_output(&run, &args.input, target, args.no_cache, out)? {
            return Ok(ExitCode::from(FINDINGS));
        }
        return Ok(ExitCode::SUCCESS);
    }
    // With `--format json` standard output carries only the JSON diagnostics.
    match args.input.format {
        super::Format::Human => out.stdout(&emit::diff(planned)),
        super::Format::Json => out.status(&emit::diff(planned)),
    }
    out.status(&format!(
        "{} is stale: {stale} file(s) differ ({}); run `fluxprint render`",
        args.out.display(),
        counts(planned)
    ));
    Ok(ExitCode::from(FINDINGS))
}
