//! `alerts`: Prometheus alerting rules of a service. Prometheus refuses names that are not
//! metric names, and two rules of one service with the same name page as one alert; the
//! severity is one the platform's alert routing knows (default `warning`).

use std::collections::BTreeSet;

use super::codes::ALERT;
use super::resolver::Resolver;
use crate::blueprint::Blueprint;

/// Severities the alert routing of the platform knows.
const SEVERITIES: [&str; 3] = ["critical", "warning", "info"];

/// An alerting rule, resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedAlert {
    /// Alert name.
    pub name: String,
    /// PromQL expression.
    pub expr: String,
    /// How long the expression must hold, as written.
    pub for_: Option<String>,
    /// Severity label (default `warning`).
    pub severity: String,
}

/// Checks and resolves `alerts`.
pub fn resolve(bp: &Blueprint, r: &mut Resolver<'_>) -> Option<Vec<ResolvedAlert>> {
    let mark = r.mark();
    let mut seen = BTreeSet::new();
    let alerts = bp.alerts.as_deref().unwrap_or_default();
    for (i, a) in alerts.iter().enumerate() {
        let valid = a
            .name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && a.name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':');
        if !valid {
            r.error(
                ALERT,
                &format!("/alerts/{i}/name"),
                format!("alert name `{}` is not a valid Prometheus metric name", a.name),
                Some("use letters, digits, `_` and `:`, not starting with a digit, e.g. `OrderHighLatency`".into()),
            );
        } else if !seen.insert(a.name.as_str()) {
            r.error(
                ALERT,
                &format!("/alerts/{i}/name"),
                format!("alert `{}` is defined twice", a.name),
                None,
            );
        }
        if a.expr.trim().is_empty() {
            r.error(
                ALERT,
                &format!("/alerts/{i}/expr"),
                "alert expression is empty",
                None,
            );
        }
        if let Some(sev) = a.severity.as_deref().filter(|s| !SEVERITIES.contains(s)) {
            r.error(
                ALERT,
                &format!("/alerts/{i}/severity"),
                format!("severity `{sev}` is not one of {}", SEVERITIES.join(", ")),
                None,
            );
        }
    }
    let resolved = alerts
        .iter()
        .map(|a| ResolvedAlert {
            name: a.name.clone(),
            expr: a.expr.clone(),
            for_: a.for_.as_ref().map(|d| d.0.clone()),
            severity: a.severity.clone().unwrap_or_else(|| "warning".into()),
        })
        .collect();
    r.finish(mark, resolved)
}
