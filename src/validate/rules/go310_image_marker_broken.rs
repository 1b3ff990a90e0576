//! GO310: a Flux image setter marker that cannot work.

use serde_json::Value;

use crate::source::Span;
use crate::validate::rule::{Context, Findings, Rule};
use crate::validate::tree::normalize;

/// GO310
pub struct ImageMarkerBroken;

const MARKER: &str = "{\"$imagepolicy\"";

impl Rule for ImageMarkerBroken {
    fn code(&self) -> &'static str {
        "GO310"
    }
    fn name(&self) -> &'static str {
        "image-marker-broken"
    }
    fn summary(&self) -> &'static str {
        "An image setter marker is malformed, names no ImagePolicy, marks another repository, or lies outside every ImageUpdateAutomation path."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nEvery `# {\"$imagepolicy\": \"ns:name[:tag|:name|:digest]\"}` \
         comment is valid JSON of that form; the ImagePolicy exists (a warning when it does not, \
         since a fleet repository may define it; an error with `--self-contained`); on a \
         whole-image marker, the \
         marked image's repository equals the policy's ImageRepository `spec.image`; and the file \
         lies under the `update.path` of some ImageUpdateAutomation.\n\n\
         ## Why it matters\nThe image-automation-controller skips such markers without an error: \
         the image is silently never updated.\n\n\
         ## Example\n```yaml\nimage: reg/ordr:1.0 # {\"$imagepolicy\": \"flux-system:order\"}   # GO310: repository differs\n```\n\n\
         ## Fix\nName an existing policy of the same repository, in a file the automation scans."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        let update_paths: Vec<String> = ctx
            .tree
            .of_kind("ImageUpdateAutomation")
            .map(|(_, a)| {
                normalize(
                    "",
                    a.at("/spec/update/path")
                        .and_then(Value::as_str)
                        .unwrap_or("./"),
                )
            })
            .collect();
        for (f, file) in ctx.tree.files.iter().enumerate() {
            let Some(source) = ctx.tree.sources.get(&file.display) else {
                continue;
            };
            if !source.text.contains(MARKER) {
                continue;
            }
            // Every line break counts (a lone `\r` too): a marker is quoted with its own line
            // only, never with the rest of the file.
            for (n, line) in crate::diag::lines(&source.text).enumerate() {
                let Some(pos) = line.find(MARKER) else {
                    continue;
                };
                let span = Span::new(
                    u32::try_from(n + 1).unwrap_or(u32::MAX),
                    u32::try_from(pos + 1).unwrap_or(1),
                );
                let marker = &line[pos..];
                let Ok(json) = serde_json::from_str::<Value>(marker) else {
                    out.file(
                        f,
                        span,
                        format!("setter marker `{marker}` is not valid JSON"),
                        None,
                    );
                    continue;
                };
                let Some(reference) = json.get("$imagepolicy").and_then(Value::as_str) else {
                    out.file(f, span, "setter marker has no string `$imagepolicy`", None);
                    continue;
                };
                let parts: Vec<&str> = reference.split(':').collect();
                let well_formed = matches!(parts.len(), 2 | 3)
                    && parts.iter().take(2).all(|p| !p.is_empty())
                    && (parts.len() == 2 || matches!(parts[2], "tag" | "name" | "digest"));
                if !well_formed {
                    out.file(f, span, format!("setter marker `{reference}` is not `namespace:policy[:tag|:name|:digest]`"), None);
                    continue;
                }
                let Some(&policy) = ctx.find("ImagePolicy", parts[0], parts[1]).first() else {
                    // A fleet repository may define the policy.
                    out.outside_tree_with(|out| {
                        out.file(
                            f,
                            span,
                            format!(
                                "setter marker names ImagePolicy {}/{}, which is not in this tree",
                                parts[0], parts[1]
                            ),
                            super::not_in_tree_help(),
                        )
                    });
                    continue;
                };
                let policy = &ctx.tree.objects[policy];
                if !update_paths
                    .iter()
                    .any(|p| p.is_empty() || file.display.starts_with(&format!("{p}/")))
                {
                    out.file(f, span, "setter marker lies outside the update.path of every ImageUpdateAutomation: it is never applied", None);
                }
                if parts.len() == 2 {
                    let value = line[..pos]
                        .trim_end()
                        .rsplit_once(": ")
                        .map_or("", |(_, v)| v)
                        .trim()
                        .trim_matches('"');
                    let repo = value
                        .rsplit_once(':')
                        .filter(|(_, t)| !t.contains('/'))
                        .map_or(value, |(r, _)| r);
                    let repo_ns = policy
                        .at("/spec/imageRepositoryRef/namespace")
                        .and_then(Value::as_str)
                        .unwrap_or(parts[0]);
                    let repo_name = policy
                        .at("/spec/imageRepositoryRef/name")
                        .and_then(Value::as_str)
                        .unwrap_or("");
                    if let Some(&r) = ctx.find("ImageRepository", repo_ns, repo_name).first() {
                        let image = ctx.tree.objects[r]
                            .at("/spec/image")
                            .and_then(Value::as_str)
                            .unwrap_or("");
                        if image != repo {
                            out.file(f, span, format!("the marked image `{repo}` is not the repository `{image}` that ImagePolicy {}/{} follows", parts[0], parts[1]), None);
                        }
                    }
                }
            }
        }
    }
}
