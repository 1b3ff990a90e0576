//! The catalog of invalid inputs: each case under `tests/fixtures/invalid/<CODE>-<what>/`
//! holds `blueprints/` (and `clusters/` when the case is about clusters; otherwise the ones in
//! `tests/fixtures/invalid/_clusters/` are used). Rendering must fail with exit code 2, name
//! the case's code, write nothing, and print exactly the snapshotted diagnostics.

use std::fs;

use crate::snapshot_settings;
use crate::util::{copy_dir, fluxprint, root, stderr};

#[test]
fn every_invalid_input_is_reported_and_nothing_is_written() {
    let base = root().join("tests/fixtures/invalid");
    let mut cases: Vec<_> = fs::read_dir(&base)
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            p.is_dir()
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('_'))
        })
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 25,
        "the catalog needs at least 25 cases, has {}",
        cases.len()
    );
    for case in cases {
        let name = case
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let code = name.split('-').next().expect("code prefix").to_owned();
        let dir = tempfile::tempdir().expect("tempdir");
        copy_dir(&case, dir.path());
        if !dir.path().join("clusters").exists() {
            copy_dir(&base.join("_clusters"), &dir.path().join("clusters"));
        }
        fs::create_dir_all(dir.path().join("blueprints")).expect("mkdir");
        let out = fluxprint(dir.path(), &["render"]);
        let text = stderr(&out);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{name}: expected exit 2\n{text}"
        );
        assert!(
            text.contains(&format!("[{code}]")),
            "{name}: no {code} diagnostic\n{text}"
        );
        assert!(
            !dir.path().join("gitops").exists(),
            "{name}: something was written"
        );
        snapshot_settings!().bind(|| insta::assert_snapshot!(format!("invalid__{name}"), text));
    }
}

/// Every `BPnnn` the source reports is registered, every registered code is reported somewhere,
/// every code that can stop a render has a case in the catalog, and the warnings-only codes
/// are asserted by a test; docs/blueprint.md's code table is the registry's.
#[test]
fn the_code_registry_matches_the_source_the_catalog_and_the_docs() {
    use fluxprint::blueprint::codes::{codes_markdown, CODES};
    let mut source = String::new();
    let mut stack = vec![root().join("src")];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs")
                && !path.ends_with("blueprint/codes.rs")
            {
                source.push_str(&fs::read_to_string(&path).expect("read"));
            }
        }
    }
    let used: std::collections::BTreeSet<String> = regex_codes(&source);
    let registered: std::collections::BTreeSet<String> =
        CODES.iter().map(|c| c.code.to_owned()).collect();
    assert_eq!(used, registered, "codes in src/ and in the registry differ");
    let catalog: Vec<String> = fs::read_dir(root().join("tests/fixtures/invalid"))
        .expect("catalog")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    let mut tests = String::new();
    for entry in fs::read_dir(root().join("tests")).expect("tests") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("invalid.rs") {
            tests.push_str(&fs::read_to_string(&path).expect("read"));
        }
    }
    for c in CODES {
        let in_catalog = catalog
            .iter()
            .any(|n| n.starts_with(&format!("{}-", c.code)));
        let warning_only = c.severity.starts_with("warning");
        assert!(
            in_catalog || tests.contains(c.code),
            "{}: no invalid-input case and no test names it",
            c.code
        );
        assert!(
            in_catalog || warning_only || tests.contains(c.code),
            "{}: an error code needs a catalog case",
            c.code
        );
    }
    let docs_path = root().join("docs/blueprint.md");
    let docs = fs::read_to_string(&docs_path).expect("docs");
    let marker = docs.find("<!-- codes:start").expect("codes:start marker");
    let start = marker
        + docs[marker..]
            .find("-->\n")
            .expect("end of the start marker")
        + 4;
    let end = docs.find("<!-- codes:end -->").expect("codes:end marker");
    if std::env::var_os("FLUXPRINT_UPDATE_DOCS").is_some() {
        let updated = format!("{}{}{}", &docs[..start], codes_markdown(), &docs[end..]);
        fs::write(&docs_path, updated).expect("write docs");
        return;
    }
    assert_eq!(
        &docs[start..end],
        codes_markdown(),
        "docs/blueprint.md's code table is stale: run with FLUXPRINT_UPDATE_DOCS=1"
    );
}

/// The `BPnnn` codes quoted in `text`.
fn regex_codes(text: &str) -> std::collections::BTreeSet<String> {
    let bytes = text.as_bytes();
    let mut out = std::collections::BTreeSet::new();
    for i in 0..bytes.len().saturating_sub(6) {
        if bytes[i] == b'"'
            && &bytes[i + 1..i + 3] == b"BP"
            && bytes[i + 3..i + 6].iter().all(u8::is_ascii_digit)
            && bytes[i + 6] == b'"'
        {
            out.insert(text[i + 1..i + 6].to_owned());
        }
    }
    out
}
