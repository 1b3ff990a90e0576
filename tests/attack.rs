//! fluxprint under attack and under crash: what a merge request can commit (symlinks,
//! FIFOs, device links, leftover temp files) must not make `render`, `check`, `seal` or
//! `secrets status` write outside the tree, delete outside it, hang or leave a mixed tree;
//! a render killed at any point leaves every file old or new, and the next render converges.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::util::{example, fluxprint, stderr, stdout, tree};

/// Runs `fluxprint` with a deadline: a hang fails the test instead of the suite.
fn fluxprint_within(cwd: &Path, args: &[&str], limit: Duration) -> Output {
    let child = spawn(cwd, args);
    wait_within(child, limit, args)
}

fn spawn(cwd: &Path, args: &[&str]) -> Child {
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

fn wait_within(mut child: Child, limit: Duration, what: &[&str]) -> Output {
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

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("run mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// Every file and link below `dir`, as the test sees them (links not followed).
fn entries(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        let Ok(listing) = fs::read_dir(&d) else {
            continue;
        };
        for entry in listing {
            let entry = entry.expect("entry");
            let path = entry.path();
            let rel = path
                .strip_prefix(dir)
                .expect("prefix")
                .to_string_lossy()
                .into_owned();
            let kind = entry.file_type().expect("type");
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_symlink() {
                out.insert(
                    rel,
                    format!("-> {}", fs::read_link(&path).expect("link").display()),
                );
            } else {
                out.insert(rel, fs::read_to_string(&path).unwrap_or_default());
            }
        }
    }
    out
}

fn render_ok(dir: &Path) {
    let out = fluxprint(dir, &["render"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn a_symlink_at_a_temp_path_does_not_redirect_the_write() {
    let dir = example();
    render_ok(dir.path());
    let outside = tempfile::tempdir().expect("tempdir");
    let victim = outside.path().join("victim");
    fs::write(&victim, "precious\n").expect("write");
    let apps = dir.path().join("gitops/prod/apps/order");
    // The temp names of earlier versions, and a guess at the current scheme.
    for name in [
        ".deployment.yaml.fluxprint-tmp",
        ".deployment.yaml.1-0.fluxprint-tmp",
    ] {
        symlink(&victim, apps.join(name)).expect("symlink");
    }
    fs::remove_file(apps.join("deployment.yaml")).expect("rm");
    render_ok(dir.path());
    assert_eq!(fs::read_to_string(&victim).expect("read"), "precious\n");
    let meta = fs::symlink_metadata(apps.join("deployment.yaml")).expect("meta");
    assert!(
        meta.file_type().is_file(),
        "the generated path is a real file"
    );
    // The traps are removed (unlinked, not followed); the tree is current.
    let left: Vec<_> = entries(&apps)
        .into_keys()
        .filter(|n| n.contains("fluxprint-tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    assert!(fluxprint(dir.path(), &["check"]).status.success());
    assert_eq!(fs::read_to_string(&victim).expect("read"), "precious\n");
}

#[test]
fn symlinked_directories_are_refused_and_nothing_outside_is_written_or_pruned() {
    for link in ["gitops/prod/apps", "gitops/prod", "gitops"] {
        let dir = example();
        render_ok(dir.path());
        let outside = tempfile::tempdir().expect("tempdir");
        // The outside directory holds a copy of the tree, with a stale owned file to prune
        // and a file to overwrite: neither may be touched.
        let real = dir.path().join(link);
        crate::util::copy_dir(&real, outside.path());
        fs::write(
            outside.path().join("stale.yaml"),
            "# Generated by fluxprint from blueprints/gone.yaml. Do not edit.\n",
        )
        .expect("write");
        let before = entries(outside.path());
        fs::remove_dir_all(&real).expect("rm");
        symlink(outside.path(), &real).expect("symlink");
        // A change in the input, so that render would write.
        let bp = dir.path().join("blueprints/order.yaml");
        let text = fs::read_to_string(&bp).expect("read");
        fs::write(&bp, text.replace("LOG_LEVEL: info", "LOG_LEVEL: debug")).expect("write");
        for args in [&["render"][..], &["check"], &["diff"]] {
            let out = fluxprint(dir.path(), args);
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(2), "{link} {args:?}: {err}");
            assert!(
                err.contains("refusing to follow the symlink") && err.contains(link),
                "{link} {args:?}: {err}"
            );
        }
        assert_eq!(
            entries(outside.path()),
            before,
            "{link}: the outside is unchanged"
        );
    }
}

#[test]
fn leftover_temp_files_are_stale_for_check_and_removed_by_render() {
    let dir = example();
    render_ok(dir.path());
    let temp = dir
        .path()
        .join("gitops/dev/apps/order/.deployment.yaml.4242-7.fluxprint-tmp");
    fs::write(&temp, "").expect("write");
    let check = fluxprint(dir.path(), &["check"]);
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    assert!(
        stdout(&check).contains("a/dev/apps/order/.deployment.yaml.4242-7.fluxprint-tmp"),
        "{}",
        stdout(&check)
    );
    render_ok(dir.path());
    assert!(!temp.exists());
    assert!(fluxprint(dir.path(), &["check"]).status.success());
}

#[test]
fn ownership_is_the_exact_header_and_modes_are_kept() {
    let dir = example();
    render_ok(dir.path());
    // Not YAML, so that the validation of the rendered tree leaves it alone.
    let other = dir.path().join("gitops/prod/apps/order/notes.txt");
    fs::write(&other, "# Generated by fluxprintx, another tool\n").expect("write");
    let deployment = dir.path().join("gitops/prod/apps/order/deployment.yaml");
    fs::set_permissions(&deployment, fs::Permissions::from_mode(0o640)).expect("chmod");
    let bp = dir.path().join("blueprints/order.yaml");
    let text = fs::read_to_string(&bp).expect("read");
    assert!(
        text.contains("LOG_LEVEL: info"),
        "the example sets LOG_LEVEL"
    );
    fs::write(&bp, text.replace("LOG_LEVEL: info", "LOG_LEVEL: debug")).expect("write");
    render_ok(dir.path());
    assert!(other.exists(), "a file of another tool is not pruned");
    let mode = fs::metadata(&deployment)
        .expect("meta")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o640, "the mode survives a rewrite");
}

#[test]
fn special_files_as_inputs_are_refused_without_hanging() {
    let limit = Duration::from_secs(20);
    // A FIFO as sealed values.
    let dir = example();
    let sealed = dir.path().join("blueprints/order.sealed.yaml");
    fs::remove_file(&sealed).expect("rm");
    mkfifo(&sealed);
    for args in [&["render"][..], &["check"], &["secrets", "status"]] {
        let out = fluxprint_within(dir.path(), args, limit);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("order.sealed.yaml") && stderr(&out).contains("FIFO"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    // A blueprint that is a FIFO, and one that links to /dev/zero.
    for (name, make) in [
        ("fifo.yaml", &(|p: &Path| mkfifo(p)) as &dyn Fn(&Path)),
        ("zero.yaml", &|p: &Path| {
            symlink("/dev/zero", p).expect("symlink")
        }),
    ] {
        let dir = example();
        make(&dir.path().join("blueprints").join(name));
        let out = fluxprint_within(dir.path(), &["render"], limit);
        assert_eq!(out.status.code(), Some(2), "{name}: {}", stderr(&out));
        assert!(stderr(&out).contains(name), "{name}: {}", stderr(&out));
        assert!(
            !dir.path().join("gitops").exists(),
            "{name}: nothing written"
        );
    }
    // A sealing certificate that links to /dev/zero.
    let dir = example();
    let cert = dir.path().join("clusters/prod.pem");
    fs::remove_file(&cert).expect("rm");
    symlink("/dev/zero", &cert).expect("symlink");
    // `secrets status` reports an unusable certificate per value set and goes on.
    let out = fluxprint_within(dir.path(), &["secrets", "status"], limit);
    let text = stdout(&out);
    assert!(
        text.contains("clusters/prod.pem: not a regular file (a character device)"),
        "{text}{}",
        stderr(&out)
    );
}

#[test]
fn seal_does_not_write_through_a_symlinked_values_file() {
    let dir = crate::seal::project_with_test_cert();
    let outside = tempfile::tempdir().expect("tempdir");
    let victim = outside.path().join("victim.yaml");
    let sealed = dir.path().join("blueprints/order.sealed.yaml");
    // A valid values file outside, linked in: reading it is fine, writing through it not.
    fs::copy(&sealed, &victim).expect("copy");
    fs::remove_file(&sealed).expect("rm");
    symlink(&victim, &sealed).expect("symlink");
    let before = fs::read_to_string(&victim).expect("read");
    let out = crate::seal::fluxprint_with_stdin(
        dir.path(),
        &[
            "seal",
            "order",
            "DATABASE_URL",
            "--cluster",
            "prod",
            "--trim",
        ],
        b"postgres://x\n",
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("refusing to follow the symlink"),
        "{}",
        stderr(&out)
    );
    assert_eq!(fs::read_to_string(&victim).expect("read"), before);
    assert!(fs::symlink_metadata(&sealed)
        .expect("meta")
        .file_type()
        .is_symlink());
}

/// Two inputs whose trees differ in almost every file, with files only in one or the other.
fn two_projects(services: usize) -> (tempfile::TempDir, tempfile::TempDir) {
    let a = tempfile::tempdir().expect("tempdir");
    let b = tempfile::tempdir().expect("tempdir");
    fluxprint::synthetic::write_project(a.path(), services).expect("generate");
    fluxprint::synthetic::write_project(b.path(), services).expect("generate");
    let blueprints = b.path().join("blueprints");
    for entry in fs::read_dir(&blueprints).expect("ls") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        if name.ends_with(".sealed.yaml") {
            continue;
        }
        let text = fs::read_to_string(&path).expect("read");
        assert!(
            text.contains("LOG_LEVEL: info"),
            "synthetic blueprints set LOG_LEVEL"
        );
        fs::write(&path, text.replace("LOG_LEVEL: info", "LOG_LEVEL: debug")).expect("write");
    }
    // Services only in A (pruned when B renders) and only in B.
    // The last ones: services depend only on earlier ones.
    for i in services - 3..services {
        let svc = format!("svc-{i:05}");
        fs::remove_file(blueprints.join(format!("{svc}.yaml"))).expect("rm");
        fs::remove_file(blueprints.join(format!("{svc}.sealed.yaml"))).expect("rm");
    }
    (a, b)
}

fn rendered(project: &Path) -> BTreeMap<String, String> {
    let out = fluxprint(project, &["render", "--out", "expected"]);
    assert!(out.status.success(), "{}", stderr(&out));
    tree(&project.join("expected")).into_iter().collect()
}

fn render_into(project: &Path, out: &Path) -> Child {
    let out = out.to_str().expect("utf-8 path");
    spawn(project, &["render", "--out", out])
}

#[test]
fn killed_renders_leave_old_or_new_files_and_the_next_render_converges() {
    let (a, b) = two_projects(40);
    let expected = [rendered(a.path()), rendered(b.path())];
    let work = tempfile::tempdir().expect("tempdir");
    let out = work.path().join("gitops");
    // How long one whole render takes here, to spread the kills over it.
    let start = Instant::now();
    let first = wait_within(
        render_into(a.path(), &out),
        Duration::from_secs(120),
        &["render"],
    );
    assert!(first.status.success(), "{}", stderr(&first));
    let full = start.elapsed();
    // Fixed-seed pseudo-random kill points (xorshift), so a failure can be replayed.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut killed_midway = 0;
    for round in 0..24 {
        let project = [a.path(), b.path()][round % 2];
        let delay = full.mul_f64((next() % 1000) as f64 / 1000.0);
        let mut child = render_into(project, &out);
        std::thread::sleep(delay);
        if child.try_wait().expect("wait").is_none() {
            killed_midway += 1;
        }
        let _ = child.kill();
        let _ = child.wait();
        for (rel, text) in entries(&out) {
            let name = rel.rsplit('/').next().unwrap_or(&rel);
            if name.ends_with(".fluxprint-tmp") {
                continue; // a leftover of the kill: removed by the next render
            }
            assert!(
                expected.iter().any(|e| e.get(&rel) == Some(&text)),
                "round {round}: {rel} is neither the old nor the new file"
            );
        }
    }
    assert!(
        killed_midway >= 5,
        "only {killed_midway} kills landed mid-render"
    );
    let last = wait_within(
        render_into(b.path(), &out),
        Duration::from_secs(120),
        &["render"],
    );
    assert!(last.status.success(), "{}", stderr(&last));
    let check = fluxprint(b.path(), &["check", "--out", out.to_str().expect("utf-8")]);
    assert!(
        check.status.success(),
        "{}{}",
        stdout(&check),
        stderr(&check)
    );
    assert_eq!(
        entries(&out),
        expected[1],
        "converged on B, no temp file left"
    );
}

#[test]
fn concurrent_renders_never_mix_and_no_wait_fails_at_once() {
    let (a, b) = two_projects(25);
    let expected = [rendered(a.path()), rendered(b.path())];
    let work = tempfile::tempdir().expect("tempdir");
    let out = work.path().join("gitops");
    for round in 0..4 {
        let first = render_into(a.path(), &out);
        let second = render_into(b.path(), &out);
        let limit = Duration::from_secs(180);
        let (x, y) = (
            wait_within(first, limit, &["render"]),
            wait_within(second, limit, &["render"]),
        );
        assert!(x.status.success(), "round {round}: {}", stderr(&x));
        assert!(y.status.success(), "round {round}: {}", stderr(&y));
        let got = entries(&out);
        assert!(
            expected.contains(&got),
            "round {round}: the tree is a mix of both renders"
        );
    }
    // While another process holds the tree, --no-wait fails at once with a clear message.
    let held = fluxprint::files::OutTree::open(
        &out,
        fluxprint::files::Lock::Exclusive,
        fluxprint::files::Wait::No,
    )
    .expect("lock");
    let path = out.to_str().expect("utf-8");
    let denied = fluxprint_within(
        a.path(),
        &["render", "--out", path, "--no-wait"],
        Duration::from_secs(10),
    );
    assert_eq!(denied.status.code(), Some(2), "{}", stderr(&denied));
    assert!(
        stderr(&denied).contains("another fluxprint is writing"),
        "{}",
        stderr(&denied)
    );
    drop(held);
}

#[test]
fn huge_mappings_and_many_document_alias_bombs_are_handled() {
    let limit = Duration::from_secs(60);
    // 40,000 keys with the duplicate at the end: found, at its line (the cost is measured
    // in `cargo bench --bench parse`, not here).
    let dir = example();
    let bp = dir.path().join("blueprints/order.yaml");
    let text = fs::read_to_string(&bp).expect("read");
    let env: String = (0..40_000).map(|i| format!("  VAR_{i}: v\n")).collect();
    let text = text.replacen("env:\n", &format!("env:\n{env}  VAR_7: again\n"), 1);
    assert!(text.contains("VAR_39999"), "order.yaml has a block `env:`");
    fs::write(&bp, &text).expect("write");
    let line = text
        .lines()
        .position(|l| l == "  VAR_7: again")
        .expect("line")
        + 1;
    let out = fluxprint_within(dir.path(), &["render"], limit);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("blueprints/order.yaml:{line}:3"))
            && stderr(&out).contains("duplicate key `VAR_7`"),
        "{}",
        stderr(&out)
    );
    // 4,000 small documents that each stay under the per-document size of an alias bomb:
    // refused by the per-file budget, at a line of the file.
    let tree = tempfile::tempdir().expect("tempdir");
    let doc = "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: &a {a: '1', b: '2', c: '3', d: '4', e: '5', f: '6', g: '7', h: '8', i: '9'}\nlabels: [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n";
    fs::write(tree.path().join("bomb.yaml"), doc.repeat(4000)).expect("write");
    let path = tree.path().to_str().expect("utf-8");
    let out = fluxprint_within(tree.path(), &["validate", path], limit);
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("[GO001]") && text.contains("aliases in this file expand to more than"),
        "{text}"
    );
}

#[test]
fn kustomize_entries_outside_the_repository_are_reported_without_being_opened() {
    let work = tempfile::tempdir().expect("tempdir");
    let repo = work.path().join("repo");
    fs::create_dir_all(&repo).expect("mkdir");
    // A FIFO outside the repository: opening it would block, so a finished run proves the
    // entry was judged on its path alone.
    mkfifo(&work.path().join("trap.yaml"));
    fs::write(
        repo.join("kustomization.yaml"),
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../trap.yaml\n  - /etc/shadow\n",
    )
    .expect("write");
    let out = fluxprint_within(work.path(), &["validate", "repo"], Duration::from_secs(20));
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert_eq!(text.matches("[GO312]").count(), 2, "{text}");
}

#[test]
fn a_secret_value_never_reaches_a_report() {
    // Every format is covered in tests/redaction.rs; here the attack as the issue tells it.
    let tree = tempfile::tempdir().expect("tempdir");
    fs::write(
        tree.path().join("secret.yaml"),
        "apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: a}\nstringData:\n  pin: 98765432\n  password: hunter2-canary\n",
    )
    .expect("write");
    let path = tree.path().to_str().expect("utf-8");
    for format in ["human", "json", "junit", "codequality", "sarif"] {
        let out = fluxprint(tree.path(), &["validate", path, "--format", format]);
        let text = format!("{}{}", stdout(&out), stderr(&out));
        assert_eq!(out.status.code(), Some(1), "{format}: {text}");
        assert!(
            text.contains("GO003"),
            "{format}: the type error is reported: {text}"
        );
        for value in ["98765432", "hunter2-canary"] {
            assert!(!text.contains(value), "{format} quotes `{value}`: {text}");
        }
    }
}
