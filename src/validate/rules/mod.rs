//! The rules, one per file, named `<code>_<name>.rs` so that `ls` groups the families:
//! GO0xx loading and schemas, GO1xx single objects, GO2xx cross-references between
//! workloads, GO3xx kustomize and Flux (GO315–GO319 HelmReleases), GO4xx Istio and the
//! Gateway API, GO5xx secrets, GO6xx progressive delivery (Flagger).

pub mod flagger;
pub mod gateway_api;
pub mod go001_yaml_syntax;
pub mod go002_document_not_an_object;
pub mod go003_schema_violation;
pub mod go004_api_version_not_served;
pub mod go005_kind_without_schema;
pub mod go006_yaml11_lookalike;
pub mod go007_crd_rule_fails;
pub mod go008_name_invalid;
pub mod go009_label_invalid;
pub mod go010_selector_misses_template;
pub mod go011_value_out_of_range;
pub mod go012_fields_conflict;
pub mod go013_value_invalid;
pub mod go014_field_required;
pub mod go101_container_without_probes;
pub mod go102_container_without_requests;
pub mod go103_image_not_pinned;
pub mod go104_container_not_hardened;
pub mod go201_service_selects_nothing;
pub mod go202_service_target_port_unknown;
pub mod go203_autoscaler_target_missing;
pub mod go204_autoscaler_target_without_requests;
pub mod go205_autoscaler_target_pins_replicas;
pub mod go206_disruption_budget_selects_nothing;
pub mod go207_disruption_budget_blocks_evictions;
pub mod go301_kustomize_entry_missing;
pub mod go302_file_not_in_kustomization;
pub mod go303_flux_source_missing;
pub mod go304_flux_path_missing;
pub mod go305_flux_dependency_missing;
pub mod go306_flux_dependency_cycle;
pub mod go307_object_applied_twice;
pub mod go308_substitute_variable_undefined;
pub mod go309_image_policy_repository_missing;
pub mod go310_image_marker_broken;
pub mod go311_image_policy_invalid;
pub mod go312_kustomize_entry_outside_repository;
pub mod go313_kustomize_build_fails;
pub mod go314_not_built;
pub mod go315_helm_release_source_missing;
pub mod go316_helm_release_chart_unpinned;
pub mod go317_helm_release_values_from_missing;
pub mod go318_helm_release_dependency_missing;
pub mod go319_helm_release_dependency_cycle;
pub mod go401_virtual_service_destination_unknown;
pub mod go402_subset_undefined;
pub mod go403_gateway_unknown;
pub mod go404_destination_rule_host_unknown;
pub mod go405_authorization_policy_unmatched;
pub mod go406_mtls_conflict;
pub mod go407_port_name_without_protocol;
pub mod go408_route_parent_unknown;
pub mod go409_route_not_admitted;
pub mod go410_route_backend_unknown;
pub mod go411_reference_not_granted;
pub mod go412_route_match_taken;
pub mod go413_sidecar_setting_in_ambient;
pub mod go501_plaintext_secret;
pub mod go502_sealed_secret_scope_broken;
pub mod go503_secret_key_unknown;
pub mod go504_data_not_base64;
pub mod go505_data_key_invalid;
pub mod go601_canary_target_missing;
pub mod go602_route_owned_by_canary;
pub mod go603_canary_analysis_outlasts_timeout;
pub mod go604_service_owned_by_canary;
pub mod go605_canary_autoscaler_unreferenced;
pub mod graph;
pub mod helm;
pub mod istio;

use std::collections::BTreeMap;

use serde_json::Value;

use super::tree::Object;

/// Workload kinds and where their pod template is.
pub const WORKLOADS: &[(&str, &str)] = &[
    ("Deployment", "/spec/template"),
    ("StatefulSet", "/spec/template"),
    ("DaemonSet", "/spec/template"),
    ("ReplicaSet", "/spec/template"),
    ("Job", "/spec/template"),
    ("CronJob", "/spec/jobTemplate/spec/template"),
];

