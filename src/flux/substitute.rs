//! Flux's post-build variable substitution (`spec.postBuild`), on built objects.
//!
//! kustomize-controller serializes each built object to YAML, runs bash-style substitution
//! over the text and parses the result again. On JSON values that means: every string is
//! substituted, and a string that the serializer writes as a plain scalar — how it was
//! quoted in the source does not matter, the build has forgotten — changes type when it
//! becomes a number or a boolean (`replicas: ${REPLICAS}` → `3`, `"${ENABLED}"` → `true`).
//! Comments never reach the substitution: kustomize's output has none. Only `${…}` forms
//! are variables; a bare `$VAR` is text.

use std::collections::BTreeMap;

use serde_json::Value;

/// The variables a Kustomization substitutes.
#[derive(Clone, Debug, Default)]
pub struct Vars {
    /// Known names and values.
    pub known: BTreeMap<String, String>,
    /// True when some values cannot be known (a Secret that is SOPS-encrypted or sealed, a
    /// ConfigMap outside the repository): then no variable is reported undefined.
    pub open: bool,
}

/// A `${name}` without default that no variable defines: Flux's strict substitution fails.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Undefined {
    /// JSON pointer of the string in the object.
    pub pointer: String,
    /// The variable.
    pub var: String,
}

/// Substitutes `vars` in every string of `value`.
pub fn substitute(value: &mut Value, vars: &Vars) -> Vec<Undefined> {
    let mut undefined = Vec::new();
    let mut pointer = String::new();
    walk(value, vars, &mut pointer, &mut undefined);
    undefined
}

/// True when a YAML serializer (go-yaml, as kustomize uses it) writes `text` as a plain
/// scalar: not empty, one line, no surrounding space, no leading indicator, no `: ` or ` #`,
/// and not a value YAML would read as another type.
fn written_plain(text: &str) -> bool {
    !text.is_empty()
        && !text.contains('\n')
        && text.trim() == text
        && !text.starts_with([
            '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%',
            '@', '`',
        ])
        && !text.contains(": ")
        && !text.contains(" #")
        && matches!(reread(text), Value::String(_))
}

fn walk(value: &mut Value, vars: &Vars, pointer: &mut String, undefined: &mut Vec<Undefined>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&crate::source::yaml::escape_pointer_token(key));
                walk(v, vars, pointer, undefined);
                pointer.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter_mut().enumerate() {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&i.to_string());
                walk(v, vars, pointer, undefined);
                pointer.truncate(len);
            }
        }
        Value::String(s) if s.contains('$') => {
            let (out, missing) = expand(s, vars);
            for var in missing {
                undefined.push(Undefined {
                    pointer: pointer.clone(),
                    var,
                });
            }
            if out != *s {
                *value = if written_plain(s) {
                    reread(&out)
                } else {
                    Value::String(out)
                };
            }
        }
        _ => {}
    }
}

/// A plain scalar's text as YAML 1.2 (core schema) reads it.
fn reread(text: &str) -> Value {
    match text {
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        "null" | "Null" | "NULL" | "~" | "" => return Value::Null,
        _ => {}
    }
    if let Ok(n) = text.parse::<i64>() {
        return Value::from(n);
    }
    if text.contains(['.', 'e', 'E']) && !text.ends_with('.') {
        if let Ok(f) = text.parse::<f64>() {
            if f.is_finite() {
                return Value::from(f);
            }
        }
    }
    Value::String(text.to_owned())
}

