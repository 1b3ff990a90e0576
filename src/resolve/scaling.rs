//! `replicas`, `autoscaling` and `capacity`: either a fixed count (default 2 on strict
//! clusters, 1 on relaxed ones) or an autoscaler with a target whose resource every container
//! requests; on strict clusters the most replicas must serve the declared peak.

use super::codes::{CAPACITY, SCALING};
use super::resolver::Resolver;
use crate::blueprint::service::Capacity;
use crate::blueprint::Blueprint;

/// How the replica count is decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scaling {
    /// A fixed count.
    Fixed(u32),
    /// An autoscaler between `min` and `max`.
    Auto {
        /// Fewest.
        min: u32,
        /// Most.
        max: u32,
        /// CPU utilization target.
        cpu: Option<u8>,
        /// Memory utilization target.
        memory: Option<u8>,
    },
}

impl Scaling {
    /// The fewest replicas that will run.
    pub fn min(&self) -> u32 {
        match self {
            Scaling::Fixed(n) => *n,
            Scaling::Auto { min, .. } => *min,
        }
    }

    /// The most replicas that may run.
    pub fn max(&self) -> u32 {
        match self {
            Scaling::Fixed(n) => *n,
            Scaling::Auto { max, .. } => *max,
        }
    }
}

/// The declared peak load, for planning.
#[derive(Clone, Debug, PartialEq)]
pub struct ResolvedCapacity {
    /// Requests per second at the peak.
    pub peak_rps: f64,
    /// Pods needed to serve it.
    pub pods_at_peak: u32,
}

/// Checks and resolves the replica policy and the capacity figures.
pub fn resolve(
    bp: &Blueprint,
    r: &mut Resolver<'_>,
) -> Option<(Scaling, Option<ResolvedCapacity>)> {
    let mark = r.mark();
    if let Some(a) = &bp.autoscaling {
        if bp.replicas.is_some() {
            r.error(
                SCALING,
                "/replicas",
                "`replicas` and `autoscaling` are both set",
                Some("the autoscaler owns the replica count; remove `replicas`".into()),
            );
        }
        if a.min < 1 {
            r.error(
                SCALING,
                "/autoscaling/min",
                "autoscaling.min must be at least 1",
                None,
            );
        }
        if a.min > a.max {
            r.error(
                SCALING,
                "/autoscaling/min",
                format!(
                    "autoscaling.min ({}) is greater than autoscaling.max ({})",
                    a.min, a.max
                ),
                None,
            );
        }
        if a.cpu.is_none() && a.memory.is_none() {
            r.error(
                SCALING,
                "/autoscaling",
                "autoscaling needs a target: set `cpu` or `memory` (percent)",
                None,
            );
        }
        let res = bp.resources.clone().unwrap_or_default();
        if a.cpu.is_some() && res.cpu.is_none() {
            r.error(
                SCALING,
                "/autoscaling/cpu",
                "a CPU target needs a CPU request (resources.cpu)",
                Some("utilization is measured against the request".into()),
            );
        }
        for (s, sidecar) in bp.sidecars.iter().flatten().enumerate() {
            let sr = sidecar.resources.clone().unwrap_or_default();
            if (a.cpu.is_some() && sr.cpu.is_none()) || (a.memory.is_some() && sr.memory.is_none())
            {
                r.error(
                    SCALING,
                    &format!("/sidecars/{s}"),
                    format!(
                        "sidecar `{}` needs requests for every resource the autoscaler targets",
                        sidecar.name
                    ),
                    Some(
                        "the autoscaler measures utilization over all containers of the pod".into(),
                    ),
                );
            }
        }
        if a.memory.is_some() && res.memory.is_none() {
            r.error(
                SCALING,
                "/autoscaling/memory",
                "a memory target needs a memory request (resources.memory)",
                Some("utilization is measured against the request".into()),
            );
        }
    }
    let scaling = match &bp.autoscaling {
        Some(a) => Scaling::Auto {
            min: a.min,
            max: a.max,
            cpu: a.cpu,
            memory: a.memory,
        },
        None => Scaling::Fixed(bp.replicas.unwrap_or(if r.strict() { 2 } else { 1 })),
    };
    let capacity = bp
        .capacity
        .as_ref()
        .and_then(|c| capacity(c, &scaling, bp, r));
    r.finish(mark, (scaling, capacity))
}

/// The autoscaler must be allowed to reach the pods the peak needs.
fn capacity(
    c: &Capacity,
    scaling: &Scaling,
    bp: &Blueprint,
    r: &mut Resolver<'_>,
) -> Option<ResolvedCapacity> {
    let Some(needed) = pods_at_peak(c) else {
        r.error(
            SCALING,
            "/capacity/rpsPerPod",
            "capacity.rpsPerPod must be greater than 0",
            None,
        );
        return None;
    };
    if r.strict() && scaling.max() < needed {
        let max = scaling.max();
        let pointer = match (&bp.autoscaling, bp.replicas) {
            (Some(_), _) => "/autoscaling/max",
            (None, Some(_)) => "/replicas",
            (None, None) => "/capacity",
        };
        let cluster = &r.cluster().name;
        r.error(
            CAPACITY,
            pointer,
            format!(
                "at most {max} replicas run in strict cluster `{cluster}`, but {needed} pods are needed at the peak of {} requests/s",
                c.peak_rps
            ),
            Some(format!("raise the maximum to at least {needed}, or revise `capacity`")),
        );
    }
    Some(ResolvedCapacity {
        peak_rps: c.peak_rps,
        pods_at_peak: needed,
    })
}

/// Pods needed to serve the peak: `ceil(peakRps / (rpsPerPod / complexity))`. `None` when
/// `rpsPerPod` is not positive (refused above).
pub fn pods_at_peak(c: &Capacity) -> Option<u32> {
    if c.rps_per_pod <= 0.0 || !c.rps_per_pod.is_finite() {
        return None;
    }
    Some(ceil_count(
        c.peak_rps / (c.rps_per_pod / c.complexity.unwrap_or(1.0)),
    ))
}

/// `ceil(x)` as a count, where a value within 10⁻⁹ of a whole number is that number:
/// 4000 / (400 / 1.2) is 12.000000000000002 in floating point, and that is 12 pods, not 13.
pub fn ceil_count(x: f64) -> u32 {
    let rounded = x.round();
    let n = if (x - rounded).abs() < 1e-9 {
        rounded
    } else {
        x.ceil()
    };
    n.clamp(0.0, f64::from(u32::MAX)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn capacity(peak: f64, per_pod: f64, complexity: Option<f64>) -> Capacity {
        Capacity {
            peak_rps: peak,
            rps_per_pod: per_pod,
            complexity,
        }
    }

    #[test]
    fn pods_at_peak_rounds_up_but_not_float_noise() {
        assert_eq!(pods_at_peak(&capacity(4000.0, 400.0, Some(1.2))), Some(12));
        assert_eq!(pods_at_peak(&capacity(1000.0, 300.0, None)), Some(4));
        assert_eq!(pods_at_peak(&capacity(1500.0, 200.0, Some(1.5))), Some(12));
        assert_eq!(pods_at_peak(&capacity(0.0, 200.0, None)), Some(0));
        assert_eq!(pods_at_peak(&capacity(10.0, 0.0, None)), None);
    }
}
