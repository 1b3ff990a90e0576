//! Shared test helpers: the example project, running the binary, external tools.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared`, beside the repository.
pub fn shared() -> PathBuf {
    root().join("../shared")
}

/// A scratch copy of the fixture system `tests/fixtures/systems/<name>`.
pub fn system(name: &str) -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("fluxprint-test-")
        .tempdir()
        .expect("tempdir");
    copy_dir(
        &root().join("tests/fixtures/systems").join(name),
        dir.path(),
    );
    dir
}

/// Copies a directory tree.
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create dir");
    for entry in fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// A temporary copy of the example project (`blueprints/`, `clusters/`, `platform/`).
pub fn example() -> tempfile::TempDir {
    // Not a hidden name (`.tmpXXXX`): some scanners (checkov) skip hidden directories.
    let dir = tempfile::Builder::new()
        .prefix("fluxprint-test-")
        .tempdir()
        .expect("tempdir");
    copy_dir(&root().join("blueprints"), &dir.path().join("blueprints"));
    copy_dir(&root().join("clusters"), &dir.path().join("clusters"));
    copy_dir(&root().join("platform"), &dir.path().join("platform"));
    dir
}

/// Runs `fluxprint` in `cwd` with `args`, without color.
pub fn fluxprint(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fluxprint"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("run fluxprint")
}

/// Runs `fluxprint` like [`fluxprint`], with a deadline: a regression that blocks (on a FIFO,
/// a lock) fails the test instead of hanging the suite.
pub fn fluxprint_within(cwd: &Path, args: &[&str], limit: Duration) -> Output {
    let child = spawn_fluxprint(cwd, args);
    wait_within(child, limit, args)
}

pub fn spawn_fluxprint(cwd: &Path, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_fluxprint"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn fluxprint")
}

/// Waits for `child`, killing it and failing the test after `limit`.
pub fn wait_within(mut child: Child, limit: Duration, what: &[&str]) -> Output {
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("fluxprint {what:?} did not finish within {limit:?} (a hang)");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Replaces the first `from` in the file at `path` with `to`; the text must be there.
pub fn edit(path: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{from} not in {}", path.display());
    fs::write(path, text.replacen(from, to, 1)).expect("write");
}

/// Standard error as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Standard output as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The codes of a `--format json` report on standard output, errors only or all.
pub fn report_codes(out: &Output, errors_only: bool) -> Vec<String> {
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json report");
    report
        .as_array()
        .expect("array")
        .iter()
        .filter(|d| !errors_only || d["severity"] == "error")
        .filter_map(|d| d["code"].as_str().map(str::to_owned))
        .collect()
}

/// Every file below `dir` as `(relative path, text)`, sorted.
pub fn tree(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .expect("prefix")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, fs::read_to_string(&path).expect("utf-8 file")));
            }
        }
    }
    out.sort();
    out
}

/// An external checker: found on PATH; missing is a failure when the test command asked
/// for the tools (`FLUXPRINT_REQUIRE_TOOLS=1`, always set by `scripts/test`) or under CI.
pub fn tool(name: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    });
    let required =
        std::env::var_os("FLUXPRINT_REQUIRE_TOOLS").is_some() || std::env::var_os("CI").is_some();
    match found {
        Some(p) => Some(p),
        None if required => {
            panic!("`{name}` is required but not on PATH; run ./scripts/test, which installs it")
        }
        None => {
            eprintln!(
                "note: `{name}` not on PATH; this check did not run (./scripts/test installs it)"
            );
            None
        }
    }
}

/// insta settings: every snapshot in the top-level `snapshots/` directory.
#[macro_export]
macro_rules! snapshot_settings {
    () => {{
        let mut s = insta::Settings::clone_current();
        s.set_snapshot_path("../snapshots");
        s.set_prepend_module_to_snapshot(false);
        s
    }};
}
