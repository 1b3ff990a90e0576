//! Sealing: values sealed by the library and the CLI open with an independent
//! implementation of the sealed-secrets controller's decryption, for every scope; wrong
//! names and namespaces do not; certificates are checked; plaintext never leaks.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::str::FromStr;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use fluxprint::blueprint::cluster::SealingScope;
use fluxprint::seal::{seal_value, CertError, SealingCert};
use rsa::{Oaep, RsaPrivateKey};
use sha2::Sha256;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::der::EncodePem;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::time::{Time, Validity};

use crate::snapshot_settings;
use crate::util::{example, stderr, stdout};

/// A key pair made once per test run (2048 bits keeps it quick).
fn key() -> &'static RsaPrivateKey {
    static KEY: OnceLock<RsaPrivateKey> = OnceLock::new();
    KEY.get_or_init(|| RsaPrivateKey::new(&mut rand_core::OsRng, 2048).expect("key generation"))
}

/// A self-signed certificate for `key`, valid from `from` to `to`.
fn certificate(key: &RsaPrivateKey, from: SystemTime, to: SystemTime) -> String {
    let signer = rsa::pkcs1v15::SigningKey::<Sha256>::new(key.clone());
    let spki = SubjectPublicKeyInfoOwned::from_key(key.to_public_key()).expect("spki");
    let validity = Validity {
        not_before: Time::try_from(from).expect("time"),
        not_after: Time::try_from(to).expect("time"),
    };
    let builder = CertificateBuilder::new(
        Profile::Root,
        SerialNumber::from(7u32),
        validity,
        Name::from_str("CN=sealed-secrets-test").expect("name"),
        spki,
        &signer,
    )
    .expect("builder");
    let cert = builder.build::<rsa::pkcs1v15::Signature>().expect("signed");
    cert.to_pem(x509_cert::der::pem::LineEnding::LF)
        .expect("pem")
}

const YEAR: Duration = Duration::from_secs(365 * 86_400);

pub(crate) fn valid_cert() -> String {
    let now = SystemTime::now();
    certificate(key(), now - YEAR, now + YEAR)
}

/// The controller's side, written from the format document independently of src/seal.
fn unseal(key: &RsaPrivateKey, label: &str, sealed: &str) -> Result<Vec<u8>, String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(sealed)
        .map_err(|e| e.to_string())?;
    if bytes.len() < 2 {
        return Err("too short".into());
    }
    let n = usize::from(u16::from_be_bytes([bytes[0], bytes[1]]));
    if bytes.len() < 2 + n {
        return Err("too short".into());
    }
    let padding = if label.is_empty() {
        Oaep::new::<Sha256>()
    } else {
        Oaep::new_with_label::<Sha256, _>(label)
    };
    let session = key
        .decrypt(padding, &bytes[2..2 + n])
        .map_err(|e| e.to_string())?;
    let cipher = Aes256Gcm::new_from_slice(&session).map_err(|e| e.to_string())?;
    cipher
        .decrypt(Nonce::from_slice(&[0u8; 12]), &bytes[2 + n..])
        .map_err(|e| e.to_string())
}

