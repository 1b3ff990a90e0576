//! The one integration-test binary (one link step instead of one per file).

mod attack;
mod cli;
mod delivery;
mod flux;
mod flux_build;
mod fuzz;
mod gateway_api;
mod init;
mod invalid;
mod kustomize;
mod kustomize_build;
mod mesh;
mod plan;
mod readme;
mod redaction;
mod render;
mod rules;
mod schema;
mod schemas_builtin;
mod seal;
mod security;
mod systems;
mod util;
mod validate;
mod verdicts;
mod workflow;
