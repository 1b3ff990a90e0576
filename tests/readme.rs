//! The README's walkthrough, run as written: its `sh` blocks between the walkthrough markers,
//! in order, in one shell, in a scratch directory, with the built `fluxprint` on PATH. The one
//! thing stood in for is the cluster: `kubeseal --fetch-cert` prints a test certificate.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use crate::util::root;

/// The `sh` blocks of the README between `<!-- walkthrough:start -->` and `:end -->`, with
/// the list indentation removed.
fn walkthrough() -> String {
    let readme = fs::read_to_string(root().join("README.md")).expect("README.md");
    let start = readme
        .find("<!-- walkthrough:start -->")
        .expect("start marker");
    let end = readme.find("<!-- walkthrough:end -->").expect("end marker");
    let mut script = String::new();
    let mut in_block = false;
    for line in readme[start..end].lines() {
        let text = line.trim_start();
        if text.starts_with("```") {
            in_block = !in_block && text == "```sh";
            continue;
        }
        if in_block {
            // List items indent their blocks by three spaces; heredoc bodies keep the rest.
            script.push_str(line.strip_prefix("   ").unwrap_or(line));
            script.push('\n');
        }
    }
    script
}

#[test]
fn the_readme_walkthrough_runs_as_written() {
    let script = walkthrough();
    for step in [
        "fluxprint init .",
        "fluxprint seal coupon",
        "fluxprint render\n",
    ] {
        assert!(
            script.contains(step),
            "the walkthrough lost `{step}`:\n{script}"
        );
    }
    let scratch = tempfile::tempdir().expect("tempdir");
    let bin = scratch.path().join("bin");
    fs::create_dir_all(&bin).expect("mkdir");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_fluxprint"), bin.join("fluxprint"))
        .expect("link fluxprint");
    let cert = scratch.path().join("cert.pem");
    fs::write(&cert, crate::seal::valid_cert()).expect("write cert");
    let kubeseal = bin.join("kubeseal");
    fs::write(
        &kubeseal,
        format!(
            "#!/bin/sh\n# Stands in for the cluster: the test's sealing certificate.\ncat '{}'\n",
            cert.display()
        ),
    )
    .expect("write kubeseal");
    fs::set_permissions(&kubeseal, fs::Permissions::from_mode(0o755)).expect("chmod");
    let work = scratch.path().join("work");
    fs::create_dir_all(&work).expect("mkdir");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .current_dir(&work)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .output()
        .expect("run bash");
    assert!(
        out.status.success(),
        "the walkthrough failed:\n{script}\n--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let shop = work.join("shop");
    let sealed = fs::read_to_string(shop.join("blueprints/coupon.sealed.yaml")).expect("sealed");
    assert!(
        sealed.contains("  dev:") && sealed.contains("  prod:"),
        "{sealed}"
    );
    let secret = fs::read_to_string(shop.join("gitops/prod/apps/coupon/sealedsecret.yaml"))
        .expect("the prod tree has the coupon's SealedSecret");
    assert!(secret.contains("DATABASE_URL"), "{secret}");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("ends with a newline"));
}
