//! Presets of `fluxprint new component <name> --preset <preset>`: commented starting points
//! for common platform components. Each preset is data, a text file of `presets/`: one or
//! more documents, each opening with a `# path: <file>` line (relative to `platform/`), with
//! `{{ name }}` standing for the component's name. Which chart versions they pin, and when
//! those were checked, is in docs/platform.md.

use crate::error::Error;

/// Every preset: its name and its text.
pub const PRESETS: &[(&str, &str)] = &[
    (
        "cert-manager",
        include_str!("../../presets/cert-manager.yaml"),
    ),
    ("flagger", include_str!("../../presets/flagger.yaml")),
    (
        "gateway-api-crds",
        include_str!("../../presets/gateway-api-crds.yaml"),
    ),
    ("grafana", include_str!("../../presets/grafana.yaml")),
    ("istio", include_str!("../../presets/istio.yaml")),
    ("istio-cni", include_str!("../../presets/istio-cni.yaml")),
    ("kafka", include_str!("../../presets/kafka.yaml")),
    (
        "kube-prometheus-stack",
        include_str!("../../presets/kube-prometheus-stack.yaml"),
    ),
    ("loki", include_str!("../../presets/loki.yaml")),
    ("mimir", include_str!("../../presets/mimir.yaml")),
    ("mongodb", include_str!("../../presets/mongodb.yaml")),
    ("postgres", include_str!("../../presets/postgres.yaml")),
    ("rabbitmq", include_str!("../../presets/rabbitmq.yaml")),
    ("redis", include_str!("../../presets/redis.yaml")),
    (
        "sealed-secrets",
        include_str!("../../presets/sealed-secrets.yaml"),
    ),
    ("tempo", include_str!("../../presets/tempo.yaml")),
    ("ztunnel", include_str!("../../presets/ztunnel.yaml")),
];

/// The files of `preset` for a component called `name`: (path relative to `platform/`,
/// text), in the preset's order. An unknown preset is a usage error naming the known ones.
pub fn component_files(preset: &str, name: &str) -> Result<Vec<(String, String)>, Error> {
    let Some((_, text)) = PRESETS.iter().find(|(p, _)| *p == preset) else {
        let known: Vec<&str> = PRESETS.iter().map(|(p, _)| *p).collect();
        return Err(Error::Usage(format!(
            "unknown preset `{preset}`; presets: {}",
            known.join(", ")
        )));
    };
    let text = text.replace("{{ name }}", name);
    let mut files: Vec<(String, String)> = Vec::new();
    for line in text.split_inclusive('\n') {
        if let Some(path) = line.strip_prefix("# path: ") {
            // A file's documents end with the `---` that opens the next file.
            if let Some((_, last)) = files.last_mut() {
                if let Some(body) = last.strip_suffix("---\n") {
                    *last = body.to_owned();
                }
            }
            files.push((path.trim().to_owned(), String::new()));
        } else if let Some((_, body)) = files.last_mut() {
            body.push_str(line);
        }
    }
    if files.is_empty() {
        return Err(Error::Internal(format!("preset `{preset}` names no file")));
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_split_into_named_files() {
        let files = component_files("kafka", "events").expect("kafka");
        let paths: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, ["events.yaml", "events/cluster.yaml"]);
        assert!(files[0].1.contains("name: events\n"), "{}", files[0].1);
        assert!(!files[0].1.ends_with("---\n"));
        assert!(files[1].1.contains("kind: Kafka\n"));
        for (preset, _) in PRESETS {
            for (path, text) in component_files(preset, "x").expect("splits") {
                assert!(!text.contains("{{"), "{preset}: {path}");
                assert!(text.ends_with('\n'), "{preset}: {path}");
            }
        }
        assert!(matches!(
            component_files("mongo", "x"),
            Err(Error::Usage(_))
        ));
    }
}
