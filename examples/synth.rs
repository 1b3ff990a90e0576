//! Writes a synthetic project of N services (default 1250) into DIR and renders it:
//! `cargo run --release --example synth -- DIR N`, then `fluxprint validate DIR/gitops/prod`.
//! The input of the validation benchmark, for profiling the CLI.

use std::path::PathBuf;

fn main() -> Result<(), fluxprint::Error> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "synthetic".into()));
    let n = args.next().and_then(|n| n.parse().ok()).unwrap_or(1250);
    fluxprint::synthetic::write_project(&dir, n)?;
    let project = fluxprint::Project::load(&fluxprint::Inputs::under(&dir))?;
    let files = project.render(&[])?;
    let roots: Vec<String> = project.clusters.iter().map(|c| c.name.clone()).collect();
    let out = dir.join("gitops");
    let tree = fluxprint::files::OutTree::open(
        &out,
        fluxprint::files::Lock::Exclusive,
        fluxprint::files::Wait::No,
    )?;
    let plan = fluxprint::emit::plan(&tree, &roots, &files)?;
    fluxprint::emit::apply(&tree, &plan)?;
    println!("{}: {} services, {} files", dir.display(), n, files.len());
    Ok(())
}
