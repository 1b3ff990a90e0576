//! `fluxprint validate` and `fluxprint explain`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use fluxprint::blueprint::cluster::Policy;
use fluxprint::diag::{render, Diagnostic, Severity};
use fluxprint::validate::rule::Options;
use fluxprint::validate::schema::SchemaStore;
use fluxprint::validate::{self, registry, report, Report};
use fluxprint::Error;

use super::output::{Output, FINDINGS};

/// Report formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// rustc-style text.
    Human,
    /// A JSON array.
    Json,
    /// JUnit XML (GitLab test report).
    Junit,
    /// GitLab Code Quality JSON.
    Codequality,
    /// SARIF 2.1.0.
    Sarif,
}

/// The policy names on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PolicyArg {
    /// Production: hygiene findings are errors.
    Strict,
    /// Development: hygiene findings are warnings.
    Relaxed,
}

/// The severity at which the run fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Fail on errors only.
    Error,
    /// Fail on warnings too.
    Warning,
}

/// Arguments of `validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Trees or files to validate.
    #[arg(default_value = "gitops")]
    paths: Vec<PathBuf>,
    /// Directories (or files) of CRDs to learn schemas from (CRDs inside the tree are always learned).
    #[arg(long, value_name = "DIR")]
    crds: Vec<PathBuf>,
    /// Kubernetes version of the built-in schemas (only 1.35 is supported).
    #[arg(long, default_value = "1.35")]
    kubernetes_version: String,
    /// Grading of hygiene findings; default: strict when the tree's fluxprint cluster file says so.
    #[arg(long, value_enum)]
    policy: Option<PolicyArg>,
    /// fluxprint cluster files, to pick the policy and the external Kustomizations of a tree.
    #[arg(long, default_value = "clusters", value_name = "DIR")]
    clusters: PathBuf,
    /// Report format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    format: ReportFormat,
    /// Write the report to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Codes not to report (repeatable).
    #[arg(long = "ignore", value_name = "CODE")]
    ignore: Vec<String>,
    /// Fail (exit 1) on findings at or above this severity.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    fail_on: FailOn,
    /// Objects of unknown kinds are errors, not warnings.
    #[arg(long)]
    strict_kinds: bool,
    /// A Gateway that exists outside the tree, `namespace/name` (repeatable).
    #[arg(long = "gateway", value_name = "NS/NAME")]
    gateways: Vec<String>,
    /// A Flux Kustomization that exists outside the tree (repeatable).
    #[arg(long = "external-kustomization", value_name = "NAME")]
    external: Vec<String>,
}

/// Arguments of `explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A rule code, e.g. GO201.
    #[arg(required_unless_present = "markdown")]
    code: Option<String>,
    /// Print every rule as markdown (the text of docs/rules.md).
    #[arg(long)]
    markdown: bool,
}

/// The fluxprint cluster files of `dir` (unreadable or invalid ones are skipped: `validate`
/// works without them).
fn cluster_files(dir: &Path) -> Vec<fluxprint::blueprint::Cluster> {
    let Ok(files) = fluxprint::blueprint::load::yaml_files(dir) else {
        return Vec::new();
    };
    files
        .iter()
        .filter_map(|file| {
            // Bounded, regular files only: a FIFO in clusters/ must not hang validation.
            let bytes =
                fluxprint::files::read_regular(file, fluxprint::files::MAX_INPUT_BYTES).ok()?;
            let text = String::from_utf8(bytes).ok()?;
            let docs = fluxprint::source::yaml::parse_documents(&text).ok()?;
            serde_json::from_value(docs.first()?.to_json()).ok()
        })
        .collect()
}

/// The last component of `path`, resolving `.` and `..`.
fn last_name(path: &Path) -> Option<String> {
    path.canonicalize()
        .unwrap_or_else(|_| path.to_owned())
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
}

/// Policy, external Kustomizations and platform gateways from the fluxprint cluster files
/// whose name is the last component of a validated path (`gitops/prod` → `clusters/prod.yaml`).
fn cluster_settings(
    clusters: &[fluxprint::blueprint::Cluster],
    paths: &[PathBuf],
) -> (Option<Policy>, Vec<String>, Vec<String>) {
    let mut policy = None;
    let mut external = Vec::new();
    let mut gateways = Vec::new();
    let names: Vec<Option<String>> = paths.iter().map(|p| last_name(p)).collect();
    for cluster in clusters {
        if !names.iter().flatten().any(|n| *n == cluster.name) {
            continue;
        }
        let p = cluster.policy.unwrap_or_default();
        policy = Some(match (policy, p) {
            (Some(Policy::Strict), _) | (_, Policy::Strict) => Policy::Strict,
            _ => Policy::Relaxed,
        });
        external.extend(cluster.infrastructure.clone().unwrap_or_default());
        if let Some(m) = cluster.mesh.clone().filter(|m| m.create_gateway.is_none()) {
            gateways.extend(m.gateway);
        }
    }
    (policy, external, gateways)
}

