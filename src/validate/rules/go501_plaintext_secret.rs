//! GO501: a Secret with plaintext (base64 is not encryption) values in git.

use serde_json::Value;

use crate::validate::rule::{Context, Findings, Rule};

/// GO501
pub struct PlaintextSecret;

/// True for a SOPS-encrypted document (its `sops` block, or `ENC[...]` values).
pub fn sops_encrypted(o: &Value) -> bool {
    o.get("sops").is_some()
        || ["data", "stringData"].iter().any(|k| {
            o.get(*k).and_then(Value::as_object).is_some_and(|m| {
                !m.is_empty()
                    && m.values()
                        .all(|v| v.as_str().is_some_and(|s| s.starts_with("ENC[")))
            })
        })
}

impl Rule for PlaintextSecret {
    fn code(&self) -> &'static str {
        "GO501"
    }
    fn name(&self) -> &'static str {
        "plaintext-secret"
    }
    fn summary(&self) -> &'static str {
        "A Secret with data or stringData is committed unencrypted."
    }
    fn doc(&self) -> &'static str {
        "## What it checks\nNo `v1` Secret in the tree has non-empty `data` or `stringData`, \
         unless it is SOPS-encrypted (a `sops` block or `ENC[...]` values).\n\n\
         ## Why it matters\nbase64 is an encoding: everyone with read access to the repository, \
         its forks and its CI logs has the secret.\n\n\
         ## Example\n```yaml\nkind: Secret\ndata:\n  password: czNjcjN0   # GO501\n```\n\n\
         ## Fix\nSeal it (`fluxprint seal`, or `kubeseal`) or encrypt it with SOPS, and rotate \
         the value: it is in the history."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        for (i, s) in ctx.tree.of_kind("Secret") {
            if !s.group().is_empty() || sops_encrypted(&s.value) {
                continue;
            }
            for key in ["data", "stringData"] {
                if s.at(&format!("/{key}"))
                    .and_then(Value::as_object)
                    .is_some_and(|m| !m.is_empty())
                {
                    out.object(i, &format!("/{key}"), format!("{} holds unencrypted {key} in git", s.id()), Some("seal it with `fluxprint seal` or kubeseal, or encrypt it with SOPS, and rotate the value".into()));
                }
            }
        }
    }
}
