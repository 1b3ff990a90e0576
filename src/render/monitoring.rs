//! Monitoring objects: a ServiceMonitor for services with `monitoring`, and a PrometheusRule
//! with the blueprint's `alerts` plus, with `monitoring.defaults: true`, three default alerts
//! (restarting pods, autoscaler at its maximum for 15 minutes, availability below the
//! disruption budget).

use std::collections::BTreeMap;

use super::workload::metadata;
use crate::resolve::{ResolvedService, Scaling};
use crate::resources::monitoring::{
    AlertingRule, Endpoint, PrometheusRule, PrometheusRuleSpec, RuleGroup, Selector,
    ServiceMonitor, ServiceMonitorSpec,
};

/// The ServiceMonitor, when the service sets `monitoring`.
pub fn service_monitor(svc: &ResolvedService) -> Option<ServiceMonitor> {
    let m = svc.monitoring.as_ref()?;
    Some(ServiceMonitor {
        metadata: metadata(svc, &svc.name),
        spec: ServiceMonitorSpec {
            selector: Selector {
                match_labels: svc.pods(),
            },
            endpoints: vec![Endpoint {
                port: m.port.clone(),
                path: m.path.clone(),
                interval: m.interval.clone(),
            }],
        },
    })
}

fn rule(alert: &str, expr: String, for_: &str, severity: &str, summary: String) -> AlertingRule {
    AlertingRule {
        alert: alert.to_owned(),
        expr,
        for_: Some(for_.to_owned()),
        labels: BTreeMap::from([("severity".to_owned(), severity.to_owned())]),
        annotations: BTreeMap::from([("summary".to_owned(), summary)]),
    }
}

/// The default alerts of a service (those that apply to how it is scaled).
fn defaults(svc: &ResolvedService) -> Vec<AlertingRule> {
    let (ns, name) = (&svc.namespace, &svc.name);
    let mut rules = vec![rule(
        &format!("{}PodsRestarting", camel(name)),
        format!("increase(kube_pod_container_status_restarts_total{{namespace=\"{ns}\", container=\"{name}\"}}[15m]) > 3"),
        "5m",
        "warning",
        format!("Pods of {ns}/{name} restart repeatedly"),
    )];
    if let Scaling::Auto { .. } = svc.scaling {
        // Between releases Flagger's primary serves, scaled by its copy of the autoscaler.
        let hpa = match svc.delivery {
            Some(_) => format!("{name}-primary"),
            None => name.clone(),
        };
        rules.push(rule(
            &format!("{}AutoscalerAtMax", camel(name)),
            format!("kube_horizontalpodautoscaler_status_current_replicas{{namespace=\"{ns}\", horizontalpodautoscaler=\"{hpa}\"}} >= kube_horizontalpodautoscaler_spec_max_replicas{{namespace=\"{ns}\", horizontalpodautoscaler=\"{hpa}\"}}"),
            "15m",
            "warning",
            format!("{ns}/{name} has run at its maximum replicas for 15 minutes"),
        ));
    }
    if svc.scaling.min() >= 2 {
        rules.push(rule(
            &format!("{}BelowDisruptionBudget", camel(name)),
            format!("kube_poddisruptionbudget_status_current_healthy{{namespace=\"{ns}\", poddisruptionbudget=\"{name}\"}} < kube_poddisruptionbudget_status_desired_healthy{{namespace=\"{ns}\", poddisruptionbudget=\"{name}\"}}"),
            "5m",
            "critical",
            format!("{ns}/{name} has fewer healthy pods than its disruption budget requires"),
        ));
    }
    rules
}

/// `rider-api` → `RiderApi`, for alert names.
fn camel(name: &str) -> String {
    name.split('-')
        .map(|p| {
            let mut c = p.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The PrometheusRule, when the service has alerts or asks for the defaults.
pub fn prometheus_rule(svc: &ResolvedService) -> Option<PrometheusRule> {
    let mut rules: Vec<AlertingRule> = svc
        .alerts
        .iter()
        .map(|a| AlertingRule {
            alert: a.name.clone(),
            expr: a.expr.clone(),
            for_: a.for_.clone(),
            labels: BTreeMap::from([("severity".to_owned(), a.severity.clone())]),
            annotations: BTreeMap::from([(
                "summary".to_owned(),
                format!("{} of {}/{}", a.name, svc.namespace, svc.name),
            )]),
        })
        .collect();
    if svc.monitoring.as_ref().is_some_and(|m| m.defaults) {
        rules.extend(defaults(svc));
    }
    (!rules.is_empty()).then(|| PrometheusRule {
        metadata: metadata(svc, &svc.name),
        spec: PrometheusRuleSpec {
            groups: vec![RuleGroup {
                name: svc.name.clone(),
                rules,
            }],
        },
    })
}

#[cfg(test)]
mod tests {
    use super::camel;

    #[test]
    fn alert_names() {
        assert_eq!(camel("order"), "Order");
        assert_eq!(camel("rider-api"), "RiderApi");
    }
}
