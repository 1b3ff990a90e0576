//! The name suffix kustomize gives generated ConfigMaps and Secrets: the first ten hex
//! digits of the SHA-256 of a JSON encoding of the object's kind and data (as Go's
//! `encoding/json` writes it, keys sorted), with five digits swapped for letters.
//!
//! kustomize means to include the name too, but looks it up as one field called
//! `metadata/name`, which never exists: the name is always encoded as `""`, so equal data
//! gives equal suffixes whatever the name (or prefix) is.

use crate::source::Lookup as _;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// Appends `s` as a JSON string the way Go's `encoding/json` does (HTML characters and the
/// line and paragraph separators escaped).
fn go_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Go's `json.Marshal` of a decoded value: objects with sorted keys.
pub(crate) fn go_json(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => go_string(s, out),
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                go_json(x, out);
            }
            out.push(']');
        }
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                go_string(k, out);
                out.push(':');
                go_json(&m[k], out);
            }
            out.push('}');
        }
    }
}

/// kustomize's encoding of the hex digest: the first ten digits, `0 1 3 a e` → `g h k m t`.
fn encode(hex: &str) -> String {
    hex.chars()
        .take(10)
        .map(|c| match c {
            '0' => 'g',
            '1' => 'h',
            '3' => 'k',
            'a' => 'm',
            'e' => 't',
            c => c,
        })
        .collect()
}

/// The hash suffix of a ConfigMap or Secret (any other kind: of the whole object).
pub(crate) fn suffix(obj: &Value) -> String {
    let get = |p: &str| {
        obj.lookup(p)
            .cloned()
            .unwrap_or(Value::String(String::new()))
    };
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("");
    let mut m = Map::new();
    match kind {
        "ConfigMap" => {
            m.insert("kind".into(), "ConfigMap".into());
            m.insert("name".into(), Value::String(String::new()));
            m.insert("data".into(), get("/data"));
            if let Some(b @ Value::Object(_)) = obj.get("binaryData") {
                m.insert("binaryData".into(), b.clone());
            }
        }
        "Secret" => {
            m.insert("kind".into(), "Secret".into());
            m.insert("type".into(), get("/type"));
            m.insert("name".into(), Value::String(String::new()));
            m.insert("data".into(), get("/data"));
            if let Some(b @ Value::Object(_)) = obj.get("stringData") {
                m.insert("stringData".into(), b.clone());
            }
        }
        _ => {
            let mut s = String::new();
            go_json(obj, &mut s);
            return encode(&hex(&s));
        }
    }
    let mut s = String::new();
    go_json(&Value::Object(m), &mut s);
    encode(&hex(&s))
}

fn hex(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_escapes_html_and_separators() {
        let mut s = String::new();
        go_json(
            &serde_json::json!({"b": "<a&b>\u{2028}", "a": "x\"\n"}),
            &mut s,
        );
        assert_eq!(s, r#"{"a":"x\"\n","b":"\u003ca\u0026b\u003e\u2028"}"#);
    }
}