/// The index of the `}` closing a `${` whose body starts at `from`, counting nested `${`.
fn closing_brace(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 2;
                continue;
            }
            b'}' if depth == 0 => return Some(i),
            b'}' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    None
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_name(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Expands `text`; returns the result and the variables used as `${name}` without a
/// default that are not defined. Forms: `$$` (a literal `$`), `${name}`,
/// `${name:=default}`, `${name:-default}`, `${name=default}`, `${name-default}`, and the
/// other bash operators on a defined variable (kept as its value: only definedness matters
/// to the verdict).
pub fn expand(text: &str, vars: &Vars) -> (String, Vec<String>) {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut missing = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'$' {
            let next = text[i..].find('$').map_or(text.len(), |p| i + p);
            out.push_str(&text[i..next]);
            i = next;
            continue;
        }
        match bytes.get(i + 1) {
            Some(b'$') => {
                out.push('$');
                i += 2;
            }
            Some(b'{') => {
                // Defaults may hold variables of their own: `${A:-${B}}`.
                let Some(close) = closing_brace(text, i + 2) else {
                    out.push_str(&text[i..]);
                    break;
                };
                let inner = &text[i + 2..close];
                let name_len = inner.bytes().take_while(|b| is_name(*b)).count();
                let name = &inner[..name_len];
                if name.is_empty() || !is_name_start(inner.as_bytes()[0]) {
                    out.push_str(&text[i..=close]);
                    i = close + 1;
                    continue;
                }
                let rest = &inner[name_len..];
                let default = [":=", ":-", "=", "-"]
                    .iter()
                    .find_map(|op| rest.strip_prefix(op));
                let value = vars.known.get(name);
                let use_default = match value {
                    None => true,
                    // `:=`/`:-` also replace an empty value.
                    Some(v) => v.is_empty() && rest.starts_with(':'),
                };
                match (value, default) {
                    (_, Some(d)) if use_default => {
                        let (expanded, inner_missing) = expand(d, vars);
                        out.push_str(&expanded);
                        missing.extend(inner_missing);
                    }
                    (Some(v), _) => out.push_str(v),
                    (None, _) => {
                        if !vars.open {
                            missing.push(name.to_owned());
                        }
                        out.push_str(&text[i..=close]);
                    }
                }
                i = close + 1;
            }
            _ => {
                out.push('$');
                i += 1;
            }
        }
    }
    (out, missing)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn vars(pairs: &[(&str, &str)]) -> Vars {
        Vars {
            known: pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            open: false,
        }
    }

    #[test]
    fn expands_the_forms_flux_knows() {
        let v = vars(&[("A", "1"), ("EMPTY", "")]);
        assert_eq!(expand("x-${A}", &v), ("x-1".into(), vec![]));
        assert_eq!(expand("${B:=two}", &v), ("two".into(), vec![]));
        assert_eq!(expand("${B:-two}", &v), ("two".into(), vec![]));
        assert_eq!(expand("${EMPTY:=d}", &v), ("d".into(), vec![]));
        assert_eq!(expand("$${A}", &v), ("${A}".into(), vec![]));
        assert_eq!(expand("$A/$NOPE", &v), ("$A/$NOPE".into(), vec![]));
        assert_eq!(expand("${B}", &v), ("${B}".into(), vec!["B".to_owned()]));
        assert_eq!(expand("cost: 5$", &v), ("cost: 5$".into(), vec![]));
        assert_eq!(expand("${NOPE:-${A}}", &v), ("1".into(), vec![]));
        assert_eq!(expand("${A:-${NOPE}}", &v), ("1".into(), vec![]));
        assert_eq!(
            expand("${X:-${NOPE}}-z", &v),
            ("${NOPE}-z".into(), vec!["NOPE".to_owned()])
        );
    }

    #[test]
    fn open_variables_are_never_undefined() {
        let v = Vars {
            open: true,
            ..Vars::default()
        };
        assert_eq!(expand("${B}", &v).1, Vec::<String>::new());
    }

    #[test]
    fn substituted_scalars_are_read_again() {
        let mut doc = json!({"spec": {"replicas": "${N}", "on": "${B}", "name": "x-${N}", "multi": "a\n${N}"}});
        let undefined = substitute(&mut doc, &vars(&[("N", "3"), ("B", "true")]));
        assert!(undefined.is_empty());
        assert_eq!(
            doc,
            json!({"spec": {"replicas": 3, "on": true, "name": "x-3", "multi": "a\n3"}})
        );
    }
}
