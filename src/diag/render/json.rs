//! JSON: a stable array of objects, for machines.
//!
//! Each element: `file`, `line`, `column`, `code`, `severity` (`error`|`warning`), `message`,
//! and `field` / `help` when present. The order is the order given (sorted by the caller).

use crate::diag::Diagnostic;

/// Renders diagnostics as a pretty-printed JSON array followed by a newline.
pub fn json(diagnostics: &[Diagnostic]) -> String {
    // Serializing plain data into a String cannot fail.
    let mut out = serde_json::to_string_pretty(diagnostics).unwrap_or_else(|_| "[]".into());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    #[test]
    fn shape_is_stable() {
        let d = Diagnostic::error(
            "BP003",
            "blueprints/a.yaml",
            Span::new(3, 5),
            "unknown field `x`",
        )
        .with_field("x")
        .with_help("remove it");
        let v: serde_json::Value = serde_json::from_str(&json(&[d])).expect("valid json");
        assert_eq!(
            v,
            serde_json::json!([{
                "file": "blueprints/a.yaml", "line": 3, "column": 5, "code": "BP003",
                "severity": "error", "message": "unknown field `x`", "field": "x", "help": "remove it"
            }])
        );
    }
}
