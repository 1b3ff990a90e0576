//! Validation of any manifest tree, generated or hand-written: `fluxprint validate`.
//!
//! - [`tree`]: files → positioned documents, classified and indexed;
//! - [`schema`]: strict schemas (Kubernetes API types, CRDs found in the tree or given);
//! - [`rule`] and [`registry`]: the rule trait and the list of rules, one per file in
//!   [`rules`], each with a stable code and its documentation (`fluxprint explain CODE`);
//! - [`report`]: the machine formats (JUnit, GitLab Code Quality, SARIF);
//! - [`request`]: a `fluxprint validate` run: repositories, CRDs, grading per cluster;
//! - `redact`: keeps secret values out of every report.

pub mod apiserver;
pub mod cel;
mod crd_versions;
pub mod enums;
mod redact;
pub mod registry;
pub mod report;
pub mod request;
pub mod rule;
pub mod rules;
pub mod schema;
pub mod tree;

use std::path::PathBuf;

use crate::diag::{self, Diagnostic};
use crate::error::Error;
use crate::source::SourceMap;
use rule::{Context, Findings, Options, Rule};
use schema::SchemaStore;
use tree::{Known, Tree};

/// The outcome of a run.
#[derive(Debug, Default)]
pub struct Report {
    /// Findings, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// The texts of the files with findings, for quoting, with secret values masked.
    pub sources: SourceMap,
    /// Files validated.
    pub files: usize,
    /// Kubernetes objects validated.
    pub objects: usize,
}

impl Report {
    /// Adds the report of one repository validated on its own, its file names prefixed with
    /// `prefix` (the repository as the user named it).
    pub fn merge_under(&mut self, prefix: &str, other: Report) {
        let join = |file: &str| {
            if prefix.is_empty() {
                file.to_owned()
            } else {
                format!("{prefix}/{file}")
            }
        };
        for mut d in other.diagnostics {
            d.file = join(&d.file);
            self.diagnostics.push(d);
        }
        for (name, mut source) in other.sources {
            source.display = join(&name);
            self.sources.insert(source.display.clone(), source);
        }
        self.files += other.files;
        self.objects += other.objects;
    }
}

/// Objects judged together by the per-object rules: few enough that they stay in a core's
/// cache from the first rule to the last.
const OBJECTS_PER_TASK: usize = 64;

/// A rule with its place in the run's order.
type Numbered<'r> = (usize, &'r dyn Rule);

