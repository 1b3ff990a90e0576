//! The upstream schemas compiled into the binary: upstream-valid objects of every family
//! validate clean without `--crds`, invalid ones fail where marked, the compiled-in schemas
//! are those of `../shared/crds`, `--crds` overrides them, and the Flux Operator's CRDs
//! (AGPL-3.0) are not in the binary.

use std::collections::BTreeSet;
use std::path::Path;

use fluxprint::diag::Diagnostic;
use fluxprint::source::yaml::parse_documents;
use fluxprint::validate::rule::Options;
use fluxprint::validate::schema::{load_shared, Lookup, SchemaStore};
use serde_json::Value;

use crate::util::{fluxprint, root, shared, stdout, tree};

/// The codes of schema findings.
const SCHEMA_CODES: [&str; 4] = ["GO003", "GO004", "GO005", "GO007"];

fn fixtures() -> std::path::PathBuf {
    root().join("tests/fixtures/schemas")
}

fn validate(dir: &Path, schemas: SchemaStore) -> fluxprint::validate::Report {
    fluxprint::validate::run(&[dir.to_owned()], schemas, &Options::default()).expect("validates")
}

fn schema_findings(report: &fluxprint::validate::Report) -> Vec<&Diagnostic> {
    report
        .diagnostics
        .iter()
        .filter(|d| SCHEMA_CODES.contains(&d.code))
        .collect()
}

/// `(file, line, code)` of every `# GO0xx` marker below `dir`.
fn markers(dir: &Path) -> BTreeSet<(String, u32, String)> {
    let mut out = BTreeSet::new();
    for (path, text) in tree(dir) {
        for (n, line) in text.lines().enumerate() {
            let Some((_, comment)) = line.split_once("# ") else {
                continue;
            };
            let code = comment.split_whitespace().next().unwrap_or("");
            if SCHEMA_CODES.contains(&code) {
                let line_no = u32::try_from(n + 1).expect("short file");
                out.insert((path.clone(), line_no, code.to_owned()));
            }
        }
    }
    out
}

/// Every object of the YAML files below `dir`, as JSON.
fn objects(dir: &Path) -> Vec<Value> {
    tree(dir)
        .iter()
        .flat_map(|(_, text)| parse_documents(text).expect("fixture parses"))
        .map(|d| d.to_json())
        .filter(Value::is_object)
        .collect()
}

#[test]
fn upstream_valid_objects_of_every_family_validate_clean_without_crds() {
    let dir = fixtures().join("valid");
    let store = SchemaStore::with_builtins();
    let objects = objects(&dir);
    let mut groups = BTreeSet::new();
    for o in &objects {
        let api_version = o["apiVersion"].as_str().expect("apiVersion");
        let kind = o["kind"].as_str().expect("kind");
        // Validated for real, not skipped as unknown.
        assert!(
            matches!(store.lookup(api_version, kind), Lookup::Found(_)),
            "{api_version} {kind} is not compiled in"
        );
        groups.insert(
            api_version
                .rsplit_once('/')
                .map_or("", |(g, _)| g)
                .to_owned(),
        );
    }
    for family in [
        "source.toolkit.fluxcd.io",
        "source.extensions.fluxcd.io",
        "kustomize.toolkit.fluxcd.io",
        "helm.toolkit.fluxcd.io",
        "notification.toolkit.fluxcd.io",
        "image.toolkit.fluxcd.io",
        "networking.istio.io",
        "security.istio.io",
        "gateway.networking.k8s.io",
        "bitnami.com",
        "monitoring.coreos.com",
        "cert-manager.io",
        "external-secrets.io",
        "postgresql.cnpg.io",
        "flagger.app",
        "",
        "apps",
    ] {
        assert!(groups.contains(family), "no fixture of {family:?}");
    }
    let report = validate(&dir, store);
    // Every object is applied (the Kustomization without `path` applies the directory), so
    // every one was judged.
    assert_eq!(report.objects, objects.len());
    let found: Vec<String> = schema_findings(&report)
        .iter()
        .map(|d| d.to_string())
        .collect();
    assert!(found.is_empty(), "false findings:\n{}", found.join("\n"));
}

