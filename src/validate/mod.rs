//! Validation of any manifest tree, generated or hand-written: `fluxprint validate`.
//!
//! - [`tree`]: files → positioned documents, classified and indexed;
//! - [`schema`]: strict schemas (Kubernetes API types, CRDs found in the tree or given);
//! - [`rule`] and [`registry`]: the rule trait and the list of rules, one per file in
//!   [`rules`], each with a stable code and its documentation (`fluxprint explain CODE`);
//! - [`report`]: the machine formats (JUnit, GitLab Code Quality, SARIF).

pub mod registry;
pub mod report;
pub mod rule;
pub mod rules;
pub mod schema;
pub mod tree;

use std::path::PathBuf;

use crate::diag::{self, Diagnostic};
use crate::error::Error;
use crate::source::SourceMap;
use rule::{Context, Findings, Options};
use schema::SchemaStore;
use tree::Tree;

/// The outcome of a run.
#[derive(Debug, Default)]
pub struct Report {
    /// Findings, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// The files read, for quoting.
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

/// Validates the trees below `paths`. `schemas` should hold the built-in kinds and any CRDs
/// given on the command line; CRDs found in the tree are learned as well.
pub fn run(
    paths: &[PathBuf],
    mut schemas: SchemaStore,
    options: &Options,
) -> Result<Report, Error> {
    for p in paths {
        if !p.exists() {
            return Err(Error::Usage(format!("{} does not exist", p.display())));
        }
    }
    let tree = Tree::load(paths).map_err(|source| Error::Io {
        action: "read",
        path: paths.first().cloned().unwrap_or_default(),
        source,
    })?;
    // Flux bootstrap commits its CRDs in flux-system/gotk-components.yaml: learn them.
    for o in &tree.objects {
        if o.kind() == "CustomResourceDefinition" {
            schemas.add_crd(&o.value);
        }
    }
    let ctx = Context::new(&tree, &schemas, options);
    let mut diagnostics = Vec::new();
    for rule in registry::RULES
        .iter()
        .filter(|r| !options.ignore.contains(r.code()))
    {
        let mut found = Findings::new(&ctx, *rule);
        rule.check(&ctx, &mut found);
        diagnostics.extend(found.diagnostics);
    }
    diag::normalize(&mut diagnostics);
    Ok(Report {
        diagnostics,
        files: tree.files.len(),
        objects: tree.objects.len(),
        sources: tree.sources,
    })
}
