//! `fluxprint seal` and `fluxprint secrets status`. Values are read from standard input (never
//! from arguments, which other users can see), without echo on a terminal.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::SystemTime;

use clap::{Args, Subcommand};
use fluxprint::blueprint::cluster::SealingScope;
use fluxprint::seal::dotenv::{self, Entry};
use fluxprint::seal::workflow;
use fluxprint::seal::{seal_value, SealingCert};
use fluxprint::Error;
use zeroize::Zeroizing;

use super::output::{Output, FINDINGS};
use super::InputArgs;

/// Arguments of `seal`.
#[derive(Debug, Args)]
pub struct SealArgs {
    #[command(flatten)]
    input: InputArgs,
    /// The service (or platform component) whose secret gets the value.
    #[arg(required_unless_present = "raw")]
    service: Option<String>,
    /// The variable (one of the service's `secretEnv`); the value is read from standard input.
    #[arg(conflicts_with = "from_env_file")]
    key: Option<String>,
    /// Seal every KEY=VALUE of this dotenv file instead.
    #[arg(long, value_name = "FILE")]
    from_env_file: Option<PathBuf>,
    /// Seal for this cluster (repeatable; default: every cluster).
    #[arg(long = "cluster", id = "seal_cluster", value_name = "NAME")]
    clusters: Vec<String>,
    /// Strip one trailing newline from the value.
    #[arg(long)]
    trim: bool,
    /// Print one sealed value for `--namespace`/`--name`/`--cert`, like `kubeseal --raw`.
    #[arg(long, requires_all = ["cert"], conflicts_with_all = ["service", "from_env_file"])]
    raw: bool,
    /// Namespace of the SealedSecret (with `--raw`).
    #[arg(long, requires = "raw")]
    namespace: Option<String>,
    /// Name of the SealedSecret (with `--raw`).
    #[arg(long, requires = "raw")]
    name: Option<String>,
    /// Controller certificate (with `--raw`).
    #[arg(long, value_name = "PEM", requires = "raw")]
    cert: Option<PathBuf>,
    /// Scope (with `--raw`): strict, namespace-wide or cluster-wide.
    #[arg(long, value_parser = ["strict", "namespace-wide", "cluster-wide"], default_value = "strict", requires = "raw")]
    scope: String,
}

/// `secrets` subcommands.
#[derive(Debug, Subcommand)]
pub enum SecretsCommand {
    /// List missing, stale (needing resealing) and unused sealed values.
    Status(StatusArgs),
}

/// Arguments of `secrets status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    input: InputArgs,
}

/// Reads one value from standard input: hidden prompt on a terminal, the whole stream
/// otherwise.
fn read_value(label: &str, trim: bool, out: &Output) -> Result<Zeroizing<Vec<u8>>, Error> {
    let stdin = std::io::stdin();
    let mut bytes = if stdin.is_terminal() {
        out.status(&format!("value for {label} (input hidden, ends at Enter):"));
        let line = Zeroizing::new(rpassword::read_password().map_err(|source| Error::Io {
            action: "read",
            path: "standard input".into(),
            source,
        })?);
        Zeroizing::new(line.as_bytes().to_vec())
    } else {
        let mut buf = Zeroizing::new(Vec::new());
        stdin
            .lock()
            .read_to_end(&mut buf)
            .map_err(|source| Error::Io {
                action: "read",
                path: "standard input".into(),
                source,
            })?;
        buf
    };
    if trim {
        if bytes.ends_with(b"\n") {
            bytes.pop();
        }
        if bytes.ends_with(b"\r") {
            bytes.pop();
        }
    } else if bytes.ends_with(b"\n") {
        // `echo value | fluxprint seal` seals the newline too, which is rarely meant.
        out.status(&format!(
            "warning: the value for {label} ends with a newline, which is sealed as part of it; pass --trim to drop it (or pipe it with `printf %s`)"
        ));
    }
    Ok(bytes)
}

