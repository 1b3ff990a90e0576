//! Jobs and CronJobs of a service (`batch/v1`), in the service's hardened pod with its
//! ServiceAccount, variables and (unless a job sets its own) resources.
//!
//! A before-rollout job is a Job `<service>-<job>` in `apps/<service>-<job>/`, applied by a
//! Flux Kustomization of its own that the service's Kustomization depends on (see
//! [`super::flux::job`]), so Flux runs it to completion before it rolls the pods. A scheduled
//! job is a CronJob `<service>-<job>` beside the workload in `apps/<service>/`. The pods of
//! both are labelled `app.kubernetes.io/name: <service>-<job>`, so that neither the Service,
//! the PodDisruptionBudget nor the autoscaler of the service count them; their NetworkPolicy
//! ([`super::network::job_policy`]) admits nothing and lets out what the service may.

use std::collections::BTreeMap;

use k8s_openapi::api::batch::v1::{CronJob, CronJobSpec, Job, JobSpec, JobTemplateSpec};
use k8s_openapi::api::core::v1::{PodSpec, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::workload::{config_annotations, hardened_container, hardened_pod, with_env};
use crate::blueprint::names::is_label_value;
use crate::resolve::{labels, JobRun, ResolvedCluster, ResolvedJob, ResolvedService};

/// The Job of a before-rollout job (`None` for a scheduled one).
pub fn job(svc: &ResolvedService, cluster: &ResolvedCluster, job: &ResolvedJob) -> Option<Job> {
    (job.run == JobRun::BeforeRollout).then(|| Job {
        metadata: metadata(svc, job),
        spec: Some(job_spec(svc, cluster, job)),
        ..Job::default()
    })
}

/// The CronJob of a scheduled job (`None` for a before-rollout one).
pub fn cron_job(
    svc: &ResolvedService,
    cluster: &ResolvedCluster,
    job: &ResolvedJob,
) -> Option<CronJob> {
    let JobRun::Scheduled {
        schedule,
        time_zone,
        concurrency_policy,
    } = &job.run
    else {
        return None;
    };
    Some(CronJob {
        metadata: metadata(svc, job),
        spec: Some(CronJobSpec {
            schedule: schedule.clone(),
            time_zone: time_zone.clone(),
            // Never two runs at once by default: most maintenance work is not written for it.
            concurrency_policy: Some(concurrency_policy.as_str().into()),
            job_template: JobTemplateSpec {
                // Labels only: the controller names the Jobs and puts them in the namespace.
                metadata: Some(ObjectMeta {
                    labels: Some(job_labels(svc, job, false)),
                    ..ObjectMeta::default()
                }),
                spec: Some(job_spec(svc, cluster, job)),
            },
            ..CronJobSpec::default()
        }),
        ..CronJob::default()
    })
}

/// Metadata of a job's Job or CronJob, with the version label.
fn metadata(svc: &ResolvedService, job: &ResolvedJob) -> ObjectMeta {
    ObjectMeta {
        name: Some(job.object.clone()),
        namespace: Some(svc.namespace.clone()),
        labels: Some(job_labels(svc, job, true)),
        ..ObjectMeta::default()
    }
}

/// The service's labels, named for the job, with the version of its image when `versioned`.
fn job_labels(
    svc: &ResolvedService,
    job: &ResolvedJob,
    versioned: bool,
) -> BTreeMap<String, String> {
    let mut l = svc.labels();
    l.insert(labels::NAME.into(), job.object.clone());
    if versioned && is_label_value(&job.tag) {
        l.insert(labels::VERSION.into(), job.tag.clone());
    }
    l
}

fn job_spec(svc: &ResolvedService, cluster: &ResolvedCluster, job: &ResolvedJob) -> JobSpec {
    let mut annotations = config_annotations(svc);
    if cluster.mesh.as_ref().is_some_and(|m| !m.ambient) {
        // An injected proxy never exits, so the Job would never complete.
        annotations.insert("sidecar.istio.io/inject".into(), "false".into());
    }
    let container = with_env(
        svc,
        hardened_container(
            cluster,
            &job.name,
            job.image_ref(),
            (&job.command, &job.args),
            &job.resources,
        ),
    );
    JobSpec {
        backoff_limit: job.backoff_limit.map(to_i32),
        active_deadline_seconds: job.active_deadline_seconds.map(i64::from),
        ttl_seconds_after_finished: job.ttl_seconds_after_finished.map(to_i32),
        template: PodTemplateSpec {
            metadata: Some(ObjectMeta {
                labels: Some(job_labels(svc, job, true)),
                annotations: (!annotations.is_empty()).then_some(annotations),
                ..ObjectMeta::default()
            }),
            spec: Some(PodSpec {
                // A failed pod stays for its logs; `backoffLimit` counts the new ones.
                restart_policy: Some("Never".into()),
                ..hardened_pod(svc, vec![container])
            }),
        },
        ..JobSpec::default()
    }
}

fn to_i32(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}
