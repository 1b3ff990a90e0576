//! Whole `render` and `check` runs, as the CLI does them (load, render, lock, plan, write,
//! output validation), on synthetic projects of 250, 500, 1,000 and 2,000 services on the
//! two example clusters. Prints the median of each phase over several runs for three cases:
//! a fresh write into an empty tree, a no-op re-render of a current tree and a `check` of it,
//! the last two also with the project's verdict cache as the CLI uses it (`fluxprint::cache`).
//!
//! `cargo bench --bench render_run` runs every size; `cargo bench --bench render_run -- 1000`
//! only the sizes given (a count of runs with `--runs N`, default 5).

mod util;
use util::median;

/// The CLI's allocator, so that the figures are the CLI's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::Path;
use std::time::{Duration, Instant};

use fluxprint::cache::Cache;
use fluxprint::files::{Lock, OutTree, Wait};
use fluxprint::{emit, Inputs, Project};

/// Phase times of one run.
#[derive(Clone, Copy, Default)]
struct Phases {
    load: Duration,
    render: Duration,
    plan: Duration,
    write: Duration,
    validate: Duration,
}

impl Phases {
    fn total(&self) -> Duration {
        self.load + self.render + self.plan + self.write + self.validate
    }
}

/// One run: `write` false is `check` (shared lock, nothing written); with `cache`, as the
/// CLI runs it (trees remembered clean are not validated again).
fn run(inputs: &Inputs, out: &Path, write: bool, cache: Option<&Cache>) -> Phases {
    let mut p = Phases::default();
    let t = Instant::now();
    let project = Project::load(inputs).expect("valid input");
    p.load = t.elapsed();
    let t = Instant::now();
    let files = project.render(&[]).expect("renders");
    p.render = t.elapsed();
    let roots: Vec<String> = project.clusters.iter().map(|c| c.name.clone()).collect();
    let t = Instant::now();
    let lock = if write { Lock::Exclusive } else { Lock::Shared };
    let tree = OutTree::open(out, lock, Wait::No).expect("open");
    let plan = emit::plan(&tree, &roots, &files).expect("plan");
    p.plan = t.elapsed();
    let t = Instant::now();
    if write {
        emit::apply(&tree, &plan).expect("write");
    } else {
        assert!(
            plan.iter().all(|f| f.change == emit::Change::Unchanged),
            "check of a current tree finds it stale"
        );
    }
    p.write = t.elapsed();
    let t = Instant::now();
    // As the CLI does: the files just rendered and compared with the disk come from memory.
    let known = emit::known(out, &files, &plan);
    let found = project
        .validate_output_keeping(out, &[], cache, &known)
        .expect("validate");
    p.validate = t.elapsed();
    // The CLI leaves freeing the trees to the system as it exits: not timed.
    let found = found.diagnostics;
    assert!(
        !fluxprint::diag::has_errors(&found),
        "the synthetic output validates"
    );
    drop(tree);
    p
}

/// The median of each phase, and the median total (of whole runs, not the sum of medians).
fn medians(runs: &[Phases]) -> (Phases, Duration) {
    let m = |f: fn(&Phases) -> Duration| median(runs.iter().map(f).collect());
    (
        Phases {
            load: m(|p| p.load),
            render: m(|p| p.render),
            plan: m(|p| p.plan),
            write: m(|p| p.write),
            validate: m(|p| p.validate),
        },
        m(Phases::total),
    )
}

fn print(name: &str, files: usize, case: &str, runs: &[Phases]) {
    let (p, total) = medians(runs);
    println!(
        "{name:<7} {files:>6} files  {case:<13} total {:>6.2}s  load {:>5.2}s  render {:>5.2}s  plan {:>5.2}s  write {:>5.2}s  validate {:>5.2}s",
        total.as_secs_f64(),
        p.load.as_secs_f64(),
        p.render.as_secs_f64(),
        p.plan.as_secs_f64(),
        p.write.as_secs_f64(),
        p.validate.as_secs_f64(),
    );
}

fn bench(n: usize, runs: usize) {
    let dir = tempfile::tempdir().expect("tempdir");
    fluxprint::synthetic::write_project(dir.path(), n).expect("generate");
    let inputs = Inputs::under(dir.path());
    let files = Project::load(&inputs)
        .and_then(|p| p.render(&[]))
        .expect("renders")
        .len();
    // A fresh write each run: a new, empty output directory (removed outside the timing).
    let fresh: Vec<Phases> = (0..runs)
        .map(|i| run(&inputs, &dir.path().join(format!("fresh-{i}")), true, None))
        .collect();
    for i in 0..runs {
        std::fs::remove_dir_all(dir.path().join(format!("fresh-{i}"))).expect("clean up");
    }
    let out = dir.path().join("gitops");
    run(&inputs, &out, true, None);
    let noop: Vec<Phases> = (0..runs).map(|_| run(&inputs, &out, true, None)).collect();
    let check: Vec<Phases> = (0..runs).map(|_| run(&inputs, &out, false, None)).collect();
    // With the project's verdict cache, as the CLI runs by default (the first run fills it).
    let cache = inputs.cache();
    run(&inputs, &out, false, Some(&cache));
    let noop_cached: Vec<Phases> = (0..runs)
        .map(|_| run(&inputs, &out, true, Some(&cache)))
        .collect();
    let check_cached: Vec<Phases> = (0..runs)
        .map(|_| run(&inputs, &out, false, Some(&cache)))
        .collect();
    let name = format!("{n}");
    print(&name, files, "fresh", &fresh);
    print(&name, files, "no-op", &noop);
    print(&name, files, "check", &check);
    print(&name, files, "no-op, cached", &noop_cached);
    print(&name, files, "check, cached", &check_cached);
}

fn main() {
    let mut sizes = Vec::new();
    let mut runs = 5;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--runs" {
            runs = args.next().and_then(|r| r.parse().ok()).unwrap_or(runs);
        } else if let Ok(n) = a.parse::<usize>() {
            sizes.push(n);
        }
        // Anything else is cargo's (`--bench`).
    }
    if sizes.is_empty() {
        sizes = vec![250, 500, 1000, 2000];
    }
    println!("services / files / case: median seconds of {runs} runs");
    for n in sizes {
        bench(n, runs);
    }
}
