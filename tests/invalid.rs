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