/// The pod template pointer of a workload object (`/spec/template`…), or `""` for a Pod.
pub fn pod_template(o: &Object) -> Option<&'static str> {
    // Every rule asks this of every object: the kind is looked up once.
    let kind = o.kind();
    if kind == "Pod" && o.group().is_empty() {
        return Some("");
    }
    let &(_, template) = WORKLOADS.iter().find(|(k, _)| *k == kind)?;
    matches!(o.group(), "apps" | "batch").then_some(template)
}

/// Labels of the pods a workload makes.
pub fn pod_labels<'a>(o: &'a Object, template: &str) -> Option<&'a serde_json::Map<String, Value>> {
    o.at(&format!("{template}/metadata/labels"))
        .and_then(Value::as_object)
}

/// `(pointer, container)` for every container and init container of a pod template.
pub fn containers<'a>(o: &'a Object, template: &str) -> Vec<(String, &'a Value)> {
    let mut out = Vec::new();
    for list in ["containers", "initContainers"] {
        let pointer = format!("{template}/spec/{list}");
        if let Some(items) = o.at(&pointer).and_then(Value::as_array) {
            for (i, c) in items.iter().enumerate() {
                out.push((format!("{pointer}/{i}"), c));
            }
        }
    }
    out
}

/// True when `selector` (a map of labels) selects pods labelled `labels`.
pub fn selects(
    selector: &serde_json::Map<String, Value>,
    labels: &serde_json::Map<String, Value>,
) -> bool {
    !selector.is_empty()
        && selector
            .iter()
            .all(|(k, v)| crate::source::field(labels, k) == Some(v))
}

/// A `LabelSelector` (matchLabels and matchExpressions) against labels.
pub fn label_selector_matches(selector: &Value, labels: &serde_json::Map<String, Value>) -> bool {
    let match_labels = selector.get("matchLabels").and_then(Value::as_object);
    let expressions = selector.get("matchExpressions").and_then(Value::as_array);
    if match_labels.is_none_or(serde_json::Map::is_empty) && expressions.is_none_or(Vec::is_empty) {
        // An empty selector selects everything in the namespace.
        return true;
    }
    let labels_ok = match_labels.is_none_or(|m| {
        m.iter()
            .all(|(k, v)| crate::source::field(labels, k) == Some(v))
    });
    let exprs_ok = expressions.into_iter().flatten().all(|e| {
        let key = e.get("key").and_then(Value::as_str).unwrap_or("");
        let values: Vec<&str> = e
            .get("values")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let have = labels.get(key).and_then(Value::as_str);
        match e.get("operator").and_then(Value::as_str) {
            Some("In") => have.is_some_and(|h| values.contains(&h)),
            Some("NotIn") => have.is_none_or(|h| !values.contains(&h)),
            Some("Exists") => have.is_some(),
            Some("DoesNotExist") => have.is_none(),
            _ => false,
        }
    });
    labels_ok && exprs_ok
}

/// The namespace an object lands in (`""` when unset; kustomize or Flux may set it).
pub fn ns(o: &Object) -> &str {
    o.namespace().unwrap_or("")
}

/// `namespace/name`, or `name` where there is no namespace (a cluster-scoped object, or an
/// object that does not say its namespace), as messages print a reference.
pub fn qualified(namespace: &str, name: &str) -> String {
    if namespace.is_empty() {
        name.to_owned()
    } else {
        format!("{namespace}/{name}")
    }
}

/// Count objects per key, for duplicate detection.
pub fn count<K: Ord>(keys: impl Iterator<Item = K>) -> BTreeMap<K, usize> {
    let mut m = BTreeMap::new();
    for k in keys {
        *m.entry(k).or_insert(0) += 1;
    }
    m
}

/// The help of a reference to something the tree does not hold.
pub fn not_in_tree_help() -> Option<String> {
    Some(
        "expected when another repository or a controller creates it; with --self-contained this is an error".into(),
    )
}
