//! GO311: an ImagePolicy that cannot select a tag.

use serde_json::Value;

use crate::validate::rule::{Context, Findings, Rule};

/// GO311
pub struct ImagePolicyInvalid;

impl Rule for ImagePolicyInvalid {
    fn code(&self) -> &'static str {
        "GO311"
    }
    fn name(&self) -> &'static str {
        "image-policy-invalid"
    }
    fn summary(&self) -> &'static str {
        "An ImagePolicy sets no or several policy kinds, has a semver range or tag filter that does not parse, or extracts a missing group."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\n`spec.policy` sets exactly one of `semver`, `alphabetical`, \
         `numerical`; a semver range parses; `filterTags.pattern` is a valid regular expression; \
         and every `$name`/`${name}` in `filterTags.extract` is a named group of the pattern.\n\n\
         ## Why it matters\nThe policy fails to reconcile and no image is ever selected.\n\n\
         ## Example\n```yaml\nfilterTags: {pattern: '^main-(?P<ts>[0-9]+)$', extract: '$timestamp'}   # GO311\n```\n\n\
         ## Fix\nFix the range, the pattern or the group name."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        for (i, p) in ctx.tree.of_kind("ImagePolicy") {
            let kinds: Vec<&str> = ["semver", "alphabetical", "numerical"]
                .into_iter()
                .filter(|k| p.at(&format!("/spec/policy/{k}")).is_some())
                .collect();
            if kinds.len() != 1 {
                out.object(
                    i,
                    "/spec/policy",
                    format!(
                        "{} must set exactly one of semver, alphabetical, numerical (sets {})",
                        p.id(),
                        if kinds.is_empty() {
                            "none".to_owned()
                        } else {
                            kinds.join(", ")
                        }
                    ),
                    None,
                );
            }
            if let Some(range) = p.at("/spec/policy/semver/range").and_then(Value::as_str) {
                if let Err(e) = crate::blueprint::semver::Range::parse(range) {
                    out.object(
                        i,
                        "/spec/policy/semver/range",
                        format!("semver range `{range}` does not parse: {e}"),
                        None,
                    );
                }
            }
            let Some(pattern) = p.at("/spec/filterTags/pattern").and_then(Value::as_str) else {
                continue;
            };
            match regex::Regex::new(pattern) {
                Err(e) => out.object(
                    i,
                    "/spec/filterTags/pattern",
                    format!(
                        "tag pattern is not a valid regular expression: {}",
                        e.to_string().lines().last().unwrap_or_default()
                    ),
                    None,
                ),
                Ok(re) => {
                    let groups: Vec<&str> = re.capture_names().flatten().collect();
                    let extract = p
                        .at("/spec/filterTags/extract")
                        .and_then(Value::as_str)
                        .unwrap_or("");
                    for name in group_references(extract) {
                        if !groups.contains(&name.as_str()) && name.parse::<usize>().is_err() {
                            out.object(
                                i,
                                "/spec/filterTags/extract",
                                format!(
                                    "extract uses `${name}`, but the pattern has no group `{name}`"
                                ),
                                Some(format!("groups: {}", groups.join(", "))),
                            );
                        }
                    }
                }
            }
        }
    }
}

/// Names referenced as `$name` or `${name}`.
fn group_references(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(pos) = rest.find('$') {
        rest = &rest[pos + 1..];
        let name: String = if let Some(inner) = rest.strip_prefix('{') {
            inner.split('}').next().unwrap_or("").to_owned()
        } else {
            rest.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect()
        };
        if !name.is_empty() {
            out.push(name);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::group_references;

    #[test]
    fn references() {
        assert_eq!(group_references("$ts"), vec!["ts"]);
        assert_eq!(group_references("${ts}-$1"), vec!["ts", "1"]);
    }
}
