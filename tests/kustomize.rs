//! Real kustomize (from `kubectl kustomize`) must build every generated directory.

use crate::util::{example, fluxprint, stderr, tool};

#[test]
fn kubectl_kustomize_builds_every_directory() {
    let Some(kubectl) = tool("kubectl") else {
        return;
    };
    let dir = example();
    assert!(fluxprint(dir.path(), &["render"]).status.success());
    let mut built = 0;
    for cluster in ["dev", "prod"] {
        let root = dir.path().join("gitops").join(cluster);
        let mut dirs = vec![
            root.join("infrastructure"),
            root.join("infrastructure/namespaces"),
        ];
        for parent in [
            "apps",
            "infrastructure/controllers",
            "infrastructure/configs",
        ] {
            for entry in std::fs::read_dir(root.join(parent)).expect(parent) {
                dirs.push(entry.expect("entry").path());
            }
        }
        for d in dirs {
            let out = std::process::Command::new(&kubectl)
                .arg("kustomize")
                .arg(&d)
                .output()
                .expect("run kubectl");
            assert!(
                out.status.success(),
                "kustomize failed on {}: {}",
                d.display(),
                stderr(&out)
            );
            assert!(!out.stdout.is_empty());
            built += 1;
        }
    }
    assert_eq!(
        built,
        (8 + 1 + 1 + 10 + 2) + (8 + 1 + 1 + 9 + 1),
        "every service directory, infrastructure, the platform namespaces, the controllers \
         and config directories: in dev ten controllers (istio-cni and ztunnel) and two \
         configs (the Gateway API CRDs), in prod nine controllers (Flagger) and one config"
    );
}
