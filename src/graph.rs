//! `fluxprint graph`: per cluster, the Flux `dependsOn` graph (the order Flux applies things
//! in) and the call graph (edge routes → services, callers → services), as Mermaid (which
//! GitLab renders in Markdown) or Graphviz DOT.
//!
//! The Flux graph is read from the Kustomizations fluxprint renders for the cluster, so it
//! is the order Flux will follow: services, their before-rollout jobs, the platform's
//! components and `infrastructure`, with what they depend on outside the tree.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::emit::RenderedFile;
use crate::render::flux::INFRASTRUCTURE;
use crate::resolve::platform::NAMESPACES;
use crate::resolve::{ResolvedCluster, ResolvedService};

/// What a node stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum NodeKind {
    /// A service's Flux Kustomization, or the service itself in the call graph.
    Service,
    /// The `infrastructure` Kustomization fluxprint renders.
    Infrastructure,
    /// A Kustomization the platform provides (cluster `infrastructure`).
    External,
    /// An edge host and path.
    Route,
    /// The Kustomization of a service's before-rollout job (a migration).
    Job,
    /// A platform component's Kustomization (one per component and layer).
    Component,
}

/// A node: id (safe for Mermaid and DOT), label, kind.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Node {
    /// Identifier.
    pub id: String,
    /// Text shown.
    pub label: String,
    /// Kind.
    pub kind: NodeKind,
}

/// One cluster's two graphs. Edges point from the dependent to what it needs (Flux) and
/// from the caller to the callee (calls).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClusterGraph {
    /// Cluster name.
    pub cluster: String,
    /// Kustomizations.
    pub flux_nodes: BTreeSet<Node>,
    /// `a` depends on `b`.
    pub flux_edges: BTreeSet<(String, String)>,
    /// Routes and services.
    pub call_nodes: BTreeSet<Node>,
    /// `a` calls `b`.
    pub call_edges: BTreeSet<(String, String)>,
}

fn id(prefix: &str, name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("{prefix}_{safe}")
}

fn node(prefix: &str, name: &str, kind: NodeKind) -> Node {
    Node {
        id: id(prefix, name),
        label: name.to_owned(),
        kind,
    }
}

/// The Flux Kustomizations among rendered files: path, name and the names it depends on.
fn kustomizations(files: &[RenderedFile]) -> Vec<(&str, String, Vec<String>)> {
    let mut out = Vec::new();
    for f in files {
        let Ok(docs) = crate::source::yaml::parse_json_documents(&f.content, |_| false) else {
            continue;
        };
        for d in docs {
            let v = &d.value;
            let flux = v
                .get("apiVersion")
                .and_then(Value::as_str)
                .is_some_and(|a| a.starts_with("kustomize.toolkit.fluxcd.io/"));
            if !flux || v.get("kind").and_then(Value::as_str) != Some("Kustomization") {
                continue;
            }
            let Some(name) = v.pointer("/metadata/name").and_then(Value::as_str) else {
                continue;
            };
            let deps = v
                .pointer("/spec/dependsOn")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|d| d.get("name").and_then(Value::as_str))
                .map(str::to_owned)
                .collect();
            out.push((f.path.as_str(), name.to_owned(), deps));
        }
    }
    out
}

/// Builds the graphs of one cluster from its resolved services and its rendered files
/// (the Flux graph from the Kustomizations among them).
pub fn cluster_graph(
    cluster: &ResolvedCluster,
    services: &[ResolvedService],
    files: &[RenderedFile],
) -> ClusterGraph {
    let mut g = ClusterGraph {
        cluster: cluster.name.clone(),
        ..ClusterGraph::default()
    };
    let names: BTreeSet<&str> = services.iter().map(|s| s.name.as_str()).collect();
    let jobs: BTreeSet<&str> = services
        .iter()
        .flat_map(|s| s.before_rollout().map(|j| j.object.as_str()))
        .collect();
    let components_dir = format!("{0}/clusters/{0}/infrastructure/", cluster.name);
    let rendered = kustomizations(files);
    let known: BTreeSet<&str> = rendered.iter().map(|(_, n, _)| n.as_str()).collect();
    for (path, name, deps) in &rendered {
        let kind = if name == INFRASTRUCTURE || name == NAMESPACES {
            NodeKind::Infrastructure
        } else if names.contains(name.as_str()) {
            NodeKind::Service
        } else if jobs.contains(name.as_str()) {
            NodeKind::Job
        } else if path.starts_with(&components_dir) {
            NodeKind::Component
        } else {
            NodeKind::Service
        };
        let k = node("k", name, kind);
        for dep in deps {
            if !known.contains(dep.as_str()) {
                g.flux_nodes.insert(node("k", dep, NodeKind::External));
            }
            g.flux_edges.insert((k.id.clone(), id("k", dep)));
        }
        g.flux_nodes.insert(k);
    }
    // Routes are numbered in label order: hosts and paths do not make unique identifiers.
    let mut routes: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for svc in services {
        let s = node("s", &svc.name, NodeKind::Service);
        for r in &svc.routes {
            let label = format!("{}{}", r.host, r.path);
            routes.entry(label).or_default().insert(s.id.clone());
        }
        for caller in &svc.callers {
            g.call_edges.insert((id("s", caller), s.id.clone()));
        }
        g.call_nodes.insert(s);
    }
    for (n, (label, targets)) in routes.into_iter().enumerate() {
        let route = Node {
            id: format!("r{n}"),
            label,
            kind: NodeKind::Route,
        };
        for t in targets {
            g.call_edges.insert((route.id.clone(), t));
        }
        g.call_nodes.insert(route);
    }
    g
}

