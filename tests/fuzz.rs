//! Deterministic fuzzing of the loaders and the validator: mutations of real inputs (the
//! example blueprints and cluster files, the rendered tree, the rule fixtures) and hostile
//! documents. Nothing may panic, every rejection must be a diagnostic with a position, and
//! each case is bounded in time. A fixed seed keeps failures reproducible; the mutator is a
//! small xorshift so no fuzzing crate is needed (cargo-fuzz targets live in `fuzz/`).

use std::time::{Duration, Instant};

use fluxprint::source::yaml::{parse_documents, parse_json_documents};
use fluxprint::validate::rule::Options;
use fluxprint::validate::schema::SchemaStore;
use fluxprint::{Error, Inputs, Project};

use crate::util::{example, root, tree};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n.max(1) as u64)).unwrap_or(0)
    }
}

const TOKENS: &[&str] = &[
    ":",
    "- ",
    "{",
    "}",
    "[",
    "]",
    "'",
    "\"",
    "&a ",
    "*a",
    "!!str ",
    "---\n",
    "\t",
    "\n",
    "  ",
    "#",
    "|",
    ">",
    "~",
    "yes",
    "0755",
    "1e309",
    "-1",
    "null",
    "\u{feff}",
    "%YAML 1.2\n",
    "? ",
    ",",
    "\\",
    "\u{1F4B3}",
];

/// One mutation: delete, duplicate, or insert a token or a random byte run.
fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut s: Vec<char> = text.chars().collect();
    for _ in 0..=rng.below(4) {
        let at = rng.below(s.len() + 1);
        match rng.below(4) {
            0 if !s.is_empty() => {
                let end = (at + rng.below(20)).min(s.len());
                s.drain(at.min(end)..end);
            }
            1 if !s.is_empty() => {
                let start = rng.below(s.len());
                let end = (start + rng.below(40)).min(s.len());
                let chunk: Vec<char> = s[start..end].to_vec();
                s.splice(at..at, chunk);
            }
            2 => s
                .splice(at..at, TOKENS[rng.below(TOKENS.len())].chars())
                .for_each(drop),
            _ => {
                let junk: String = (0..rng.below(6))
                    .map(|_| char::from(u8::try_from(rng.below(128)).unwrap_or(b'x')))
                    .collect();
                s.splice(at..at, junk.chars()).for_each(drop);
            }
        }
    }
    s.into_iter().collect()
}

fn corpus() -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for dir in ["blueprints", "clusters", "tests/fixtures/rules"] {
        out.extend(
            tree(&root().join(dir))
                .into_iter()
                .filter(|(p, _)| p.ends_with(".yaml"))
                .map(|(_, t)| t),
        );
    }
    out
}

#[test]
fn yaml_readers_never_panic_and_agree() {
    let corpus = corpus();
    let mut rng = Rng(0x5eed_f1ff_2026);
    for i in 0..4000 {
        let text = mutate(&mut rng, &corpus[i % corpus.len()]);
        let start = Instant::now();
        let slow = parse_documents(&text);
        let fast = parse_json_documents(&text, |_| true);
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "case {i} took {:?}",
            start.elapsed()
        );
        match (&slow, &fast) {
            (Ok(a), Ok(b)) => {
                let a: Vec<_> = a.iter().map(|n| n.to_json()).collect();
                let b: Vec<_> = b.iter().map(|d| d.value.clone()).collect();
                assert_eq!(a, b, "case {i}: the two readers disagree on:\n{text}");
            }
            (Err(e), _) => assert!(e.span.line >= 1, "case {i}: error without a line"),
            (Ok(_), Err(_)) => panic!("case {i}: only the fast reader refused:\n{text}"),
        }
    }
}

