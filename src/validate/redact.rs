//! Keeps secret values out of reports.
//!
//! Reports are shown on merge requests, to everyone who can open one. Three layers:
//!
//! - rules do not quote instance values where they may be secret (schema messages never quote
//!   instance values at all; GO006 names the key only on secret paths);
//! - the file texts a report keeps for quoting (only the files with findings) have every
//!   secret value replaced with [`MASK`], keeping the keys, the line structure and the column
//!   where the value starts, so the human excerpt still points at the right place;
//! - the messages and hints of findings in those files have every occurrence of such a value
//!   (of at least [`MIN_SCRUBBED_CHARS`] characters) replaced with [`MASK`], for messages that
//!   come from elsewhere (CRD rule messages, for instance).
//!
//! What is secret is decided by
//! [`is_secret_path`](super::rules::go501_plaintext_secret::is_secret_path): the values of a
//! `v1` Secret's `data`/`stringData`, values under credential keys (`password`, `apiKey`, …),
//! env entries named like credentials, and kustomize `secretGenerator` literals. SealedSecret
//! `encryptedData` is ciphertext and stays visible.

use std::collections::BTreeMap;

use serde_json::Value;

use super::rules::go501_plaintext_secret::{is_credential_key, is_secret_path};
use super::tree::{is_kustomization_file, Tree};
use crate::diag::Diagnostic;
use crate::source::yaml::{Kind, Node};
use crate::source::{SourceFile, SourceMap};

/// What replaces a secret value.
pub const MASK: &str = "********";

/// Shorter values are masked in file texts but not searched for in messages: replacing
/// every `on` or `1` of a message would garble it, and rules do not quote values on secret
/// paths anyway.
pub const MIN_SCRUBBED_CHARS: usize = 4;

/// A secret scalar: where it starts, the column of the key that owns it (lines continuing
/// the value are indented at least that far), and its text.
struct Hit {
    line: u32,
    col: u32,
    owner_col: u32,
    text: String,
}

/// Keeps only the sources of files with findings, masked, and scrubs the findings.
pub(crate) fn redact(
    tree: &Tree,
    diagnostics: &mut [Diagnostic],
    mut sources: SourceMap,
) -> SourceMap {
    let mut by_file: BTreeMap<String, Vec<&mut Diagnostic>> = BTreeMap::new();
    for d in diagnostics.iter_mut() {
        by_file.entry(d.file.clone()).or_default().push(d);
    }
    let index: BTreeMap<&str, usize> = tree
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.display.as_str(), i))
        .collect();
    let mut kept = SourceMap::new();
    for (display, found) in by_file {
        let Some(source) = sources.remove(&display) else {
            continue;
        };
        let kustomize = tree
            .files
            .get(index.get(display.as_str()).copied().unwrap_or(usize::MAX))
            .and_then(|f| f.path.file_name())
            .is_some_and(|n| is_kustomization_file(&n.to_string_lossy()));
        let docs = match index.get(display.as_str()) {
            Some(&i) => tree.positioned(i, &source.text),
            None => crate::source::yaml::parse_documents(&source.text).ok(),
        };
        let (text, secrets) = match docs {
            Some(docs) => mask_parsed(&source.text, &docs, kustomize),
            None => mask_unparsed(&source.text),
        };
        scrub(found, secrets);
        kept.insert(display, SourceFile { text, ..source });
    }
    kept
}

/// Replaces every secret value of `secrets` (longest first) in the messages and hints.
fn scrub(found: Vec<&mut Diagnostic>, mut secrets: Vec<String>) {
    secrets.retain(|s| s.chars().count() >= MIN_SCRUBBED_CHARS);
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    secrets.dedup();
    if secrets.is_empty() {
        return;
    }
    for d in found {
        for s in &secrets {
            if d.message.contains(s.as_str()) {
                d.message = d.message.replace(s.as_str(), MASK);
            }
            if let Some(help) = d.help.as_mut().filter(|h| h.contains(s.as_str())) {
                *help = help.replace(s.as_str(), MASK);
            }
        }
    }
}

/// True for the value of a kustomize generator literal that is secret: every
/// `secretGenerator` literal, and `configMapGenerator` literals with a credential key.
fn secret_literal(tokens: &[String], value: &str) -> bool {
    match tokens {
        [generator, _, literals, _] if literals == "literals" => {
            generator == "secretGenerator"
                || (generator == "configMapGenerator"
                    && value
                        .split_once('=')
                        .is_some_and(|(k, _)| is_credential_key(k)))
        }
        _ => false,
    }
}

fn scalar_text(node: &Node) -> Option<String> {
    match &node.kind {
        Kind::Str(s) => Some(s.clone()),
        Kind::Null | Kind::Seq(_) | Kind::Map(_) => None,
        _ => Some(
            node.raw
                .clone()
                .unwrap_or_else(|| node.to_json().to_string()),
        ),
    }
}

