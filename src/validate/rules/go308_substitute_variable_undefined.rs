//! GO308: a `${var}` that a Flux Kustomization's post-build substitution leaves undefined.

use std::collections::BTreeSet;

use serde_json::Value;

use super::go303_flux_source_missing::flux_kustomizations;
use crate::source::Span;
use crate::validate::rule::{Context, Findings, Rule};
use crate::validate::tree::normalize;

/// GO308
pub struct SubstituteVariableUndefined;

/// Variables used as `${name}` without a default (`${name:=x}`, `${name:-x}`), not escaped
/// (`$${name}`), with the line they are on.
pub fn variables(text: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    for (n, line) in crate::diag::lines(text).enumerate() {
        let bytes = line.as_bytes();
        let mut i = 0;
        while let Some(pos) = line[i..].find("${") {
            let start = i + pos;
            let escaped = start > 0 && bytes[start - 1] == b'$';
            let Some(end) = line[start..].find('}') else {
                break;
            };
            let inner = &line[start + 2..start + end];
            i = start + end + 1;
            if escaped || inner.contains(":=") || inner.contains(":-") || inner.contains('=') {
                continue;
            }
            if !inner.is_empty()
                && inner
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_')
            {
                out.push((u32::try_from(n + 1).unwrap_or(u32::MAX), inner.to_owned()));
            }
        }
    }
    out
}

impl Rule for SubstituteVariableUndefined {
    fn code(&self) -> &'static str {
        "GO308"
    }
    fn name(&self) -> &'static str {
        "substitute-variable-undefined"
    }
    fn summary(&self) -> &'static str {
        "A manifest uses ${var} that its Flux Kustomization's postBuild.substitute does not define (and no default)."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nFor Flux Kustomizations with `postBuild`, every `${var}` in the \
         files under their path is defined in `postBuild.substitute`, in a `substituteFrom` \
         ConfigMap of the tree, or has a default (`${var:=value}`). Kustomizations whose \
         `substituteFrom` names objects outside the tree are skipped.\n\n\
         ## Why it matters\nSince Flux 2.9 strict substitution is on by default: an undefined \
         variable fails the whole Kustomization.\n\n\
         ## Example\n```yaml\nimage: app:${TAG}   # GO308, substitute defines only CLUSTER\n```\n\n\
         ## Fix\nDefine it, give a default, or escape it as `$${TAG}`."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        if !ctx.tree.applied.units.is_empty() {
            // What the builds substituted: exact, per object, after patches and generators.
            for (object, unit, u) in &ctx.tree.undefined {
                out.object(
                    *object,
                    &u.pointer,
                    format!(
                        "`${{{}}}` is not defined by the postBuild substitution of Kustomization {}",
                        u.var, ctx.tree.applied.units[*unit].id
                    ),
                    Some(format!(
                        "add it to postBuild.substitute or a substituteFrom ConfigMap, or write ${{{}:=default}}",
                        u.var
                    )),
                );
            }
            return;
        }
        for (_, k) in flux_kustomizations(ctx) {
            let Some(post_build) = k.at("/spec/postBuild") else {
                continue;
            };
            let mut defined: BTreeSet<String> = post_build
                .get("substitute")
                .and_then(Value::as_object)
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default();
            let mut complete = true;
            for from in post_build
                .get("substituteFrom")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let kind = from.get("kind").and_then(Value::as_str).unwrap_or("");
                let name = from.get("name").and_then(Value::as_str).unwrap_or("");
                let namespace = k.namespace().unwrap_or("");
                match ctx.find(kind, namespace, name).first() {
                    Some(&i) if kind == "ConfigMap" => {
                        if let Some(data) =
                            ctx.tree.objects[i].at("/data").and_then(Value::as_object)
                        {
                            defined.extend(data.keys().cloned());
                        }
                    }
                    _ => complete = false,
                }
            }
            if !complete {
                continue;
            }
            let Some(path) = k.at("/spec/path").and_then(Value::as_str) else {
                continue;
            };
            let path = normalize("", path);
            for (f, file) in ctx.tree.files.iter().enumerate() {
                if !(path.is_empty() || file.display.starts_with(&format!("{path}/"))) {
                    continue;
                }
                let Some(source) = ctx.tree.sources.get(&file.display) else {
                    continue;
                };
                for (line, var) in variables(&source.text) {
                    if !defined.contains(&var) {
                        out.file(
                            f,
                            Span::new(line, 1),
                            format!(
                                "`${{{var}}}` is not defined by the postBuild substitution of {}",
                                k.id()
                            ),
                            Some(format!(
                                "add it to postBuild.substitute, or write ${{{var}:=default}}"
                            )),
                        );
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::variables;

    #[test]
    fn finds_undefaulted_unescaped_variables() {
        let text = "a: ${A}\nb: ${B:=x}\nc: $${C}\nd: ${D:-y} ${E}\n";
        assert_eq!(
            variables(text),
            vec![(1, "A".to_owned()), (4, "E".to_owned())]
        );
    }
}
