//! What the HelmRelease rules (GO315–GO319) share.

use serde_json::Value;

use super::ns;
use crate::diag::Severity;
use crate::validate::rule::{Context, Findings};
use crate::validate::tree::Object;

/// The Flux HelmReleases of the tree.
pub fn helm_releases<'a>(ctx: &'a Context<'_>) -> impl Iterator<Item = (usize, &'a Object)> + 'a {
    ctx.tree
        .of_kind("HelmRelease")
        .filter(|(_, o)| o.group() == "helm.toolkit.fluxcd.io")
}

/// A reference `{kind, name, namespace}` of `object` at `pointer`, the namespace defaulting
/// to the object's.
pub fn reference<'a>(object: &'a Object, pointer: &str) -> Option<(&'a str, &'a str, &'a str)> {
    let r = object.at(pointer)?;
    let name = r.get("name").and_then(Value::as_str)?;
    let kind = r.get("kind").and_then(Value::as_str).unwrap_or("");
    let namespace = r
        .get("namespace")
        .and_then(Value::as_str)
        .unwrap_or(ns(object));
    Some((kind, name, namespace))
}

/// Another repository may define what a reference names: "not in this tree" is a warning,
/// an error only when the tree is declared self-contained.
pub fn grade_missing(ctx: &Context<'_>, out: &mut Findings<'_>) {
    if !ctx.options.self_contained {
        out.with_severity(Severity::Warning);
    }
}

/// The help of a reference that is not in the tree.
pub fn not_in_tree_help() -> Option<String> {
    Some(
        "expected when another repository or a controller creates it; with --self-contained this is an error".into(),
    )
}
