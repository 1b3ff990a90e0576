//! GO003: an object that does not match its kind's schema.

use crate::validate::rule::{Context, Findings, Rule};
use crate::validate::schema::{Installed, Lookup};

/// GO003
pub struct SchemaViolation;

impl Rule for SchemaViolation {
    fn code(&self) -> &'static str {
        "GO003"
    }
    fn name(&self) -> &'static str {
        "schema-violation"
    }
    fn summary(&self) -> &'static str {
        "An object does not match the schema of its kind: unknown field, wrong type, bad quantity, missing required field."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nEach object against its kind's schema, as upstream declares it: \
         built-in kinds from the Kubernetes 1.35 OpenAPI, custom resources from the CRDs \
         compiled into fluxprint (Flux, Istio, Gateway API, sealed-secrets, \
         prometheus-operator, Flagger, external-secrets, cert-manager, CloudNativePG), those \
         found in the tree and those given with `--crds` (which win for the versions they \
         define). Objects are closed: a field the schema does not declare is an error, as with \
         `kubectl apply --validate=strict`. When the tree uses the Flux Operator (one of its \
         objects, or a HelmRelease or OCIRepository of its `flux-operator`/`flux-instance` \
         charts), Alerts and Receivers may name the operator's kinds, as its patched CRDs allow. \
         CEL rules (`x-kubernetes-validations`) are GO007.\n\n## Why it matters\nA misspelt field is silently dropped by a lenient \
         client or refused by the API server only when Flux applies it.\n\n\
         ## Example\n```yaml\nspec:\n  replica: 3   # GO003 unknown field `replica`\n```\n\n\
         ## Fix\nUse the field name and type the API defines."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        let installed = Installed {
            flux_operator: ctx
                .tree
                .objects
                .iter()
                .chain(&ctx.tree.unapplied)
                .any(uses_flux_operator),
        };
        // Validation is the costly part of a run: spread it over every core.
        let results = crate::par::map(&ctx.tree.objects, |o| {
            // SOPS-encrypted: the values are ciphertext until Flux decrypts them.
            if super::go501_plaintext_secret::sops_encrypted(&o.value) {
                return Vec::new();
            }
            let Lookup::Found(_) = ctx.schemas.lookup(o.api_version(), o.kind()) else {
                return Vec::new();
            };
            ctx.schemas
                .validate_on(&o.value, installed)
                .unwrap_or_else(|e| {
                    vec![crate::validate::schema::Violation {
                        pointer: String::new(),
                        message: e.to_string(),
                    }]
                })
        });
        for (i, violations) in results.into_iter().enumerate() {
            for v in violations {
                out.object(i, &v.pointer, v.message, None);
            }
        }
    }
}

/// True when `o` shows the Flux Operator in use: one of its own objects, or the release or
/// chart source that installs it (home-ops repositories install it with a HelmRelease).
fn uses_flux_operator(o: &crate::validate::tree::Object) -> bool {
    let names_chart = |pointer: &str| {
        o.at(pointer)
            .and_then(serde_json::Value::as_str)
            .is_some_and(|s| s.contains("flux-operator") || s.contains("flux-instance"))
    };
    o.group() == "fluxcd.controlplane.io"
        || (o.kind() == "HelmRelease"
            && (names_chart("/spec/chart/spec/chart") || names_chart("/spec/chartRef/name")))
        || (o.kind() == "OCIRepository" && names_chart("/spec/url"))
}
