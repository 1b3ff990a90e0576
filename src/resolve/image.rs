//! `image` and `tag` of the main container: a valid repository and tag; strict clusters need
//! a pinned tag, relaxed ones default to `latest`.

use super::codes::IMAGE;
use super::resolver::Resolver;
use crate::blueprint::names;
use crate::blueprint::Blueprint;

/// The main container's image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedImage {
    /// Repository.
    pub image: String,
    /// Tag (default `latest`, relaxed clusters only).
    pub tag: String,
}

/// Checks and resolves `image` and `tag`.
pub fn resolve(bp: &Blueprint, r: &mut Resolver<'_>) -> Option<ResolvedImage> {
    let mark = r.mark();
    let cluster = &r.cluster().name;
    if let Some(why) = names::image_repository(&bp.image) {
        r.error(IMAGE, "/image", format!("image `{}` {why}", bp.image), None);
    }
    match bp.tag.as_deref() {
        Some(tag) => check_tag(r, "/tag", tag, true),
        // Shown at the blueprint's name: a missing field has no line of its own.
        None if r.strict() => r.error_at(
            IMAGE,
            "/name",
            "/tag",
            format!("no `tag`: strict cluster `{cluster}` needs a pinned image tag"),
            Some(format!("add `tag: \"1.0.0\"` (or overrides.{cluster}.tag)")),
        ),
        None => {}
    }
    r.finish(
        mark,
        ResolvedImage {
            image: bp.image.clone(),
            tag: bp.tag.clone().unwrap_or_else(|| "latest".into()),
        },
    )
}

/// Checks a tag (of the main container or a sidecar): its grammar, and `latest` on strict
/// clusters; `pin_help` adds how to pin it.
pub(super) fn check_tag(r: &mut Resolver<'_>, pointer: &str, tag: &str, pin_help: bool) {
    if let Some(why) = names::image_tag(tag) {
        r.error(IMAGE, pointer, format!("tag `{tag}` {why}"), None);
    } else if r.strict() && tag == "latest" {
        r.error(
            IMAGE,
            pointer,
            format!(
                "tag `latest` is refused in strict cluster `{}`",
                r.cluster().name
            ),
            pin_help.then(|| "pin a version, e.g. tag: \"1.4.2\"".into()),
        );
    }
}
