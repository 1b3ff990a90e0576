//! Flux build benchmark: `fluxprint validate` on generated fleets laid out like real Flux
//! repositories — a bootstrap Kustomization, a parent that patches its children, one
//! `ks.yaml` per app with substitution, each app an overlay of a shared base with a patch,
//! a ConfigMap generator, a name prefix, labels and an image override — at about 2,500,
//! 5,000, 10,000 and 20,000 objects (75 to 600 Kustomizations), to see that cost stays
//! linear. Prints the median wall time of several runs and the peak resident memory.
//! Run with `cargo bench --bench flux` (`FLUX_BENCH_APPS="300"` for one size).

mod util;

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use fluxprint::validate::rule::Options;
use fluxprint::validate::schema::SchemaStore;

const PER_APP: usize = 34;

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    fs::write(path, text).expect("write");
}

/// A fleet of `apps` apps in 10 namespaces.
fn fleet(root: &Path, apps: usize) {
    write(
        &root.join("clusters/main/flux-system/gotk-sync.yaml"),
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: flux-system\n  namespace: flux-system\nspec:\n  interval: 1m\n  url: https://example.org/fleet.git\n  ref: {branch: main}\n---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: flux-system\n  namespace: flux-system\nspec:\n  interval: 10m\n  path: ./clusters/main\n  prune: true\n  sourceRef: {kind: GitRepository, name: flux-system}\n",
    );
    write(
        &root.join("clusters/main/apps.yaml"),
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: cluster-apps\n  namespace: flux-system\nspec:\n  interval: 30m\n  path: ./apps\n  prune: true\n  sourceRef: {kind: GitRepository, name: flux-system}\n  patches:\n    - target: {group: kustomize.toolkit.fluxcd.io, kind: Kustomization}\n      patch: |-\n        apiVersion: kustomize.toolkit.fluxcd.io/v1\n        kind: Kustomization\n        metadata: {name: any}\n        spec:\n          interval: 1h\n          prune: true\n          sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}\n",
    );
    let mut base = String::new();
    for j in 0..PER_APP - 3 {
        let _ = write!(
            base,
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: part{j}\ndata:\n  index: \"{j}\"\n  region: ${{REGION}}\n"
        );
    }
    base.push_str("---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {app.kubernetes.io/name: web}\n  template:\n    metadata:\n      labels: {app.kubernetes.io/name: web}\n    spec:\n      containers:\n        - name: web\n          image: ghcr.io/example/web:1.0.0\n          envFrom:\n            - configMapRef: {name: settings}\n          ports: [{name: http, containerPort: 8080}]\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: {app.kubernetes.io/name: web}\n  ports: [{name: http, port: 80, targetPort: http}]\n");
    write(&root.join("apps/base/web/objects.yaml"), &base);
    write(
        &root.join("apps/base/web/kustomization.yaml"),
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [objects.yaml]\n",
    );
    let mut top = String::from(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n",
    );
    for ns in 0..10 {
        let _ = writeln!(top, "  - ./ns{ns}");
        let mut list = format!(
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: ns{ns}\nresources:\n"
        );
        for a in (0..apps).filter(|a| a % 10 == ns) {
            let _ = writeln!(list, "  - ./app{a}/ks.yaml");
            let dir = root.join(format!("apps/ns{ns}/app{a}"));
            write(
                &dir.join("ks.yaml"),
                &format!("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: app{a}\nspec:\n  path: ./apps/ns{ns}/app{a}/app\n  targetNamespace: ns{ns}\n  postBuild:\n    substitute: {{REGION: eu-{a}}}\n"),
            );
            write(
                &dir.join("app/kustomization.yaml"),
                &format!("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamePrefix: app{a}-\nlabels:\n  - pairs: {{app.kubernetes.io/part-of: app{a}}}\nresources: [../../../base/web]\nimages:\n  - {{name: ghcr.io/example/web, newTag: \"1.{a}.0\"}}\nconfigMapGenerator:\n  - name: settings\n    literals: [LOG_LEVEL=info, APP=app{a}]\npatches:\n  - path: replicas.yaml\n"),
            );
            write(
                &dir.join("app/replicas.yaml"),
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n",
            );
        }
        write(&root.join(format!("apps/ns{ns}/kustomization.yaml")), &list);
    }
    write(&root.join("apps/kustomization.yaml"), &top);
}

fn main() {
    let options = Options::default();
    println!(
        "{:>8} {:>15} {:>8} {:>10} {:>12}",
        "objects", "Kustomizations", "median", "per 1k", "peak RSS"
    );
    // `FLUX_BENCH_APPS="300"` runs only the sizes given (for profiling one of them).
    let sizes: Vec<usize> = std::env::var("FLUX_BENCH_APPS")
        .ok()
        .map(|s| {
            s.split_whitespace()
                .filter_map(|n| n.parse().ok())
                .collect()
        })
        .unwrap_or_else(|| vec![75, 150, 300, 600]);
    for apps in sizes {
        let dir = tempfile::tempdir().expect("tempdir");
        fleet(dir.path(), apps);
        let root = dir.path().to_owned();
        let mut objects = 0;
        let mut errors = 0;
        let median = util::time(5, || {
            let report = fluxprint::validate::run(
                std::slice::from_ref(&root),
                SchemaStore::with_builtins(),
                &options,
            )
            .expect("validates");
            objects = report.objects;
            errors = report
                .diagnostics
                .iter()
                .filter(|d| d.severity == fluxprint::diag::Severity::Error)
                .count();
        });
        assert_eq!(errors, 0, "the generated fleet is clean");
        assert!(objects >= apps * PER_APP, "every app is built: {objects}");
        println!(
            "{objects:>8} {:>15} {:>7.0?} {:>9.1?} {:>9} MiB",
            apps + 2,
            median,
            median / u32::try_from(objects / 1000).unwrap_or(1).max(1),
            util::peak_rss_kib() / 1024
        );
    }
}
