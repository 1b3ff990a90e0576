//! GO005: an object whose kind has no known schema.

use crate::diag::Severity;
use crate::validate::rule::{Context, Findings, Grade, Rule};
use crate::validate::schema::Lookup;

/// GO005
pub struct KindWithoutSchema;

impl Rule for KindWithoutSchema {
    fn code(&self) -> &'static str {
        "GO005"
    }
    fn name(&self) -> &'static str {
        "kind-without-schema"
    }
    fn summary(&self) -> &'static str {
        "No schema is known for an object's kind, so it was not validated (an error with --strict-kinds)."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nThe kind is neither built in (Kubernetes 1.35 and the CRDs \
         compiled into fluxprint, listed in docs/validate.md) nor defined by a CRD in the tree \
         or in `--crds`. A fluxprint built without the upstream schemas says so once, at the \
         first object.\n\n## Why it matters\nNothing about the object was checked; a typo in \
         `kind` or `apiVersion` looks exactly like this.\n\n\
         ## Example\n```yaml\napiVersion: cache.example.com/v1\nkind: Memcached   # GO005 without its CRD\n```\n\n\
         ## Fix\nPass the CRDs with `--crds DIR`, or correct the kind."
    }
    fn grade(&self) -> Grade {
        Grade::Notice
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        if ctx.options.strict_kinds {
            out.with_severity(Severity::Error);
        }
        if !ctx.schemas.knows_kubernetes() && !ctx.tree.objects.is_empty() {
            // A binary built without the upstream schemas knows almost nothing: say why once.
            out.object(
                0,
                "/kind",
                "no upstream schemas were compiled into this fluxprint: only kinds of CRDs given \
                 with --crds or found in the tree are validated",
                Some(
                    "rebuild with FLUXPRINT_SCHEMAS_DIR naming the upstream CRDs directory \
                     (see docs/validate.md, Schemas)"
                        .into(),
                ),
            );
        }
        for (i, o) in ctx.tree.objects.iter().enumerate() {
            if let Lookup::UnknownKind = ctx.schemas.lookup(o.api_version(), o.kind()) {
                out.object(
                    i,
                    "/kind",
                    format!(
                        "no schema is known for {} in {}; it was not validated",
                        o.kind(),
                        o.api_version()
                    ),
                    Some(if KUBERNETES_GROUPS.contains(&o.group()) {
                        "a Kubernetes built-in kind whose schema is not compiled into fluxprint \
                         (docs/validate.md, Schemas); the API server checks it"
                            .into()
                    } else {
                        "give its CRD with --crds".into()
                    }),
                );
            }
        }
    }
}

/// The API groups Kubernetes 1.35 serves itself: a kind of one of them has no CRD to give.
const KUBERNETES_GROUPS: &[&str] = &[
    "",
    "admissionregistration.k8s.io",
    "apiextensions.k8s.io",
    "apiregistration.k8s.io",
    "apps",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "autoscaling",
    "batch",
    "certificates.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "events.k8s.io",
    "flowcontrol.apiserver.k8s.io",
    "internal.apiserver.k8s.io",
    "networking.k8s.io",
    "node.k8s.io",
    "policy",
    "rbac.authorization.k8s.io",
    "resource.k8s.io",
    "scheduling.k8s.io",
    "storage.k8s.io",
    "storagemigration.k8s.io",
];
