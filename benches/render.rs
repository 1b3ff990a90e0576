//! Render benchmark: the example system and synthetic projects of 100 and 500 services.
//! Prints the median of several runs for each phase. Run with `cargo bench --bench render`.
//! (A plain bench binary instead of criterion keeps the dependency tree and build time small.)

mod util;
use util::time;

use std::path::Path;
use std::time::Instant;

use fluxprint::{emit, Inputs, Project};

fn bench(name: &str, inputs: &Inputs, runs: usize) {
    let project = Project::load(inputs).expect("valid input");
    let files = project.render(&[]).expect("renders");
    let load = time(runs, || Project::load(inputs).expect("valid input"));
    let render = time(runs, || project.render(&[]).expect("renders"));
    let out = tempfile::tempdir().expect("tempdir");
    let roots: Vec<String> = project.clusters.iter().map(|c| c.name.clone()).collect();
    let open = || {
        fluxprint::files::OutTree::open(
            out.path(),
            fluxprint::files::Lock::Exclusive,
            fluxprint::files::Wait::No,
        )
        .expect("open")
    };
    let first = Instant::now();
    let tree = open();
    let plan = emit::plan(&tree, &roots, &files).expect("plan");
    emit::apply(&tree, &plan).expect("write");
    drop(tree);
    let write_fresh = first.elapsed();
    let noop = time(runs, || {
        let tree = open();
        let plan = emit::plan(&tree, &roots, &files).expect("plan");
        emit::apply(&tree, &plan).expect("write");
    });
    let bytes: usize = files.iter().map(|f| f.content.len()).sum();
    println!(
        "{name:<14} files {:>6}  {:>7.1} KiB  load+check {:>8.2?}  render {:>8.2?}  write (fresh) {:>8.2?}  re-render no-op plan {:>8.2?}  total {:>8.2?}",
        files.len(),
        bytes as f64 / 1024.0,
        load,
        render,
        write_fresh,
        noop,
        load + render + write_fresh
    );
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    bench("example", &Inputs::under(root), 20);
    for n in [100, 500] {
        let dir = tempfile::tempdir().expect("tempdir");
        fluxprint::synthetic::write_project(dir.path(), n).expect("generate");
        bench(&format!("synthetic {n}"), &Inputs::under(dir.path()), 5);
    }
}