/// `fluxprint seal`.
pub fn seal(args: &SealArgs, out: &mut Output) -> Result<ExitCode, Error> {
    out.format = args.input.format;
    if args.raw {
        return raw(args, out);
    }
    let service = args.service.as_deref().unwrap_or_default();
    let entries: Vec<Entry> = match (&args.key, &args.from_env_file) {
        (Some(key), None) => vec![(key.clone(), read_value(key, args.trim, out)?)],
        (None, Some(file)) => {
            let text = Zeroizing::new(fluxprint::files::read_input_text(file)?);
            dotenv::parse(&text).map_err(|e| Error::Usage(format!("{}: {e}", file.display())))?
        }
        _ => {
            return Err(Error::Usage(
                "give a KEY (value on standard input) or --from-env-file FILE".into(),
            ))
        }
    };
    let inputs = args.input.inputs();
    let found = workflow::targets(&inputs, service, &args.clusters, SystemTime::now())?;
    if !found.warnings.is_empty() {
        out.diagnostics(&found.warnings, &Default::default());
    }
    let summary = workflow::seal_into_file(service, &entries, &found, &mut rand_core::OsRng)?;
    for (cluster, key) in &summary.sealed {
        out.status(&format!("sealed {key} for {cluster}"));
    }
    for cluster in &summary.stale_clusters {
        out.status(&format!(
            "warning: other values of `{service}` in cluster `{cluster}` were sealed with an older certificate; reseal them (see `fluxprint secrets status`)"
        ));
    }
    out.status(&format!("wrote {}", summary.path.display()));
    Ok(ExitCode::SUCCESS)
}

fn raw(args: &SealArgs, out: &mut Output) -> Result<ExitCode, Error> {
    let scope = match args.scope.as_str() {
        "namespace-wide" => SealingScope::NamespaceWide,
        "cluster-wide" => SealingScope::ClusterWide,
        _ => SealingScope::Strict,
    };
    let namespace = args.namespace.clone().unwrap_or_default();
    let name = args.name.clone().unwrap_or_default();
    match scope {
        SealingScope::Strict if namespace.is_empty() || name.is_empty() => {
            return Err(Error::Usage(
                "strict scope needs --namespace and --name".into(),
            ))
        }
        SealingScope::NamespaceWide if namespace.is_empty() => {
            return Err(Error::Usage(
                "namespace-wide scope needs --namespace".into(),
            ))
        }
        _ => {}
    }
    let Some(path) = &args.cert else {
        return Err(Error::Usage("--raw needs --cert".into()));
    };
    let pem = fluxprint::files::read_input_text(path)?;
    let cert = SealingCert::from_pem(&pem, SystemTime::now()).map_err(|source| Error::Cert {
        path: path.clone(),
        source,
    })?;
    let value = read_value("the value", args.trim, out)?;
    let sealed = seal_value(
        &cert,
        &scope.label(&namespace, &name),
        &value,
        &mut rand_core::OsRng,
    )
    .map_err(|e| Error::Usage(format!("failed to seal: {e}")))?;
    out.stdout(&sealed);
    Ok(ExitCode::SUCCESS)
}

/// `fluxprint secrets status`.
pub fn status(args: &StatusArgs, out: &mut Output) -> Result<ExitCode, Error> {
    let rows = workflow::status(&args.input.inputs(), SystemTime::now())?;
    let mut text = String::new();
    let mut missing = false;
    for r in &rows {
        let mut notes = Vec::new();
        if !r.missing.is_empty() {
            missing = true;
            notes.push(format!("missing: {}", r.missing.join(", ")));
        }
        if let Some(why) = &r.reseal {
            notes.push(format!("reseal: {why}"));
        }
        if !r.unused.is_empty() {
            notes.push(format!("unused: {}", r.unused.join(", ")));
        }
        let state = if notes.is_empty() {
            "ok".to_owned()
        } else {
            notes.join("; ")
        };
        text.push_str(&format!("{:<20} {:<10} {state}\n", r.service, r.cluster));
    }
    if rows.is_empty() {
        out.status("no service or component has secrets (no `secretEnv` and no sealed values)");
    }
    out.stdout(&text);
    Ok(if missing {
        ExitCode::from(FINDINGS)
    } else {
        ExitCode::SUCCESS
    })
}