fn collect(
    doc: &Value,
    node: &Node,
    tokens: &mut Vec<String>,
    owner_col: u32,
    kustomize: bool,
    out: &mut Vec<Hit>,
) {
    match &node.kind {
        Kind::Map(entries) => {
            for (k, v) in entries {
                tokens.push(k.key_text().unwrap_or_default());
                collect(doc, v, tokens, k.span.col, kustomize, out);
                tokens.pop();
            }
        }
        Kind::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                tokens.push(i.to_string());
                collect(doc, item, tokens, owner_col, kustomize, out);
                tokens.pop();
            }
        }
        _ => {
            let Some(text) = scalar_text(node) else {
                return;
            };
            let literal = kustomize && secret_literal(tokens, &text);
            if literal || is_secret_path(doc, tokens) {
                if literal {
                    // The value of `KEY=value`, for scrubbing messages.
                    if let Some((_, value)) = text.split_once('=') {
                        out.push(Hit {
                            line: 0,
                            col: 0,
                            owner_col,
                            text: value.to_owned(),
                        });
                    }
                }
                out.push(Hit {
                    line: node.span.line,
                    col: node.span.col,
                    owner_col,
                    text,
                });
            }
        }
    }
}

fn indent(line: &str) -> usize {
    line.chars().take_while(|c| *c == ' ').count()
}

/// Masks the scalar starting at `hit` in `lines`, and the lines that continue it.
fn mask_hit(lines: &mut [String], hit: &Hit) {
    let Some(li) = usize::try_from(hit.line)
        .ok()
        .and_then(|l| l.checked_sub(1))
    else {
        return;
    };
    let Some(line) = lines.get(li) else {
        return;
    };
    let chars: Vec<char> = line.chars().collect();
    let c = usize::try_from(hit.col.saturating_sub(1))
        .unwrap_or(0)
        .min(chars.len());
    let (end, continues) = match chars.get(c) {
        Some('"') => {
            let mut j = c + 1;
            let mut close = None;
            while j < chars.len() {
                match chars[j] {
                    '\\' => j += 2,
                    '"' => {
                        close = Some(j + 1);
                        break;
                    }
                    _ => j += 1,
                }
            }
            close.map_or((chars.len(), true), |e| (e, false))
        }
        Some('\'') => {
            let mut j = c + 1;
            let mut close = None;
            while j < chars.len() {
                if chars[j] == '\'' {
                    if chars.get(j + 1) == Some(&'\'') {
                        j += 2;
                        continue;
                    }
                    close = Some(j + 1);
                    break;
                }
                j += 1;
            }
            close.map_or((chars.len(), true), |e| (e, false))
        }
        // A block scalar: the header stays, the content lines follow.
        Some('|' | '>') => (c, true),
        _ => {
            let flow = chars[..c].iter().any(|ch| matches!(ch, '{' | '['));
            let mut j = c;
            let mut terminated = false;
            while j < chars.len() {
                let ch = chars[j];
                if ch == '#' && j > 0 && chars[j - 1].is_whitespace() {
                    terminated = true;
                    break;
                }
                if flow && matches!(ch, ',' | '}' | ']') {
                    terminated = true;
                    break;
                }
                j += 1;
            }
            while j > c && chars[j - 1].is_whitespace() {
                j -= 1;
            }
            (j, !terminated || !flow)
        }
    };
    if end > c {
        let mut masked: String = chars[..c].iter().collect();
        masked.push_str(MASK);
        masked.extend(&chars[end..]);
        lines[li] = masked;
    }
    if !continues {
        return;
    }
    // Lines indented at least to the owning key's column continue the value (block
    // scalars, multi-line plain or quoted scalars).
    let min_indent = usize::try_from(hit.owner_col).unwrap_or(1).max(1);
    for line in lines.iter_mut().skip(li + 1) {
        if line.trim().is_empty() {
            continue;
        }
        let n = indent(line);
        if n < min_indent {
            break;
        }
        *line = format!("{}{MASK}", " ".repeat(n));
    }
}

/// `text` with the secret values of its positioned documents masked, and those values.
fn mask_parsed(text: &str, docs: &[Node], kustomize: bool) -> (String, Vec<String>) {
    let mut hits = Vec::new();
    for doc in docs {
        let json = doc.to_json();
        collect(&json, doc, &mut Vec::new(), 1, kustomize, &mut hits);
    }
    if hits.is_empty() {
        return (text.to_owned(), Vec::new());
    }
    let mut lines: Vec<String> = crate::diag::lines(text).map(str::to_owned).collect();
    // Right to left, bottom to top: masking one value never moves another still to mask.
    hits.sort_by_key(|h| std::cmp::Reverse((h.line, h.col)));
    for hit in &hits {
        mask_hit(&mut lines, hit);
    }
    (lines.join("\n"), hits.into_iter().map(|h| h.text).collect())
}

