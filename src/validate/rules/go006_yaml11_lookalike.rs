//! GO006: an unquoted value that YAML 1.1 readers take for a boolean or a number.

use super::go501_plaintext_secret::is_secret_path;
use crate::validate::rule::{Context, Findings, Rule};

/// GO006
pub struct Yaml11Lookalike;

impl Rule for Yaml11Lookalike {
    fn code(&self) -> &'static str {
        "GO006"
    }
    fn name(&self) -> &'static str {
        "yaml11-lookalike"
    }
    fn summary(&self) -> &'static str {
        "An unquoted string that YAML 1.1 readers such as kubectl take for a boolean (yes, on, y, off)."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nPlain (unquoted) scalars such as `yes`, `no`, `on`, `off`, `y` or \
         `n`. YAML 1.2 (and go-yaml v3, Flux's reader) reads them as strings; YAML 1.1 readers \
         such as go-yaml v2, which `kubectl apply -f` uses, read them as booleans. (`0755` is \
         the octal number 493 to both readers, and `1:20` a string to both: neither is \
         reported.)\n\n\
         ## Why it matters\nThe same file means different things to different tools: an \
         environment value `on` becomes `true`, and the API server rejects a boolean where a \
         string is required. Flux itself reads YAML 1.2 and applies \
         the string, so in what a Flux Kustomization applies the finding is a warning (other \
         readers of the file still differ); elsewhere it is an error.\n\n\
         ## Example\n```yaml\ndata:\n  FEATURE: on   # GO006\n```\n\n## Fix\nQuote it: `FEATURE: \"on\"`."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        let units = &ctx.tree.applied.units;
        for (i, o) in ctx.tree.objects.iter().enumerate() {
            // Flux reads and re-writes manifests as YAML 1.2 (it quotes such strings when it
            // serializes them): what it applies is the string. Only other readers of the file
            // (kubectl apply -f, older tools) see the other meaning: worth a warning.
            let by_flux = o.unit.is_some_and(|u| units[u].origin.is_some());
            out.with_severity(if by_flux {
                crate::diag::Severity::Warning
            } else {
                crate::diag::Severity::Error
            });
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