/// The repositories to validate: a directory holding one subdirectory per cluster (the
/// `gitops/` that `render` writes) stands for those subdirectories. `Some` when every path is
/// then a cluster repository, which is validated on its own with its cluster's settings.
fn cluster_roots(
    clusters: &[fluxprint::blueprint::Cluster],
    paths: &[PathBuf],
) -> Option<Vec<PathBuf>> {
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

/// Runs the validator over `paths` with `options`.
pub fn run_validation(
    paths: &[PathBuf],
    crds: &[PathBuf],
    options: &Options,
) -> Result<Report, Error> {
    let mut schemas = SchemaStore::with_builtins();
    for dir in crds {
        let learned = if dir.is_dir() {
            schemas.add_crd_dir(dir)
        } else {
            schemas.add_crd_file(dir)
        };
        learned.map_err(|e| match e {
            validate::schema::SchemaError::Read { path, source } => Error::Read { path, source },
            other => Error::Usage(other.to_string()),
        })?;
    }
    let (report, tree) = validate::run_keeping_tree(paths, schemas, options)?;
    // The process exits soon: freeing a large parsed tree object by object would cost about
    // a fifth of the run, and the system reclaims it at once.
    std::mem::forget(tree);
    Ok(report)
}

/// Prints `report` in `format`; returns the exit code for `fail_on`.
fn emit(
    report: &Report,
    format: ReportFormat,
    output: Option<&Path>,
    fail_on: FailOn,
    out: &Output,
) -> Result<ExitCode, Error> {
    let d = &report.diagnostics;
    let text = match format {
        ReportFormat::Human => {
            let mut t = render::human(d, &report.sources, out.color && output.is_none());
            t.push_str(&format!(
                "validated {} objects in {} files\n",
                report.objects, report.files
            ));
            t
        }
        ReportFormat::Json => render::json(d),
        ReportFormat::Junit => report::junit(d, report.files),
        ReportFormat::Codequality => report::codequality(d),
        ReportFormat::Sarif => report::sarif(d),
    };
    match output {
        Some(path) => {
            fluxprint::emit::write_atomic(path, &text)?;
            out.status(&format!(
                "{} finding(s); report written to {}",
                d.len(),
                path.display()
            ));
        }
        None if format == ReportFormat::Human => out.status(text.trim_end()),
        None => out.stdout(&text),
    }
    Ok(exit_code(d, fail_on))
}

/// 1 when a finding is at or above the fail level.
pub fn exit_code(d: &[Diagnostic], fail_on: FailOn) -> ExitCode {
    let failing = d.iter().any(|d| {
        d.severity == Severity::Error
            || (fail_on == FailOn::Warning && d.severity == Severity::Warning)
    });
    if failing {
        ExitCode::from(FINDINGS)
    } else {
        ExitCode::SUCCESS
    }
}

/// `fluxprint validate`.
pub fn validate(args: &ValidateArgs, out: &mut Output) -> Result<ExitCode, Error> {
    if args.kubernetes_version != "1.35" {
        return Err(Error::Usage(format!(
            "Kubernetes {} is not supported; only 1.35 is",
            args.kubernetes_version
        )));
    }
    for code in &args.ignore {
        if registry::find(code).is_none() {
            return Err(Error::Usage(format!(
                "--ignore {code}: no such rule (see docs/rules.md)"
            )));
        }
    }
    let clusters = cluster_files(&args.clusters);
    let options_for = |paths: &[PathBuf]| {
        let (cluster_policy, external, platform_gateways) = cluster_settings(&clusters, paths);
        Options {
            policy: match args.policy {
                Some(PolicyArg::Strict) => Policy::Strict,
                Some(PolicyArg::Relaxed) => Policy::Relaxed,
                None => cluster_policy.unwrap_or(Policy::Relaxed),
            },
            ignore: args.ignore.iter().map(|c| c.to_uppercase()).collect(),
            strict_kinds: args.strict_kinds,
            gateways: args
                .gateways
                .iter()
                .cloned()
                .chain(platform_gateways)
                .collect(),
            external_kustomizations: args.external.iter().cloned().chain(external).collect(),
        }
    };
    let report = match cluster_roots(&clusters, &args.paths) {
        // Each cluster repository on its own: Flux paths are relative to its root, and dev
        // and prod are graded by their own policies.
        Some(roots) if roots.len() > 1 || roots != args.paths => {
            let mut all = Report::default();
            for root in &roots {
                let one = std::slice::from_ref(root);
                let report = run_validation(one, &args.crds, &options_for(one))?;
                all.merge_under(
                    &fluxprint::source::display_path(Path::new(""), root),
                    report,
                );
            }
            fluxprint::diag::normalize(&mut all.diagnostics);
            all
        }
        _ => run_validation(&args.paths, &args.crds, &options_for(&args.paths))?,
    };
    emit(
        &report,
        args.format,
        args.output.as_deref(),
        args.fail_on,
        out,
    )
}

/// `fluxprint explain`.
pub fn explain(args: &ExplainArgs, out: &mut Output) -> Result<ExitCode, Error> {
    if args.markdown {
        out.stdout(&registry::rules_markdown());
        return Ok(ExitCode::SUCCESS);
    }
    let code = args.code.clone().unwrap_or_default();
    match registry::find(&code) {
        Some(rule) => {
            out.stdout(&registry::explain(rule));
            Ok(ExitCode::SUCCESS)
        }
        None => Err(Error::Usage(format!("no rule `{code}`; see docs/rules.md"))),
    }
}
