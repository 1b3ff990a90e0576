//! Flux objects of a cluster: the `infrastructure` Kustomization, one Kustomization per
//! service with its `dependsOn` order, and Slack notifications.
//!
//! They live under `clusters/<cluster>/`, which the `flux-system` Kustomization created by
//! `flux bootstrap --path=clusters/<cluster>` applies as a whole; the paths they point at
//! (`./infrastructure`, `./apps/<service>`) are outside it, so no object is applied twice.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::blueprint::common::Duration;
use crate::resolve::{labels, ResolvedCluster, ResolvedService};
use crate::resources::flux::{
    Alert, AlertSpec, EventSource, Kustomization, KustomizationSpec, NamedRef, Provider,
    ProviderSpec, SourceRef,
};

/// Namespace of every Flux object we render (where bootstrap installs Flux).
pub const FLUX_NAMESPACE: &str = "flux-system";
/// The GitRepository `flux bootstrap` creates for the cluster's repository.
pub const SOURCE: &str = "flux-system";
/// Name of the Kustomization applying `./infrastructure`.
pub const INFRASTRUCTURE: &str = "infrastructure";

/// Metadata of a Flux object in `flux-system`.
pub(crate) fn meta(name: &str) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_owned()),
        namespace: Some(FLUX_NAMESPACE.to_owned()),
        labels: Some([(labels::MANAGED_BY.to_owned(), "fluxprint".to_owned())].into()),
        ..ObjectMeta::default()
    }
}

pub(crate) fn kustomization(
    cluster: &ResolvedCluster,
    name: &str,
    path: &str,
    depends_on: Vec<NamedRef>,
) -> Kustomization {
    Kustomization {
        metadata: meta(name),
        spec: KustomizationSpec {
            interval: cluster.flux.interval.clone(),
            retry_interval: Some(cluster.flux.retry_interval.clone()),
            timeout: Some(cluster.flux.timeout.clone()),
            path: path.to_owned(),
            prune: cluster.flux.prune,
            source_ref: SourceRef {
                kind: "GitRepository".into(),
                name: SOURCE.into(),
            },
            depends_on,
            // Ready only when every object is: dependants wait for a working service.
            wait: Some(true),
            force: None,
        },
    }
}

/// The Kustomization applying `./infrastructure` (namespaces and shared objects), after
/// `depends_on` (the platform components whose CRDs its objects and the services' use).
pub fn infrastructure(cluster: &ResolvedCluster, depends_on: Vec<String>) -> Kustomization {
    kustomization(
        cluster,
        INFRASTRUCTURE,
        "./infrastructure",
        depends_on.into_iter().map(NamedRef::new).collect(),
    )
}

/// The Kustomization applying `./apps/<service>`: after `infrastructure`, the service's
/// `dependsOn` (blueprints by their Kustomization name, infrastructure names as given) and
/// its before-rollout jobs, so that Flux rolls the pods only once they completed.
pub fn service(cluster: &ResolvedCluster, svc: &ResolvedService) -> Kustomization {
    let mut deps = base_dependencies(svc);
    deps.extend(svc.before_rollout().map(|j| j.object.clone()));
    let mut k = kustomization(
        cluster,
        &svc.name,
        &format!("./apps/{}", svc.name),
        deps.into_iter().map(NamedRef::new).collect(),
    );
    // `wait` holds the Kustomization until the Canary is ready again, after its analysis:
    // give it the longest analysis that still promotes, when that outlasts the cluster's
    // timeout (validator rule GO603 checks the same).
    if let Some(p) = &svc.delivery {
        let longest = p.longest_seconds();
        let timeout = Duration(cluster.flux.timeout.clone()).millis();
        if timeout < longest as f64 * 1000.0 {
            k.spec.timeout = Some(if longest % 60 == 0 {
                format!("{}m", longest / 60)
            } else {
                format!("{longest}s")
            });
        }
    }
    k
}

/// `infrastructure`, then the service's `dependsOn` in order.
fn base_dependencies(svc: &ResolvedService) -> Vec<String> {
    let mut deps = vec![INFRASTRUCTURE.to_owned()];
    deps.extend(svc.depends_on.iter().cloned());
    deps.dedup();
    deps
}

/// The Kustomization applying `./apps/<service>-<job>`, the directory of a before-rollout
/// job: after what the service depends on (a migration needs its database) and the
/// service's before-rollout jobs written before it, so they run one after another.
///
/// `force: true`: a Job's pod template is immutable, so the apply of a new image (the tag
/// image automation or a promotion wrote) would fail; with `force` Flux deletes the Job and
/// creates it anew, which runs it again, for the new image. `wait: true` makes the
/// Kustomization ready only once the Job completed, and the service's Kustomization, which
/// depends on it, applies the new pods only then.
pub fn job(cluster: &ResolvedCluster, svc: &ResolvedService, object: &str) -> Kustomization {
    let mut deps = base_dependencies(svc);
    deps.extend(
        svc.before_rollout()
            .map(|j| j.object.clone())
            .take_while(|o| o != object),
    );
    let mut k = kustomization(
        cluster,
        object,
        &format!("./apps/{object}"),
        deps.into_iter().map(NamedRef::new).collect(),
    );
    k.spec.force = Some(true);
    k
}

/// Slack Provider and Alert for Kustomization and ImagePolicy events, when configured.
pub fn notifications(cluster: &ResolvedCluster) -> Option<(Provider, Alert)> {
    let slack = cluster.slack.as_ref()?;
    let provider = Provider {
        metadata: meta("slack"),
        spec: ProviderSpec {
            type_: "slack".into(),
            channel: Some(slack.channel.clone()),
            secret_ref: Some(NamedRef::new(slack.secret_ref.clone())),
        },
    };
    let alert = Alert {
        metadata: meta("deployments"),
        spec: AlertSpec {
            provider_ref: NamedRef::new("slack"),
            event_severity: "info".into(),
            event_sources: ["Kustomization", "ImagePolicy"]
                .into_iter()
                .map(|kind| EventSource {
                    kind: kind.into(),
                    name: "*".into(),
                })
                .collect(),
        },
    };
    Some((provider, alert))
}
