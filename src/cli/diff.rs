//! `fluxprint diff`: what a render would change, object by object.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use fluxprint::emit;
use fluxprint::emit::objects::{object_changes, ObjectChange};
use fluxprint::Error;

use super::output::{Output, FINDINGS};
use super::InputPaths;

/// Output format of `diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// Unified diffs under one heading per object, colored on a terminal.
    Human,
    /// A JSON array of object changes (docs/workflow.md).
    Json,
}

/// Arguments of `diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    #[command(flatten)]
    input: InputPaths,
    /// Output directory to compare with.
    #[arg(long, default_value = "gitops", value_name = "DIR")]
    out: PathBuf,
    /// Only this cluster (repeatable).
    #[arg(long = "cluster", id = "only_cluster", value_name = "NAME")]
    clusters: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    format: DiffFormat,
}

fn paint(color: bool, code: &str, text: &str) -> String {
    if color {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}

/// Object changes as text: a heading per cluster and per object, hunks indented below.
pub fn human(changes: &[ObjectChange]) -> String {
    let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::io::stdout().is_terminal();
    let mut text = String::new();
    let mut cluster = None;
    for c in changes {
        if cluster != Some(&c.cluster) {
            let n = changes.iter().filter(|o| o.cluster == c.cluster).count();
            text.push_str(&paint(
                color,
                "1",
                &format!("cluster {}: {n} object(s) would change\n", c.cluster),
            ));
            cluster = Some(&c.cluster);
        }
        let (sign, code) = match c.change {
            "create" => ("+", "1;32"),
            "delete" => ("-", "1;31"),
            _ => ("~", "1;33"),
        };
        let heading = if c.kind.is_empty() {
            format!("{sign} {}\n", c.path)
        } else {
            format!("{sign} {} ({})\n", c.title(), c.path)
        };
        text.push_str(&paint(color, code, &heading));
        // The ---/+++ lines repeat the heading; hunks follow.
        for line in c.diff.lines().skip(2) {
            let code = match line.as_bytes().first() {
                Some(b'+') => "32",
                Some(b'-') => "31",
                Some(b'@') => "36",
                _ => "",
            };
            let line = format!("    {line}");
            text.push_str(&if code.is_empty() {
                line
            } else {
                paint(color, code, &line)
            });
            text.push('\n');
        }
    }
    text
}

/// `fluxprint diff`: exit 0 when nothing would change, 1 when something would.
pub fn diff(args: &DiffArgs, out: &mut Output) -> Result<ExitCode, Error> {
    let project = super::load_project(&args.input, out)?;
    let files = project.render(&args.clusters)?;
    let roots: Vec<String> = project
        .select(&args.clusters)?
        .iter()
        .map(|c| c.name.clone())
        .collect();
    let tree = fluxprint::files::OutTree::open(
        &args.out,
        fluxprint::files::Lock::Shared,
        fluxprint::files::tree::DEFAULT_WAIT,
    )?;
    let planned = emit::plan(&tree, &roots, &files)?;
    let changes = object_changes(&planned);
    match args.format {
        DiffFormat::Json => out.stdout(
            &(serde_json::to_string_pretty(&changes)
                .map_err(|e| Error::Internal(e.to_string()))?
                + "\n"),
        ),
        DiffFormat::Human => {
            out.stdout(&human(&changes));
            out.status(&if changes.is_empty() {
                format!("{} is up to date", args.out.display())
            } else {
                format!("{} object(s) would change", changes.len())
            });
        }
    }
    Ok(if changes.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(FINDINGS)
    })
}
