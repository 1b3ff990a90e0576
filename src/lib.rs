//! fluxprint turns typed service blueprints into the GitOps repositories that FluxCD applies,
//! one tree per cluster, deterministic to the byte.
//!
//! The pipeline is `load → resolve → render → write`:
//!
//! 1. [`blueprint`] reads `blueprints/*.yaml` and `clusters/*.yaml` into typed values and
//!    reports every problem as a [`diag::Diagnostic`] with file, line, column and field;
//! 2. [`blueprint::load`] merges each blueprint's per-cluster overrides, and [`resolve`]
//!    checks the result and applies defaults, giving complete models;
//! 3. [`render`] builds typed Kubernetes objects and places them in files, in memory;
//! 4. [`emit`] compares those files with the disk and writes, prunes or diffs them, touching
//!    only files that carry the generated header.
//!
//! [`Project`] ties the steps together:
//!
//! ```no_run
//! use fluxprint::files::{Lock, OutTree, Wait};
//! use fluxprint::{emit, Inputs, Project};
//! use std::path::Path;
//!
//! let project = Project::load(&Inputs::under(Path::new(".")))?;
//! let files = project.render(&[])?;
//! let roots: Vec<String> = project.clusters.iter().map(|c| c.name.clone()).collect();
//! // Opened and locked for the whole plan + apply.
//! let tree = OutTree::open(Path::new("gitops"), Lock::Exclusive, Wait::No)?;
//! let plan = emit::plan(&tree, &roots, &files)?;
//! emit::apply(&tree, &plan)?;
//! # Ok::<(), fluxprint::Error>(())
//! ```
//!
//! The library never prints; the `fluxprint` binary (module `cli`) is a thin layer over it.

#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod blueprint;
pub mod build;
pub mod cache;
pub mod capacity;
pub mod diag;
pub mod emit;
pub mod error;
pub mod files;
pub mod flux;
pub mod graph;
pub mod kustomize;
mod par;
pub mod project;
pub mod promote;
pub mod render;
pub mod resolve;
pub mod resources;
pub mod seal;
pub mod source;
pub mod synthetic;
pub mod validate;

pub use error::Error;
pub use project::{Inputs, Project};
