//! Parser benchmark: cost per key must stay flat as documents grow (duplicate-key detection is
//! a hash lookup, not a scan), and alias bombs are refused within the budget in bounded
//! memory. Prints medians; run with `cargo bench --bench parse`.

mod util;
use util::time;

use std::time::Duration;

use fluxprint::source::yaml::{parse_documents, parse_json_documents};
use fluxprint::{Inputs, Project};

fn per_key(d: Duration, keys: usize) -> f64 {
    d.as_secs_f64() * 1e9 / keys as f64
}

fn main() {
    // First, so that the peak memory figure is the bomb's and not a larger input's.
    println!("alias bomb of many small documents (refused by the per-file budget):");
    let doc =
        "---\na: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nb: [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n";
    for docs in [4_000, 16_000] {
        let text = doc.repeat(docs);
        let before = util::peak_rss_kib() as f64 / 1024.0;
        let refused = time(3, || parse_json_documents(&text, |_| false).is_err());
        let positioned = time(3, || parse_documents(&text).is_err());
        assert!(parse_documents(&text).is_err(), "the bomb is refused");
        println!(
            "  {docs:>6} documents ({:.1} MiB)  json refused in {refused:>9.2?}  positioned {positioned:>9.2?}  peak RSS {:.0} MiB (was {before:.0})",
            text.len() as f64 / 1048576.0,
            util::peak_rss_kib() as f64 / 1024.0
        );
    }

    println!("one mapping of N keys:");
    for keys in [10_000, 40_000, 160_000] {
        let text: String = (0..keys).map(|i| format!("key{i}: value{i}\n")).collect();
        let tree = time(5, || parse_documents(&text).expect("parses"));
        let json = time(5, || {
            parse_json_documents(&text, |_| false).expect("parses")
        });
        println!(
            "  {keys:>7} keys  positioned {tree:>9.2?} ({:>5.0} ns/key)  json {json:>9.2?} ({:>5.0} ns/key)",
            per_key(tree, keys),
            per_key(json, keys)
        );
    }

    println!("a blueprint whose env has N keys (load and check, both clusters):");
    for keys in [10_000, 40_000, 160_000] {
        let dir = tempfile::tempdir().expect("tempdir");
        fluxprint::synthetic::write_project(dir.path(), 1).expect("generate");
        let path = dir.path().join("blueprints/svc-00000.yaml");
        let text = std::fs::read_to_string(&path).expect("read");
        let env: String = (0..keys).map(|i| format!("  VAR_{i}: v{i}\n")).collect();
        let text: String = text
            .lines()
            .map(|l| {
                if l.starts_with("env:") {
                    format!("env:\n{env}")
                } else {
                    format!("{l}\n")
                }
            })
            .collect();
        assert!(
            text.contains("VAR_0"),
            "the synthetic blueprint has an env line"
        );
        std::fs::write(&path, text).expect("write");
        let inputs = Inputs::under(dir.path());
        let load = time(3, || Project::load(&inputs).expect("valid"));
        println!(
            "  {keys:>7} keys  {load:>9.2?} ({:>6.0} ns/key)",
            per_key(load, keys)
        );
    }
}