#[test]
fn upstream_invalid_objects_fail_on_their_marked_lines() {
    let dir = fixtures().join("invalid");
    let expected = markers(&dir);
    assert!(expected.len() >= 20, "too few marked lines: {expected:?}");
    let report = validate(&dir, SchemaStore::with_builtins());
    assert_eq!(report.objects, objects(&dir).len());
    let found: BTreeSet<(String, u32, String)> = schema_findings(&report)
        .iter()
        .map(|d| (d.file.clone(), d.span.line, d.code.to_owned()))
        .collect();
    assert_eq!(
        found, expected,
        "findings (left) differ from the marked lines (right)"
    );
}

#[test]
fn compiled_in_schemas_are_those_of_the_shared_files() {
    let files = load_shared(&shared().join("crds")).expect("../shared/crds loads");
    let compiled = SchemaStore::with_builtins();
    let compiled_in: BTreeSet<(&str, &str)> = SchemaStore::compiled_in().collect();
    for must in [
        ("v1", "ConfigMap"),
        ("apps/v1", "Deployment"),
        ("source.toolkit.fluxcd.io/v1", "GitRepository"),
        ("source.toolkit.fluxcd.io/v1", "OCIRepository"),
        ("helm.toolkit.fluxcd.io/v2", "HelmRelease"),
        ("source.extensions.fluxcd.io/v1beta1", "ArtifactGenerator"),
        ("gateway.networking.k8s.io/v1", "HTTPRoute"),
        ("gateway.networking.k8s.io/v1", "Gateway"),
        ("external-secrets.io/v1", "ExternalSecret"),
        ("postgresql.cnpg.io/v1", "Cluster"),
        ("flagger.app/v1beta1", "Canary"),
    ] {
        assert!(compiled_in.contains(&must), "{must:?} is not compiled in");
    }
    // Every CRD version of the files is compiled in (Kubernetes documents also define
    // kinds of other group-versions, such as Scale; only each document's own are).
    for (api_version, kind) in files.kinds() {
        if let Lookup::Found(k) = files.lookup(api_version, kind) {
            if k.schema().get("$ref").is_none() {
                assert!(
                    compiled_in.contains(&(api_version, kind)),
                    "{api_version} {kind} of ../shared/crds is not compiled in"
                );
            }
        }
    }
    // The same schemas (less descriptions, which build.rs drops) and the same CEL rules.
    for (api_version, kind) in &compiled_in {
        let (Lookup::Found(a), Lookup::Found(b)) = (
            compiled.lookup(api_version, kind),
            files.lookup(api_version, kind),
        ) else {
            panic!("{api_version} {kind} is not in both stores");
        };
        let (mut a, mut b) = (a.schema().clone(), b.schema().clone());
        strip_descriptions(&mut a);
        strip_descriptions(&mut b);
        assert!(a == b, "{api_version} {kind}: compiled-in schema differs");
        let rules = |s: &SchemaStore| -> Vec<String> {
            s.cel_rules(api_version, kind)
                .iter()
                .map(|r| r.rule.clone())
                .collect()
        };
        assert_eq!(rules(&compiled), rules(&files), "{api_version} {kind}");
    }
}

/// Removes `description` keywords (strings; a property named `description` is a schema).
fn strip_descriptions(v: &mut Value) {
    match v {
        Value::Object(obj) => {
            if obj.get("description").is_some_and(Value::is_string) {
                obj.remove("description");
            }
            obj.values_mut().for_each(strip_descriptions);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_descriptions),
        _ => {}
    }
}