#[test]
fn library_round_trip_for_every_scope_and_value() {
    let cert = SealingCert::from_pem(&valid_cert(), SystemTime::now()).expect("valid cert");
    assert_eq!(cert.bits(), 2048);
    let values: Vec<Vec<u8>> = vec![
        Vec::new(),
        "মূল্য 💳 ১০০ টাকা".as_bytes().to_vec(),
        b"line one\nline two\n".to_vec(),
        vec![b'x'; 100 * 1024],
    ];
    for scope in [
        SealingScope::Strict,
        SealingScope::NamespaceWide,
        SealingScope::ClusterWide,
    ] {
        let label = scope.label("orders", "order-secrets");
        for value in &values {
            let sealed = seal_value(&cert, &label, value, &mut rand_core::OsRng).expect("seals");
            assert!(sealed.starts_with("AQ"), "RSA-2048 values start with AQ");
            assert_eq!(&unseal(key(), &label, &sealed).expect("opens"), value);
            // Twice the same value never gives the same text.
            assert_ne!(
                sealed,
                seal_value(&cert, &label, value, &mut rand_core::OsRng).expect("seals")
            );
        }
    }
    let strict =
        seal_value(&cert, "orders/order-secrets", b"pw", &mut rand_core::OsRng).expect("seals");
    assert!(
        unseal(key(), "orders/other-secrets", &strict).is_err(),
        "renamed strict secret opened"
    );
    assert!(
        unseal(key(), "payments/order-secrets", &strict).is_err(),
        "moved strict secret opened"
    );
    assert!(unseal(key(), "", &strict).is_err());
    let ns_wide = seal_value(&cert, "orders", b"pw", &mut rand_core::OsRng).expect("seals");
    assert!(
        unseal(key(), "payments", &ns_wide).is_err(),
        "moved namespace-wide secret opened"
    );
    // Length facts of the format: 2 + k + len + 16 bytes, standard padded base64.
    assert_eq!(strict.len(), 4 * (2usize + 256 + 2 + 16).div_ceil(3));
}

#[test]
fn the_example_certificates_are_4096_bit_and_values_have_kubeseal_lengths() {
    for cluster in ["dev", "prod"] {
        let pem = fs::read_to_string(crate::util::root().join(format!("clusters/{cluster}.pem")))
            .expect("committed");
        let cert = SealingCert::from_pem(&pem, SystemTime::now()).expect("valid");
        assert_eq!(cert.bits(), 4096);
        let empty = seal_value(&cert, "a/b", b"", &mut rand_core::OsRng).expect("seals");
        assert_eq!(empty.len(), 708);
        let six =
            seal_value(&cert, "prod/db-creds", b"s3cr3t", &mut rand_core::OsRng).expect("seals");
        assert_eq!(six.len(), 716);
        assert!(six.starts_with("Ag") && six.ends_with('=') && !six.ends_with("=="));
    }
}

pub(crate) fn project_with_test_cert() -> tempfile::TempDir {
    let dir = example();
    fs::write(dir.path().join("clusters/prod.pem"), valid_cert()).expect("write cert");
    dir
}

pub(crate) fn fluxprint_with_stdin(
    cwd: &Path,
    args: &[&str],
    input: &[u8],
) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fluxprint"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    // A child that refuses its arguments exits without reading: a broken pipe is fine.
    match child.stdin.take().expect("stdin").write_all(input) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.expect("write stdin"),
    }
    child.wait_with_output().expect("wait")
}

/// `fluxprint seal order DATABASE_URL --cluster prod --trim` with `input` on standard input.
pub(crate) fn seal_order_prod(dir: &Path, input: &[u8]) -> std::process::Output {
    fluxprint_with_stdin(
        dir,
        &[
            "seal",
            "order",
            "DATABASE_URL",
            "--cluster",
            "prod",
            "--trim",
        ],
        input,
    )
}

fn sealed_value(dir: &Path, service: &str, cluster: &str, key: &str) -> String {
    let file = fluxprint::seal::values::SealedValues::read(
        &dir.join(format!("blueprints/{service}.sealed.yaml")),
    )
    .expect("reads")
    .expect("exists");
    file.clusters[cluster].values[key].clone()
}