#[test]
fn hostile_documents_are_refused_quickly() {
    let mut bomb = String::from(
        "a: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n",
    );
    for (i, name) in ["b", "c", "d", "e", "f", "g", "h", "i"].iter().enumerate() {
        let prev = if i == 0 {
            "a".to_owned()
        } else {
            ["b", "c", "d", "e", "f", "g", "h"][i - 1].to_owned()
        };
        bomb.push_str(&format!(
            "{name}: &{name} [{}]\n",
            vec![format!("*{prev}"); 9].join(", ")
        ));
    }
    let deep_flow = "[".repeat(50_000);
    let deep_block: String = (0..5_000)
        .map(|i| format!("{}a:\n", " ".repeat(i)))
        .collect();
    for text in [bomb.as_str(), deep_flow.as_str(), deep_block.as_str()] {
        let start = Instant::now();
        assert!(parse_documents(text).is_err());
        assert!(parse_json_documents(text, |_| true).is_err());
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "took {:?}",
            start.elapsed()
        );
    }
}

#[test]
fn the_blueprint_loader_turns_every_mutation_into_diagnostics() {
    let dir = example();
    let originals: Vec<(std::path::PathBuf, String)> = [
        "blueprints/order.yaml",
        "blueprints/search.yaml",
        "clusters/prod.yaml",
    ]
    .iter()
    .map(|p| {
        (
            dir.path().join(p),
            std::fs::read_to_string(dir.path().join(p)).expect("read"),
        )
    })
    .collect();
    let mut rng = Rng(0xb1e_9817);
    for i in 0..300 {
        let (path, original) = &originals[i % originals.len()];
        std::fs::write(path, mutate(&mut rng, original)).expect("write");
        match Project::load(&Inputs::under(dir.path())) {
            Ok(_) => {}
            Err(Error::Invalid { diagnostics, .. }) => {
                assert!(!diagnostics.is_empty());
                assert!(
                    diagnostics
                        .iter()
                        .all(|d| d.span.line >= 1 && !d.file.is_empty()),
                    "case {i}: {diagnostics:?}"
                );
            }
            Err(other) => panic!("case {i}: not a diagnostic: {other}"),
        }
        std::fs::write(path, original).expect("restore");
    }
}

/// Validation of `dir` ends with a report whose findings all have a position.
fn assert_validates(dir: &std::path::Path, round: usize) {
    let report = fluxprint::validate::run(
        &[dir.to_owned()],
        SchemaStore::with_builtins(),
        &Options::default(),
    )
    .unwrap_or_else(|e| panic!("round {round}: {e}"));
    assert!(
        report.diagnostics.iter().all(|d| d.span.line >= 1),
        "round {round}"
    );
}

#[test]
fn the_validator_survives_mutated_manifests() {
    let fixtures = root().join("tests/fixtures/rules");
    let files: Vec<(String, String)> = tree(&fixtures)
        .into_iter()
        .filter(|(p, _)| p.ends_with(".yaml"))
        .collect();
    let mut rng = Rng(0x7a11_da7e);
    for round in 0..40 {
        let dir = tempfile::tempdir().expect("tempdir");
        for _ in 0..8 {
            let (name, text) = &files[rng.below(files.len())];
            let path = dir.path().join(name.replace('/', "_"));
            std::fs::write(&path, mutate(&mut rng, text)).expect("write");
        }
        assert_validates(dir.path(), round);
    }
}

#[test]
fn crd_validation_rules_survive_mutated_rules_and_objects() {
    let base = root().join("tests/fixtures/rules/GO007");
    let crd = std::fs::read_to_string(base.join("fail/crd.yaml")).expect("crd");
    let object = std::fs::read_to_string(base.join("fail/cache.yaml")).expect("object");
    let mut rng = Rng(0xce1_5eed);
    for round in 0..40 {
        let dir = tempfile::tempdir().expect("tempdir");
        // Odd rules (mutated CEL text) and odd objects: skipped or reported, never a crash.
        let crd_text = if round % 2 == 0 {
            mutate(&mut rng, &crd)
        } else {
            crd.clone()
        };
        std::fs::write(dir.path().join("crd.yaml"), crd_text).expect("write");
        std::fs::write(dir.path().join("cache.yaml"), mutate(&mut rng, &object)).expect("write");
        assert_validates(dir.path(), round);
    }
}
