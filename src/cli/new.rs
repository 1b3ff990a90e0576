//! `fluxprint new`: a starter blueprint from a template.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use fluxprint::blueprint::names;
use fluxprint::render::text::new_blueprint;
use fluxprint::Error;

use super::output::Output;

/// Arguments of `new`.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// Service name (DNS-1123 label, at most 40 characters, starting with a letter).
    service: String,
    /// Owning team.
    #[arg(long)]
    team: String,
    /// Image repository, without tag.
    #[arg(long)]
    image: String,
    /// Directory of blueprint files.
    #[arg(long, default_value = "blueprints", value_name = "DIR")]
    blueprints: PathBuf,
}

/// `fluxprint new`.
pub fn new(args: &NewArgs, out: &mut Output) -> Result<ExitCode, Error> {
    if let Some(why) = names::dns1035_label(&args.service, 40) {
        return Err(Error::Usage(format!(
            "service name `{}` {why}",
            args.service
        )));
    }
    if let Some(why) = names::dns1123_label(&args.team, 63) {
        return Err(Error::Usage(format!("team `{}` {why}", args.team)));
    }
    if let Some(why) = names::image_repository(&args.image) {
        return Err(Error::Usage(format!("image `{}` {why}", args.image)));
    }
    let path = args.blueprints.join(format!("{}.yaml", args.service));
    if path.exists() {
        return Err(Error::Usage(format!(
            "{} already exists; refusing to overwrite it",
            path.display()
        )));
    }
    let text = new_blueprint(&args.service, &args.team, &args.image)?;
    fluxprint::emit::write_atomic(&path, &text)?;
    out.status(&format!(
        "wrote {}; edit it, then run `fluxprint render`",
        path.display()
    ));
    Ok(ExitCode::SUCCESS)
}