#[test]
fn cli_seals_from_stdin_and_env_files_and_the_render_carries_it() {
    let dir = project_with_test_cert();
    let secret = "postgres://order:Zx9-very-secret@db.orders:5432/order\n";
    let out = seal_order_prod(dir.path(), secret.as_bytes());
    assert!(out.status.success(), "{}", stderr(&out));
    let sealed = sealed_value(dir.path(), "order", "prod", "DATABASE_URL");
    // The blueprint puts order in namespace `orders`: the label is that of the final object.
    assert_eq!(
        unseal(key(), "orders/order-secrets", &sealed).expect("opens"),
        secret.trim_end().as_bytes()
    );
    // Without --trim the newline is part of the value, and the user is warned.
    let out = fluxprint_with_stdin(
        dir.path(),
        &["seal", "order", "DATABASE_URL", "--cluster", "prod"],
        secret.as_bytes(),
    );
    assert!(out.status.success());
    assert!(
        stderr(&out).contains("ends with a newline, which is sealed as part of it; pass --trim"),
        "{}",
        stderr(&out)
    );
    let sealed = sealed_value(dir.path(), "order", "prod", "DATABASE_URL");
    assert_eq!(
        unseal(key(), "orders/order-secrets", &sealed).expect("opens"),
        secret.as_bytes()
    );
    // Other values and the other cluster are kept.
    let file = fs::read_to_string(dir.path().join("blueprints/order.sealed.yaml")).expect("read");
    assert!(
        file.contains("KAFKA_SASL_PASSWORD") && file.contains("  dev:"),
        "{file}"
    );
    // An env file seals several values at once.
    let env = dir.path().join("payment.env");
    fs::write(
        &env,
        "BKASH_APP_KEY=key-123\nBKASH_APP_SECRET='s3cr3t value'\n",
    )
    .expect("write");
    let out = fluxprint_with_stdin(
        dir.path(),
        &[
            "seal",
            "payment",
            "--from-env-file",
            env.to_str().expect("utf-8"),
            "--cluster",
            "prod",
        ],
        b"",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let sealed = sealed_value(dir.path(), "payment", "prod", "BKASH_APP_SECRET");
    assert_eq!(
        unseal(key(), "payments/payment-secrets", &sealed).expect("opens"),
        b"s3cr3t value"
    );
    // The rendered SealedSecret carries exactly what was sealed.
    let render = crate::util::fluxprint(dir.path(), &["render", "--cluster", "prod"]);
    assert!(render.status.success(), "{}", stderr(&render));
    let ss = fs::read_to_string(
        dir.path()
            .join("gitops/prod/apps/payment/sealedsecret.yaml"),
    )
    .expect("rendered");
    assert!(
        ss.contains(&format!("BKASH_APP_SECRET: {sealed}\n")),
        "{ss}"
    );
    // Plaintext appears nowhere: not in output, not in any file of the project.
    for text in [stdout(&out), stderr(&out)] {
        assert!(!text.contains("s3cr3t") && !text.contains("key-123"));
    }
    fs::remove_file(&env).expect("rm");
    for (path, text) in crate::util::tree(dir.path()) {
        assert!(
            !text.contains("Zx9-very-secret") && !text.contains("s3cr3t value"),
            "plaintext in {path}"
        );
    }
}

#[test]
fn keys_outside_secret_env_are_refused_and_nothing_is_written() {
    let dir = project_with_test_cert();
    let before = fs::read_to_string(dir.path().join("blueprints/order.sealed.yaml")).expect("read");
    let out = fluxprint_with_stdin(dir.path(), &["seal", "order", "DATABSE_URL"], b"x");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("DATABSE_URL not in the `secretEnv` of `order`"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("blueprints/order.sealed.yaml")).expect("read"),
        before
    );
}

#[test]
fn raw_mode_prints_one_value_for_every_scope() {
    let dir = project_with_test_cert();
    let cert = dir.path().join("clusters/prod.pem");
    let cert = cert.to_str().expect("utf-8");
    for (scope, label) in [
        ("strict", "ns1/name1"),
        ("namespace-wide", "ns1"),
        ("cluster-wide", ""),
    ] {
        let out = fluxprint_with_stdin(
            dir.path(),
            &[
                "seal",
                "--raw",
                "--namespace",
                "ns1",
                "--name",
                "name1",
                "--cert",
                cert,
                "--scope",
                scope,
            ],
            b"hello",
        );
        assert!(out.status.success(), "{}", stderr(&out));
        let text = stdout(&out);
        assert!(!text.ends_with('\n'), "like kubeseal --raw: no newline");
        assert_eq!(unseal(key(), label, &text).expect("opens"), b"hello");
    }
}

