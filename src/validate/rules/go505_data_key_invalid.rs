//! GO505: a Secret or ConfigMap key the API server refuses.

use serde_json::Value;

use crate::source::yaml::escape_pointer_token;
use crate::validate::rule::{Context, Findings, Rule};
use crate::validate::tree::Object;

/// GO505
pub struct DataKeyInvalid;

/// Why `key` is not a valid Secret or ConfigMap key, as the API server's `IsConfigMapKey`
/// decides: at most 253 characters of `[-._a-zA-Z0-9]`, and not `.`, `..` or `..`-prefixed
/// (keys become file names in volumes).
pub fn key_problem(key: &str) -> Option<&'static str> {
    if key.is_empty() {
        Some("is empty")
    } else if key.len() > 253 {
        Some("is longer than 253 characters")
    } else if !key
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
    {
        Some("may contain only letters, digits, `-`, `_` and `.`")
    } else if key == "." || key.starts_with("..") {
        Some("must not be `.`, `..` or start with `..`")
    } else {
        None
    }
}

impl Rule for DataKeyInvalid {
    fn code(&self) -> &'static str {
        "GO505"
    }
    fn name(&self) -> &'static str {
        "data-key-invalid"
    }
    fn summary(&self) -> &'static str {
        "A key of a Secret's data or stringData, or of a ConfigMap's data or binaryData, is not a valid key."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nEvery key of a `v1` Secret's `data` and `stringData` and of a \
         ConfigMap's `data` and `binaryData` matches `[-._a-zA-Z0-9]+`, has at most 253 \
         characters and is not `.`, `..` or `..`-prefixed, as the API server requires.\n\n\
         ## Why it matters\nThe API server refuses the object, so Flux fails the whole \
         Kustomization; keys become file names when the object is mounted as a volume.\n\n\
         ## Example\n```yaml\nkind: ConfigMap\ndata:\n  app config: x   # GO505\n```\n\n\
         ## Fix\nRename the key (`app-config`), and every reference to it."
    }
    fn per_object(&self) -> bool {
        true
    }
    fn check_object(&self, _ctx: &Context<'_>, i: usize, o: &Object, out: &mut Findings<'_>) {
        let fields: &[&str] = match (o.group(), o.kind()) {
            ("", "Secret") => &["data", "stringData"],
            ("", "ConfigMap") => &["data", "binaryData"],
            _ => return,
        };
        for field in fields {
            let Some(map) = o.at(&format!("/{field}")).and_then(Value::as_object) else {
                continue;
            };
            for key in map.keys() {
                if let Some(problem) = key_problem(key) {
                    out.object(
                        i,
                        &format!("/{field}/{}", escape_pointer_token(key)),
                        format!("{}: {field} key `{key}` {problem}", o.id()),
                        None,
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::key_problem;

    #[test]
    fn keys_as_the_api_server_reads_them() {
        for good in [
            "password",
            "app.properties",
            "TLS_CRT",
            "a-b",
            ".hidden",
            "x..y",
        ] {
            assert_eq!(key_problem(good), None, "{good}");
        }
        for bad in [
            "",
            "app config",
            "a/b",
            ".",
            "..",
            "..data",
            "ü",
            &"k".repeat(254),
        ] {
            assert!(key_problem(bad).is_some(), "{bad}");
        }
    }
}
