//! Every validation rule against its fixtures: `tests/fixtures/rules/<CODE>/fail/` must raise
//! that code on exactly the lines marked `# <CODE>` (and nowhere else), `pass/` must not raise
//! it at all; the human rendering of the failures is snapshotted. A rule without fixtures
//! fails the test. Where a trailing comment would change the line's meaning (image setter
//! markers are themselves comments), a comment line `# next: <CODE>` marks the line below.

use std::collections::BTreeSet;
use std::path::Path;

use fluxprint::blueprint::cluster::Policy;
use fluxprint::diag::render;
use fluxprint::validate::registry::RULES;
use fluxprint::validate::rule::Options;
use fluxprint::validate::schema::SchemaStore;

use crate::snapshot_settings;
use crate::util::{root, tree};

fn run(dir: &Path) -> fluxprint::validate::Report {
    let options = Options {
        policy: Policy::Strict,
        ..Options::default()
    };
    fluxprint::validate::run(&[dir.to_owned()], SchemaStore::with_builtins(), &options)
        .expect("validates")
}

#[test]
fn every_rule_fires_exactly_on_its_marked_lines() {
    let base = root().join("tests/fixtures/rules");
    for rule in RULES {
        let code = rule.code();
        let fail = base.join(code).join("fail");
        let pass = base.join(code).join("pass");
        assert!(
            fail.is_dir() && pass.is_dir(),
            "{code}: tests/fixtures/rules/{code}/fail and pass are required"
        );
        let marker = format!("# {code}");
        let next = format!("# next: {code}");
        let mut expected: BTreeSet<(String, u32)> = BTreeSet::new();
        for (path, text) in tree(&fail) {
            for (n, line) in fluxprint::diag::lines(&text).enumerate() {
                let line_no = u32::try_from(n + 1).unwrap_or(0);
                if line.trim() == next {
                    expected.insert((path.clone(), line_no + 1));
                } else if line.contains(&marker) {
                    expected.insert((path.clone(), line_no));
                }
            }
        }
        assert!(
            !expected.is_empty(),
            "{code}: the fail fixture marks no line with `{marker}`"
        );
        let report = run(&fail);
        let mine: Vec<_> = report
            .diagnostics
            .iter()
            .filter(|d| d.code == code)
            .cloned()
            .collect();
        let found: BTreeSet<(String, u32)> =
            mine.iter().map(|d| (d.file.clone(), d.span.line)).collect();
        assert_eq!(
            found, expected,
            "{code}: findings (left) differ from the marked lines (right)"
        );
        let text = render::human(&mine, &report.sources, false);
        snapshot_settings!().bind(|| insta::assert_snapshot!(format!("rules__{code}"), text));
        let clean = run(&pass);
        let wrong: Vec<String> = clean
            .diagnostics
            .iter()
            .filter(|d| d.code == code)
            .map(|d| d.to_string())
            .collect();
        assert!(
            wrong.is_empty(),
            "{code}: the pass fixture raises it:\n{}",
            wrong.join("\n")
        );
    }
}
