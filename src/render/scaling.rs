//! Scaling objects: HorizontalPodAutoscaler (`autoscaling/v2`) and PodDisruptionBudget
//! (`policy/v1`).

use k8s_openapi::api::autoscaling::v2::{
    CrossVersionObjectReference, HPAScalingRules, HorizontalPodAutoscaler,
    HorizontalPodAutoscalerBehavior, HorizontalPodAutoscalerSpec, MetricSpec, MetricTarget,
    ResourceMetricSource,
};
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::workload::metadata;
use crate::resolve::{ResolvedService, Scaling};

/// Seconds the autoscaler waits before scaling down, so a short dip in load does not remove
/// pods that the next peak needs again.
pub const SCALE_DOWN_WINDOW_SECONDS: i32 = 300;

/// The autoscaler, for services with `autoscaling`.
pub fn autoscaler(svc: &ResolvedService) -> Option<HorizontalPodAutoscaler> {
    let Scaling::Auto {
        min,
        max,
        cpu,
        memory,
    } = svc.scaling
    else {
        return None;
    };
    let metric = |name: &str, target: u8| MetricSpec {
        type_: "Resource".into(),
        resource: Some(ResourceMetricSource {
            name: name.into(),
            target: MetricTarget {
                type_: "Utilization".into(),
                average_utilization: Some(i32::from(target)),
                ..MetricTarget::default()
            },
        }),
        ..MetricSpec::default()
    };
    let mut metrics = Vec::new();
    if let Some(t) = cpu {
        metrics.push(metric("cpu", t));
    }
    if let Some(t) = memory {
        metrics.push(metric("memory", t));
    }
    Some(HorizontalPodAutoscaler {
        metadata: metadata(svc, &svc.name),
        spec: Some(HorizontalPodAutoscalerSpec {
            scale_target_ref: CrossVersionObjectReference {
                api_version: Some("apps/v1".into()),
                kind: svc.workload.kind().into(),
                name: svc.name.clone(),
            },
            min_replicas: Some(i32::try_from(min).unwrap_or(i32::MAX)),
            max_replicas: i32::try_from(max).unwrap_or(i32::MAX),
            metrics: Some(metrics),
            behavior: Some(HorizontalPodAutoscalerBehavior {
                scale_down: Some(HPAScalingRules {
                    stabilization_window_seconds: Some(SCALE_DOWN_WINDOW_SECONDS),
                    ..HPAScalingRules::default()
                }),
                scale_up: None,
            }),
        }),
        ..HorizontalPodAutoscaler::default()
    })
}

/// The disruption budget, when at least two replicas always run. With one replica any
/// budget would either block every node drain or protect nothing, so none is rendered.
pub fn disruption_budget(svc: &ResolvedService) -> Option<PodDisruptionBudget> {
    (svc.scaling.min() >= 2).then(|| PodDisruptionBudget {
        metadata: metadata(svc, &svc.name),
        spec: Some(PodDisruptionBudgetSpec {
            max_unavailable: Some(IntOrString::Int(1)),
            selector: Some(LabelSelector {
                match_labels: Some(svc.pods()),
                ..LabelSelector::default()
            }),
            ..PodDisruptionBudgetSpec::default()
        }),
        ..PodDisruptionBudget::default()
    })
}
