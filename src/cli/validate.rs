//! `fluxprint validate` and `fluxprint explain`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use fluxprint::blueprint::cluster::Policy;
use fluxprint::diag::{render, Diagnostic, Severity};
use fluxprint::validate::apiserver::settings::ServerSettings;
use fluxprint::validate::request::Request;
use fluxprint::validate::{registry, report, Report};
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
    /// Default: `clusters/` of the project the first path belongs to (found from the path,
    /// whatever the working directory), else `clusters/` here.
    #[arg(long, value_name = "DIR")]
    clusters: Option<PathBuf>,
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
    /// The tree is all there is: references to objects it does not hold (chart sources,
    /// valuesFrom, HelmRelease dependencies) are errors, not "not in this tree" warnings.
    #[arg(long)]
    self_contained: bool,
    /// The target cluster's Service cluster IP range(s), as its kube-apiserver flag of the
    /// same name gives them (`10.96.0.0/12`, or an IPv4 and an IPv6 CIDR separated by a
    /// comma). Default: not known, and any well-formed clusterIP is accepted.
    #[arg(long, value_name = "CIDR[,CIDR]")]
    service_cluster_ip_range: Option<String>,
    /// The target cluster's feature gates, as its kube-apiserver flag of the same name gives
    /// them (`HPAScaleToZero=false`; repeatable). Default: not known, and what a gate would
    /// allow is accepted.
    #[arg(long, value_name = "NAME=BOOL,...")]
    feature_gates: Vec<String>,
}

/// Arguments of `explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A validator rule code (GO201) or a blueprint diagnostic code (BP118).
    #[arg(required_unless_present = "markdown")]
    code: Option<String>,
    /// Print every rule as markdown (the text of docs/rules.md).
    #[arg(long)]
    markdown: bool,
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
    let request = Request {
        paths: args.paths.clone(),
        crds: args.crds.clone(),
        policy: args.policy.map(|p| match p {
            PolicyArg::Strict => Policy::Strict,
            PolicyArg::Relaxed => Policy::Relaxed,
        }),
        ignore: args.ignore.clone(),
        strict_kinds: args.strict_kinds,
        gateways: args.gateways.clone(),
        external: args.external.clone(),
        self_contained: args.self_contained,
        server: ServerSettings::from_flags(
            args.service_cluster_ip_range.as_deref(),
            &args.feature_gates,
        )
        .map_err(Error::Usage)?,
        clusters: args
            .clusters
            .clone()
            .unwrap_or_else(|| fluxprint::validate::request::clusters_dir_for(&args.paths)),
    };
    let (report, trees) = request.run()?;
    // The process exits soon: the system reclaims the parsed trees at once.
    std::mem::forget(trees);
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
    if let Some(rule) = registry::find(&code) {
        out.stdout(&registry::explain(rule));
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(c) = fluxprint::blueprint::codes::find(&code) {
        out.stdout(&fluxprint::blueprint::codes::explain(c));
        return Ok(ExitCode::SUCCESS);
    }
    Err(Error::Usage(format!(
        "no code `{code}`; see docs/rules.md (GO…) and docs/blueprint.md (BP…)"
    )))
}
