//! `images`: the image automation settings of a service and of a cluster file, and each
//! service's effective tag policy (its own choice completed by the cluster's).

use super::codes::{AUTO_ON_STRICT, IMAGES};
use super::resolver::Resolver;
use crate::blueprint::cluster::{Automation, ClusterImages, ImagePolicyKind};
use crate::blueprint::semver::Range;
use crate::blueprint::Blueprint;
use crate::diag::Severity;

/// How the newest image of a service is chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TagPolicy {
    /// Newest version in a semver range.
    Semver(String),
    /// Newest build by the `ts` group of a tag pattern.
    Build(String),
}

/// The tag policy of a service, when the cluster automates images and the policy is not
/// `pinned`; `None` inside means no automation.
pub fn resolve(bp: &Blueprint, r: &mut Resolver<'_>) -> Option<Option<TagPolicy>> {
    let mark = r.mark();
    let cluster = r.cluster();
    if let Some(own) = &bp.images {
        check_policy(
            r,
            "/images",
            own.policy,
            own.semver.as_deref(),
            own.build_tag_pattern.as_deref(),
            false,
        );
    }
    let Some(ci) = &cluster.image_defaults else {
        return r.finish(mark, None);
    };
    let own = bp.images.clone().unwrap_or_default();
    let policy = own.policy.or(ci.policy);
    let semver = own.semver.or_else(|| ci.semver.clone());
    let pattern = own
        .build_tag_pattern
        .or_else(|| ci.build_tag_pattern.clone());
    if bp.images.is_some() {
        // The blueprint's choice completed by the cluster's must be whole.
        let missing = match policy {
            Some(ImagePolicyKind::Semver) if semver.is_none() => Some("`semver` range"),
            Some(ImagePolicyKind::Build) if pattern.is_none() => Some("`buildTagPattern`"),
            _ => None,
        };
        if let Some(what) = missing {
            r.error(IMAGES, "/images", format!("the image policy needs a {what}: set it in this blueprint or in the `images` of cluster `{}`", cluster.name), None);
        }
    }
    let automated = cluster
        .images
        .as_ref()
        .is_some_and(|i| i.automation != Automation::Off);
    if let (Some(ImagePolicyKind::Semver), true, Some(range), Some(tag)) =
        (policy, automated, semver.as_deref(), bp.tag.as_deref())
    {
        // `latest` is BP113's (refused on strict clusters, allowed on relaxed ones): one
        // finding, not two.
        if let (Ok(parsed), false) = (Range::parse(range), tag == "latest") {
            if !parsed.matches(tag) {
                // Suggest a range only for a tag that is a version.
                let example = if Range::parse(&format!("^{tag}")).is_ok_and(|r| r.matches(tag)) {
                    format!(", e.g. \"^{tag}\"")
                } else {
                    String::new()
                };
                r.error(
                    IMAGES,
                    "/tag",
                    format!("tag `{tag}` is outside the image policy range `{range}` of cluster `{}`: image automation would replace it", cluster.name),
                    Some(format!("use a release tag inside the range, or set overrides.{}.images.semver to a range containing it{example}", cluster.name)),
                );
            }
        }
    }
    let resolved = match policy {
        Some(ImagePolicyKind::Semver) => semver.map(TagPolicy::Semver),
        Some(ImagePolicyKind::Build) => pattern.map(TagPolicy::Build),
        Some(ImagePolicyKind::Pinned) | None => None,
    };
    r.finish(mark, resolved)
}

/// Checks the `images` section of a cluster file; `git` says whether it has `git`.
pub(super) fn check_cluster(images: &ClusterImages, git: bool, r: &mut Resolver<'_>) {
    check_policy(
        r,
        "/images",
        images.policy,
        images.semver.as_deref(),
        images.build_tag_pattern.as_deref(),
        true,
    );
    let automation = images.automation.unwrap_or(Automation::Review);
    if automation != Automation::Off && !git {
        r.error(
            IMAGES,
            "/images",
            "image automation needs the cluster's `git` repository",
            None,
        );
    }
    if automation == Automation::Auto && r.strict() {
        r.report(
            Severity::Warning,
            AUTO_ON_STRICT,
            "/images/automation",
            "/images/automation",
            format!(
                "automation `auto` deploys every new image to strict cluster `{}` without review",
                r.cluster().name
            ),
            Some("use `review` to push updates to a branch for a merge request".into()),
        );
    }
}

/// Checks a policy choice with its parameters. `complete` asks for a policy to be chosen.
fn check_policy(
    r: &mut Resolver<'_>,
    pointer: &str,
    policy: Option<ImagePolicyKind>,
    semver: Option<&str>,
    pattern: Option<&str>,
    complete: bool,
) {
    if let Some(range) = semver {
        if let Err(e) = Range::parse(range) {
            r.error(
                IMAGES,
                &format!("{pointer}/semver"),
                format!("semver range `{range}` does not parse: {e}"),
                Some("use a range such as \">=1.0.0 <2.0.0\" or \"^1.4\"".into()),
            );
        }
    }
    if let Some(p) = pattern {
        match regex::Regex::new(p) {
            Err(e) => r.error(
                IMAGES,
                &format!("{pointer}/buildTagPattern"),
                format!(
                    "buildTagPattern is not a valid regular expression: {}",
                    e.to_string().lines().last().unwrap_or_default()
                ),
                None,
            ),
            Ok(re) if !re.capture_names().any(|n| n == Some("ts")) => r.error(
                IMAGES,
                &format!("{pointer}/buildTagPattern"),
                "buildTagPattern has no `ts` group to order builds by",
                Some("name the timestamp group: (?P<ts>[0-9]{10,})".into()),
            ),
            Ok(_) => {}
        }
    }
    match policy {
        Some(ImagePolicyKind::Semver) if semver.is_none() && complete => r.error(
            IMAGES,
            pointer,
            "policy `semver` needs a `semver` range",
            None,
        ),
        Some(ImagePolicyKind::Build) if pattern.is_none() && complete => r.error(
            IMAGES,
            pointer,
            "policy `build` needs a `buildTagPattern`",
            None,
        ),
        None if complete => r.error(
            IMAGES,
            pointer,
            "image automation needs a `policy`: semver, build or pinned",
            None,
        ),
        Some(ImagePolicyKind::Pinned) if semver.is_some() || pattern.is_some() => r.error(
            IMAGES,
            pointer,
            "policy `pinned` is never automated: `semver` and `buildTagPattern` have no effect",
            Some("remove them, or choose policy `semver` or `build`".into()),
        ),
        _ => {}
    }
}