/// A file that does not parse has no documents to judge by: line by line, values of
/// credential keys (and what is indented below them) are masked, and in a file that mentions
/// a Secret every value is.
fn mask_unparsed(text: &str) -> (String, Vec<String>) {
    let secretish = text.contains("Secret");
    let mut secrets = Vec::new();
    let mut under: Option<usize> = None;
    let mut out = Vec::new();
    for line in crate::diag::lines(text) {
        let n = indent(line);
        if let Some(owner) = under {
            if line.trim().is_empty() || n > owner {
                secrets.push(line.trim().to_owned());
                out.push(format!("{}{MASK}", " ".repeat(n)));
                continue;
            }
            under = None;
        }
        let body = line.trim_start();
        let item = body.strip_prefix("- ").unwrap_or(body);
        let offset = line.len() - item.len();
        let Some((key, value)) = item
            .split_once(':')
            .filter(|(_, v)| v.is_empty() || v.starts_with(' '))
        else {
            // No key: a list item or a continuation line.
            if secretish && !body.is_empty() && !body.starts_with('#') && body != "---" {
                secrets.push(item.trim().to_owned());
                out.push(format!("{}{MASK}", &line[..offset]));
            } else {
                out.push(line.to_owned());
            }
            continue;
        };
        let key = key.trim().trim_matches(|c| c == '"' || c == '\'');
        let secret = is_credential_key(key)
            || (secretish
                && !matches!(
                    key,
                    "apiVersion" | "kind" | "metadata" | "name" | "namespace"
                ));
        let value = value.trim();
        if !secret || value.starts_with('#') {
            out.push(line.to_owned());
            continue;
        }
        if value.is_empty() || value.starts_with('|') || value.starts_with('>') {
            if is_credential_key(key) {
                under = Some(n);
            }
            out.push(line.to_owned());
            continue;
        }
        secrets.push(value.to_owned());
        out.push(format!(
            "{}{}: {MASK}",
            &line[..offset],
            &item[..item.find(':').unwrap_or(0)]
        ));
    }
    (out.join("\n"), secrets)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::yaml::parse_documents;

    fn masked(text: &str) -> String {
        let docs = parse_documents(text).expect("parses");
        mask_parsed(text, &docs, false).0
    }

    #[test]
    fn secret_values_are_masked_keys_and_columns_kept() {
        let text = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  password: hunter22 # note\n  token: \"a b\"\n  key: |\n    line one\n    line two\n  flow: {a: x}\ndata: {a: eHg=, b: eXk=}\n";
        assert_eq!(
            masked(text),
            "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  password: ******** # note\n  token: ********\n  key: |\n    ********\n    ********\n  flow: {a: ********}\ndata: {a: ********, b: ********}\n"
        );
    }

    #[test]
    fn credential_keys_anywhere_and_env_values() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  password: 98765432\n  mode: fast\n---\nkind: Pod\nspec:\n  containers:\n  - env:\n    - name: API_TOKEN\n      value: abcd\n    - {name: MODE, value: slow}\n";
        let out = masked(text);
        assert!(
            out.contains("  password: ********\n  mode: fast\n"),
            "{out}"
        );
        assert!(
            out.contains("      value: ********\n    - {name: MODE, value: slow}"),
            "{out}"
        );
    }

    #[test]
    fn sealed_values_stay() {
        let text = "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata: {name: s}\nspec:\n  encryptedData:\n    password: AgBy3i\n";
        assert_eq!(masked(text), text);
    }

    #[test]
    fn unparsed_files_are_masked_line_by_line() {
        let (text, secrets) =
            mask_unparsed("kind: Secret\nstringData:\n  password: one\n  password: two\n  - x\n");
        assert_eq!(
            text,
            "kind: Secret\nstringData:\n  password: ********\n  password: ********\n  - ********\n"
        );
        assert_eq!(secrets, ["one", "two", "x"]);
        let (text, _) =
            mask_unparsed("kind: ConfigMap\ndata:\n  token: |\n    abc\n  mode: [fast\n");
        assert_eq!(
            text,
            "kind: ConfigMap\ndata:\n  token: |\n    ********\n  mode: [fast\n"
        );
    }

    #[test]
    fn messages_are_scrubbed() {
        let mut d = Diagnostic::error(
            "GO007",
            "a.yaml",
            crate::source::Span::START,
            "value hunter22 is bad",
        );
        d.help = Some("not hunter22".into());
        let mut list = [d];
        scrub(
            list.iter_mut().collect(),
            vec!["hunter22".into(), "ab".into()],
        );
        assert_eq!(list[0].message, "value ******** is bad");
        assert_eq!(list[0].help.as_deref(), Some("not ********"));
    }
}
