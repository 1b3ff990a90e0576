//! GO501: a Secret with plaintext (base64 is not encryption) values in git.

use serde_json::Value;

use crate::validate::rule::{Context, Findings, Rule};

/// GO501
pub struct PlaintextSecret;

/// The fields of a `v1` Secret that hold its values: what GO501 reports when committed in
/// the clear, and what reports never quote.
pub const SECRET_FIELDS: [&str; 2] = ["data", "stringData"];

/// Words that make a key a credential wherever it appears (a ConfigMap's `password:`, an
/// env var `API_TOKEN`, `clientSecret:`), compared on the key lowercased without `-`, `_`
/// and `.`. The one list: GO501's notion of what is secret, reused by report redaction.
const CREDENTIAL_WORDS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "apikey",
    "privatekey",
    "credential",
    "accesskey",
    "connectionstring",
];

/// Endings of keys that name, point at or configure a credential rather than hold it
/// (`secretName`, `secretKeyRef`, `tokenPath`, `imagePullSecrets`, kustomize's
/// `secretGenerator`, whose literals are judged on their own).
const REFERENCE_ENDINGS: &[&str] = &[
    "name",
    "ref",
    "refs",
    "namespace",
    "path",
    "file",
    "type",
    "generator",
    "pullsecrets",
    "serviceaccounttoken",
];

/// True when a mapping key holds a credential: `password`, `DB_PASSWORD`, `apiKey`,
/// `client-secret`, but not `secretName` or `secretKeyRef`.
pub fn is_credential_key(key: &str) -> bool {
    let k: String = key
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | '.'))
        .flat_map(char::to_lowercase)
        .collect();
    CREDENTIAL_WORDS.iter().any(|w| k.contains(w))
        && !REFERENCE_ENDINGS.iter().any(|e| k.ends_with(e))
        && !k.starts_with("automount")
}

/// True when the value at `tokens` (unescaped JSON pointer tokens) of document `doc` is a
/// secret: under the data or stringData of a `v1` Secret, under a credential key
/// ([`is_credential_key`]), or the `value` of an entry whose `name` is a credential
/// (`env: [{name: DB_PASSWORD, value: ...}]`). SealedSecret `encryptedData` is not secret.
pub fn is_secret_path(doc: &Value, tokens: &[String]) -> bool {
    let is_v1_secret = doc.get("kind").and_then(Value::as_str) == Some("Secret")
        && doc.get("apiVersion").and_then(Value::as_str) == Some("v1");
    if is_v1_secret && tokens.len() > 1 && SECRET_FIELDS.contains(&tokens[0].as_str()) {
        return true;
    }
    // Ciphertext, bound to the cluster's key: safe to show, and useful in findings.
    if doc.get("kind").and_then(Value::as_str) == Some("SealedSecret")
        && tokens.starts_with(&["spec".to_owned(), "encryptedData".to_owned()])
    {
        return false;
    }
    let mut node = doc;
    for token in tokens {
        if is_credential_key(token) && node.is_object() {
            return true;
        }
        if token == "value"
            && node
                .get("name")
                .and_then(Value::as_str)
                .is_some_and(is_credential_key)
        {
            return true;
        }
        node = match node {
            Value::Object(m) => match m.get(token) {
                Some(v) => v,
                None => return false,
            },
            Value::Array(a) => match token.parse::<usize>().ok().and_then(|i| a.get(i)) {
                Some(v) => v,
                None => return false,
            },
            _ => return false,
        };
    }
    false
}

/// True for a value that names a secret kept elsewhere, resolved before or at apply time:
/// 1Password (`op://`), vals (`ref+…://`), argocd-vault-plugin (`<path:…>`), Vault agent
/// (`vault:`), or a substitution placeholder (`${VAR}`) left for Flux.
fn is_reference(text: &str) -> bool {
    let t = text.trim();
    t.starts_with("op://")
        || (t.starts_with("ref+") && t.contains("://"))
        || (t.starts_with("<path:") && t.ends_with('>'))
        || t.starts_with("vault:")
        || (t.starts_with("${") && t.ends_with('}') && !t[2..].contains('$'))
}

/// True when every value of the secret field `key` is a reference ([`is_reference`]).
fn references_only(map: &serde_json::Map<String, Value>, key: &str) -> bool {
    use base64::Engine as _;
    !map.is_empty()
        && map.values().all(|v| {
            let Some(text) = v.as_str() else {
                return false;
            };
            if key == "data" {
                base64::engine::general_purpose::STANDARD
                    .decode(text)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .is_some_and(|t| is_reference(&t))
            } else {
                is_reference(text)
            }
        })
}

