//! GO503: a workload that reads a secret key nothing in the tree provides.

use std::collections::HashMap;

use crate::validate::tree::Lookup;
use serde_json::Value;

use super::{containers, ns, pod_template};
use crate::diag::Severity;
use crate::validate::rule::{Context, Findings, Rule};

/// GO503
pub struct SecretKeyUnknown;

/// The ExternalSecrets (and PushSecrets) of the tree by the namespace and name of the Secret
/// they write, built once per run: looking them up per reference was quadratic.
type Writers<'t> = HashMap<(&'t str, &'t str), Vec<usize>>;

fn writers<'t>(ctx: &Context<'t>) -> Writers<'t> {
    let mut by_target: Writers<'t> = HashMap::new();
    for (i, o) in ctx.tree.objects.iter().enumerate() {
        if matches!(o.kind(), "ExternalSecret" | "PushSecret") && o.group() == "external-secrets.io"
        {
            let target = o
                .at("/spec/target/name")
                .and_then(Value::as_str)
                .unwrap_or(o.name());
            by_target.entry((ns(o), target)).or_default().push(i);
        }
    }
    by_target
}

/// The keys a Secret or SealedSecret of the tree provides under `name`, or `None` when the
/// tree has neither.
fn provided(
    ctx: &Context<'_>,
    writers: &Writers<'_>,
    namespace: &str,
    name: &str,
) -> Option<Vec<String>> {
    let mut keys = Vec::new();
    let mut found = false;
    // An ExternalSecret writes its target Secret on the cluster: `data[].secretKey` are its
    // keys; `dataFrom` or a template adds keys only the provider knows (any key may exist).
    for o in writers
        .get(&(namespace, name))
        .into_iter()
        .flatten()
        .map(|&i| &ctx.tree.objects[i])
    {
        if o.at("/spec/dataFrom").is_some() || o.at("/spec/target/template").is_some() {
            return Some(vec![ANY_KEY.to_owned()]);
        }
        found = true;
        keys.extend(
            o.at("/spec/data")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|d| d.get("secretKey").and_then(Value::as_str))
                .map(str::to_owned),
        );
    }
    for (kind, fields) in [
        ("Secret", ["/data", "/stringData"]),
        (
            "SealedSecret",
            ["/spec/encryptedData", "/spec/template/data"],
        ),
    ] {
        for &i in ctx.find(kind, namespace, name) {
            found = true;
            for field in fields {
                keys.extend(
                    ctx.tree.objects[i]
                        .at(field)
                        .and_then(Value::as_object)
                        .into_iter()
                        .flat_map(|m| m.keys().cloned()),
                );
            }
        }
    }
    found.then_some(keys)
}

/// Stands for "any key": a Secret whose keys only its provider knows.
const ANY_KEY: &str = "\u{0}any";

impl Rule for SecretKeyUnknown {
    fn code(&self) -> &'static str {
        "GO503"
    }
    fn name(&self) -> &'static str {
        "secret-key-unknown"
    }
    fn summary(&self) -> &'static str {
        "A container reads a Secret key (secretKeyRef) that the Secret or SealedSecret of the tree does not provide."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nEvery non-optional `valueFrom.secretKeyRef` of a workload names a \
         key of the Secret (`data`, `stringData`) or SealedSecret (`encryptedData`, \
         `template.data`) of that name in the workload's namespace, or that an ExternalSecret \
         of the namespace writes (`data[].secretKey`; with `dataFrom` or a template any key \
         may come from the provider). A reference to a secret \
         the tree does not contain at all is a warning (it may be created outside GitOps).\n\n\
         ## Why it matters\nThe pod never starts: `CreateContainerConfigError: couldn't find \
         key`.\n\n## Example\n```yaml\nsecretKeyRef: {name: order-secrets, key: DATABSE_URL}   # GO503\n```\n\n\
         ## Fix\nSeal the missing key, or correct the reference."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        let mut absent = Vec::new();
        let writers = writers(ctx);
        for (i, w) in ctx.tree.objects.iter().enumerate() {
            let Some(t) = pod_template(w) else { continue };
            for (pointer, c) in containers(w, t) {
                for (e, env) in c
                    .get("env")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .enumerate()
                {
                    let Some(r) = env.lookup("/valueFrom/secretKeyRef") else {
                        continue;
                    };
                    if r.get("optional").and_then(Value::as_bool) == Some(true) {
                        continue;
                    }
                    let (Some(name), Some(key)) = (
                        r.get("name").and_then(Value::as_str),
                        r.get("key").and_then(Value::as_str),
                    ) else {
                        continue;
                    };
                    let at = format!("{pointer}/env/{e}/valueFrom/secretKeyRef");
                    match provided(ctx, &writers, ns(w), name) {
                        Some(keys) if !keys.iter().any(|k| k == key || k == ANY_KEY) => out.object(i, &at, format!("{} reads key `{key}` of Secret {}/{name}, which does not provide it", w.id(), ns(w)), Some(format!("keys: {}", keys.join(", ")))),
                        Some(_) => {}
                        None => absent.push((i, at, format!("{} reads Secret {}/{name}, which is not in the tree", w.id(), ns(w)))),
                    }
                }
            }
        }
        out.with_severity(Severity::Warning);
        for (i, at, message) in absent {
            out.object(
                i,
                &at,
                message,
                Some("seal it (fluxprint seal) or make sure it is created outside GitOps".into()),
            );
        }
    }
}
