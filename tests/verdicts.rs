//! The verdict differential: for every object of `tests/fixtures/apiserver/` (one per file),
//! `fluxprint validate`'s error/no-error verdict must be the real kube-apiserver's.
//!
//! `scripts/consumers` dry-runs each file against kube-apiserver v1.35.8 with every CRD of
//! `../shared/crds` installed (server-side apply, strict field validation), writes the
//! verdicts as JSON lines `{"file", "accepted", "message"}` and runs this test with
//! `FLUXPRINT_VERDICTS=<that file>` and, in `FLUXPRINT_VERDICTS_FLAGS`, the server's settings
//! that no tree states as `fluxprint validate` takes them (`--service-cluster-ip-range`,
//! `--feature-gates`). Without the variable the test says so and returns
//! (`cargo test` alone has no API server); with it, a missing or incomplete file fails.
//!
//! fluxprint judges the whole corpus in one run, `fluxprint validate --crds ../shared/crds
//! tests/fixtures/apiserver` (one process instead of one per file: about 3 s instead of 7
//! minutes on two cores), and a file's verdict is "rejected" when a finding of error severity
//! names it. The corpus has no object that refers to another (names are unique), and the
//! rules that judge references between objects or hygiene, which an API server cannot judge
//! by construction (GO1xx, GO2xx, GO3xx, GO4xx, GO501-GO503), are ignored; every schema rule
//! (GO001-GO007) and the data rules the API server also enforces (GO504, GO505) count.
//!
//! Where the two disagree today, `tests/fixtures/apiserver/disagreements.txt` lists the file
//! with the reason: the work list of the validator. The list must be exact: a listed file on
//! which they agree (fixed) fails the test as stale, as does an unlisted disagreement.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use crate::util::{fluxprint, root, stderr};

/// Rules about references between objects, Flux builds and hygiene: not API-server verdicts.
const NOT_API_VERDICTS: &[&str] = &[
    "GO101", "GO102", "GO103", "GO104", "GO201", "GO202", "GO203", "GO204", "GO205", "GO206",
    "GO207", "GO301", "GO302", "GO303", "GO304", "GO305", "GO306", "GO307", "GO308", "GO309",
    "GO310", "GO311", "GO312", "GO313", "GO314", "GO401", "GO402", "GO403", "GO404", "GO405",
    "GO406", "GO407", "GO408", "GO409", "GO410", "GO411", "GO412", "GO413", "GO501", "GO502",
    "GO503",
];

struct Verdict {
    accepted: bool,
    message: String,
}

fn corpus() -> std::path::PathBuf {
    root().join("tests/fixtures/apiserver")
}

/// The API server's verdicts, by file name.
fn recorded(path: &Path) -> BTreeMap<String, Verdict> {
    let text = fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("FLUXPRINT_VERDICTS={}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).expect("a JSON verdict line");
            let file = v["file"].as_str().expect("file").to_owned();
            let verdict = Verdict {
                accepted: v["accepted"].as_bool().expect("accepted"),
                message: v["message"].as_str().unwrap_or("").to_owned(),
            };
            (file, verdict)
        })
        .collect()
}

/// The expected disagreements: file name → reason.
fn expected() -> BTreeMap<String, String> {
    let path = corpus().join("disagreements.txt");
    let text = fs::read_to_string(&path).expect("tests/fixtures/apiserver/disagreements.txt");
    let mut out = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let (entry, reason) = line.split_once('#').unwrap_or((line, ""));
        let entry = entry.trim();
        if entry.is_empty() {
            continue;
        }
        assert!(
            !reason.trim().is_empty() && !entry.contains(' '),
            "disagreements.txt:{}: want `FILE.yaml  # reason`",
            n + 1
        );
        assert!(
            out.insert(entry.to_owned(), reason.trim().to_owned())
                .is_none(),
            "disagreements.txt:{}: {entry} listed twice",
            n + 1
        );
    }
    out
}

