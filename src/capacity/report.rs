//! Capacity plans as text: an aligned table for terminals, a Markdown table for merge request
//! comments (JSON is the serde form of [`ClusterPlan`]).

use super::{ClusterPlan, ComponentPlan, Level, NodeCount, ServicePlan};

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

fn cores(millis: f64) -> String {
    format!("{:.2}", millis / 1000.0)
}

fn gib(bytes: f64) -> String {
    format!("{:.2}Gi", bytes / GIB)
}

fn money(value: f64) -> String {
    format!("{value:.2}")
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

fn service_row(s: &ServicePlan) -> Vec<String> {
    vec![
        if s.with_canary {
            format!("{} (+canary)", s.name)
        } else {
            s.name.clone()
        },
        opt(s.peak_rps),
        opt(s.pods_at_peak),
        s.min_replicas.to_string(),
        s.max_replicas.to_string(),
        cores(s.at_min.cpu_millis),
        cores(s.at_max.cpu_millis),
        gib(s.at_min.memory_bytes),
        gib(s.at_max.memory_bytes),
        if s.max_below_peak {
            "max below peak".to_owned()
        } else {
            "ok".to_owned()
        },
    ]
}

const SERVICE_HEADER: [&str; 10] = [
    "service",
    "peak rps",
    "pods at peak",
    "min",
    "max",
    "cpu at min",
    "cpu at max",
    "memory at min",
    "memory at max",
    "peak",
];

/// One row per workload the component's values declare.
fn component_rows(c: &ComponentPlan) -> Vec<Vec<String>> {
    c.workloads
        .iter()
        .map(|w| {
            vec![
                c.name.clone(),
                if w.path.is_empty() {
                    "/".to_owned()
                } else {
                    w.path.clone()
                },
                if w.per_node {
                    "1 per node".to_owned()
                } else {
                    w.replicas.to_string()
                },
                cores(w.per_pod.cpu_millis * f64::from(w.replicas)),
                gib(w.per_pod.memory_bytes * f64::from(w.replicas)),
            ]
        })
        .collect()
}

const COMPONENT_HEADER: [&str; 5] = ["component", "values", "replicas", "cpu", "memory"];

fn nodes_cell(n: Option<&NodeCount>) -> String {
    n.map_or_else(
        || "-".to_owned(),
        |n| {
            format!(
                "{} ({} binds: cpu {}, memory {}, pods {})",
                n.nodes,
                n.binding.as_str(),
                n.by_cpu,
                n.by_memory,
                n.by_pods
            )
        },
    )
}

fn level_row(name: &str, l: &Level) -> Vec<String> {
    vec![
        name.to_owned(),
        l.usage.pods.to_string(),
        cores(l.usage.cpu_millis),
        gib(l.usage.memory_bytes),
        format!("{:.0}Gi", l.usage.storage_gib),
        nodes_cell(l.nodes.as_ref()),
        opt(l.cost.as_ref().map(|c| money(c.monthly))),
        opt(l.cost.as_ref().map(|c| money(c.yearly))),
    ]
}

const LEVEL_HEADER: [&str; 8] = [
    "replicas", "pods", "cpu", "memory", "storage", "nodes", "monthly", "yearly",
];

/// Pads columns; the first column left-aligned, the others right-aligned.
fn aligned(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut out = String::new();
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            if i == 0 {
                out.push_str(&format!("{cell:<w$}"));
            } else {
                out.push_str(&format!("  {cell:>w$}"));
            }
        }
        out.trim_end().to_owned() + "\n"
    };
    let mut out = line(header.to_vec());
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

fn markdown_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = format!("| {} |\n", header.join(" | "));
    out.push_str(&format!(
        "|{}\n",
        header
            .iter()
            .enumerate()
            .map(|(i, _)| if i == 0 { " --- |" } else { " ---: |" })
            .collect::<String>()
    ));
    for row in rows {
        out.push_str(&format!("| {} |\n", row.join(" | ")));
    }
    out
}

fn node_line(p: &ClusterPlan) -> String {
    match &p.node {
        Some(n) => format!(
            "node allocatable: {} cpu, {}, {} pods; {}/hour",
            cores(n.cpu_millis),
            gib(n.memory_bytes),
            if n.max_pods == u32::MAX {
                "unlimited".to_owned()
            } else {
                n.max_pods.to_string()
            },
            n.price_per_hour
        ),
        None => "no `nodes` (cpu and memory) in the cluster file: nodes and cost are not planned"
            .to_owned(),
    }
}