fn mermaid_shape(n: &Node) -> String {
    let label = n.label.replace('"', "#quot;");
    match n.kind {
        NodeKind::Service => format!("{}[\"{label}\"]", n.id),
        NodeKind::Infrastructure => format!("{}[[\"{label}\"]]", n.id),
        NodeKind::External => format!("{}([\"{label}\"])", n.id),
        NodeKind::Route => format!("{}>\"{label}\"]", n.id),
        NodeKind::Job => format!("{}[/\"{label}\"/]", n.id),
        NodeKind::Component => format!("{}[(\"{label}\")]", n.id),
    }
}

fn mermaid_graph(nodes: &BTreeSet<Node>, edges: &BTreeSet<(String, String)>) -> String {
    let mut out = String::from("```mermaid\nflowchart LR\n");
    for n in nodes {
        out.push_str(&format!("  {}\n", mermaid_shape(n)));
    }
    for (a, b) in edges {
        out.push_str(&format!("  {a} --> {b}\n"));
    }
    out.push_str("```\n");
    out
}

/// Markdown with two Mermaid blocks per cluster.
pub fn mermaid(graphs: &[ClusterGraph]) -> String {
    let mut out = String::new();
    for (i, g) in graphs.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!(
            "### Cluster `{}`: Flux dependsOn\n\nAn arrow points to what must be ready first; cylinders are platform components, slanted nodes before-rollout jobs, rounded nodes Kustomizations outside fluxprint.\n\n",
            g.cluster
        ));
        out.push_str(&mermaid_graph(&g.flux_nodes, &g.flux_edges));
        out.push_str(&format!(
            "\n### Cluster `{}`: calls\n\nEdge routes and `mesh.callers`: an arrow points from the caller to the service it may call.\n\n",
            g.cluster
        ));
        out.push_str(&mermaid_graph(&g.call_nodes, &g.call_edges));
    }
    out
}

fn dot_quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn dot_subgraph(
    name: &str,
    label: &str,
    nodes: &BTreeSet<Node>,
    edges: &BTreeSet<(String, String)>,
) -> String {
    let mut out = format!("  subgraph {name} {{\n    label={};\n", dot_quote(label));
    for n in nodes {
        let shape = match n.kind {
            NodeKind::Service => "box",
            NodeKind::Infrastructure => "box3d",
            NodeKind::External => "ellipse",
            NodeKind::Route => "cds",
            NodeKind::Job => "parallelogram",
            NodeKind::Component => "cylinder",
        };
        out.push_str(&format!(
            "    {} [label={}, shape={shape}];\n",
            dot_quote(&format!("{name}.{}", n.id)),
            dot_quote(&n.label)
        ));
    }
    for (a, b) in edges {
        out.push_str(&format!(
            "    {} -> {};\n",
            dot_quote(&format!("{name}.{a}")),
            dot_quote(&format!("{name}.{b}"))
        ));
    }
    out.push_str("  }\n");
    out
}

/// One DOT digraph per cluster, with a Flux and a calls cluster each.
pub fn dot(graphs: &[ClusterGraph]) -> String {
    let mut out = String::new();
    for g in graphs {
        out.push_str(&format!(
            "digraph {} {{\n  rankdir=LR;\n",
            dot_quote(&g.cluster)
        ));
        out.push_str(&dot_subgraph(
            "cluster_flux",
            &format!("{}: Flux dependsOn", g.cluster),
            &g.flux_nodes,
            &g.flux_edges,
        ));
        out.push_str(&dot_subgraph(
            "cluster_calls",
            &format!("{}: calls", g.cluster),
            &g.call_nodes,
            &g.call_edges,
        ));
        out.push_str("}\n");
    }
    out
}
