//! Every object we render validates strictly against the upstream schemas in
//! `../shared/crds` (Kubernetes 1.35 OpenAPI and the Flux, Istio, sealed-secrets, Flagger… CRDs), and the
//! validator itself catches what it must.

use std::sync::OnceLock;

use fluxprint::source::yaml::parse_documents;
use fluxprint::validate::schema::{load_shared, SchemaStore};
use serde_json::json;

use crate::util::{example, fluxprint, shared, tree};

fn store() -> &'static SchemaStore {
    static STORE: OnceLock<SchemaStore> = OnceLock::new();
    STORE.get_or_init(|| load_shared(&shared().join("crds")).expect("../shared/crds loads"))
}

#[test]
fn every_rendered_object_validates_strictly() {
    let dir = example();
    assert!(fluxprint(dir.path(), &["render"]).status.success());
    let mut kinds = std::collections::BTreeSet::new();
    let mut failures = Vec::new();
    for (path, text) in tree(&dir.path().join("gitops")) {
        if path.ends_with("kustomization.yaml") && text.contains("kustomize.config.k8s.io") {
            continue;
        }
        for doc in parse_documents(&text).expect("parses") {
            let obj = doc.to_json();
            kinds.insert(format!(
                "{}/{}",
                obj["apiVersion"].as_str().unwrap_or(""),
                obj["kind"].as_str().unwrap_or("")
            ));
            for v in store().validate(&obj).expect("schemas compile") {
                failures.push(format!("{path}: {}: {}", v.pointer, v.message));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "schema violations:\n{}",
        failures.join("\n")
    );
    for expected in [
        "apps/v1/Deployment",
        "apps/v1/StatefulSet",
        "v1/Service",
        "v1/ServiceAccount",
        "v1/ConfigMap",
        "v1/Namespace",
        "autoscaling/v2/HorizontalPodAutoscaler",
        "policy/v1/PodDisruptionBudget",
        "kustomize.toolkit.fluxcd.io/v1/Kustomization",
        "image.toolkit.fluxcd.io/v1/ImageRepository",
        "image.toolkit.fluxcd.io/v1/ImagePolicy",
        "image.toolkit.fluxcd.io/v1/ImageUpdateAutomation",
        "notification.toolkit.fluxcd.io/v1beta3/Provider",
        "notification.toolkit.fluxcd.io/v1beta3/Alert",
        "bitnami.com/v1alpha1/SealedSecret",
        "networking.istio.io/v1/VirtualService",
        "networking.istio.io/v1/DestinationRule",
        "networking.istio.io/v1/Gateway",
        "security.istio.io/v1/PeerAuthentication",
        "security.istio.io/v1/AuthorizationPolicy",
        "monitoring.coreos.com/v1/ServiceMonitor",
        "monitoring.coreos.com/v1/PrometheusRule",
        "helm.toolkit.fluxcd.io/v2/HelmRelease",
        "source.toolkit.fluxcd.io/v1/HelmRepository",
        "source.toolkit.fluxcd.io/v1/OCIRepository",
        "flagger.app/v1beta1/Canary",
        "flagger.app/v1beta1/AlertProvider",
    ] {
        assert!(
            kinds.contains(expected),
            "the example renders no {expected}: {kinds:?}"
        );
    }
}

#[test]
fn unknown_fields_wrong_types_and_bad_quantities_are_caught_at_their_pointer() {
    let deployment = json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "a", "namespace": "b", "labelz": {}},
        "spec": {
            "replicas": "two",
            "selector": {"matchLabels": {"app": "a"}},
            "template": {"metadata": {"labels": {"app": "a"}}, "spec": {"containers": [{
                "name": "a", "image": "a:1", "imagePullPolicy": "Always", "foo": 1,
                "resources": {"requests": {"memory": "256MB", "cpu": "250m"}},
                "ports": [{"containerPort": 8080, "name": "http"}]
            }]}}
        }
    });
    let found: Vec<String> = store()
        .validate(&deployment)
        .expect("compiles")
        .into_iter()
        .map(|v| v.pointer)
        .collect();
    assert_eq!(
        found,
        vec![
            "/metadata/labelz",
            "/spec/replicas",
            "/spec/template/spec/containers/0/foo",
            "/spec/template/spec/containers/0/resources/requests/memory",
        ]
    );
}

#[test]
fn versions_no_longer_served_name_the_served_ones() {
    let policy = json!({"apiVersion": "image.toolkit.fluxcd.io/v1beta2", "kind": "ImagePolicy", "metadata": {"name": "a"}, "spec": {}});
    let v = store().validate(&policy).expect("compiles");
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].pointer, "/apiVersion");
    assert_eq!(v[0].message, "ImagePolicy is not served in image.toolkit.fluxcd.io/v1beta2; served: image.toolkit.fluxcd.io/v1");
}

