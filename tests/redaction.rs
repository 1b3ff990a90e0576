//! No secret value reaches any report of `fluxprint validate`: the fixture tree
//! `tests/fixtures/redaction/` holds Secrets with wrongly typed, non-base64, invalid-key and
//! YAML 1.1-lookalike values, a ConfigMap `password:`, an env `DB_PASSWORD` value, a file with
//! a duplicated secret key, a kustomize secretGenerator literal and a dotenv file, each value a
//! distinctive canary. Every format is run through the binary; no canary may appear on
//! standard output, standard error or in an `--output` file, while every finding marked
//! `# expect CODE…` in the fixture is still reported at its file and line.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::util::{fluxprint, root, stderr, stdout, tree};

/// The secret values of the fixture.
const CANARIES: &[&str] = &[
    "s3cr3t-canary-98765432",
    "98765432001",
    "12:34:56:78",
    "canary-key-value-55667788",
    "not-base64-canary-11223344",
    "block-canary-10203040",
    "flow-canary-24681357",
    "1357913579",
    "31415926535",
    "99887766123",
    "dup-canary-first-1111",
    "dup-canary-second-2222",
    "kust-canary-44332211",
    "dotenv-canary-66778899",
];

/// `(file, line, code)` of every finding the fixture marks with `# expect CODE…`.
fn expected() -> BTreeSet<(String, u64, String)> {
    let mut out = BTreeSet::new();
    for (file, text) in tree(&root().join("tests/fixtures/redaction")) {
        for (n, line) in text.lines().enumerate() {
            if let Some((_, codes)) = line.split_once("# expect ") {
                for code in codes.split_whitespace() {
                    out.insert((file.clone(), n as u64 + 1, code.to_owned()));
                }
            }
        }
    }
    assert!(out.len() >= 12, "the fixture marks its findings: {out:?}");
    out
}

fn assert_no_canary(format: &str, text: &str) {
    for canary in CANARIES {
        assert!(
            !text.contains(canary),
            "{format}: the secret value `{canary}` is in the report:\n{text}"
        );
    }
}

/// `(file, line, code)` of the findings in a report, read the way each format says them.
fn reported(format: &str, text: &str) -> BTreeSet<(String, u64, String)> {
    let mut out = BTreeSet::new();
    match format {
        "human" => {
            let mut code = None;
            for line in text.lines() {
                if let Some(rest) = line
                    .strip_prefix("error[")
                    .or_else(|| line.strip_prefix("warning["))
                {
                    code = rest.split_once(']').map(|(c, _)| c.to_owned());
                } else if let (Some(c), Some((_, at))) = (&code, line.split_once("--> ")) {
                    let mut parts = at.split(':');
                    let file = parts.next().unwrap_or("").to_owned();
                    let line_no = parts.next().and_then(|l| l.parse().ok()).unwrap_or(0);
                    out.insert((file, line_no, c.clone()));
                }
            }
        }
        "junit" => {
            // `<failure type="CODE" message="…">file:line:col: …</failure>`
            for failure in text.split("<failure type=\"").skip(1) {
                let code = failure.split('"').next().unwrap_or("").to_owned();
                let body = failure.split_once('>').map_or("", |(_, b)| b);
                let mut parts = body.split(':');
                let file = parts.next().unwrap_or("").to_owned();
                let line_no = parts.next().and_then(|l| l.parse().ok()).unwrap_or(0);
                out.insert((file, line_no, code));
            }
        }
        _ => {
            let v: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{format}: {e}"));
            let items: Vec<(Option<&str>, Option<u64>, Option<&str>)> = match format {
                "json" => v
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|d| (d["file"].as_str(), d["line"].as_u64(), d["code"].as_str()))
                    .collect(),
                "codequality" => v
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|d| {
                        (
                            d["location"]["path"].as_str(),
                            d["location"]["lines"]["begin"].as_u64(),
                            d["check_name"].as_str(),
                        )
                    })
                    .collect(),
                _ => v["runs"][0]["results"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|d| {
                        let at = &d["locations"][0]["physicalLocation"];
                        (
                            at["artifactLocation"]["uri"].as_str(),
                            at["region"]["startLine"].as_u64(),
                            d["ruleId"].as_str(),
                        )
                    })
                    .collect(),
            };
            for (file, line, code) in items {
                out.insert((
                    file.unwrap_or("").to_owned(),
                    line.unwrap_or(0),
                    code.unwrap_or("").to_owned(),
                ));
            }
        }
    }
    out
}

#[test]
fn no_report_format_contains_a_secret_value() {
    let want = expected();
    let fixture = root().join("tests/fixtures/redaction");
    let path = fixture.to_str().expect("utf-8 path");
    for format in ["human", "json", "junit", "codequality", "sarif"] {
        let out = fluxprint(&root(), &["validate", path, "--format", format]);
        assert_eq!(out.status.code(), Some(1), "{format}: {}", stderr(&out));
        let (text, err) = (stdout(&out), stderr(&out));
        assert_no_canary(format, &text);
        assert_no_canary(format, &err);
        let report = if format == "human" { &err } else { &text };
        let found = reported(format, report);
        let missing: Vec<_> = want.difference(&found).collect();
        assert!(
            missing.is_empty(),
            "{format}: findings missing from the report: {missing:?}\n{report}"
        );
        // The same through --output.
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("report");
        let out = fluxprint(
            &root(),
            &[
                "validate",
                path,
                "--format",
                format,
                "--output",
                file.to_str().expect("utf-8 path"),
            ],
        );
        assert_eq!(out.status.code(), Some(1), "{format}: {}", stderr(&out));
        let written = std::fs::read_to_string(&file).expect("report written");
        assert_no_canary(format, &written);
        assert_eq!(reported(format, &written), found, "{format} --output");
    }
}

#[test]
fn the_human_excerpt_keeps_the_key_and_marks_the_masked_value() {
    let fixture = root().join("tests/fixtures/redaction");
    let out = fluxprint(
        &root(),
        &["validate", fixture.to_str().expect("utf-8 path")],
    );
    let err = stderr(&out);
    assert!(
        err.contains(
            "error[GO003]: expected string, found integer\n --> configmap.yaml:5:13\n  |\n5 |   password: ******** # expect GO003\n  |             ^^^^^^^^\n"
        ),
        "{err}"
    );
}
