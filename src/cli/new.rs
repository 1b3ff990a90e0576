//! `fluxprint new`: a starter blueprint from a template, or a platform component from a
//! preset (`fluxprint new component <name> --preset <preset>`).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use fluxprint::blueprint::names;
use fluxprint::render::text::new_blueprint;
use fluxprint::Error;

use super::output::Output;

/// Arguments of `new`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct NewArgs {
    /// A platform component instead of a service.
    #[command(subcommand)]
    what: Option<NewCommand>,
    /// Service name (DNS-1123 label, at most 40 characters, starting with a letter).
    #[arg(required = true)]
    service: Option<String>,
    /// Owning team.
    #[arg(long, required = true)]
    team: Option<String>,
    /// Image repository, without tag.
    #[arg(long, required = true)]
    image: Option<String>,
    /// Directory of blueprint files.
    #[arg(long, default_value = "blueprints", value_name = "DIR")]
    blueprints: PathBuf,
}

/// What else `new` writes.
#[derive(Debug, Subcommand)]
enum NewCommand {
    /// A platform component (`platform/<name>.yaml`, and the files beside it) from a preset.
    Component(ComponentArgs),
}

/// Arguments of `new component`.
#[derive(Debug, Args)]
struct ComponentArgs {
    /// Component name (DNS-1123 label): the name of its Flux Kustomization.
    name: String,
    /// The preset: cert-manager, flagger, gateway-api-crds, grafana, istio, istio-cni,
    /// kafka, kube-prometheus-stack, loki, mimir, mongodb, postgres, rabbitmq, redis,
    /// sealed-secrets, tempo or ztunnel.
    #[arg(long)]
    preset: String,
    /// Directory of platform component files.
    #[arg(long, default_value = "platform", value_name = "DIR")]
    platform: PathBuf,
}

/// `fluxprint new`.
pub fn new(args: &NewArgs, out: &mut Output) -> Result<ExitCode, Error> {
    let (Some(service), Some(team), Some(image)) = (&args.service, &args.team, &args.image) else {
        return match &args.what {
            Some(NewCommand::Component(c)) => component(c, out),
            None => Err(Error::Usage(
                "name a service, with --team and --image".into(),
            )),
        };
    };
    service_blueprint(args, (service, team, image), out)
}

/// `fluxprint new component`: every file of the preset, refusing before writing any when
/// one exists.
fn component(args: &ComponentArgs, out: &mut Output) -> Result<ExitCode, Error> {
    if let Some(why) = names::dns1123_label(&args.name, 63) {
        return Err(Error::Usage(format!(
            "component name `{}` {why}",
            args.name
        )));
    }
    let files = fluxprint::render::presets::component_files(&args.preset, &args.name)?;
    for (path, _) in &files {
        let path = args.platform.join(path);
        if path.exists() {
            return Err(Error::Usage(format!(
                "{} already exists; refusing to overwrite it",
                path.display()
            )));
        }
    }
    for (path, text) in &files {
        let path = args.platform.join(path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| Error::Io {
                action: "create directory",
                path: dir.to_owned(),
                source,
            })?;
        }
        fluxprint::emit::write_atomic(&path, text)?;
        out.status(&format!("wrote {}", path.display()));
    }
    out.status("edit the values, then run `fluxprint render`");
    Ok(ExitCode::SUCCESS)
}

/// `fluxprint new <service>`: the starter blueprint.
fn service_blueprint(
    args: &NewArgs,
    (service, team, image): (&str, &str, &str),
    out: &mut Output,
) -> Result<ExitCode, Error> {
    if let Some(why) = names::dns1035_label(service, 40) {
        return Err(Error::Usage(format!("service name `{service}` {why}")));
    }
    if let Some(why) = names::dns1123_label(team, 63) {
        return Err(Error::Usage(format!("team `{team}` {why}")));
    }
    if let Some(why) = names::image_repository(image) {
        return Err(Error::Usage(format!("image `{image}` {why}")));
    }
    let path = args.blueprints.join(format!("{service}.yaml"));
    if path.exists() {
        return Err(Error::Usage(format!(
            "{} already exists; refusing to overwrite it",
            path.display()
        )));
    }
    let text = new_blueprint(service, team, image)?;
    fluxprint::emit::write_atomic(&path, &text)?;
    out.status(&format!(
        "wrote {}; edit it, then run `fluxprint render`",
        path.display()
    ));
    Ok(ExitCode::SUCCESS)
}
