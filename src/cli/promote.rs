//! `fluxprint promote`: pin a tested image tag for the next cluster in the blueprint.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use fluxprint::emit::{self, objects::object_changes};
use fluxprint::promote::{check_tag, deployed_tag, set_override_tag};
use fluxprint::resolve::{ResolvedCluster, ResolvedService};
use fluxprint::{Error, Project};

use super::output::Output;
use super::InputPaths;

/// Arguments of `promote`.
#[derive(Debug, Args)]
pub struct PromoteArgs {
    /// The service (blueprint name).
    service: String,
    /// Cluster whose rendered tree says which tag runs (required unless --tag is given).
    #[arg(long, value_name = "CLUSTER", required_unless_present = "tag")]
    from: Option<String>,
    /// Cluster to promote to: the tag is written as `overrides.<to>.tag`.
    #[arg(long, value_name = "CLUSTER")]
    to: String,
    /// Promote this tag instead of the one running in --from.
    #[arg(long)]
    tag: Option<String>,
    #[command(flatten)]
    input: InputPaths,
    /// Output directory of the rendered trees.
    #[arg(long, default_value = "gitops", value_name = "DIR")]
    out: PathBuf,
}

fn find<'a>(
    project: &'a Project,
    cluster: &str,
    service: &str,
) -> Result<(&'a ResolvedCluster, &'a ResolvedService), Error> {
    let c = project
        .select(&[cluster.to_owned()])?
        .first()
        .copied()
        .ok_or_else(|| Error::Usage(format!("no cluster `{cluster}`")))?;
    let s = project
        .services_of(cluster)
        .iter()
        .find(|s| s.name == service)
        .ok_or_else(|| Error::Usage(format!("no blueprint `{service}`")))?;
    Ok((c, s))
}

/// `fluxprint promote`.
pub fn promote(args: &PromoteArgs, out: &mut Output) -> Result<ExitCode, Error> {
    let inputs = args.input.inputs();
    let project = Project::load(&inputs)?;
    let (to_cluster, to_svc) = find(&project, &args.to, &args.service)?;
    let from = args.from.as_deref().unwrap_or_default();
    let tag = match &args.tag {
        Some(t) => t.clone(),
        None => {
            let (_, from_svc) = find(&project, from, &args.service)?;
            deployed_tag(&args.out.join(from), from_svc)?
        }
    };
    if let Err(why) = check_tag(&tag, to_cluster, to_svc) {
        let hint = if args.tag.is_none() {
            format!(
                " (`{tag}` is what runs in `{from}`; pass the release tag of that build with --tag)"
            )
        } else {
            String::new()
        };
        return Err(Error::Usage(format!(
            "refusing to promote {} to `{}`: {why}{hint}",
            args.service, args.to
        )));
    }

    let file = inputs.blueprints.join(format!("{}.yaml", args.service));
    let old = fluxprint::files::read_input_text(&file)?;
    let new = set_override_tag(&old, &args.to, &tag)
        .map_err(|why| Error::Usage(format!("{}: cannot set the tag: {why}", file.display())))?;
    if new == old {
        out.status(&format!(
            "{} already pins `{tag}` for `{}`",
            file.display(),
            args.to
        ));
        return Ok(ExitCode::SUCCESS);
    }
    emit::write_atomic(&file, &new)?;
    // The edited blueprint must still load; if not, put the original back.
    let project = match Project::load(&inputs) {
        Ok(p) => p,
        Err(e) => {
            emit::write_atomic(&file, &old)?;
            return Err(e);
        }
    };
    let clusters = [args.to.clone()];
    let tree = fluxprint::files::OutTree::open(
        &args.out,
        fluxprint::files::Lock::Shared,
        fluxprint::files::tree::DEFAULT_WAIT,
    )?;
    let planned = emit::plan(&tree, &clusters, &project.render(&clusters)?)?;
    out.stdout(&super::diff::human(&object_changes(&planned)));
    out.status(&format!(
        "{}: overrides.{}.tag is now \"{tag}\"; run `fluxprint render` to write the {} tree shown above",
        file.display(),
        args.to,
        args.to
    ));
    Ok(ExitCode::SUCCESS)
}