/// fluxprint's error messages, by file name (files without errors are absent).
fn fluxprint_errors() -> BTreeMap<String, Vec<String>> {
    let mut args = vec!["validate", "--crds", "../shared/crds"];
    for code in NOT_API_VERDICTS {
        args.extend(["--ignore", code]);
    }
    // The settings the API server was started with that the tree cannot tell (its Service
    // range): fluxprint is told the same cluster facts.
    let flags = std::env::var("FLUXPRINT_VERDICTS_FLAGS").unwrap_or_default();
    args.extend(flags.split_whitespace());
    args.extend(["tests/fixtures/apiserver", "--format", "json"]);
    let out = fluxprint(&root(), &args);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "fluxprint validate failed: {}",
        stderr(&out)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json report");
    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for d in report.as_array().expect("array") {
        if d["severity"] != "error" {
            continue;
        }
        let file = d["file"].as_str().expect("file");
        let name = Path::new(file)
            .file_name()
            .expect("file name")
            .to_string_lossy()
            .into_owned();
        errors.entry(name).or_default().push(format!(
            "{}:{}: {}[{}] {}{}",
            file,
            d["line"],
            d["severity"].as_str().unwrap_or(""),
            d["code"].as_str().unwrap_or(""),
            d["message"].as_str().unwrap_or(""),
            d["field"]
                .as_str()
                .map(|f| format!(" (field {f})"))
                .unwrap_or_default()
        ));
    }
    errors
}

fn say(accepted: bool) -> &'static str {
    if accepted {
        "accepts"
    } else {
        "rejects"
    }
}

#[test]
fn fluxprint_judges_every_corpus_object_as_the_api_server_does() {
    let Some(path) = std::env::var_os("FLUXPRINT_VERDICTS") else {
        eprintln!(
            "note: FLUXPRINT_VERDICTS not set: the API server's verdicts are recorded and \
             checked by ./scripts/consumers; this check did not run"
        );
        return;
    };
    let verdicts = recorded(Path::new(&path));
    let files: BTreeSet<String> = fs::read_dir(corpus())
        .expect("corpus")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    let missing: Vec<&String> = files
        .iter()
        .filter(|f| !verdicts.contains_key(*f))
        .collect();
    assert!(
        missing.is_empty(),
        "no API-server verdict for {missing:?} (rerun ./scripts/consumers)"
    );
    let expected = expected();
    let errors = fluxprint_errors();

    let mut unexpected = Vec::new();
    let mut disagreed = BTreeSet::new();
    // (agree, disagree) per family: the file name's first part.
    let mut families: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for file in &files {
        let api = &verdicts[file];
        let ours = errors.get(file);
        let family = file.split('-').next().unwrap_or("").to_owned();
        let tally = families.entry(family).or_default();
        if api.accepted == ours.is_none() {
            tally.0 += 1;
            continue;
        }
        tally.1 += 1;
        disagreed.insert(file.clone());
        if expected.contains_key(file) {
            continue;
        }
        unexpected.push(format!(
            "{file}: kube-apiserver {} it, fluxprint {} it\n  kube-apiserver: {}\n  fluxprint: {}",
            say(api.accepted),
            say(ours.is_none()),
            if api.message.is_empty() {
                "(no message)".to_owned()
            } else {
                api.message.replace('\n', "\n    ")
            },
            ours.map(|e| e.join("\n    "))
                .unwrap_or_else(|| "no errors".to_owned())
        ));
    }
    let stale: Vec<String> = expected
        .iter()
        .filter(|(f, _)| !disagreed.contains(*f))
        .map(|(f, why)| format!("{f} ({why})"))
        .collect();
    let summary: Vec<String> = families
        .iter()
        .map(|(f, (a, d))| format!("{f}: {a} agree, {d} disagree"))
        .collect();
    eprintln!(
        "verdicts: {} objects; {}; {} expected disagreements",
        files.len(),
        summary.join("; "),
        expected.len()
    );
    assert!(
        unexpected.is_empty() && stale.is_empty(),
        "{} disagreements not in disagreements.txt:\n{}\n\n{} stale entries of \
         disagreements.txt (they agree now, or the file is gone: remove them):\n{}",
        unexpected.len(),
        unexpected.join("\n"),
        stale.len(),
        stale.join("\n")
    );
}