fn notes(p: &ClusterPlan) -> Vec<String> {
    let mut notes = Vec::new();
    for s in &p.services {
        if s.max_below_peak {
            notes.push(format!(
                "{}: at most {} replicas, but {} pods are needed at the peak",
                s.name,
                s.max_replicas,
                s.pods_at_peak.unwrap_or_default()
            ));
        }
        if !s.missing_requests.is_empty() {
            notes.push(format!(
                "{}: no request for {} (counted as 0)",
                s.name,
                s.missing_requests.join(", ")
            ));
        }
    }
    let canaries: Vec<&str> = p
        .services
        .iter()
        .filter(|s| s.with_canary)
        .map(|s| s.name.as_str())
        .collect();
    if !canaries.is_empty() {
        notes.push(format!(
            "{}: released by Flagger, counted as primary and canary, both at the replicas shown (as during an analysis; between releases the canary runs none)",
            canaries.join(", ")
        ));
    }
    if p.components
        .iter()
        .flat_map(|c| &c.workloads)
        .any(|w| w.per_node)
    {
        notes.push(match &p.node {
            Some(_) => "per-node workloads (DaemonSets) take their requests from every node before the other pods are packed".to_owned(),
            None => "per-node workloads (DaemonSets) are not counted without `nodes`".to_owned(),
        });
    }
    let undeclared: Vec<&str> = p
        .components
        .iter()
        .filter(|c| c.workloads.is_empty())
        .map(|c| c.name.as_str())
        .collect();
    if !undeclared.is_empty() {
        notes.push(format!(
            "{}: the values declare no `resources.requests` (not counted)",
            undeclared.join(", ")
        ));
    }
    for (level, l) in [("min", &p.at_min), ("max", &p.at_max)] {
        if let Some(n) = l.nodes.as_ref().filter(|n| !n.unschedulable.is_empty()) {
            notes.push(format!(
                "at {level}: pods of {} are larger than a node and were not placed",
                n.unschedulable.join(", ")
            ));
        }
    }
    notes
}

/// The plans as aligned text tables.
pub fn human(plans: &[ClusterPlan]) -> String {
    let mut out = String::new();
    for (i, p) in plans.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!("cluster {} ({})\n", p.cluster, p.file));
        out.push_str(&node_line(p));
        out.push_str("\n\n");
        let rows: Vec<Vec<String>> = p.services.iter().map(service_row).collect();
        out.push_str(&aligned(&SERVICE_HEADER, &rows));
        out.push('\n');
        let rows: Vec<Vec<String>> = p
            .components
            .iter()
            .chain(&p.mesh)
            .flat_map(component_rows)
            .collect();
        if !rows.is_empty() {
            out.push_str(&aligned(&COMPONENT_HEADER, &rows));
            out.push('\n');
        }
        let levels = vec![level_row("min", &p.at_min), level_row("max", &p.at_max)];
        out.push_str(&aligned(&LEVEL_HEADER, &levels));
        for note in notes(p) {
            out.push_str(&format!("note: {note}\n"));
        }
    }
    out
}

/// The plans as Markdown (GitLab renders it in merge request comments).
pub fn markdown(plans: &[ClusterPlan]) -> String {
    let mut out = String::new();
    for (i, p) in plans.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!(
            "### Cluster `{}`\n\n{}\n\n",
            p.cluster,
            node_line(p)
        ));
        let rows: Vec<Vec<String>> = p.services.iter().map(service_row).collect();
        out.push_str(&markdown_table(&SERVICE_HEADER, &rows));
        out.push('\n');
        let rows: Vec<Vec<String>> = p
            .components
            .iter()
            .chain(&p.mesh)
            .flat_map(component_rows)
            .collect();
        if !rows.is_empty() {
            out.push_str(&markdown_table(&COMPONENT_HEADER, &rows));
            out.push('\n');
        }
        let levels = vec![level_row("min", &p.at_min), level_row("max", &p.at_max)];
        out.push_str(&markdown_table(&LEVEL_HEADER, &levels));
        let notes = notes(p);
        if !notes.is_empty() {
            out.push('\n');
            for note in notes {
                out.push_str(&format!("- {note}\n"));
            }
        }
    }
    out
}
