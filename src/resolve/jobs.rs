//! `jobs`: run-to-completion work of a service, in its image unless a job names its own.
//! Each job runs either before every rollout (`when: before-rollout`: a Job in a Flux
//! Kustomization of its own that the service's depends on) or on a `schedule` (a CronJob),
//! never both. Names are checked for what Kubernetes derives from them (a CronJob's name
//! leaves room for the Jobs it creates), schedules for the cron grammar, and a before-rollout
//! job may not expire after it finished: Flux would re-create the missing Job and run it
//! again. Resources default to the service's.

use std::collections::BTreeMap;

use super::codes::{DUPLICATE, IMAGE, INVALID_NAME, JOB_TRIGGER, JOB_TTL_BEFORE_ROLLOUT};
use super::image::check_tag;
use super::resolver::Resolver;
use super::resources::{self, ResolvedResources};
use crate::blueprint::names;
use crate::blueprint::service::{ConcurrencyPolicy, Job};
use crate::blueprint::Blueprint;
use crate::diag::field_path;

/// Longest name of a Job: its pods carry it as the label `batch.kubernetes.io/job-name`.
pub const JOB_NAME_MAX: usize = 63;
/// Longest name of a CronJob: the controller appends 11 characters for each Job it creates.
pub const CRON_JOB_NAME_MAX: usize = 52;

/// When a job runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobRun {
    /// Before each rollout of the service.
    BeforeRollout,
    /// On a schedule.
    Scheduled {
        /// Cron schedule.
        schedule: String,
        /// Time zone of the schedule.
        time_zone: Option<String>,
        /// What happens when a run is due while the previous one runs.
        concurrency_policy: ConcurrencyPolicy,
    },
}

/// A job of a service, resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedJob {
    /// The job's own name (its container's).
    pub name: String,
    /// `<service>-<name>`: the Job or CronJob, the name label of its pods, its NetworkPolicy
    /// and, before a rollout, its Flux Kustomization and directory.
    pub object: String,
    /// Image repository.
    pub image: String,
    /// Image tag.
    pub tag: String,
    /// It runs the service's own image, so image automation updates it with the workload.
    pub service_image: bool,
    /// Entrypoint.
    pub command: Vec<String>,
    /// Arguments.
    pub args: Vec<String>,
    /// Requests and limits (the service's unless the job sets its own).
    pub resources: ResolvedResources,
    /// When it runs.
    pub run: JobRun,
    /// Retries before the Job fails.
    pub backoff_limit: Option<u32>,
    /// Seconds the Job may run.
    pub active_deadline_seconds: Option<u32>,
    /// Seconds a finished Job is kept (scheduled jobs only).
    pub ttl_seconds_after_finished: Option<u32>,
}

impl ResolvedJob {
    /// `image:tag`.
    pub fn image_ref(&self) -> String {
        format!("{}:{}", self.image, self.tag)
    }

    /// It runs before each rollout.
    pub fn before_rollout(&self) -> bool {
        self.run == JobRun::BeforeRollout
    }
}

/// Checks and resolves the jobs of a blueprint; `image` is the service's resolved image and
/// tag, `main` the service's resources (what a job without its own gets).
pub fn resolve(
    bp: &Blueprint,
    image: Option<(&str, &str)>,
    main: Option<&ResolvedResources>,
    r: &mut Resolver<'_>,
) -> Option<Vec<ResolvedJob>> {
    let mark = r.mark();
    let mut seen: BTreeMap<&str, String> = BTreeMap::new();
    let mut resolved = Vec::new();
    for (i, job) in bp.jobs.iter().flatten().enumerate() {
        let at = format!("/jobs/{i}");
        if let Some(first) = seen.insert(&job.name, at.clone()) {
            r.error(
                DUPLICATE,
                &format!("{at}/name"),
                format!(
                    "job name `{}` is used twice (also at {})",
                    job.name,
                    field_path(&first)
                ),
                None,
            );
        }
        resolved.push(resolve_one(bp, job, &at, image, main, r));
    }
    let resolved: Option<Vec<ResolvedJob>> = resolved.into_iter().collect();
    r.finish(mark, resolved).flatten()
}