#[test]
fn crd_objects_are_strict_including_metadata() {
    let ks = json!({
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
        "metadata": {"name": "a", "namespace": "flux-system", "namepsace": "x"},
        "spec": {"interval": "10m", "path": "./a", "prune": true, "sourceRef": {"kind": "GitRepository", "name": "flux-system"}, "dependsOn": [{"name": "b"}], "wiat": true}
    });
    let found: Vec<String> = store()
        .validate(&ks)
        .expect("compiles")
        .into_iter()
        .map(|v| v.pointer)
        .collect();
    assert_eq!(found, vec!["/metadata/namepsace", "/spec/wiat"]);
    let vs = json!({
        "apiVersion": "networking.istio.io/v1", "kind": "VirtualService", "metadata": {"name": "a"},
        "spec": {"hosts": ["a"], "http": [{"route": [{"destination": {"host": "a", "port": {"number": 80}}}], "timeout": "5s", "retries": {"attempts": 3, "perTryTimeout": "2s"}}]}
    });
    assert_eq!(store().validate(&vs).expect("compiles"), vec![]);
}

#[test]
fn every_shared_schema_compiles() {
    let kinds: Vec<(String, String)> = store()
        .kinds()
        .map(|(a, k)| (a.to_owned(), k.to_owned()))
        .collect();
    assert!(kinds.len() > 60, "{}", kinds.len());
    for (api_version, kind) in kinds {
        let obj = json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}});
        store().validate(&obj).unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn objects_judged_ahead_get_the_verdict_they_would_get_when_asked() {
    use std::sync::atomic::AtomicBool;
    use std::sync::Arc;
    let crd = |size_type: &str| {
        json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
               "metadata": {"name": "widgets.example.com"},
               "spec": {"group": "example.com", "scope": "Namespaced",
                        "names": {"kind": "Widget", "plural": "widgets"},
                        "versions": [{"name": "v1", "served": true, "storage": true,
                                      "schema": {"openAPIV3Schema": {"type": "object",
                                          "properties": {"spec": {"type": "object",
                                              "properties": {"size": {"type": size_type}}}}}}}]}})
    };
    let objects: Vec<Arc<serde_json::Value>> = [
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "a"},
               "spec": {"replica": 2, "selector": {"matchLabels": {"app": "a"}},
                        "template": {"metadata": {"labels": {"app": "a"}},
                                     "spec": {"containers": [{"name": "a", "image": "a:1"}]}}}}),
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a"},
               "spec": {"ports": [{"port": "eighty"}]}}),
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"k": "v"}}),
        json!({"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
               "metadata": {"name": "a", "namespace": "flux-system"},
               "spec": {"interval": "1m", "prune": "yes",
                        "sourceRef": {"kind": "GitRepository", "name": "a"}}}),
        json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "a"},
               "spec": {"size": "big"}}),
        json!({"apiVersion": "example.com/v1", "kind": "Nothing", "metadata": {"name": "a"}}),
        json!({"kind": "ConfigMap"}),
    ]
    .into_iter()
    .map(Arc::new)
    .collect();
    let mut ahead = SchemaStore::with_builtins();
    ahead.add_crd(&crd("integer"));
    ahead.prejudge(&objects, &AtomicBool::new(false));
    let mut asked = SchemaStore::with_builtins();
    asked.add_crd(&crd("integer"));
    let verdicts = |store: &SchemaStore| -> Vec<String> {
        objects
            .iter()
            .map(|o| format!("{:?}", store.validate(o)))
            .collect()
    };
    let before = verdicts(&ahead);
    assert_eq!(before, verdicts(&asked));
    // The Deployment, the Service, the Kustomization and the Widget are wrong; the kind
    // without a schema and the object without an apiVersion are reported as such.
    assert_eq!(
        before.iter().filter(|v| v.contains("pointer")).count(),
        6,
        "{before:#?}"
    );
    assert!(!before[2].contains("pointer"), "{}", before[2]);
    // A CRD learned afterwards (as from the tree) replaces the verdicts of its kind only.
    ahead.add_crd(&crd("string"));
    asked.add_crd(&crd("string"));
    let after = verdicts(&ahead);
    assert_eq!(after, verdicts(&asked));
    assert!(!after[4].contains("pointer"), "{}", after[4]);
    assert_eq!(after[..4], before[..4]);
    // Copies of the objects, elsewhere in memory, are judged when asked, the same way.
    let copies: Vec<String> = objects
        .iter()
        .map(|o| format!("{:?}", ahead.validate(&(**o).clone())))
        .collect();
    assert_eq!(copies, after);
}