#[test]
fn status_reports_missing_stale_and_unused_values() {
    let dir = project_with_test_cert();
    // prod.pem was replaced: every prod value now needs resealing.
    let out = crate::util::fluxprint(dir.path(), &["secrets", "status"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.lines().any(|l| l.starts_with("order")
            && l.contains("prod")
            && l.contains("reseal: sealed with another certificate")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("order") && l.contains("dev") && l.ends_with("ok")),
        "{text}"
    );
    // A new secret variable without a value: missing, exit 1; a dropped one: unused.
    let bp = dir.path().join("blueprints/order.yaml");
    let t = fs::read_to_string(&bp).expect("read");
    fs::write(
        &bp,
        t.replace(
            "secretEnv: [DATABASE_URL, KAFKA_SASL_PASSWORD]",
            "secretEnv: [DATABASE_URL, STRIPE_KEY]",
        ),
    )
    .expect("write");
    let out = crate::util::fluxprint(dir.path(), &["secrets", "status"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("missing: STRIPE_KEY") && text.contains("unused: KAFKA_SASL_PASSWORD"),
        "{text}"
    );
    // And the strict cluster refuses to render without it.
    let render = crate::util::fluxprint(dir.path(), &["render"]);
    assert_eq!(render.status.code(), Some(2));
    assert!(
        stderr(&render).contains("error[BP118]: no sealed value for STRIPE_KEY in cluster `prod`"),
        "{}",
        stderr(&render)
    );
    assert!(
        stderr(&render).contains("warning[BP118]: no sealed value for STRIPE_KEY in cluster `dev`"),
        "{}",
        stderr(&render)
    );
}

#[test]
fn unusable_certificates_are_refused_with_clear_errors() {
    let now = SystemTime::now();
    let small = RsaPrivateKey::new(&mut rand_core::OsRng, 1024).expect("key");
    let cases: BTreeMap<&str, String> = BTreeMap::from([
        ("expired", certificate(key(), now - 3 * YEAR, now - YEAR)),
        (
            "not-yet-valid",
            certificate(key(), now + YEAR, now + 2 * YEAR),
        ),
        ("rsa-1024", certificate(&small, now - YEAR, now + YEAR)),
        (
            "ec-p256",
            fs::read_to_string(crate::util::root().join("tests/fixtures/sealing/ec.pem"))
                .expect("fixture"),
        ),
        ("garbage", "this is not a certificate\n".to_owned()),
    ]);
    for (name, pem) in cases {
        let err = SealingCert::from_pem(&pem, now).expect_err(name);
        match (name, &err) {
            ("expired", CertError::Expired { .. })
            | ("not-yet-valid", CertError::NotYetValid { .. })
            | ("rsa-1024", CertError::KeyTooSmall { bits: 1024 })
            | ("ec-p256", CertError::NotRsa { .. })
            | ("garbage", CertError::NoCertificate) => {}
            _ => panic!("{name}: unexpected {err:?}"),
        }
        // Through the CLI: exit 2 and a message naming the file; dates vary, so they are
        // masked in the snapshot.
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(format!("{name}.pem"));
        fs::write(&path, &pem).expect("write");
        let out = fluxprint_with_stdin(
            dir.path(),
            &[
                "seal",
                "--raw",
                "--namespace",
                "a",
                "--name",
                "b",
                "--cert",
                &format!("{name}.pem"),
            ],
            b"v",
        );
        assert_eq!(out.status.code(), Some(2));
        let text = stderr(&out);
        let masked = regex_lite_mask(&text);
        snapshot_settings!().bind(|| insta::assert_snapshot!(format!("seal__cert_{name}"), masked));
    }
}

/// Replaces RFC 3339 dates by a placeholder.
fn regex_lite_mask(text: &str) -> String {
    let re = regex::Regex::new(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z").expect("regex");
    re.replace_all(text, "<date>").into_owned()
}

#[test]
fn a_certificate_expiring_within_30_days_warns_bp120_and_still_seals() {
    let dir = example();
    let now = SystemTime::now();
    let soon = certificate(key(), now - YEAR, now + Duration::from_secs(10 * 24 * 3600));
    fs::write(dir.path().join("clusters/prod.pem"), soon).expect("write cert");
    let out = seal_order_prod(dir.path(), b"postgres://x\n");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning[BP120]: the certificate of cluster `prod` expires on"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn secrets_status_says_when_no_service_has_secrets() {
    let dir = example();
    for entry in fs::read_dir(dir.path().join("blueprints")).expect("ls") {
        let path = entry.expect("entry").path();
        let name = path.to_string_lossy().into_owned();
        if name.ends_with(".sealed.yaml") {
            fs::remove_file(&path).expect("rm");
        } else {
            let text = fs::read_to_string(&path).expect("read");
            let kept: String = text
                .lines()
                .filter(|l| !l.starts_with("secretEnv:"))
                .map(|l| format!("{l}\n"))
                .collect();
            fs::write(&path, kept).expect("write");
        }
    }
    let out = crate::util::fluxprint(dir.path(), &["secrets", "status"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no service or component has secrets"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&out), "");
}

#[test]
fn a_platform_components_secret_env_is_sealed_beside_it_and_rendered() {
    let dir = project_with_test_cert();
    crate::util::edit(
        &dir.path().join("platform/redis.yaml"),
        "namespace: data\n",
        "namespace: data\nsecretEnv: [REDIS_PASSWORD]\n",
    );
    // A SealedSecret needs the controller's CRDs first (BP137 says so otherwise).
    crate::util::edit(
        &dir.path().join("platform/redis.yaml"),
        "dependsOn: [kube-prometheus-stack]",
        "dependsOn: [kube-prometheus-stack, sealed-secrets]",
    );
    let out = crate::util::fluxprint(dir.path(), &["secrets", "status"]);
    assert!(
        stdout(&out).contains("redis                prod       missing: REDIS_PASSWORD"),
        "{}",
        stdout(&out)
    );
    let out = fluxprint_with_stdin(
        dir.path(),
        &[
            "seal",
            "redis",
            "REDIS_PASSWORD",
            "--cluster",
            "prod",
            "--trim",
        ],
        b"r3dis-pass\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("wrote platform/redis.sealed.yaml"),
        "{}",
        stderr(&out)
    );
    let file =
        fluxprint::seal::values::SealedValues::read(&dir.path().join("platform/redis.sealed.yaml"))
            .expect("reads")
            .expect("exists");
    let sealed = &file.clusters["prod"].values["REDIS_PASSWORD"];
    // The label is the component's Secret in the component's namespace.
    assert_eq!(
        unseal(key(), "data/redis-secrets", sealed).expect("opens"),
        b"r3dis-pass"
    );
    let out = crate::util::fluxprint(dir.path(), &["secrets", "status"]);
    assert!(
        stdout(&out).contains("redis                prod       ok"),
        "{}",
        stdout(&out)
    );
    let render = crate::util::fluxprint(dir.path(), &["render", "--cluster", "prod"]);
    assert!(render.status.success(), "{}", stderr(&render));
    let (path, ss) = crate::util::tree(&dir.path().join("gitops/prod"))
        .into_iter()
        .find(|(p, _)| p.ends_with("/redis/sealedsecret.yaml"))
        .expect("the component's SealedSecret");
    assert!(
        ss.contains(&format!("REDIS_PASSWORD: {sealed}\n")),
        "{path}: {ss}"
    );
    // A name that is neither a service nor a component lists both.
    let out = fluxprint_with_stdin(dir.path(), &["seal", "redis-x", "K"], b"v");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("platform components: ") && stderr(&out).contains("redis"),
        "{}",
        stderr(&out)
    );
}
