//! What the HelmRelease rules (GO315–GO319) share.

use serde_json::Value;

use super::ns;
use crate::validate::rule::Context;
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
