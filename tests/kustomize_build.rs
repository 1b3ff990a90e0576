//! The native kustomize build against real kustomize (`kubectl kustomize`, kustomize
//! v5.8.1) on every case of `tests/fixtures/kustomize/`.
//!
//! A case is a directory, the repository root of the build. It builds `.`, or the
//! directory named in its `BUILD` file. An `EXPECT` file lists what the build must
//! report instead of matching kubectl: `error: <text>` and `note: <text>` lines (each
//! must appear in an error or note), and `kubectl: fails` (kubectl must fail too) or
//! `kubectl: skip` (kubectl would fetch or run Helm: not compared).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use fluxprint::kustomize::{build, disk::DiskSource, Build};
use serde_json::Value;

use crate::util::{root, tool};

fn cases() -> Vec<PathBuf> {
    let dir = root().join("tests/fixtures/kustomize");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    out
}

/// `FLUXPRINT_KUSTOMIZE_CASE=part` keeps the cases whose name contains `part` (for a quick
/// run while writing one; the full set must still pass).
fn selected(cases: Vec<PathBuf>) -> Vec<PathBuf> {
    match std::env::var("FLUXPRINT_KUSTOMIZE_CASE") {
        Ok(part) if !part.is_empty() => cases
            .into_iter()
            .filter(|c| {
                c.file_name()
                    .is_some_and(|n| n.to_string_lossy().contains(&part))
            })
            .collect(),
        _ => cases,
    }
}

fn build_dir(case: &Path) -> String {
    std::fs::read_to_string(case.join("BUILD"))
        .map(|s| s.trim().to_owned())
        .unwrap_or_default()
}

fn ours(case: &Path) -> Build {
    let src = DiskSource::new(case);
    build(&src, &build_dir(case), None)
}

fn canonical(v: &Value) -> String {
    serde_json::to_string_pretty(v).expect("json")
}

fn id(v: &Value) -> String {
    let s = |p: &str| {
        v.pointer(p)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    format!(
        "{} {} {}/{}",
        s("/apiVersion"),
        s("/kind"),
        s("/metadata/namespace"),
        s("/metadata/name")
    )
}

fn kubectl(kubectl: &Path, case: &Path) -> Result<Vec<Value>, String> {
    let dir = case.join(build_dir(case));
    let out = Command::new(kubectl)
        .args(["kustomize", "--load-restrictor", "LoadRestrictionsNone"])
        .arg(&dir)
        .output()
        .expect("run kubectl");
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let docs = fluxprint::source::yaml::parse_json_documents(&text, |_| false)
        .expect("kubectl output parses");
    Ok(docs
        .into_iter()
        .map(|d| d.value)
        .filter(|v| !v.is_null())
        .collect())
}

/// Compares one case; `Err` with a readable account of the differences.
fn compare(kubectl_bin: Option<&Path>, case: &Path) -> Result<(), String> {
    let built = ours(case);
    let expect = std::fs::read_to_string(case.join("EXPECT")).unwrap_or_default();
    let mut want_kubectl = "same";
    for line in expect.lines() {
        if let Some(text) = line.strip_prefix("error: ") {
            if !built.errors.iter().any(|e| e.message.contains(text)) {
                return Err(format!(
                    "no error containing {text:?}; errors: {:#?}",
                    built.errors
                ));
            }
        } else if let Some(text) = line.strip_prefix("note: ") {
            if !built.notes.iter().any(|e| e.message.contains(text)) {
                return Err(format!(
                    "no note containing {text:?}; notes: {:#?}",
                    built.notes
                ));
            }
        } else if let Some(k) = line.strip_prefix("kubectl: ") {
            want_kubectl = if k.trim() == "fails" { "fails" } else { "skip" };
        }
    }
    if want_kubectl == "same" && !built.errors.is_empty() {
        return Err(format!("unexpected errors: {:#?}", built.errors));
    }
    let Some(kubectl_bin) = kubectl_bin else {
        return Ok(());
    };
    match (want_kubectl, kubectl(kubectl_bin, case)) {
        ("skip", _) => Ok(()),
        ("fails", Err(_)) => Ok(()),
        ("fails", Ok(_)) => Err("kubectl kustomize succeeded where the build must fail".into()),
        (_, Err(e)) => Err(format!("kubectl kustomize failed: {e}")),
        (_, Ok(theirs)) => {
            let mine: Vec<Value> = built
                .resources
                .iter()
                .map(|r| Value::clone(&r.value))
                .collect();
            let key = |vs: &[Value]| -> BTreeMap<String, Vec<String>> {
                let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
                for v in vs {
                    m.entry(id(v)).or_default().push(canonical(v));
                }
                m
            };
            let (a, b) = (key(&mine), key(&theirs));
            let mut report = String::new();
            if mine.len() != theirs.len() {
                report.push_str(&format!(
                    "{} objects built, kubectl has {}\n",
                    mine.len(),
                    theirs.len()
                ));
            }
            for (k, theirs_v) in &b {
                match a.get(k) {
                    None => report.push_str(&format!("missing {k}:\n{}\n", theirs_v.join("\n"))),
                    Some(mine_v) if mine_v != theirs_v => {
                        let diff =
                            similar::TextDiff::from_lines(&theirs_v.join("\n"), &mine_v.join("\n"))
                                .unified_diff()
                                .header("kubectl", "fluxprint")
                                .to_string();
                        report.push_str(&format!("differs {k}:\n{diff}\n"));
                    }
                    _ => {}
                }
            }
            for k in a.keys().filter(|k| !b.contains_key(*k)) {
                report.push_str(&format!("extra {k}\n"));
            }
            if report.is_empty() {
                let order: Vec<String> = mine.iter().map(id).collect();
                let theirs_order: Vec<String> = theirs.iter().map(id).collect();
                if order != theirs_order {
                    report.push_str(&format!(
                        "order differs:\n  kubectl   {theirs_order:?}\n  fluxprint {order:?}\n"
                    ));
                }
            }
            if report.is_empty() {
                Ok(())
            } else {
                Err(report)
            }
        }
    }
}

#[test]
fn every_fixture_builds_as_kubectl_kustomize() {
    let bin = tool("kubectl");
    let cases = cases();
    assert!(cases.len() >= 60, "only {} cases", cases.len());
    let cases = selected(cases);
    let mut failures = Vec::new();
    for case in &cases {
        if let Err(why) = compare(bin.as_deref(), case) {
            let name = case
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            failures.push(format!("=== {name}\n{why}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