/// Runs `rules` on every core: each worker takes the next task until none is left. Findings
/// come back in registry order, so the report does not depend on scheduling.
fn run_rules(ctx: &Context<'_>, rules: &[&dyn Rule]) -> Vec<Diagnostic> {
    // Tasks: each rule that looks across objects, and each run of objects for all the rules
    // that judge objects one by one. Each worker takes the next task.
    let (each, across): (Vec<Numbered<'_>>, Vec<Numbered<'_>>) = rules
        .iter()
        .copied()
        .enumerate()
        .partition(|(_, r)| r.per_object());
    let objects = &ctx.tree.objects;
    let runs = if each.is_empty() {
        0
    } else {
        objects.len().div_ceil(OBJECTS_PER_TASK)
    };
    let tasks = across.len() + runs;
    let next = std::sync::atomic::AtomicUsize::new(0);
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, tasks.max(1));
    // Findings keyed by (rule, run of objects), put back in that order: each rule's findings
    // come out in object order, as if it had run over the whole tree alone.
    let work = || {
        let mut done: Vec<((usize, usize), Vec<Diagnostic>)> = Vec::new();
        loop {
            let t = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if t >= tasks {
                return done;
            }
            if let Some(&(i, rule)) = across.get(t) {
                let mut found = Findings::new(ctx, rule);
                rule.check(ctx, &mut found);
                done.push(((i, 0), found.diagnostics));
                continue;
            }
            let run = t - across.len();
            let start = run * OBJECTS_PER_TASK;
            let end = (start + OBJECTS_PER_TASK).min(objects.len());
            let mut found: Vec<Findings<'_>> =
                each.iter().map(|(_, r)| Findings::new(ctx, *r)).collect();
            for (i, o) in objects.iter().enumerate().take(end).skip(start) {
                for ((_, rule), out) in each.iter().zip(&mut found) {
                    rule.check_object(ctx, i, o, out);
                }
            }
            for ((r, _), f) in each.iter().zip(found) {
                done.push(((*r, run), f.diagnostics));
            }
        }
    };
    let mut results = std::thread::scope(|s| {
        let helpers: Vec<_> = (1..workers).map(|_| s.spawn(work)).collect();
        let mut all = work();
        for h in helpers {
            // A panicking rule is a bug; surface it rather than drop its findings.
            match h.join() {
                Ok(done) => all.extend(done),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        all
    });
    results.sort_by_key(|(key, _)| *key);
    results.into_iter().flat_map(|(_, d)| d).collect()
}

/// Validates the trees below `paths`. `schemas` should hold the built-in kinds and any CRDs
/// given on the command line; CRDs found in the tree are learned as well.
pub fn run(paths: &[PathBuf], schemas: SchemaStore, options: &Options) -> Result<Report, Error> {
    run_keeping_tree(paths, schemas, options).map(|(report, _tree)| report)
}

/// [`run`], also returning the parsed tree. Freeing the tree of a large repository takes a
/// noticeable part of a run; a process about to exit can leave that to the system.
pub fn run_keeping_tree(
    paths: &[PathBuf],
    schemas: SchemaStore,
    options: &Options,
) -> Result<(Report, Tree), Error> {
    run_known(paths, schemas, options, &Known::default())
}

/// [`run_keeping_tree`], taking the files of `known` from memory (the output validation of
/// `render` and `check`, whose files were just rendered and compared with the disk).
pub fn run_known(
    paths: &[PathBuf],
    schemas: SchemaStore,
    options: &Options,
    known: &Known<'_>,
) -> Result<(Report, Tree), Error> {
    load_and_judge(paths, || Ok(schemas), options, known)
}

/// [`run_keeping_tree`], with the schemas made by `schemas` while the tree loads (reading
/// CRD files takes a few milliseconds that the tree walk leaves a core free for). An error
/// of `schemas` is reported before one of the tree.
pub fn run_loading_schemas(
    paths: &[PathBuf],
    schemas: impl FnOnce() -> Result<SchemaStore, Error> + Send,
    options: &Options,
) -> Result<(Report, Tree), Error> {
    load_and_judge(paths, schemas, options, &Known::default())
}

/// Loads the tree and the schemas at once, then judges the tree.
fn load_and_judge(
    paths: &[PathBuf],
    schemas: impl FnOnce() -> Result<SchemaStore, Error> + Send,
    options: &Options,
    known: &Known<'_>,
) -> Result<(Report, Tree), Error> {
    // Once the objects are read, the schema side judges them against their schemas while the
    // tree side runs the builds (mostly on one core), until the tree is loaded.
    let (read, objects) = std::sync::mpsc::channel();
    let loaded = std::sync::atomic::AtomicBool::new(false);
    let loaded = &loaded;
    let load = move || {
        let tree = check_paths(paths).and_then(|()| {
            Tree::load_staged(paths, known, |written| {
                // The other side is gone only when its schemas failed, reported below.
                let _ = read.send(written);
            })
        });
        loaded.store(true, std::sync::atomic::Ordering::Relaxed);
        tree
    };
    let prejudged = move || {
        let mut store = schemas()?;
        // Nothing arrives when the tree fails to load.
        if let Ok(written) = objects.recv() {
            store.prejudge(&written, loaded);
        }
        Ok(store)
    };
    let (tree, schemas) = crate::par::join(load, prejudged);
    let schemas = schemas?;
    Ok(judge(tree?, schemas, options))
}

fn check_paths(paths: &[PathBuf]) -> Result<(), Error> {
    for p in paths {
        if !p.exists() {
            return Err(Error::Usage(format!("{} does not exist", p.display())));
        }
    }
    Ok(())
}

/// Runs every rule not ignored on a loaded tree.
fn judge(mut tree: Tree, mut schemas: SchemaStore, options: &Options) -> (Report, Tree) {
    // Flux bootstrap commits its CRDs in flux-system/gotk-components.yaml: learn them.
    for o in &tree.objects {
        if o.kind() == "CustomResourceDefinition" {
            schemas.add_crd(&o.value);
        }
    }
    let ctx = Context::new(&tree, &schemas, options);
    let rules: Vec<&dyn Rule> = registry::RULES
        .iter()
        .copied()
        .filter(|r| !options.ignore.contains(r.code()))
        .collect();
    let mut diagnostics = run_rules(&ctx, &rules);
    // Reports are shown on merge requests: no secret value may reach them.
    let texts = std::mem::take(&mut tree.sources);
    let sources = redact::redact(&tree, &mut diagnostics, texts);
    diag::normalize(&mut diagnostics);
    let report = Report {
        diagnostics,
        files: tree.files.len(),
        objects: tree.objects.len(),
        sources,
    };
    (report, tree)
}