/// True for a SOPS-encrypted document (its `sops` block, or `ENC[...]` values).
pub fn sops_encrypted(o: &Value) -> bool {
    crate::source::get(o, "sops").is_some()
        || SECRET_FIELDS.iter().any(|k| {
            crate::source::get(o, k)
                .and_then(Value::as_object)
                .is_some_and(|m| {
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
         ## Example\n```yaml\nkind: Secret   # GO501\ndata:\n  password: czNjcjN0\n```\n\n\
         ## Fix\nSeal it (`fluxprint seal`, or `kubeseal`) or encrypt it with SOPS, and rotate \
         the value: it is in the history."
    }
    fn check(&self, ctx: &Context<'_>, out: &mut Findings<'_>) {
        // Files no build applies are still in git: a plaintext secret there leaks as well.
        let secrets = ctx
            .tree
            .objects
            .iter()
            .chain(&ctx.tree.unapplied)
            .filter(|o| o.kind() == "Secret");
        for s in secrets {
            if !s.group().is_empty() || sops_encrypted(&s.value) {
                continue;
            }
            let leaking: Vec<&str> = SECRET_FIELDS
                .iter()
                .copied()
                .filter(|key| {
                    s.at(&format!("/{key}"))
                        .and_then(Value::as_object)
                        .is_some_and(|m| !m.is_empty() && !references_only(m, key))
                })
                .collect();
            if !leaking.is_empty() {
                // At `kind: Secret`: what to change is the kind (sealed or encrypted), and one
                // finding per Secret however many of its fields leak.
                out.on(s, "/kind", format!("{} holds unencrypted {} in git", s.id(), leaking.join(" and ")), Some("seal it with `fluxprint seal` or kubeseal, or encrypt it with SOPS, and rotate the value".into()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tokens(p: &str) -> Vec<String> {
        crate::source::yaml::pointer_tokens(p)
    }

    #[test]
    fn references_are_not_secrets() {
        for r in [
            "op://vault/item/field",
            "ref+vault://secret/x#k",
            "<path:kv/data/x#k>",
            "${DB_PASSWORD}",
        ] {
            assert!(is_reference(r), "{r}");
        }
        for v in ["hunter2", "op:/x", "${A}${B}x", "prefix ${A}"] {
            assert!(!is_reference(v), "{v}");
        }
    }

    #[test]
    fn credential_keys() {
        for key in [
            "password",
            "DB_PASSWORD",
            "apiKey",
            "client-secret",
            "token",
            "tls.privateKey",
        ] {
            assert!(is_credential_key(key), "{key}");
        }
        for key in [
            "secretName",
            "secretKeyRef",
            "secretRef",
            "automountServiceAccountToken",
            "name",
            "image",
            "tokenPath",
            "secretGenerator",
            "imagePullSecrets",
        ] {
            assert!(!is_credential_key(key), "{key}");
        }
    }

    #[test]
    fn secret_paths() {
        let secret = json!({"apiVersion": "v1", "kind": "Secret", "data": {"a": "x"}, "stringData": {"b": "y"}, "metadata": {"name": "s"}});
        assert!(is_secret_path(&secret, &tokens("/data/a")));
        assert!(is_secret_path(&secret, &tokens("/stringData/b")));
        assert!(!is_secret_path(&secret, &tokens("/metadata/name")));
        let sealed = json!({"apiVersion": "bitnami.com/v1alpha1", "kind": "SealedSecret", "spec": {"encryptedData": {"a": "AgB"}}});
        assert!(!is_secret_path(&sealed, &tokens("/spec/encryptedData/a")));
        let sealed =
            json!({"kind": "SealedSecret", "spec": {"encryptedData": {"password": "AgB"}}});
        assert!(!is_secret_path(
            &sealed,
            &tokens("/spec/encryptedData/password")
        ));
        let config = json!({"kind": "ConfigMap", "data": {"password": "x", "mode": "y"}});
        assert!(is_secret_path(&config, &tokens("/data/password")));
        assert!(!is_secret_path(&config, &tokens("/data/mode")));
        let pod = json!({"spec": {"containers": [{"env": [{"name": "API_TOKEN", "value": "x"}, {"name": "MODE", "value": "y"}]}]}});
        assert!(is_secret_path(
            &pod,
            &tokens("/spec/containers/0/env/0/value")
        ));
        assert!(!is_secret_path(
            &pod,
            &tokens("/spec/containers/0/env/1/value")
        ));
    }
}
