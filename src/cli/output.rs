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
}

impl Output {
    /// Colors only on a terminal, and never when `NO_COLOR` is set (https://no-color.org).
    pub fn new() -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Output {
            color: !no_color && std::io::stderr().is_terminal(),
            format: Format::Human,
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

    /// Reports a failure and returns its exit code.
    pub fn error(&self, err: &Error) -> ExitCode {
        if let Error::Invalid {
            diagnostics,
            sources,
        } = err
        {
            self.diagnostics(diagnostics, sources);
        }
        let mut text = format!("error: {err}");
        let mut source = std::error::Error::source(err);
        while let Some(s) = source {
            text.push_str(&format!(": {s}"));
            source = s.source();
        }
        self.status(&text);
        ExitCode::from(INVALID)
    }
}
