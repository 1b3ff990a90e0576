//! The one formula the blueprint check shares with the planner: pods at the peak load. Kept
//! apart from the planner, which reads a whole [`crate::Project`], so that checking a
//! blueprint does not depend on the project that is built from the checks.

use crate::blueprint::service::Capacity;

/// Pods needed to serve the peak: `ceil(peakRps / (rpsPerPod / complexity))`. `None` when
/// `rpsPerPod` is not positive (the blueprint check refuses that).
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
pub(crate) fn ceil_count(x: f64) -> u32 {
    let rounded = x.round();
    let n = if (x - rounded).abs() < 1e-9 {
        rounded
    } else {
        x.ceil()
    };
    n.clamp(0.0, f64::from(u32::MAX)) as u32
}
