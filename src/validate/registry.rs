//! The rule registry: plain data, one entry per rule, in code order.

use super::rule::Rule;
use super::rules::*;

/// Every rule, in code order. Codes are never reused.
pub const RULES: &[&dyn Rule] = &[
    &go001_yaml_syntax::YamlSyntax,
    &go002_document_not_an_object::DocumentNotAnObject,
    &go003_schema_violation::SchemaViolation,
    &go004_api_version_not_served::ApiVersionNotServed,
    &go005_kind_without_schema::KindWithoutSchema,
    &go006_yaml11_lookalike::Yaml11Lookalike,
    &go007_crd_rule_fails::CrdRuleFails,
    &go008_name_invalid::NameInvalid,
    &go009_label_invalid::LabelInvalid,
    &go010_selector_misses_template::SelectorMissesTemplate,
    &go011_value_out_of_range::ValueOutOfRange,
    &go012_fields_conflict::FieldsConflict,
    &go013_value_invalid::ValueInvalid,
    &go014_field_required::FieldRequired,
    &go101_container_without_probes::ContainerWithoutProbes,
    &go102_container_without_requests::ContainerWithoutRequests,
    &go103_image_not_pinned::ImageNotPinned,
    &go104_container_not_hardened::ContainerNotHardened,
    &go201_service_selects_nothing::ServiceSelectsNothing,
    &go202_service_target_port_unknown::ServiceTargetPortUnknown,
    &go203_autoscaler_target_missing::AutoscalerTargetMissing,
    &go204_autoscaler_target_without_requests::AutoscalerTargetWithoutRequests,
    &go205_autoscaler_target_pins_replicas::AutoscalerTargetPinsReplicas,
    &go206_disruption_budget_selects_nothing::DisruptionBudgetSelectsNothing,
    &go207_disruption_budget_blocks_evictions::DisruptionBudgetBlocksEvictions,
    &go301_kustomize_entry_missing::KustomizeEntryMissing,
    &go302_file_not_in_kustomization::FileNotInKustomization,
    &go303_flux_source_missing::FluxSourceMissing,
    &go304_flux_path_missing::FluxPathMissing,
    &go305_flux_dependency_missing::FluxDependencyMissing,
    &go306_flux_dependency_cycle::FluxDependencyCycle,
    &go307_object_applied_twice::ObjectAppliedTwice,
    &go308_substitute_variable_undefined::SubstituteVariableUndefined,
    &go309_image_policy_repository_missing::ImagePolicyRepositoryMissing,
    &go310_image_marker_broken::ImageMarkerBroken,
    &go311_image_policy_invalid::ImagePolicyInvalid,
    &go312_kustomize_entry_outside_repository::KustomizeEntryOutsideRepository,
    &go313_kustomize_build_fails::KustomizeBuildFails,
    &go314_not_built::NotBuilt,
    &go315_helm_release_source_missing::HelmReleaseSourceMissing,
    &go316_helm_release_chart_unpinned::HelmReleaseChartUnpinned,
    &go317_helm_release_values_from_missing::HelmReleaseValuesFromMissing,
    &go318_helm_release_dependency_missing::HelmReleaseDependencyMissing,
    &go319_helm_release_dependency_cycle::HelmReleaseDependencyCycle,
    &go401_virtual_service_destination_unknown::VirtualServiceDestinationUnknown,
    &go402_subset_undefined::SubsetUndefined,
    &go403_gateway_unknown::GatewayUnknown,
    &go404_destination_rule_host_unknown::DestinationRuleHostUnknown,
    &go405_authorization_policy_unmatched::AuthorizationPolicyUnmatched,
    &go406_mtls_conflict::MtlsConflict,
    &go407_port_name_without_protocol::PortNameWithoutProtocol,
    &go408_route_parent_unknown::RouteParentUnknown,
    &go409_route_not_admitted::RouteNotAdmitted,
    &go410_route_backend_unknown::RouteBackendUnknown,
    &go411_reference_not_granted::ReferenceNotGranted,
    &go412_route_match_taken::RouteMatchTaken,
    &go413_sidecar_setting_in_ambient::SidecarSettingInAmbient,
    &go501_plaintext_secret::PlaintextSecret,
    &go502_sealed_secret_scope_broken::SealedSecretScopeBroken,
    &go503_secret_key_unknown::SecretKeyUnknown,
    &go504_data_not_base64::DataNotBase64,
    &go505_data_key_invalid::DataKeyInvalid,
    &go601_canary_target_missing::CanaryTargetMissing,
    &go602_route_owned_by_canary::RouteOwnedByCanary,
    &go603_canary_analysis_outlasts_timeout::CanaryAnalysisOutlastsTimeout,
    &go604_service_owned_by_canary::ServiceOwnedByCanary,
    &go605_canary_autoscaler_unreferenced::CanaryAutoscalerUnreferenced,
];

