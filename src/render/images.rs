//! Flux image automation: per service an ImageRepository and an ImagePolicy, per cluster one
//! ImageUpdateAutomation, and the setter markers on the image lines it rewrites.
//!
//! dev (`policy: build`, `automation: auto`): the newest build tag, by the numeric `ts` group
//! of the tag pattern, is committed to the reconciled branch and deploys by itself.
//! prod (`policy: semver`, `automation: review`): the newest version in the range is committed
//! to `fluxprint/images-<cluster>`; it deploys once a person merges that branch.

use super::flux::{meta, FLUX_NAMESPACE, SOURCE};
use crate::blueprint::cluster::Automation;
use crate::resolve::{ResolvedCluster, ResolvedService, TagPolicy};
use crate::resources::flux::{
    CommitAuthor, FilterTags, GitCheckout, GitCommit, GitPush, GitRef, GitUpdate, ImagePolicy,
    ImagePolicyChoice, ImagePolicySpec, ImageRepository, ImageRepositorySpec,
    ImageUpdateAutomation, ImageUpdateAutomationSpec, NamedRef, OrderPolicy, SemverPolicy,
    SourceRef, UpdateStrategy,
};

/// Commit message of image updates: which objects moved from which image to which.
pub const COMMIT_TEMPLATE: &str = "Update images in {{ .AutomationObject.Name }}\n\n{{ range $resource, $changes := .Changed.Objects -}}\n- {{ $resource.Kind }} {{ $resource.Namespace }}/{{ $resource.Name }}:\n{{- range $_, $change := $changes }} {{ $change.OldValue }} -> {{ $change.NewValue }}{{ end }}\n{{ end -}}\n";

/// The ImageRepository and ImagePolicy of a service, when the cluster automates images.
pub fn policy(
    cluster: &ResolvedCluster,
    svc: &ResolvedService,
) -> Option<(ImageRepository, ImagePolicy)> {
    let settings = cluster.images.as_ref()?;
    let tag_policy = svc.image_policy.as_ref()?;
    let repository = ImageRepository {
        metadata: meta(&svc.name),
        spec: ImageRepositorySpec {
            image: svc.image.clone(),
            interval: settings.interval.clone(),
            secret_ref: settings.registry_secret.clone().map(NamedRef::new),
        },
    };
    let (filter_tags, choice) = match tag_policy {
        TagPolicy::Semver(range) => (
            None,
            ImagePolicyChoice {
                semver: Some(SemverPolicy {
                    range: range.clone(),
                }),
                numerical: None,
            },
        ),
        TagPolicy::Build(pattern) => (
            Some(FilterTags {
                pattern: pattern.clone(),
                extract: Some("$ts".into()),
            }),
            ImagePolicyChoice {
                semver: None,
                numerical: Some(OrderPolicy {
                    order: "asc".into(),
                }),
            },
        ),
    };
    let policy = ImagePolicy {
        metadata: meta(&svc.name),
        spec: ImagePolicySpec {
            image_repository_ref: NamedRef::new(svc.name.clone()),
            filter_tags,
            policy: choice,
        },
    };
    Some((repository, policy))
}

/// The cluster's ImageUpdateAutomation; none with `automation: off`.
pub fn automation(cluster: &ResolvedCluster) -> Option<ImageUpdateAutomation> {
    let settings = cluster.images.as_ref()?;
    if settings.automation == Automation::Off {
        return None;
    }
    let author = settings.author.clone();
    Some(ImageUpdateAutomation {
        metadata: meta("fluxprint"),
        spec: ImageUpdateAutomationSpec {
            interval: settings.interval.clone(),
            source_ref: SourceRef {
                kind: "GitRepository".into(),
                name: SOURCE.into(),
            },
            git: GitUpdate {
                checkout: GitCheckout {
                    reference: GitRef {
                        branch: settings.checkout_branch.clone(),
                    },
                },
                commit: GitCommit {
                    author: CommitAuthor {
                        name: author.name,
                        email: author.email,
                    },
                    message_template: COMMIT_TEMPLATE.into(),
                },
                push: GitPush {
                    branch: settings.push_branch.clone(),
                },
            },
            update: UpdateStrategy {
                path: "./apps".into(),
                strategy: "Setters".into(),
            },
        },
    })
}

/// The setter marker for a service's image (`suffix` `""` for the whole image, `":tag"` for
/// the tag only), when the cluster's automation writes to its files.
pub fn marker(cluster: &ResolvedCluster, svc: &ResolvedService, suffix: &str) -> Option<String> {
    let settings = cluster.images.as_ref()?;
    svc.image_policy.as_ref()?;
    (settings.automation != Automation::Off).then(|| {
        format!(
            "{{\"$imagepolicy\": \"{FLUX_NAMESPACE}:{}{suffix}\"}}",
            svc.name
        )
    })
}
