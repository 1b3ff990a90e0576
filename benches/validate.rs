//! Validation benchmark: synthetic rendered repositories of about 2,400, 4,800 and 10,000
//! objects (to see that time grows linearly), validated with the built-in schemas. Prints the
//! median wall time of several runs, objects per second, and the peak resident memory of
//! the process. Run with `cargo bench --bench validate`.

mod util;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use fluxprint::blueprint::cluster::Policy;
use fluxprint::validate::rule::Options;
use fluxprint::validate::schema::SchemaStore;
use fluxprint::{emit, Inputs, Project};

fn main() {
    let options = Options {
        policy: Policy::Strict,
        external_kustomizations: ["kafka", "rabbitmq", "redis"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
        ..Options::default()
    };
    for services in [300, 600, 1250] {
        let dir = tempfile::tempdir().expect("tempdir");
        fluxprint::synthetic::write_project(dir.path(), services).expect("generate");
        let project = Project::load(&Inputs::under(dir.path())).expect("valid");
        let files = project.render(&["prod".to_owned()]).expect("render");
        let out = dir.path().join("gitops");
        let tree = fluxprint::files::OutTree::open(
            &out,
            fluxprint::files::Lock::Exclusive,
            fluxprint::files::Wait::No,
        )
        .expect("open");
        let plan = emit::plan(&tree, &["prod".to_owned()], &files).expect("plan");
        emit::apply(&tree, &plan).expect("write");
        let root: PathBuf = out.join("prod");

        let mut times: Vec<Duration> = Vec::new();
        let mut objects = 0;
        let mut findings = 0;
        for _ in 0..5 {
            let start = Instant::now();
            let report = fluxprint::validate::run(
                std::slice::from_ref(&root),
                SchemaStore::with_builtins(),
                &options,
            )
            .expect("validates");
            times.push(start.elapsed());
            objects = report.objects;
            findings = report.diagnostics.len();
        }
        times.sort();
        let median = times[times.len() / 2];
        // Where the time goes: parsing alone, and schema validation alone.
        let start = Instant::now();
        let tree =
            fluxprint::validate::tree::Tree::load(std::slice::from_ref(&root)).expect("loads");
        let parse = start.elapsed();
        let schemas = SchemaStore::with_builtins();
        let start = Instant::now();
        for o in &tree.objects {
            let _ = schemas.validate(&o.value);
        }
        let first = start.elapsed();
        let start = Instant::now();
        for o in &tree.objects {
            let _ = schemas.validate(&o.value);
        }
        let schema_time = start.elapsed();
        let ctx = fluxprint::validate::rule::Context::new(&tree, &schemas, &options);
        let mut slow: Vec<(Duration, &str)> = fluxprint::validate::registry::RULES
            .iter()
            .map(|r| {
                let start = Instant::now();
                let mut f = fluxprint::validate::rule::Findings::new(&ctx, *r);
                r.check(&ctx, &mut f);
                (start.elapsed(), r.code())
            })
            .collect();
        slow.sort();
        slow.reverse();
        println!("      slowest rules: {:?}", &slow[..4]);
        println!("      parse {parse:.1?}, schema validation (one core) {schema_time:.1?} (first pass, with compilation {first:.1?})");
        // The command as CI runs it, in its own process, for wall time and peak memory.
        let cli = std::process::Command::new("/usr/bin/time")
            .args(["-f", "%e %M"])
            .arg(env!("CARGO_BIN_EXE_fluxprint"))
            .args(["validate", "--policy", "strict", "--format", "json"])
            .arg(&root)
            .output();
        let cli = match cli {
            Ok(o) => {
                let text = String::from_utf8_lossy(&o.stderr)
                    .lines()
                    .last()
                    .unwrap_or("")
                    .to_owned();
                let mut parts = text.split_whitespace();
                let secs = parts.next().unwrap_or("?").to_owned();
                let kib: u64 = parts.next().and_then(|k| k.parse().ok()).unwrap_or(0);
                format!("CLI {secs} s, peak RSS {} MiB", kib / 1024)
            }
            Err(_) => "CLI: /usr/bin/time not available".to_owned(),
        };
        println!(
            "{services:>4} services: {objects:>6} objects in {:>5} files  in-process median {:>8.1?}  ({:>7.0} objects/s)  findings {findings}  bench RSS {} MiB  {cli}",
            files.len(),
            median,
            objects as f64 / median.as_secs_f64(),
            util::peak_rss_kib() / 1024
        );
    }
}