/// The rule with `code` (case-insensitive).
pub fn find(code: &str) -> Option<&'static dyn Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.code().eq_ignore_ascii_case(code))
}

/// The text `fluxprint explain CODE` prints.
pub fn explain(rule: &dyn Rule) -> String {
    format!(
        "# {} {}\n\n{}\n\n{}\n",
        rule.code(),
        rule.name(),
        rule.summary(),
        rule.doc()
    )
}

/// `docs/rules.md`, generated from the registry.
pub fn rules_markdown() -> String {
    let mut out = String::from(
        "# Validation rules\n\nGenerated from the rule registry (`src/validate/registry.rs`); a test fails when this \
         file is stale. `fluxprint explain CODE` prints one rule. Families: GO0xx loading and schemas, GO1xx single \
         objects, GO2xx workload cross-references, GO3xx kustomize and Flux, GO4xx Istio and the Gateway API, GO5xx secrets, GO6xx progressive delivery (Flagger). Grades: \
         *broken* findings are always errors, *hygiene* findings are errors under `--policy strict` and warnings \
         under `relaxed`, *notice* findings are warnings. Any rule can be silenced on one object with the \
         annotation `fluxprint.io/ignore: \"CODE,CODE\"`, or for the whole run with `--ignore CODE`.\n\n\
         | code | name | grade | what it reports |\n| --- | --- | --- | --- |\n",
    );
    for r in RULES {
        let grade = match r.grade() {
            super::rule::Grade::Broken => "broken",
            super::rule::Grade::Hygiene => "hygiene",
            super::rule::Grade::Notice => "notice",
        };
        out.push_str(&format!(
            "| [{0}](#{1}) | {2} | {grade} | {3} |\n",
            r.code(),
            r.code().to_lowercase(),
            r.name(),
            r.summary()
        ));
    }
    for r in RULES {
        out.push_str(&format!(
            "\n## {}\n\n`{}` — {}\n\n{}\n",
            r.code(),
            r.name(),
            r.summary(),
            r.doc().replace("## ", "### ")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_ordered_and_in_their_family() {
        let codes: Vec<&str> = RULES.iter().map(|r| r.code()).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(codes, sorted, "codes must be unique and in order");
        for r in RULES {
            let code = r.code();
            assert!(
                code.len() == 5
                    && code.starts_with("GO")
                    && code[2..].bytes().all(|b| b.is_ascii_digit()),
                "{code}"
            );
        }
    }

    #[test]
    fn every_rule_is_documented_and_named_for_the_bad_pattern() {
        for r in RULES {
            let doc = r.doc();
            for heading in [
                "## What it checks",
                "## Why it matters",
                "## Example",
                "## Fix",
            ] {
                assert!(doc.contains(heading), "{} lacks `{heading}`", r.code());
            }
            assert!(
                !r.summary().is_empty() && !r.summary().contains('\n'),
                "{}",
                r.code()
            );
            let name = r.name();
            assert!(
                name.bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-' || b.is_ascii_digit()),
                "{name}"
            );
            for banned in ["check-", "disallow-", "no-", "banned-", "ensure-"] {
                assert!(
                    !name.starts_with(banned),
                    "{name}: name the bad pattern, not the check"
                );
            }
        }
    }

    #[test]
    fn explain_round_trips() {
        for r in RULES {
            let found = find(&r.code().to_lowercase()).expect("found");
            assert_eq!(found.code(), r.code());
            assert!(explain(found).starts_with(&format!("# {} {}", r.code(), r.name())));
        }
        assert!(find("GO999").is_none());
    }
}
