//! Provenance of built fields, on small in-memory trees.

use crate::source::Lookup as _;
use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::json;

use super::Documents;

use super::{build, Origin, Overlay, Resource, Source};
use crate::source::yaml::{parse_documents, parse_json_documents};

struct Mem(BTreeMap<String, String>);

impl Mem {
    fn new(files: &[(&str, &str)]) -> Mem {
        Mem(files
            .iter()
            .map(|(p, t)| ((*p).to_owned(), (*t).to_owned()))
            .collect())
    }
}

impl Source for Mem {
    fn documents(&self, path: &str) -> Option<Result<Documents, String>> {
        let text = self.0.get(path)?;
        Some(
            parse_json_documents(text, |_| false)
                .map(|d| Arc::new(d.into_iter().map(|d| Arc::new(d.value)).collect()))
                .map_err(|e| e.message),
        )
    }
    fn text(&self, path: &str) -> Option<Result<Arc<str>, String>> {
        self.0.get(path).map(|t| Ok(Arc::from(t.as_str())))
    }
    fn is_dir(&self, path: &str) -> bool {
        let prefix = format!("{path}/");
        path.is_empty() || self.0.keys().any(|k| k.starts_with(&prefix))
    }
    fn entries(&self, _dir: &str) -> Vec<(String, bool)> {
        Vec::new()
    }
}

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.27
";

fn at(file: &str, doc: usize, pointer: &str) -> Origin {
    Origin::new(file, doc, pointer)
}

fn only<'a>(resources: &'a [Resource], kind: &str) -> &'a Resource {
    resources
        .iter()
        .find(|r| r.kind() == kind)
        .unwrap_or_else(|| panic!("no {kind} in {resources:?}"))
}

#[test]
fn a_patched_field_comes_from_the_patch_and_the_rest_from_the_base() {
    let src = Mem::new(&[
        ("base/kustomization.yaml", "resources: [deployment.yaml]\n"),
        ("base/deployment.yaml", DEPLOYMENT),
        (
            "prod/kustomization.yaml",
            "resources: [../base]\nnamespace: prod\npatches:\n  - path: patch.yaml\n",
        ),
        (
            "prod/patch.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n        - name: sidecar\n          image: envoy:1\n",
        ),
    ]);
    let b = build(&src, "prod", None);
    assert!(b.errors.is_empty(), "{:?}", b.errors);
    let d = only(&b.resources, "Deployment");
    assert_eq!(d.value.lookup("/spec/replicas"), Some(&json!(3)));
    assert_eq!(
        d.origin_of("/spec/replicas"),
        at("prod/patch.yaml", 0, "/spec/replicas")
    );
    // The patch's container is put first; the base's moves to index 1 and keeps its line.
    assert_eq!(
        d.value.lookup("/spec/template/spec/containers/1/name"),
        Some(&json!("web"))
    );
    assert_eq!(
        d.origin_of("/spec/template/spec/containers/1/image"),
        at(
            "base/deployment.yaml",
            0,
            "/spec/template/spec/containers/0/image"
        )
    );
    assert_eq!(
        d.origin_of("/spec/template/spec/containers/0/image"),
        at(
            "prod/patch.yaml",
            0,
            "/spec/template/spec/containers/0/image"
        )
    );
    assert_eq!(
        d.origin_of("/metadata/name"),
        at("base/deployment.yaml", 0, "/metadata/name")
    );
    assert_eq!(
        d.origin_of("/metadata/namespace"),
        at("prod/kustomization.yaml", 0, "/namespace")
    );
}

#[test]
fn a_generated_config_map_comes_from_its_generator_entry() {
    let src = Mem::new(&[(
        "app/kustomization.yaml",
        "configMapGenerator:\n  - name: settings\n    literals: [A=1, B=2]\n",
    )]);
    let b = build(&src, "app", None);
    let cm = only(&b.resources, "ConfigMap");
    assert!(cm.name().starts_with("settings-"), "{}", cm.name());
    assert_eq!(
        cm.origin,
        at("app/kustomization.yaml", 0, "/configMapGenerator/0")
    );
    assert_eq!(
        cm.origin_of("/data/B"),
        at(
            "app/kustomization.yaml",
            0,
            "/configMapGenerator/0/literals/1"
        )
    );
}

