//! GO309: an ImagePolicy whose ImageRepository is not in the tree.

use serde_json::Value;

use super::ns;
use crate::validate::rule::{Context, Findings, Rule};

/// GO309
pub struct ImagePolicyRepositoryMissing;

impl Rule for ImagePolicyRepositoryMissing {
    fn code(&self) -> &'static str {
        "GO309"
    }
    fn name(&self) -> &'static str {
        "image-policy-repository-missing"
    }
    fn summary(&self) -> &'static str {
        "An ImagePolicy's imageRepositoryRef names no ImageRepository in the tree."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\n`spec.imageRepositoryRef` (namespace defaulting to the policy's) \
         names an ImageRepository of the tree.\n\n## Why it matters\nThe policy never resolves \
         a tag; image automation silently stops for that image.\n\n\
         ## Example\n```yaml\nimageRepositoryRef: {name: ordr}   # GO309\n```\n\n## Fix\nName the ImageRepository."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        for (i, p) in ctx.tree.of_kind("ImagePolicy") {
            let name = p
                .at("/spec/imageRepositoryRef/name")
                .and_then(Value::as_str)
                .unwrap_or("");
            let namespace = p
                .at("/spec/imageRepositoryRef/namespace")
                .and_then(Value::as_str)
                .unwrap_or(ns(p));
            if ctx.find("ImageRepository", namespace, name).is_empty() {
                out.object(
                    i,
                    "/spec/imageRepositoryRef",
                    format!(
                        "{} uses ImageRepository {namespace}/{name}, which is not in the tree",
                        p.id()
                    ),
                    None,
                );
            }
        }
    }
}
