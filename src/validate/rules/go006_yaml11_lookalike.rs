//! GO006: an unquoted value that YAML 1.1 readers take for a boolean or a number.

use super::go501_plaintext_secret::is_secret_path;
use crate::validate::rule::{Context, Findings, Rule};

/// GO006
pub struct Yaml11Lookalike;

/// Plain scalars that YAML 1.2 reads as strings but YAML 1.1 (go-yaml v2, which kubectl and
/// kustomize descend from) reads as booleans, or as numbers in another base.
pub fn yaml11_meaning(text: &str) -> Option<&'static str> {
    // Most strings start with a letter other than these: reject them at once.
    if !matches!(
        text.as_bytes().first(),
        Some(b'y' | b'Y' | b'n' | b'N' | b'o' | b'O' | b'0'..=b'9' | b'-' | b'+')
    ) {
        return None;
    }
    const BOOLS: &[&str] = &[
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off",
        "OFF",
    ];
    if BOOLS.contains(&text) {
        return Some("a boolean");
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits.len() > 1 && digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit()) {
        return Some("an octal number");
    }
    if digits.contains(':')
        && digits
            .split(':')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && digits.split(':').skip(1).all(|p| p.len() <= 2)
    {
        return Some("a base-60 number");
    }
    None
}

impl Rule for Yaml11Lookalike {
    fn code(&self) -> &'static str {
        "GO006"
    }
    fn name(&self) -> &'static str {
        "yaml11-lookalike"
    }
    fn summary(&self) -> &'static str {
        "An unquoted string that YAML 1.1 readers take for a boolean or a number (yes, on, 0755, 1:20)."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nPlain (unquoted) scalars such as `yes`, `no`, `on`, `off`, `y`, `0755` \
         or `1:20`. YAML 1.2 reads them as strings; YAML 1.1, which kubectl's and kustomize's \
         parsers descend from, reads them as booleans or numbers.\n\n\
         ## Why it matters\nThe same file means different things to different tools: an \
         environment value `on` becomes `true`, a mode `0755` becomes 493, and the API server \
         rejects a boolean where a string is required.\n\n\
         ## Example\n```yaml\ndata:\n  FEATURE: on   # GO006\n```\n\n## Fix\nQuote it: `FEATURE: \"on\"`."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        for (i, o) in ctx.tree.objects.iter().enumerate() {
            for (pointer, text, meaning) in o.lookalikes.clone() {
                // A secret's value is not quoted, not even a short one like `on`.
                let tokens = crate::source::yaml::pointer_tokens(&pointer);
                if is_secret_path(&o.value, &tokens) {
                    out.object(
                        i,
                        &pointer,
                        format!("this value is a string in YAML 1.2 but {meaning} to YAML 1.1 readers such as kubectl"),
                        Some("quote it".into()),
                    );
                    continue;
                }
                out.object(
                    i,
                    &pointer,
                    format!("`{text}` is a string in YAML 1.2 but {meaning} to YAML 1.1 readers such as kubectl"),
                    Some(format!("quote it: \"{text}\"")),
                );
            }
        }
    }
}