#[test]
fn values_the_overlay_sets_come_from_the_overlay() {
    let src = Mem::new(&[
        (
            "app/kustomization.yaml",
            "resources: [deployment.yaml]\nnamespace: base\n",
        ),
        ("app/deployment.yaml", DEPLOYMENT),
    ]);
    let overlay = Overlay {
        value: json!({
            "namespace": "flux-apps",
            "patches": [{
                "patch": "- op: replace\n  path: /spec/replicas\n  value: 2\n",
                "target": {"kind": "Deployment"}
            }],
            "images": [{"name": "nginx", "newTag": "1.28"}]
        }),
        origin: at("clusters/prod/apps.yaml", 0, "/spec"),
        generated_resources: None,
    };
    let b = build(&src, "app", Some(&overlay));
    assert!(b.errors.is_empty(), "{:?}", b.errors);
    let d = only(&b.resources, "Deployment");
    assert_eq!(d.namespace(), Some("flux-apps"));
    assert_eq!(
        d.origin_of("/metadata/namespace"),
        at("clusters/prod/apps.yaml", 0, "/spec/namespace")
    );
    assert_eq!(
        d.origin_of("/spec/replicas"),
        at(
            "clusters/prod/apps.yaml",
            0,
            "/spec/patches/0/patch/~d0/0/value"
        )
    );
    assert_eq!(
        d.value.lookup("/spec/template/spec/containers/0/image"),
        Some(&json!("nginx:1.28"))
    );
    assert_eq!(
        d.origin_of("/spec/template/spec/containers/0/image"),
        at("clusters/prod/apps.yaml", 0, "/spec/images/0")
    );
}

#[test]
fn a_directory_without_kustomization_builds_what_flux_lists() {
    let src = Mem::new(&[("raw/deployment.yaml", DEPLOYMENT)]);
    let overlay = Overlay {
        value: json!({}),
        origin: at("ks.yaml", 0, "/spec"),
        generated_resources: Some(vec!["deployment.yaml".into()]),
    };
    let b = build(&src, "raw", Some(&overlay));
    assert!(b.errors.is_empty(), "{:?}", b.errors);
    assert_eq!(b.resources.len(), 1);
    assert!(build(&src, "raw", None).errors.len() == 1);
}

#[test]
fn hostile_input_is_reported_not_panicked_on() {
    let src = Mem::new(&[
        (
            "a/kustomization.yaml",
            "resources: [../a, 7, ../../x]\npatches: [{}, {patch: '[1'}]\nimages: [{name: '('}]\n",
        ),
        ("b/kustomization.yaml", "- just\n- a list\n"),
    ]);
    let b = build(&src, "a", None);
    assert!(b.errors.len() >= 4, "{:?}", b.errors);
    assert!(!build(&src, "b", None).errors.is_empty());
}

/// The line `origin` points at in `text` (the file it names).
fn line_of(text: &str, origin: &Origin) -> u32 {
    let docs = parse_documents(text).expect("parses");
    docs[origin.doc].span_for_pointer(&origin.pointer).line
}

#[test]
fn a_field_set_by_an_inline_patch_is_at_its_line_inside_the_block() {
    let kustomization = "resources: [deployment.yaml]
patches:
  - target: {kind: Deployment}
    patch: |-
      - op: replace
        path: /spec/replicas
        value: 4
  - patch: |
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        template:
          spec:
            containers:
              - name: web
                image: nginx:1.28

      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
        labels:
          tier: front
  - patch: \"{apiVersion: apps/v1, kind: Deployment, metadata: {name: web, annotations: {a: b}}}\"
patchesStrategicMerge:
  - |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      paused: true
";
    let src = Mem::new(&[
        ("app/kustomization.yaml", kustomization),
        ("app/deployment.yaml", DEPLOYMENT),
    ]);
    let b = build(&src, "app", None);
    assert!(b.errors.is_empty(), "{:?}", b.errors);
    let d = only(&b.resources, "Deployment");
    let line = |pointer: &str| {
        let o = d.origin_of(pointer);
        assert_eq!(o.file, "app/kustomization.yaml", "{pointer}: {o:?}");
        line_of(kustomization, &o)
    };
    // JSON 6902: the operation's `value`.
    assert_eq!(line("/spec/replicas"), 7);
    // Strategic merge, a literal block: the line of the field, also in a second document.
    assert_eq!(line("/spec/template/spec/containers/0/image"), 18);
    assert_eq!(line("/metadata/labels/tier"), 26);
    // A quoted string keeps its own line.
    assert_eq!(line("/metadata/annotations/a"), 27);
    // A legacy inline strategic-merge patch (the list entry is the block).
    assert_eq!(line("/spec/paused"), 35);
    assert_eq!(d.value.lookup("/spec/paused"), Some(&json!(true)));
}

