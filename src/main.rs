//! The `fluxprint` command: argument parsing and terminal output over the library.

#![deny(unsafe_code)]

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::run()
}
