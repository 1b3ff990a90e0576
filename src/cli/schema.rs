//! `fluxprint schema`: the JSON Schemas of the input files.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use fluxprint::blueprint::schema::{
    blueprint_schema, cluster_schema, component_schema, schema_text,
};
use fluxprint::Error;

use super::output::Output;

/// Which file kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Which {
    /// `blueprints/*.yaml`
    Blueprint,
    /// `clusters/*.yaml`
    Cluster,
    /// `platform/*.yaml`
    Component,
}

/// Arguments of `schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// The schema to print.
    #[arg(value_enum, default_value_t = Which::Blueprint)]
    which: Which,
    /// Write every schema (`blueprint.schema.json`, `cluster.schema.json`,
    /// `component.schema.json`) into DIR instead.
    #[arg(long, value_name = "DIR")]
    write: Option<PathBuf>,
}

/// Pretty JSON text of a schema, ending in a newline.
pub fn text(which: Which) -> String {
    schema_text(&match which {
        Which::Blueprint => blueprint_schema(),
        Which::Cluster => cluster_schema(),
        Which::Component => component_schema(),
    })
}

/// `fluxprint schema`.
pub fn schema(args: &SchemaArgs, out: &mut Output) -> Result<ExitCode, Error> {
    match &args.write {
        None => out.stdout(&text(args.which)),
        Some(dir) => {
            for (which, name) in [
                (Which::Blueprint, "blueprint"),
                (Which::Cluster, "cluster"),
                (Which::Component, "component"),
            ] {
                let path = dir.join(format!("{name}.schema.json"));
                fluxprint::emit::write_atomic(&path, &text(which))?;
                out.status(&format!("wrote {}", path.display()));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
