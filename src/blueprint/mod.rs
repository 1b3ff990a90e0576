//! The input model: blueprints (one service each) and cluster files, as written.
//!
//! - [`service`], [`cluster`] and [`component`]: the typed files (`deny_unknown_fields`
//!   everywhere);
//! - [`schema`]: their JSON Schemas, printed by `fluxprint schema` and used by the loader;
//! - [`load`]: files → positioned documents → typed values, structural problems as diagnostics;
//! - [`codes`]: the registry of diagnostic codes (`fluxprint explain BP118`);
//! - [`names`]: the Kubernetes name and value grammars.

pub mod cluster;
pub mod codes;
pub mod common;
pub mod component;
pub mod load;
pub mod names;
pub mod schema;
pub mod semver;
pub mod service;
pub mod structure;

pub use cluster::Cluster;
pub use component::Component;
pub use service::Blueprint;
