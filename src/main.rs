//! The `fluxprint` command: argument parsing and terminal output over the library.

#![deny(unsafe_code)]

mod cli;

use std::process::ExitCode;

/// mimalloc: faster than the system allocator for many small values allocated on every core
/// (see Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    cli::run()
}
