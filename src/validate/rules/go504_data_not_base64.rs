//! GO504: a Secret `data` (or ConfigMap `binaryData`) value that is not base64.

use base64::Engine;
use serde_json::Value;

use super::go501_plaintext_secret::sops_encrypted;
use crate::source::yaml::escape_pointer_token;
use crate::validate::rule::{Context, Findings, Rule};
use crate::validate::tree::Object;

/// GO504
pub struct DataNotBase64;

/// True when `text` decodes as the API server decodes `[]byte` fields: standard alphabet,
/// padded; line breaks are ignored (Go's decoder skips `\r` and `\n`).
pub fn is_base64(text: &str) -> bool {
    let compact: String = text.chars().filter(|c| !matches!(c, '\r' | '\n')).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .is_ok()
}

impl Rule for DataNotBase64 {
    fn code(&self) -> &'static str {
        "GO504"
    }
    fn name(&self) -> &'static str {
        "data-not-base64"
    }
    fn summary(&self) -> &'static str {
        "A Secret's data or a ConfigMap's binaryData value is not valid base64."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nEvery string value of a `v1` Secret's `data` and of a ConfigMap's \
         `binaryData` is standard, padded base64 (line breaks allowed), as the API server \
         requires. SOPS-encrypted Secrets are skipped. The finding names the key, never the \
         value.\n\n\
         ## Why it matters\nThe API server refuses the object (`illegal base64 data`), so Flux \
         fails the whole Kustomization; a plain value put under `data` by mistake was meant for \
         `stringData`.\n\n\
         ## Example\n```yaml\nkind: Secret\ndata:\n  password: not base64!   # GO504\n```\n\n\
         ## Fix\nEncode the value (`base64 -w0`), or move it to `stringData` — and seal it \
         (GO501)."
    }
    fn per_object(&self) -> bool {
        true
    }
    fn check_object(&self, _ctx: &Context<'_>, i: usize, o: &Object, out: &mut Findings<'_>) {
        let field = match (o.group(), o.kind()) {
            ("", "Secret") if !sops_encrypted(&o.value) => "data",
            ("", "ConfigMap") => "binaryData",
            _ => return,
        };
        let Some(map) = o.at(&format!("/{field}")).and_then(Value::as_object) else {
            return;
        };
        for (key, value) in map {
            // Values of other types are schema violations (GO003).
            let Some(text) = value.as_str() else { continue };
            if !is_base64(text) {
                out.object(
                    i,
                    &format!("/{field}/{}", escape_pointer_token(key)),
                    format!("{}: {field} key `{key}` is not valid base64", o.id()),
                    Some(if field == "data" {
                        "encode the value with `base64 -w0`, or put plain text under `stringData`"
                            .into()
                    } else {
                        "encode the value with `base64 -w0`, or put text under `data`".into()
                    }),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_base64;

    #[test]
    fn base64_as_the_api_server_reads_it() {
        assert!(is_base64("czNjcjN0"));
        assert!(is_base64(""));
        assert!(is_base64("czNj\ncjN0\n"));
        assert!(!is_base64("s3cr3t!"));
        // Unpadded and URL-safe forms are refused by Go's StdEncoding.
        assert!(!is_base64("czNjcjM"));
        assert!(!is_base64("-_-_"));
    }
}
