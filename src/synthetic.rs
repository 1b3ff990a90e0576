//! Synthetic projects of any size, for benchmarks and scale tests: `n` services spread over
//! teams, with every feature the renderer supports (autoscaling, probes, secrets, sidecars,
//! statefulsets, dependencies), and the two example clusters.

use std::fmt::Write;
use std::path::Path;

use crate::error::Error;

/// Generated data needs no durability (and `fsync` per file would dominate a benchmark's
/// set-up): plain writes.
fn write(path: &Path, text: &str) -> Result<(), Error> {
    let io = |action, source| Error::Io {
        action,
        path: path.to_owned(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| io("create directory", e))?;
    }
    std::fs::write(path, text).map_err(|e| io("write", e))
}

/// Writes `blueprints/` and `clusters/` for `n` services under `dir`.
pub fn write_project(dir: &Path, n: usize) -> Result<(), Error> {
    let clusters = [("dev", "relaxed", false), ("prod", "strict", true)];
    for (name, policy, zones) in clusters {
        let text = format!(
            "apiVersion: fluxprint/v1alpha1\nkind: Cluster\nname: {name}\npolicy: {policy}\nzones: {zones}\ninfrastructure: [kafka, rabbitmq, redis]\n"
        );
        write(&dir.join("clusters").join(format!("{name}.yaml")), &text)?;
    }
    for i in 0..n {
        write(
            &dir.join("blueprints").join(format!("svc-{i:05}.yaml")),
            &blueprint(i),
        )?;
        // Stand-in ciphertexts: rendering copies sealed values without opening them.
        let mut values = crate::seal::values::SealedValues::new(&format!("svc-{i:05}"));
        for cluster in ["dev", "prod"] {
            values.clusters.insert(
                cluster.to_owned(),
                crate::seal::values::ClusterValues {
                    cert_sha256: "0".repeat(64),
                    values: ["DATABASE_URL", "API_TOKEN"]
                        .iter()
                        .map(|k| ((*k).to_owned(), format!("AgB{}{i:05}", k.to_lowercase())))
                        .collect(),
                },
            );
        }
        write(
            &crate::seal::values::SealedValues::path(
                &dir.join("blueprints"),
                &format!("svc-{i:05}"),
            ),
            &values.to_text()?,
        )?;
    }
    Ok(())
}

/// The text of synthetic service `i`.
pub fn blueprint(i: usize) -> String {
    let mut t = String::new();
    let team = format!("team-{}", i % 25);
    let _ = write!(
        t,
        "apiVersion: fluxprint/v1alpha1\nkind: Blueprint\nname: svc-{i:05}\nteam: {team}\nimage: registry.example.com/synthetic/svc-{i:05}\ntag: \"1.{}.{}\"\n",
        i % 10,
        i % 7
    );
    t.push_str("ports:\n  - {name: http, port: 8080}\n  - {name: grpc, port: 9090}\n");
    let _ = writeln!(
        t,
        "env: {{LOG_LEVEL: info, SERVICE_INDEX: \"{i}\", FEATURE_FLAG: \"on\"}}"
    );
    t.push_str("secretEnv: [DATABASE_URL, API_TOKEN]\n");
    t.push_str("resources: {cpu: 100m, memory: 128Mi, memoryLimit: 256Mi}\n");
    t.push_str("probes:\n  liveness: {path: /healthz}\n  readiness: {path: /ready}\n");
    if i % 10 == 3 {
        t.push_str("workload: statefulset\nreplicas: 3\nstorage:\n  - {name: data, path: /var/lib/data, size: 10Gi}\n");
    } else {
        t.push_str("autoscaling: {min: 2, max: 10, cpu: 70}\n");
        t.push_str("overrides:\n  dev:\n    autoscaling: {min: 1, max: 2, cpu: 80}\n");
    }
    if i.is_multiple_of(5) {
        t.push_str("sidecars:\n  - {name: proxy, image: nginxinc/nginx-unprivileged, tag: \"1.27\", ports: [{name: http-web, port: 8081}], resources: {cpu: 50m, memory: 64Mi}, probes: {liveness: {tcp: true}, readiness: {tcp: true}}}\n");
    }
    let mut deps = vec!["kafka".to_owned()];
    if i > 0 {
        deps.push(format!("svc-{:05}", i / 2));
    }
    let _ = writeln!(t, "dependsOn: [{}]", deps.join(", "));
    t
}
