//! Machine formats of validation findings: JUnit XML (GitLab test reports), GitLab Code
//! Quality JSON and SARIF 2.1.0. Pure functions over the diagnostics; the human and plain
//! JSON formats live in [`crate::diag::render`].

use std::collections::BTreeMap;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::registry;
use crate::diag::{Diagnostic, Severity};

fn escape_xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// JUnit XML: one test case per file with findings (each finding a `<failure>`), or one
/// passing case when there are none, so the report is never empty.
pub fn junit(diagnostics: &[Diagnostic], files_checked: usize) -> String {
    let mut by_file: BTreeMap<&str, Vec<&Diagnostic>> = BTreeMap::new();
    for d in diagnostics {
        by_file.entry(&d.file).or_default().push(d);
    }
    let failures: usize = by_file.values().map(Vec::len).sum();
    let cases = by_file.len().max(1);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"fluxprint validate\" tests=\"{cases}\" failures=\"{failures}\">\n  <testsuite name=\"fluxprint validate\" tests=\"{cases}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">\n"
    ));
    if by_file.is_empty() {
        out.push_str(&format!("    <testcase classname=\"fluxprint\" name=\"No errors found ({files_checked} files)\"/>\n"));
    }
    for (file, list) in by_file {
        out.push_str(&format!(
            "    <testcase classname=\"{0}\" name=\"{0}\">\n",
            escape_xml(file)
        ));
        for d in list {
            out.push_str(&format!(
                "      <failure type=\"{}\" message=\"{}\">{}:{}:{}: {}[{}] {}{}</failure>\n",
                d.code,
                escape_xml(&d.message),
                escape_xml(&d.file),
                d.span.line,
                d.span.col,
                d.severity,
                d.code,
                escape_xml(&d.message),
                d.help
                    .as_ref()
                    .map(|h| format!("\nhelp: {}", escape_xml(h)))
                    .unwrap_or_default()
            ));
        }
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// A fingerprint stable across runs and machines: SHA-256 of code, file, line and message.
pub fn fingerprint(d: &Diagnostic) -> String {
    let mut h = Sha256::new();
    for part in [
        d.code,
        d.file.as_str(),
        &d.span.line.to_string(),
        d.message.as_str(),
    ] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// GitLab Code Quality JSON.
pub fn codequality(diagnostics: &[Diagnostic]) -> String {
    let items: Vec<Value> = diagnostics
        .iter()
        .map(|d| {
            json!({
                "description": format!("{}: {}", d.code, d.message),
                "check_name": d.code,
                "fingerprint": fingerprint(d),
                "severity": match d.severity { Severity::Error => "major", Severity::Warning => "minor" },
                "location": {"path": d.file, "lines": {"begin": d.span.line}},
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".into());
    s.push('\n');
    s
}

/// SARIF 2.1.0, with every rule's help text.
pub fn sarif(diagnostics: &[Diagnostic]) -> String {
    let mut rules: Vec<Value> = registry::RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.code(),
                "name": r.name(),
                "shortDescription": {"text": r.summary()},
                "help": {"text": r.doc(), "markdown": r.doc()},
            })
        })
        .collect();
    // Input diagnostics (BPxxx) of `render`/`check` are not registry rules: describe them too.
    let mut extra: Vec<&str> = diagnostics
        .iter()
        .map(|d| d.code)
        .filter(|c| registry::find(c).is_none())
        .collect();
    extra.sort_unstable();
    extra.dedup();
    rules.extend(
        extra
            .into_iter()
            .map(|c| json!({"id": c, "shortDescription": {"text": c}})),
    );
    let results: Vec<Value> = diagnostics
        .iter()
        .map(|d| {
            json!({
                "ruleId": d.code,
                "level": match d.severity { Severity::Error => "error", Severity::Warning => "warning" },
                "message": {"text": match &d.help { Some(h) => format!("{} ({h})", d.message), None => d.message.clone() }},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": d.file},
                    "region": {"startLine": d.span.line, "startColumn": d.span.col},
                }}],
                "partialFingerprints": {"fluxprint/v1": fingerprint(d)},
            })
        })
        .collect();
    let doc = json!({
        "version": "2.1.0",
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [{
            "tool": {"driver": {"name": "fluxprint", "version": env!("CARGO_PKG_VERSION"), "rules": rules}},
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    fn sample() -> Vec<Diagnostic> {
        vec![Diagnostic::error(
            "GO201",
            "apps/a/service.yaml",
            Span::new(7, 3),
            "Service a/a selects no pods <x & y>",
        )]
    }

    #[test]
    fn junit_escapes_and_reports_empty_runs() {
        let xml = junit(&sample(), 3);
        assert!(
            xml.contains("failures=\"1\"") && xml.contains("&lt;x &amp; y&gt;"),
            "{xml}"
        );
        assert!(junit(&[], 3).contains("No errors found (3 files)"));
    }

    #[test]
    fn fingerprints_are_stable() {
        assert_eq!(fingerprint(&sample()[0]), fingerprint(&sample()[0]));
        assert_eq!(fingerprint(&sample()[0]).len(), 64);
        let cq: Value = serde_json::from_str(&codequality(&sample())).expect("json");
        assert_eq!(cq[0]["location"]["lines"]["begin"], 7);
        assert_eq!(cq[0]["severity"], "major");
    }

    #[test]
    fn sarif_has_rules_and_results() {
        let s: Value = serde_json::from_str(&sarif(&sample())).expect("json");
        assert_eq!(s["version"], "2.1.0");
        assert_eq!(s["runs"][0]["results"][0]["ruleId"], "GO201");
        assert!(s["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .is_some_and(|r| r.len() >= registry::RULES.len()));
    }
}
