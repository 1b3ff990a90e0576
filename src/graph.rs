//! `fluxprint graph`: per cluster, the Flux `dependsOn` graph (the order Flux applies things
//! in) and the call graph (edge routes → services, callers → services), as Mermaid (which
//! GitLab renders in Markdown) or Graphviz DOT.

use std::collections::{BTreeMap, BTreeSet};

use crate::render::flux::INFRASTRUCTURE;
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

/// Builds the graphs of one cluster from its resolved services.
pub fn cluster_graph(cluster: &ResolvedCluster, services: &[ResolvedService]) -> ClusterGraph {
    let mut g = ClusterGraph {
        cluster: cluster.name.clone(),
        ..ClusterGraph::default()
    };
    let names: BTreeSet<&str> = services.iter().map(|s| s.name.as_str()).collect();
    // Routes are numbered in label order: hosts and paths do not make unique identifiers.
    let mut routes: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let infra = node("k", INFRASTRUCTURE, NodeKind::Infrastructure);
    for svc in services {
        let k = node("k", &svc.name, NodeKind::Service);
        g.flux_edges.insert((k.id.clone(), infra.id.clone()));
        for dep in &svc.depends_on {
            let kind = if names.contains(dep.as_str()) {
                NodeKind::Service
            } else {
                NodeKind::External
            };
            let d = node("k", dep, kind);
            g.flux_edges.insert((k.id.clone(), d.id.clone()));
            g.flux_nodes.insert(d);
        }
        g.flux_nodes.insert(k);

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
    g.flux_nodes.insert(infra);
    g
}

fn mermaid_shape(n: &Node) -> String {
    let label = n.label.replace('"', "#quot;");
    match n.kind {
        NodeKind::Service => format!("{}[\"{label}\"]", n.id),
        NodeKind::Infrastructure => format!("{}[[\"{label}\"]]", n.id),
        NodeKind::External => format!("{}([\"{label}\"])", n.id),
        NodeKind::Route => format!("{}>\"{label}\"]", n.id),
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
            "### Cluster `{}`: Flux dependsOn\n\nAn arrow points to what must be ready first; rounded nodes are platform Kustomizations outside fluxprint.\n\n",
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