#[test]
fn the_flux_operator_crds_are_not_compiled_in_and_work_with_crds() {
    // AGPL-3.0: never in the binary.
    assert!(
        SchemaStore::compiled_in().all(|(a, _)| !a.starts_with("fluxcd.controlplane.io/")),
        "a Flux Operator kind is compiled in"
    );
    let dir = fixtures().join("flux-operator");
    let json = |args: &[&str]| -> Vec<Value> {
        let out = fluxprint(&dir, args);
        serde_json::from_str(&stdout(&out)).expect("json report")
    };
    let codes = |findings: &[Value]| -> BTreeSet<(String, u64, String)> {
        findings
            .iter()
            .filter(|f| SCHEMA_CODES.contains(&f["code"].as_str().unwrap_or("")))
            .map(|f| {
                (
                    f["file"].as_str().unwrap_or("").to_owned(),
                    f["line"].as_u64().unwrap_or(0),
                    f["code"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect()
    };
    // Without --crds the operator's kinds have no schema; the Alert and Receiver naming them
    // are accepted, as the operator's patched CRDs accept them.
    let without = json(&["validate", ".", "--format", "json"]);
    assert_eq!(
        codes(&without),
        BTreeSet::from([
            ("flux-instance.yaml".to_owned(), 2, "GO005".to_owned()),
            ("notifications.yaml".to_owned(), 43, "GO005".to_owned()),
        ]),
        "{without:?}"
    );
    let crds = shared().join("crds/flux-operator");
    let crds = crds.to_str().expect("utf-8 path");
    let with = json(&["validate", ".", "--crds", crds, "--format", "json"]);
    assert!(codes(&with).is_empty(), "{with:?}");
    // And with them, an invalid FluxInstance is caught.
    let bad = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        bad.path().join("flux.yaml"),
        "apiVersion: fluxcd.controlplane.io/v1\nkind: FluxInstance\nmetadata:\n  name: flux\n  \
         namespace: flux-system\nspec:\n  components: [source-controller]\n",
    )
    .expect("write");
    let out = fluxprint(
        bad.path(),
        &["validate", ".", "--crds", crds, "--format", "json"],
    );
    let found: Vec<Value> = serde_json::from_str(&stdout(&out)).expect("json report");
    assert!(
        found.iter().any(
            |f| f["code"] == "GO003" && f["message"] == "missing required field `distribution`"
        ),
        "{found:?}"
    );
}

#[test]
fn crds_given_win_over_the_compiled_in_ones_for_their_versions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let crds = dir.path().join("crds");
    std::fs::create_dir(&crds).expect("mkdir");
    // A user's Alert CRD that serves v1beta2 as well and requires `spec.summary` in v1beta3.
    std::fs::write(
        crds.join("alerts.yaml"),
        r#"apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: alerts.notification.toolkit.fluxcd.io
spec:
  group: notification.toolkit.fluxcd.io
  names: {kind: Alert, plural: alerts}
  scope: Namespaced
  versions:
    - name: v1beta2
      served: true
      storage: false
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
    - name: v1beta3
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [summary]
              properties:
                summary: {type: string}
                providerRef: {type: object, x-kubernetes-preserve-unknown-fields: true}
"#,
    )
    .expect("write");
    let tree = dir.path().join("tree");
    std::fs::create_dir(&tree).expect("mkdir");
    std::fs::write(
        tree.join("alerts.yaml"),
        "apiVersion: notification.toolkit.fluxcd.io/v1beta3\nkind: Alert\nmetadata:\n  name: a\n  \
         namespace: flux-system\nspec:\n  providerRef: {name: slack}\n---\n\
         apiVersion: notification.toolkit.fluxcd.io/v1beta2\nkind: Alert\nmetadata:\n  name: b\n  \
         namespace: flux-system\nspec:\n  anything: 1\n",
    )
    .expect("write");
    let run = |args: &[&str]| -> Vec<(u64, String, String)> {
        let out = fluxprint(dir.path(), args);
        let found: Vec<Value> = serde_json::from_str(&stdout(&out)).expect("json report");
        found
            .iter()
            .filter(|f| SCHEMA_CODES.contains(&f["code"].as_str().unwrap_or("")))
            .map(|f| {
                (
                    f["line"].as_u64().unwrap_or(0),
                    f["code"].as_str().unwrap_or("").to_owned(),
                    f["message"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect()
    };
    // The compiled-in Alert: v1beta2 is no longer served, v1beta3 needs eventSources.
    assert_eq!(
        run(&["validate", "tree", "--format", "json"]),
        vec![
            (
                6,
                "GO003".to_owned(),
                "missing required field `eventSources`".to_owned()
            ),
            (
                9,
                "GO004".to_owned(),
                "Alert is not served in notification.toolkit.fluxcd.io/v1beta2".to_owned()
            ),
        ]
    );
    // The user's CRD wins for both versions it defines.
    assert_eq!(
        run(&["validate", "tree", "--crds", "crds", "--format", "json"]),
        vec![(
            6,
            "GO003".to_owned(),
            "missing required field `summary`".to_owned()
        )]
    );
}

#[test]
fn a_store_without_upstream_schemas_says_so_once() {
    let report = validate(&fixtures().join("valid"), SchemaStore::new());
    let notes: Vec<&Diagnostic> = report
        .diagnostics
        .iter()
        .filter(|d| d.message.starts_with("no upstream schemas were compiled"))
        .collect();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0].code, "GO005");
    // The compiled-in store never says it.
    let report = validate(&fixtures().join("valid"), SchemaStore::with_builtins());
    assert!(report
        .diagnostics
        .iter()
        .all(|d| !d.message.starts_with("no upstream schemas")));
}
