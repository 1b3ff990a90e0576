//! GO003: an object that does not match its kind's schema.

use crate::validate::rule::{Context, Findings, Rule};
use crate::validate::schema::Lookup;

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
        "## What it checks\nEach object against its kind's schema: built-in kinds from the \
         Kubernetes API types (k8s-openapi), custom resources from CRDs found in the tree or given \
         with `--crds`. Objects are closed: a field the schema does not declare is an error, as \
         with `kubectl apply --validate=strict`. CEL rules (`x-kubernetes-validations`) are \
         GO007.\n\n## Why it matters\nA misspelt field is silently dropped by a lenient \
         client or refused by the API server only when Flux applies it.\n\n\
         ## Example\n```yaml\nspec:\n  replica: 3   # GO003 unknown field `replica`\n```\n\n\
         ## Fix\nUse the field name and type the API defines."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        let objects = &ctx.tree.objects;
        // Validation is the costly part of a run: spread it over every core.
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let chunk = objects.len().div_ceil(threads).max(1);
        let results: Vec<(usize, Vec<crate::validate::schema::Violation>)> =
            std::thread::scope(|s| {
                let handles: Vec<_> = objects
                    .chunks(chunk)
                    .enumerate()
                    .map(|(c, part)| {
                        s.spawn(move || {
                            part.iter()
                                .enumerate()
                                .filter_map(|(i, o)| {
                                    let Lookup::Found(_) =
                                        ctx.schemas.lookup(o.api_version(), o.kind())
                                    else {
                                        return None;
                                    };
                                    let v = ctx.schemas.validate(&o.value).unwrap_or_else(|e| {
                                        vec![crate::validate::schema::Violation {
                                            pointer: String::new(),
                                            message: e.to_string(),
                                        }]
                                    });
                                    Some((c * chunk + i, v))
                                })
                                .collect::<Vec<_>>()
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .flat_map(|h| h.join().unwrap_or_default())
                    .collect()
            });
        for (i, violations) in results {
            for v in violations {
                out.object(i, &v.pointer, v.message, None);
            }
        }
    }
}
