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
fn preparing_kinds_ahead_changes_no_verdict() {
    // The same objects judged by a store prepared for their kinds (and for kinds that have no
    // schema) and by one that compiles each schema on first use.
    let objects = [
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
        json!({"apiVersion": "example.com/v1", "kind": "Nothing", "metadata": {"name": "a"}}),
    ];
    let kinds: Vec<(&str, &str)> = objects
        .iter()
        .map(|o| {
            (
                o["apiVersion"].as_str().unwrap_or(""),
                o["kind"].as_str().unwrap_or(""),
            )
        })
        .chain([("apps/v1", "NoSuchKind"), ("", "")])
        .collect();
    let prepared = SchemaStore::with_builtins();
    prepared.prepare(kinds.iter().copied());
    let fresh = SchemaStore::with_builtins();
    let mut failing = 0;
    for o in &objects {
        let (a, b) = (prepared.validate(o), fresh.validate(o));
        let (a, b) = (format!("{a:?}"), format!("{b:?}"));
        assert_eq!(a, b, "{o}");
        failing += usize::from(a.contains("pointer"));
    }
    // The Deployment, the Service and the Kustomization are wrong; the kind without a schema
    // is reported as such.
    assert!(failing >= 4, "{failing}");
}