fn resolve_one(
    bp: &Blueprint,
    job: &Job,
    at: &str,
    image: Option<(&str, &str)>,
    main: Option<&ResolvedResources>,
    r: &mut Resolver<'_>,
) -> Option<ResolvedJob> {
    let mark = r.mark();
    let object = format!("{}-{}", bp.name, job.name);
    let run = trigger(job, at, r);
    let max = match run {
        Some(JobRun::Scheduled { .. }) => CRON_JOB_NAME_MAX,
        _ => JOB_NAME_MAX,
    };
    if let Some(why) = names::dns1123_label(&job.name, 63) {
        r.error(
            INVALID_NAME,
            &format!("{at}/name"),
            format!("job name `{}` {why}", job.name),
            None,
        );
    } else if object.len() > max {
        r.error(
            INVALID_NAME,
            &format!("{at}/name"),
            format!(
                "job `{object}` is {} characters long; the limit is {max}",
                object.len()
            ),
            Some(format!(
                "the object is named `<service>-<name>`; shorten the job's name to at most {} characters",
                max.saturating_sub(bp.name.len() + 1)
            )),
        );
    }
    if job.command.first().is_none_or(|c| c.is_empty()) {
        r.error(
            JOB_TRIGGER,
            &format!("{at}/command"),
            "a job needs a command",
            None,
        );
    }
    let own_image = match (&job.image, &job.tag) {
        (Some(repository), tag) => {
            if let Some(why) = names::image_repository(repository) {
                r.error(
                    IMAGE,
                    &format!("{at}/image"),
                    format!("image `{repository}` {why}"),
                    None,
                );
            }
            match tag {
                Some(tag) => check_tag(r, &format!("{at}/tag"), tag, false),
                None if r.strict() => {
                    let cluster = r.cluster().name.clone();
                    r.error_at(
                        IMAGE,
                        at,
                        &format!("{at}/tag"),
                        format!("no `tag`: strict cluster `{cluster}` needs a pinned image tag"),
                        Some("a job with its own `image` needs its own `tag`".into()),
                    );
                }
                None => {}
            }
            Some((
                repository.clone(),
                tag.clone().unwrap_or_else(|| "latest".into()),
            ))
        }
        (None, Some(_)) => {
            r.error(
                IMAGE,
                &format!("{at}/tag"),
                "a job's `tag` needs its own `image`; without both it runs the service's",
                None,
            );
            None
        }
        (None, None) => None,
    };
    let resources = match &job.resources {
        Some(own) => resources::resolve(Some(own), &format!("{at}/resources"), r),
        None => main.cloned(),
    };
    let service_image = own_image.is_none();
    let (image, tag) = match own_image {
        Some(own) => own,
        None => {
            let (i, t) = image?;
            (i.to_owned(), t.to_owned())
        }
    };
    let (run, resources) = (run?, resources?);
    r.finish(
        mark,
        ResolvedJob {
            name: job.name.clone(),
            object,
            image,
            tag,
            service_image,
            command: job.command.clone(),
            args: job.args.clone().unwrap_or_default(),
            resources,
            run,
            backoff_limit: job.backoff_limit,
            active_deadline_seconds: job.active_deadline_seconds,
            ttl_seconds_after_finished: job.ttl_seconds_after_finished,
        },
    )
}

/// `when` or `schedule`, exactly one, with the settings that belong to it.
fn trigger(job: &Job, at: &str, r: &mut Resolver<'_>) -> Option<JobRun> {
    let mark = r.mark();
    let run = match (&job.when, &job.schedule) {
        (Some(_), Some(_)) | (None, None) => {
            r.error(
                JOB_TRIGGER,
                at,
                format!(
                    "job `{}` needs exactly one of `when: before-rollout` and `schedule`",
                    job.name
                ),
                Some("`when: before-rollout` runs it before each rollout (migrations); `schedule: \"0 3 * * *\"` makes it a CronJob".into()),
            );
            None
        }
        (Some(_), None) => {
            for (set, field) in [
                (job.time_zone.is_some(), "timeZone"),
                (job.concurrency_policy.is_some(), "concurrencyPolicy"),
            ] {
                if set {
                    r.error(
                        JOB_TRIGGER,
                        &format!("{at}/{field}"),
                        format!(
                            "`{field}` is for scheduled jobs; this one runs before each rollout"
                        ),
                        None,
                    );
                }
            }
            if job.ttl_seconds_after_finished.is_some() {
                r.error(
                    JOB_TTL_BEFORE_ROLLOUT,
                    &format!("{at}/ttlSecondsAfterFinished"),
                    "a before-rollout Job must not expire: Flux would re-create the deleted Job at its next reconciliation and run it again",
                    Some("drop `ttlSecondsAfterFinished`; the Job is replaced when the image changes".into()),
                );
            }
            Some(JobRun::BeforeRollout)
        }
        (None, Some(schedule)) => {
            if let Some(why) = names::cron_schedule(schedule) {
                r.error(
                    JOB_TRIGGER,
                    &format!("{at}/schedule"),
                    format!("schedule `{schedule}` {why}"),
                    Some("write five fields, e.g. `0 3 * * *` (03:00 every day); set the zone in `timeZone`".into()),
                );
            }
            if let Some(zone) = &job.time_zone {
                if let Some(why) = names::time_zone(zone) {
                    r.error(
                        JOB_TRIGGER,
                        &format!("{at}/timeZone"),
                        format!("time zone `{zone}` {why}"),
                        None,
                    );
                }
            }
            Some(JobRun::Scheduled {
                schedule: schedule.clone(),
                time_zone: job.time_zone.clone(),
                concurrency_policy: job.concurrency_policy.unwrap_or_default(),
            })
        }
    };
    r.finish(mark, run).flatten()
}
