//! Terminal output: the only place that prints.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use fluxprint::diag::{render, Diagnostic};
use fluxprint::source::SourceMap;
use fluxprint::Error;

use super::Format;

/// Exit code for findings or stale output.
pub const FINDINGS: u8 = 1;
/// Exit code for invalid input or usage errors.
pub const INVALID: u8 = 2;

/// Standard output and error, with color decided once.
pub struct Output {
    /// Colored output on standard error.
    pub color: bool,
    /// Diagnostics format of the current command.
    pub format: Format,
    /// The command was asked for JSON (`--format json`): errors that stop it also come out
    /// as JSON on standard output, so a pipeline reading it never gets an empty document.
    pub json_errors: bool,
}

impl Default for Output {
    fn default() -> Self {
        Output::new()
    }
}

impl Output {
    /// Colors only on a terminal, and never when `NO_COLOR` is set (https://no-color.org).
    pub fn new() -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Output {
            color: !no_color && std::io::stderr().is_terminal(),
            format: Format::Human,
            json_errors: false,
        }
    }

    /// Prints to standard output.
    pub fn stdout(&self, text: &str) {
        let mut lock = std::io::stdout().lock();
        // A closed pipe (`fluxprint check | head`) is not an error worth reporting.
        let _ = lock.write_all(text.as_bytes());
        let _ = lock.flush();
    }

    /// Prints a line to standard error.
    pub fn status(&self, text: &str) {
        let _ = writeln!(std::io::stderr().lock(), "{text}");
    }

    /// Prints diagnostics in the chosen format.
    pub fn diagnostics(&self, diagnostics: &[Diagnostic], sources: &SourceMap) {
        match self.format {
            Format::Human => {
                let _ = std::io::stderr()
                    .lock()
                    .write_all(render::human(diagnostics, sources, self.color).as_bytes());
            }
            Format::Json => self.stdout(&render::json(diagnostics)),
        }
    }

    /// Reports a failure and returns its exit code. Under `--format json` the failure is
    /// also printed on standard output as a JSON array: the diagnostics of invalid input, or
    /// one diagnostic-shaped object for any other error ([`error_json`]).
    pub fn error(&self, err: &Error) -> ExitCode {
        let json = self.json_errors || self.format == Format::Json;
        if let Error::Invalid {
            diagnostics,
            sources,
        } = err
        {
            if json {
                self.stdout(&render::json(diagnostics));
            } else {
                self.diagnostics(diagnostics, sources);
            }
        }
        let message = error_chain(err);
        if json && !matches!(err, Error::Invalid { .. }) {
            self.stdout(&error_json(error_code(err), &message, error_path(err)));
        }
        self.status(&format!("error: {message}"));
        ExitCode::from(INVALID)
    }

    /// Reports a command line that does not parse (clap's own message on standard error),
    /// and as JSON too when the arguments ask for `--format json`.
    pub fn usage_error(&self, message: &str) -> ExitCode {
        if self.json_errors {
            let first = message
                .lines()
                .next()
                .unwrap_or("")
                .trim_start_matches("error: ");
            self.stdout(&error_json("USAGE", first, None));
        }
        let _ = std::io::stderr().lock().write_all(message.as_bytes());
        ExitCode::from(INVALID)
    }
}

/// The error and its causes, `: `-separated.
fn error_chain(err: &Error) -> String {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        text.push_str(&format!(": {s}"));
        source = s.source();
    }
    text
}

/// The stable code of an error that stops a run, for JSON output.
fn error_code(err: &Error) -> &'static str {
    match err {
        Error::Io { .. } | Error::Read { .. } => "IO",
        Error::Usage(_) => "USAGE",
        Error::NotOwned { .. } => "NOT_OWNED",
        Error::Symlink { .. } => "SYMLINK",
        Error::Locked { .. } => "LOCKED",
        Error::Cert { .. } => "CERT",
        Error::Invalid { .. } => "INVALID",
        Error::Internal(_) => "INTERNAL",
    }
}

/// The file an error is about, if any.
fn error_path(err: &Error) -> Option<&std::path::Path> {
    match err {
        Error::Io { path, .. }
        | Error::Read { path, .. }
        | Error::NotOwned { path }
        | Error::Symlink { path }
        | Error::Locked { path, .. }
        | Error::Cert { path, .. } => Some(path),
        _ => None,
    }
}

/// `[{"code", "severity": "error", "message", "file"?}]`: the shape of a diagnostic (no
/// position: the failure is about a whole file or the command line), in an array like every
/// `--format json` output.
pub fn error_json(code: &str, message: &str, path: Option<&std::path::Path>) -> String {
    let mut object = serde_json::json!({"code": code, "severity": "error", "message": message});
    if let Some(path) = path {
        object["file"] = serde_json::Value::String(path.display().to_string());
    }
    let mut out =
        serde_json::to_string_pretty(&serde_json::json!([object])).unwrap_or_else(|_| "[]".into());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_as_json_have_the_shape_of_a_diagnostic() {
        let v: serde_json::Value = serde_json::from_str(&error_json(
            "IO",
            "failed to read x.yaml: not a regular file (a FIFO)",
            Some(std::path::Path::new("x.yaml")),
        ))
        .expect("json");
        assert_eq!(
            v,
            serde_json::json!([{"code": "IO", "severity": "error", "file": "x.yaml",
                "message": "failed to read x.yaml: not a regular file (a FIFO)"}])
        );
    }
}