#[test]
fn a_field_set_by_a_builtin_transformer_comes_from_its_configuration() {
    let kustomization = "resources: [deployment.yaml]
transformers:
  - labels.yaml
  - |-
    apiVersion: builtin
    kind: ImageTagTransformer
    metadata:
      name: web
    imageTag:
      name: nginx
      newTag: \"1.29\"
";
    let src = Mem::new(&[
        ("app/kustomization.yaml", kustomization),
        ("app/deployment.yaml", DEPLOYMENT),
        (
            "app/labels.yaml",
            "apiVersion: builtin\nkind: LabelTransformer\nmetadata:\n  name: env\nlabels:\n  env: prod\nfieldSpecs:\n  - path: metadata/labels\n    create: true\n",
        ),
    ]);
    let b = build(&src, "app", None);
    assert!(b.errors.is_empty(), "{:?}", b.errors);
    let d = only(&b.resources, "Deployment");
    assert_eq!(
        d.origin_of("/metadata/labels/env"),
        at("app/labels.yaml", 0, "/labels/env")
    );
    assert_eq!(
        d.value.lookup("/spec/template/spec/containers/0/image"),
        Some(&json!("nginx:1.29"))
    );
    let image = d.origin_of("/spec/template/spec/containers/0/image");
    assert_eq!(image.file, "app/kustomization.yaml");
    // The `imageTag` line inside the inline configuration.
    assert_eq!(line_of(kustomization, &image), 9);
}

/// A [`Mem`] that parses each file once and hands out the same documents every time, as the
/// validator's tree does.
struct Held(BTreeMap<String, Documents>, Mem);

impl Held {
    fn new(files: &[(&str, &str)]) -> Held {
        let mem = Mem::new(files);
        let docs = files
            .iter()
            .filter_map(|(p, _)| Some(((*p).to_owned(), mem.documents(p)?.ok()?)))
            .collect();
        Held(docs, mem)
    }
}

impl Source for Held {
    fn documents(&self, path: &str) -> Option<Result<Documents, String>> {
        self.0.get(path).cloned().map(Ok)
    }
    fn text(&self, path: &str) -> Option<Result<Arc<str>, String>> {
        self.1.text(path)
    }
    fn is_dir(&self, path: &str) -> bool {
        self.1.is_dir(path)
    }
    fn entries(&self, dir: &str) -> Vec<(String, bool)> {
        self.1.entries(dir)
    }
}

#[test]
fn a_resource_no_transformation_changes_is_its_document_and_a_changed_one_a_copy() {
    let src = Held::new(&[
        ("base/kustomization.yaml", "resources: [deployment.yaml]\n"),
        ("base/deployment.yaml", DEPLOYMENT),
        (
            "prod/kustomization.yaml",
            "resources: [../base]\nnamespace: prod\n",
        ),
    ]);
    let written = &src.0["base/deployment.yaml"][0];

    let plain = build(&src, "base", None);
    assert!(plain.errors.is_empty(), "{:?}", plain.errors);
    let d = only(&plain.resources, "Deployment");
    assert!(
        Arc::ptr_eq(&d.value, written),
        "an unchanged resource is copied"
    );

    let prod = build(&src, "prod", None);
    assert!(prod.errors.is_empty(), "{:?}", prod.errors);
    let d = only(&prod.resources, "Deployment");
    assert_eq!(d.value.lookup("/metadata/namespace"), Some(&json!("prod")));
    assert!(!Arc::ptr_eq(&d.value, written));
    // The document as written is untouched: the validator judges it as written too.
    assert_eq!(written.lookup("/metadata/namespace"), None);
}
